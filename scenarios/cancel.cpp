// cancel: cancelling running tasks. Cancellation is a request, delivered as
// Cancelled at the task's next await, and its cleanup runs. Work already on a
// thread cannot be stopped: the awaiting task moves on at once, but the thread
// runs to the end ("the pretense of cancellation").
//
// --swallow: each worker's job has a length (--work), and a worker that gets
// Cancelled runs its cleanup, swallows the cancel and beats on to the end of
// its job, then returns its value: the task ends done, not cancelled, and main
// gets the value. Not with --offload: a cancelled worker cannot await its
// thread's result again, so it has no job left to run on to.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <limits>
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
  bool swallow = false;  // each worker swallows the cancel and runs on to its job's end
  // With --offload: the blocking work each task hands to a thread; with --swallow: the length
  // of each worker's job of heartbeats.
  Duration work = 3s;
};

// The note a worker makes when it swallows the cancel: where the record shows it did.
constexpr std::string_view kSwallowedNote = "swallowed the cancel";

struct CancelRecord {
  std::size_t cleanups = 0;
  std::size_t swallowed = 0;  // workers that swallowed the cancel
  std::size_t ran_on = 0;     // of those, the ones whose job was not yet done: they beat on
  Nanos cancel_requested_at = 0;
  std::vector<Nanos> cancelled_at;  // when each worker got Cancelled
  Json results = Json::array();     // how each worker ended, in submission order
  std::vector<std::string> errors;  // "worker-2: <what>" for each worker that failed
};

// A worker's job of heartbeats: when it is done (never, unless --swallow gave it
// a length: only a cancel ends it), and how many beats it has had. Shared, so
// that a worker that swallows the cancel goes on with the same job.
struct Job {
  Nanos done_at = std::numeric_limits<Nanos>::max();
  int beats = 0;

  [[nodiscard]] Duration left() const { return Duration(done_at - Runtime::current().now()); }
};

// A heartbeat every `beat` until the job is done, the last one shorter so that it ends on time.
Task<void> heartbeats(Duration beat, std::shared_ptr<Job> job) {
  for (Duration left = job->left(); left > Duration::zero(); left = job->left()) {
    co_await sleep(std::min(beat, left));
    Runtime::current().note(fmt::format("heartbeat {}", ++job->beats));
  }
}

// The body of a worker: heartbeats on the loop, or one long job on a thread.
Task<void> work_loop(CancelOptions options, std::shared_ptr<Job> job) {
  if (options.offload) {
    co_await thread_sleep(options.work);  // asyncio.to_thread(time.sleep, work)
    co_return;
  }
  co_await heartbeats(options.beat, std::move(job));
}

Task<int> worker(int id, CancelOptions options, std::shared_ptr<CancelRecord> record) {
  auto job = std::make_shared<Job>();
  if (options.swallow) {  // the job has a length: it is done --work after the worker starts
    job->done_at = Runtime::current().now() + to_nanos(options.work);
  }
  bool cancelled = false;
  try {
    co_await work_loop(options, job);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  if (cancelled) {
    Runtime& runtime = Runtime::current();
    record->cancelled_at.push_back(runtime.now());
    runtime.note(fmt::format("CancelledError: cleanup {}", format_duration(options.cleanup)));
    co_await sleep(options.cleanup);
    ++record->cleanups;
    if (!options.swallow) {
      throw Cancelled{};
    }
    // --swallow: no re-raise. The cancel is swallowed, and the job goes on to its end.
    ++record->swallowed;
    record->ran_on += job->left() > Duration::zero() ? 1 : 0;
    runtime.note(std::string(kSwallowedNote));
    co_await heartbeats(options.beat, job);
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
        spawn(kit::noting_error(worker(id, options, record)), kit::numbered_name("worker", i)));
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

// Is this the note main makes as it cancels the workers?
bool is_the_cancel(const Timeline& timeline, const Event& event) {
  return event.kind == EventKind::note && timeline.parent(event.task) == kNoParent &&
         timeline.note(event.note).starts_with(kCancelNote);
}

ThreadWork thread_work_of(const Timeline& timeline,
                          const std::vector<Timeline::TaskSummary>& tasks) {
  ThreadWork work;
  bool cancel_came = false;
  for (const Event& event : timeline.events()) {
    cancel_came = cancel_came || is_the_cancel(timeline, event);
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

// How the workers ended, from the timeline, in the order it was recorded: those
// the cancel reached, and those whose work had already ended (cancel() found
// them done: it did nothing). A worker that swallowed the cancel with no
// cleanup to await ends at the cancel's very moment, but after it.
struct Endings {
  std::size_t cancelled = 0;
  std::size_t done = 0;
  std::size_t done_after_cancel = 0;  // ran on although cancel() came while they ran
  Nanos last_end = 0;                 // when the last of those ended

  [[nodiscard]] std::size_t done_before_cancel() const { return done - done_after_cancel; }
};

Endings endings_of(const Timeline& timeline) {
  Endings e;
  bool cancel_came = false;
  for (const Event& event : timeline.events()) {
    cancel_came = cancel_came || is_the_cancel(timeline, event);
    if (timeline.parent(event.task) == kNoParent) {
      continue;  // main
    }
    if (event.kind == EventKind::cancelled) {
      ++e.cancelled;
    } else if (event.kind == EventKind::done) {
      ++e.done;
      if (cancel_came) {
        ++e.done_after_cancel;
        e.last_end = std::max(e.last_end, event.t_ns);
      }
    }
  }
  return e;
}

// " (2 workers had finished before it: cancel() did nothing to them)", or empty.
std::string finished_first(const Endings& e) {
  return e.done_before_cancel() == 0
             ? ""
             : fmt::format(" ({} had finished before it: cancel() did nothing to them)",
                           kit::count_of(e.done_before_cancel(), "worker"));
}

// The latest moment Cancelled reached a worker, in seconds.
double latest_delivery(const CancelRecord& record) {
  Nanos latest = 0;
  for (Nanos at : record.cancelled_at) {
    latest = std::max(latest, at);
  }
  return kit::seconds(latest);
}

// --swallow, and the cancel reached the workers: each ran its cleanup, swallowed
// the cancel, beat on to the end of its job and returned its value.
void judge_swallowed(ScenarioReport& report, const CancelOptions& options,
                     const CancelRecord& record, const Endings& e, double slack) {
  const double cancel_at = kit::seconds(record.cancel_requested_at);
  const double delivered = latest_delivery(record);
  const double cleanup = kit::seconds(options.cleanup);
  const double last_end = kit::seconds(e.last_end);
  report.checks.push_back(kit::equals("no worker the cancel reached ended cancelled",
                                      static_cast<double>(e.cancelled), 0, ""));
  report.checks.push_back(kit::equals(
      "every worker the cancel reached ran its cleanup and "
      "swallowed the cancel",
      static_cast<double>(record.swallowed), static_cast<double>(record.cancelled_at.size()), ""));
  report.checks.push_back(kit::between("CancelledError reached each worker at once", delivered,
                                       cancel_at, cancel_at + slack, "s"));
  // Each job is done --work after its worker started (all at 0), or at once
  // after the cleanup if that ends later.
  const double job_end = std::max(kit::seconds(options.work), delivered + cleanup);
  report.checks.push_back(kit::between("the workers ran on to the end of their jobs", last_end,
                                       job_end, job_end + slack, "s"));
  report.checks.push_back(kit::equals("main got every worker's value: none was cancelled()",
                                      static_cast<double>(e.done), static_cast<double>(options.n),
                                      ""));
  const bool one = record.swallowed == 1;
  const std::string ran_on =
      record.ran_on > 0
          ? fmt::format("beat on to the end of its job at {}", format_seconds(last_end))
          : fmt::format("returned at once, at {}, its job already due", format_seconds(last_end));
  report.takeaways.push_back(fmt::format(
      "at {} {} got CancelledError inside its `await sleep`, ran its cleanup ({}), then swallowed "
      "the "
      "cancel and {}: {} done, not cancelled (task.cancelled() is False), and main's gather got "
      "{}{}",
      format_seconds(cancel_at), one ? "the worker" : "each worker", format_seconds(cleanup),
      ran_on, one ? "it ended" : "each ended", one ? "its value" : "every value",
      finished_first(e)));
}

void judge(ScenarioReport& report, const CancelOptions& options, const CancelRecord& record,
           double slack) {
  const double cancel_at = kit::seconds(record.cancel_requested_at);
  const Endings e = endings_of(report.timeline);
  report.figures["cancelled"] = e.cancelled;
  report.figures["finished_before_cancel"] = e.done_before_cancel();
  if (options.swallow) {
    report.figures["swallowed"] = record.swallowed;
  }
  if (record.swallowed > 0) {
    judge_swallowed(report, options, record, e, slack);
    return;
  }
  report.checks.push_back(kit::equals("no task that cancel() reached ran on to its end",
                                      static_cast<double>(e.done_after_cancel), 0, ""));
  if (e.cancelled == 0) {
    // The work ended before the cancel: cancel() on a finished task does nothing.
    report.checks.push_back(kit::equals(
        "cancel() after the work had ended changed nothing: "
        "every result arrived",
        static_cast<double>(e.done_before_cancel()), static_cast<double>(options.n), ""));
    report.takeaways.push_back(fmt::format(
        "the work of all {} had ended before the cancel at {}: cancel() on a finished task does "
        "nothing (it returns False), so every result arrived",
        kit::count_of(options.n, "worker"), format_seconds(cancel_at)));
    return;
  }
  report.checks.push_back(kit::equals("every cancelled worker ran its cleanup",
                                      static_cast<double>(record.cleanups),
                                      static_cast<double>(e.cancelled), ""));
  report.checks.push_back(kit::between("CancelledError reached each worker at once",
                                       latest_delivery(record), cancel_at, cancel_at + slack, "s"));
  if (!options.offload) {
    report.takeaways.push_back(fmt::format(
        "at {} {} got CancelledError inside its `await sleep`, ran its cleanup ({}), and ended "
        "cancelled{}",
        format_seconds(cancel_at), e.cancelled == 1 ? "the worker" : "each worker",
        format_seconds(kit::seconds(options.cleanup)), finished_first(e)));
    return;
  }
  const ThreadWork threads = thread_work_of(report.timeline, report.timeline.summarize());
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
                                         format_seconds(cancel_at), fate, finished_first(e)));
}

ScenarioReport run_cancel(const CancelOptions& options, const RunContext& context) {
  if (options.swallow && options.offload) {
    throw UsageError(
        "--swallow does not go with --offload: a worker cancelled while its work runs on a "
        "thread cannot await that work again, so it has no job left to run on to");
  }
  Runtime runtime(context.runtime);
  Json params = {{"n", options.n},
                 {"after", format_duration(options.after)},
                 {"beat", format_duration(options.beat)},
                 {"cleanup", format_duration(options.cleanup)},
                 {"offload", options.offload}};
  if (options.swallow) {  // absent otherwise: the plain lesson's header stays as it was
    params["swallow"] = true;
  }
  if (options.offload || options.swallow) {
    params["work"] = format_duration(options.work);
  }
  ScenarioReport report = kit::begin(kName, kLesson, std::move(params), context, runtime,
                                     kit::numbered_name("worker", options.n));
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
  app.add_flag("--swallow", options->swallow,
               "each worker swallows the cancel after its cleanup and beats on to the end of its "
               "job (--work), then returns its value");
  add_duration_option(app, "--work", options->work,
                      "with --offload: the thread work's length; with --swallow: the job's length");
  return [options](const RunContext& context) { return run_cancel(*options, context); };
}

}  // namespace

ScenarioEntry cancel_scenario() {
  return {kName, kLesson,
          "asyncdemo cancel\n"
          "asyncdemo cancel --n 3 --after 1.5s --offload\n"
          "asyncdemo cancel --n 5 --after 2s --beat 250ms --cleanup 300ms\n"
          "asyncdemo cancel --n 1 --after 1s --swallow --work 3s",
          &setup_cancel};
}

}  // namespace asyncdemo
