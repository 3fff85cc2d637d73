// cancel: cancelling running tasks. Cancellation is a request, delivered as
// Cancelled at the task's next await, and its cleanup runs. Work already on a
// thread cannot be stopped: the awaiting task moves on at once, but the thread
// runs to the end ("the pretense of cancellation").

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "core/gather.hpp"
#include "core/outcome.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "core/to_thread.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "cancel";
constexpr std::string_view kLesson =
    "cancel() is a request: the task gets CancelledError at its next await and its cleanup "
    "runs; work already on a thread cannot be stopped and runs to its end.";

// The note main makes as it cancels the workers: where the record shows the cancel came.
constexpr std::string_view kCancelNote = "cancel() all";

struct CancelOptions {
  std::size_t n = 3;
  Duration after = 1500ms;
  Duration beat = 500ms;
  Duration cleanup = 100ms;
  bool offload = false;
  Duration work = 3s;  // with --offload: the blocking work each task hands to a thread
};

struct CancelRecord {
  std::size_t cleanups = 0;
  Nanos cancel_requested_at = 0;
  std::vector<Nanos> cancelled_at;  // when each worker got Cancelled
  Json results = Json::array();     // how each worker ended, in submission order
  std::vector<std::string> errors;  // "worker-2: <what>" for each worker that failed
};

// The body of a worker: heartbeats on the loop, or one long job on a thread.
Task<void> work_loop(CancelOptions options) {
  if (options.offload) {
    co_await thread_sleep(options.work);  // asyncio.to_thread(time.sleep, work)
    co_return;
  }
  for (int beat = 1;; ++beat) {
    co_await sleep(options.beat);
    Runtime::current().note(fmt::format("heartbeat {}", beat));
  }
}

Task<int> worker(int id, CancelOptions options, std::shared_ptr<CancelRecord> record) {
  bool cancelled = false;
  try {
    co_await work_loop(options);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  if (cancelled) {
    Runtime& runtime = Runtime::current();
    record->cancelled_at.push_back(runtime.now());
    runtime.note(fmt::format("Cancelled: cleanup {}", format_duration(options.cleanup)));
    co_await sleep(options.cleanup);
    ++record->cleanups;
    throw Cancelled{};
  }
  co_return id;
}

// Cancelled is the lesson; an error is not: nobody asked for it.
void record_outcome(CancelRecord& record, std::size_t id, const Outcome<int>& outcome) {
  if (outcome.cancelled()) {
    record.results.push_back({{"cancelled", true}});
  } else if (outcome.failed()) {
    record.results.push_back({{"error", outcome.error_message()}});
    record.errors.push_back(fmt::format("worker-{}: {}", id, outcome.error_message()));
  } else {
    record.results.push_back(outcome.value());  // its work ended before the cancel came
  }
}

Task<void> cancel_main(CancelOptions options, std::shared_ptr<CancelRecord> record) {
  std::vector<TaskHandle<int>> tasks;
  for (std::size_t i = 1; i <= options.n; ++i) {
    const int id = static_cast<int>(i);
    // Work that fails (thread_sleep's clock_nanosleep) says why on its worker's row.
    tasks.push_back(
        spawn(kit::noting_error(worker(id, options, record)), fmt::format("worker-{}", id)));
  }
  co_await sleep(options.after);
  Runtime& runtime = Runtime::current();
  record->cancel_requested_at = runtime.now();
  runtime.note(fmt::format("{} {}", kCancelNote, options.n));
  for (TaskHandle<int>& task : tasks) {
    task.cancel();
  }
  // return_exceptions=True: wait for every cleanup, collect the Cancelled.
  const std::vector<Outcome<int>> outcomes = co_await gather(std::move(tasks), OnError::collect);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    record_outcome(*record, i + 1, outcomes[i]);
  }
}

// What became of the thread work of the tasks the cancel reached, from the
// timeline, in the order it was recorded: work that ended at the cancel's
// very moment ended before it or after it.
struct ThreadWork {
  Nanos last_end = 0;
  std::size_t ran_on = 0;     // still running on a thread when cancel() came
  std::size_t unclaimed = 0;  // ended first, but its task had not resumed to take the result
  std::size_t dropped = 0;    // still queued: uv_cancel took it off the queue
};

ThreadWork thread_work_of(const Timeline& timeline,
                          const std::vector<Timeline::TaskSummary>& tasks) {
  ThreadWork work;
  bool cancel_came = false;
  for (const Event& event : timeline.events()) {
    if (event.kind == EventKind::note && timeline.parent(event.task) == kNoParent &&
        timeline.note(event.note).starts_with(kCancelNote)) {
      cancel_came = true;
    }
    if (tasks[event.task].outcome != TaskOutcome::cancelled) {
      continue;  // its work ended before the cancel came: cancel() found it done
    }
    if (event.kind == EventKind::thread_finished) {
      work.last_end = std::max(work.last_end, event.t_ns);
      ++(cancel_came ? work.ran_on : work.unclaimed);
    } else if (event.kind == EventKind::thread_dropped) {
      ++work.dropped;
    }
  }
  return work;
}

// How the workers ended, from the timeline: those the cancel reached, and
// those whose work had already ended (cancel() found them done: it did nothing).
struct Endings {
  std::size_t cancelled = 0;
  std::size_t done = 0;
  std::size_t done_after_cancel = 0;  // ran on although cancel() came while they ran
};

Endings endings_of(const Timeline& timeline, const std::vector<Timeline::TaskSummary>& tasks,
                   Nanos cancel_at) {
  Endings e;
  for (TaskId id = 0; id < tasks.size(); ++id) {
    if (timeline.parent(id) == kNoParent) {
      continue;  // main
    }
    if (tasks[id].outcome == TaskOutcome::cancelled) {
      ++e.cancelled;
    } else if (tasks[id].outcome == TaskOutcome::ok) {
      ++e.done;
      e.done_after_cancel += tasks[id].end_ns > cancel_at ? 1 : 0;
    }
  }
  return e;
}

void judge(ScenarioReport& report, const CancelOptions& options, const CancelRecord& record,
           double slack) {
  const double cancel_at = kit::seconds(record.cancel_requested_at);
  const std::vector<Timeline::TaskSummary> tasks = report.timeline.summarize();
  const Endings e = endings_of(report.timeline, tasks, record.cancel_requested_at);
  report.figures["cancelled"] = e.cancelled;
  report.figures["finished_before_cancel"] = e.done;
  report.checks.push_back(kit::equals("no task that cancel() reached ran on to its end",
                                      static_cast<double>(e.done_after_cancel), 0, ""));
  if (e.cancelled == 0) {
    // The work ended before the cancel: cancel() on a finished task does nothing.
    report.checks.push_back(
        kit::equals("cancel() after the work had ended changed nothing: "
                    "every result arrived",
                    static_cast<double>(e.done), static_cast<double>(options.n), ""));
    report.takeaways.push_back(fmt::format(
        "the work of all {} had ended before the cancel at {}: cancel() on a finished task does "
        "nothing (it returns False), so every result arrived",
        kit::count_of(options.n, "worker"), format_seconds(cancel_at)));
    return;
  }
  double latest_delivery = 0;
  for (Nanos at : record.cancelled_at) {
    latest_delivery = std::max(latest_delivery, kit::seconds(at));
  }
  report.checks.push_back(kit::equals("every cancelled worker ran its cleanup",
                                      static_cast<double>(record.cleanups),
                                      static_cast<double>(e.cancelled), ""));
  report.checks.push_back(kit::between("Cancelled reached each worker at once, at its await",
                                       latest_delivery, cancel_at, cancel_at + slack, "s"));
  const std::string finished_first =
      e.done == 0 ? ""
                  : fmt::format(" ({} had finished before it: cancel() did nothing to them)",
                                kit::count_of(e.done, "worker"));
  if (!options.offload) {
    report.takeaways.push_back(fmt::format(
        "at {} {} got Cancelled inside its `await sleep`, ran its cleanup ({}), and ended "
        "cancelled{}",
        format_seconds(cancel_at), e.cancelled == 1 ? "the worker" : "each worker",
        format_seconds(kit::seconds(options.cleanup)), finished_first));
    return;
  }
  const ThreadWork threads = thread_work_of(report.timeline, tasks);
  report.figures["thread_work_finished_s"] = kit::seconds(threads.last_end);
  report.figures["thread_work_dropped"] = threads.dropped;
  report.checks.push_back(kit::at_least("the run waited for the abandoned thread work",
                                        report.elapsed_s, kit::seconds(threads.last_end), "s"));
  std::string fate;
  if (threads.ran_on > 0) {
    report.checks.push_back(
        kit::at_least("the thread work could not be stopped: it ran on past the cancel",
                      kit::seconds(threads.last_end), cancel_at, "s"));
    const std::string whose =
        threads.ran_on != e.cancelled
            ? fmt::format("the work of {}", kit::count_of(threads.ran_on, "task"))
            : (e.cancelled == 1 ? "its work" : "their work");
    fate = fmt::format(
        "{} was already on pool threads, and uv_cancel cannot stop running work, so the threads "
        "ran on to {} (the pretense of cancellation)",
        whose, format_seconds(kit::seconds(threads.last_end)));
  }
  if (threads.unclaimed > 0) {
    fate += fmt::format(
        "{}the work of {} had just ended, but the cancel came before {} resumed to take {}, so "
        "{} dropped",
        fate.empty() ? "" : "; ", kit::count_of(threads.unclaimed, "task"),
        threads.unclaimed == 1 ? "its task" : "their tasks",
        threads.unclaimed == 1 ? "the result" : "the results",
        threads.unclaimed == 1 ? "it was" : "they were");
  }
  if (threads.dropped > 0) {
    fate += fmt::format("{}the work of {} was still queued for a thread, and was dropped",
                        fate.empty() ? "" : "; ", kit::count_of(threads.dropped, "task"));
  }
  report.takeaways.push_back(fmt::format("{} cancelled at {} and moved on at once; {}{}",
                                         kit::count_of(e.cancelled, "task", "was", "were"),
                                         format_seconds(cancel_at), fate, finished_first));
}

ScenarioReport run_cancel(const CancelOptions& options, const RunContext& context) {
  Runtime runtime(context.runtime);
  Json params = {{"n", options.n},
                 {"after", format_duration(options.after)},
                 {"beat", format_duration(options.beat)},
                 {"cleanup", format_duration(options.cleanup)},
                 {"offload", options.offload}};
  if (options.offload) {
    params["work"] = format_duration(options.work);
  }
  ScenarioReport report = kit::begin(kName, kLesson, std::move(params), context, runtime);
  auto record = std::make_shared<CancelRecord>();
  kit::drive(report, runtime, cancel_main(options, record));
  // No work figures: cancellation's point is what the tasks do when told, not overlap.
  kit::finish(report, runtime);
  if (!record->errors.empty() && report.error.empty()) {
    report.error = record->errors.front();
    if (record->errors.size() > 1) {
      const std::size_t more = record->errors.size() - 1;
      report.error += fmt::format(" (and {} more worker{} failed)", more, more == 1 ? "" : "s");
    }
  }
  report.results = ResultList(record->results);
  if (report.results.empty()) {
    // Ctrl-C came before the gather ended: asyncio.run cancelled every worker.
    for (std::size_t i = 0; i < options.n; ++i) {
      report.results.push_back({{"cancelled", true}});
    }
  }
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
  }
  return report;
}

ScenarioRunner setup_cancel(CLI::App& app) {
  auto options = std::make_shared<CancelOptions>();
  add_count_option(app, "--n", options->n, "how many workers", 1, kit::kMaxTasks);
  add_duration_option(app, "--after", options->after, "when to cancel them all");
  // Not 0: a heartbeat of `await sleep(0)` is always ready to run, so the virtual clock,
  // which moves only when nothing is, would never reach the cancel.
  add_duration_option(app, "--beat", options->beat, "heartbeat interval of each worker", 1ms);
  add_duration_option(app, "--cleanup", options->cleanup, "how long each cleanup awaits");
  app.add_flag("--offload", options->offload,
               "each worker hands blocking work to a thread instead (asyncio.to_thread)");
  add_duration_option(app, "--work", options->work, "with --offload: the work's length");
  return [options](const RunContext& context) { return run_cancel(*options, context); };
}

}  // namespace

ScenarioEntry cancel_scenario() {
  return {kName, kLesson,
          "asyncdemo cancel\n"
          "asyncdemo cancel --n 3 --after 1.5s --offload\n"
          "asyncdemo cancel --n 5 --after 2s --beat 250ms --cleanup 300ms",
          &setup_cancel};
}

}  // namespace asyncdemo
