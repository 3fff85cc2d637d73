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
  runtime.note(fmt::format("cancel() all {}", options.n));
  for (TaskHandle<int>& task : tasks) {
    task.cancel();
  }
  // return_exceptions=True: wait for every cleanup, collect the Cancelled.
  const std::vector<Outcome<int>> outcomes = co_await gather(std::move(tasks), OnError::collect);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    record_outcome(*record, i + 1, outcomes[i]);
  }
}

// The end of each worker's thread work, which outlives its cancelled task.
std::vector<Nanos> thread_ends(const Timeline& timeline) {
  std::vector<Nanos> ends;
  for (const Event& event : timeline.events()) {
    if (event.kind == EventKind::thread_finished) {
      ends.push_back(event.t_ns);
    }
  }
  return ends;
}

void judge(ScenarioReport& report, const CancelOptions& options, const CancelRecord& record,
           double slack) {
  const auto n = static_cast<double>(options.n);
  const double after = kit::seconds(options.after);
  std::size_t cancelled = 0;
  for (const Timeline::TaskSummary& task : report.timeline.summarize()) {
    cancelled += task.outcome == TaskOutcome::cancelled ? 1 : 0;
  }
  double latest_delivery = 0;
  for (Nanos at : record.cancelled_at) {
    latest_delivery = std::max(latest_delivery, kit::seconds(at));
  }
  report.checks.push_back(
      kit::equals("every worker ended cancelled", static_cast<double>(cancelled), n, ""));
  report.checks.push_back(
      kit::equals("every cleanup ran", static_cast<double>(record.cleanups), n, ""));
  report.checks.push_back(kit::between("Cancelled reached each worker at once, at its await",
                                       latest_delivery, after, after + slack, "s"));
  if (!options.offload) {
    report.takeaways.push_back(fmt::format(
        "at {} each worker got Cancelled inside its `await sleep`, ran its cleanup ({}), and "
        "ended cancelled",
        kit::format_seconds(after), kit::format_seconds(kit::seconds(options.cleanup))));
    return;
  }
  const std::vector<Nanos> ends = thread_ends(report.timeline);
  double last_thread_end = 0;
  for (Nanos end : ends) {
    last_thread_end = std::max(last_thread_end, kit::seconds(end));
  }
  const double work = kit::seconds(options.work);
  report.figures["thread_work_finished_s"] = last_thread_end;
  report.checks.push_back(kit::at_least("the thread work could not be stopped: it ran to its end",
                                        last_thread_end, work, "s"));
  report.checks.push_back(kit::at_least("the run waited for the abandoned thread work",
                                        report.elapsed_s, last_thread_end, "s"));
  report.takeaways.push_back(fmt::format(
      "the tasks were cancelled at {} and moved on at once, but their work was already on pool "
      "threads: uv_cancel cannot stop running work, so the threads ran on to {} (the pretense "
      "of cancellation)",
      kit::format_seconds(after), kit::format_seconds(last_thread_end)));
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
  const double after = kit::seconds(options.after);
  const double cleanup = kit::seconds(options.cleanup);
  const double ideal =
      options.offload ? std::max(after + cleanup, kit::seconds(options.work)) : after + cleanup;
  kit::finish(report, runtime, static_cast<double>(options.n) * (after + cleanup), ideal);
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
  add_duration_option(app, "--beat", options->beat, "heartbeat interval of each worker");
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
