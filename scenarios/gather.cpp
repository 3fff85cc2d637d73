// gather: N tasks at once. Results come back in submission order while the
// completion order differs; and when one fails, the policy decides what
// happens to the others — asyncio.gather does NOT cancel them.

#include "core/gather.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "gather";
constexpr std::string_view kLesson =
    "gather runs N tasks at once: it takes as long as the slowest, returns results in "
    "submission order, and on an error does not cancel the others unless you ask.";

struct GatherOptions {
  std::size_t n = 3;
  Duration delay = 1s;
  std::vector<Duration> delays;  // empty: every task sleeps `delay` (no n-sized copy)
  std::size_t fail = 0;          // 1-based task number; 0: none fails
  std::string on_error = "propagate";
  bool sequential = false;

  [[nodiscard]] std::size_t count() const { return delays.empty() ? n : delays.size(); }
  [[nodiscard]] Duration delay_of(std::size_t index) const {
    return delays.empty() ? delay : delays[index];
  }
  [[nodiscard]] Duration longest() const {
    return delays.empty() ? delay : *std::ranges::max_element(delays);
  }
  [[nodiscard]] Duration total() const {
    return delays.empty() ? delay * static_cast<Duration::rep>(n)
                          : std::accumulate(delays.begin(), delays.end(), Duration::zero());
  }
};

// What main saw, read back after the run.
struct GatherRecord {
  // Of the tasks that ran, in submission order; the ones after them never
  // started (a sequential run stops at the first error).
  std::vector<Outcome<int>> outcomes;
  std::string raised;  // the error gather (or the loop) raised, if any
  Nanos raised_at_ns = -1;
};

// Out of line so that the message's temporaries are not laid out in every
// worker's coroutine frame (a million frames at --n 1000000).
[[noreturn]] void fail_task(int id) { throw std::runtime_error(fmt::format("task-{} failed", id)); }

Task<int> worker(int id, Duration delay, bool fails) {
  co_await sleep(delay);
  if (fails) {
    fail_task(id);
  }
  co_return id;
}

OnError policy_of(const std::string& name) {
  if (name == "collect") {
    return OnError::collect;
  }
  if (name == "cancel-siblings") {
    return OnError::cancel_siblings;
  }
  return OnError::propagate;
}

// Unnamed, the timeline calls a task task-<id>; with main as task 0 and the
// workers spawned first and in order, that id is the worker's number, and no
// name string is formatted per task (a million at --n 1000000).
TaskHandle<int> spawn_worker(const GatherOptions& options, std::size_t index) {
  const int id = static_cast<int>(index + 1);
  TaskHandle<int> handle = spawn(worker(id, options.delay_of(index), options.fail == index + 1));
  if (handle.id() != static_cast<TaskId>(id)) {
    throw RuntimeMisuse(
        fmt::format("worker {} became task {}: its name would not match", id, handle.id()));
  }
  return handle;
}

Task<void> gather_concurrently(GatherOptions options, std::shared_ptr<GatherRecord> record) {
  // gather spawns the workers itself and owns their handles, so it frees
  // each task's frame as the task ends: at a million tasks the frames are
  // most of the memory, and it falls as they finish instead of waiting for
  // the last one.
  GatherAwaiter<int> all = gather_each<int>(
      options.count(), [&options](std::size_t i) { return spawn_worker(options, i); },
      policy_of(options.on_error));
  try {
    // gather waited for every task: its results are the whole record.
    record->outcomes = co_await all;
    co_return;
  } catch (const std::exception& error) {
    record->raised = error.what();
    record->raised_at_ns = Runtime::current().now();
  }
  // gather raised: wait (without cancelling anything) for every task to end,
  // so the record shows what gather did — or did not do — to the others.
  auto [handles, outcomes] = all.take_remains();
  record->outcomes.reserve(handles.size());
  for (std::size_t i = 0; i < handles.size(); ++i) {
    if (!handles[i].valid()) {
      record->outcomes.emplace_back(std::move(outcomes[i]));
      continue;
    }
    co_await handles[i].wait();
    record->outcomes.emplace_back(handles[i].take_outcome());
    handles[i].reset();  // each frame goes as soon as its outcome is out
  }
}

Task<void> gather_sequentially(GatherOptions options, std::shared_ptr<GatherRecord> record) {
  for (std::size_t i = 0; i < options.count(); ++i) {
    TaskHandle<int> task = spawn_worker(options, i);
    co_await task.wait();
    Outcome<int> outcome = task.take_outcome();
    const bool failed = !outcome.ok();
    if (failed && record->raised.empty()) {
      record->raised = outcome.error_message();
      record->raised_at_ns = Runtime::current().now();
    }
    record->outcomes.push_back(std::move(outcome));
    if (failed && options.on_error != "collect") {
      break;  // like `for t in tasks: await t`: the first error ends the loop
    }
  }
}

Json result_json(const Outcome<int>& outcome) {
  if (outcome.ok()) {
    return outcome.value();
  }
  if (outcome.cancelled()) {
    return {{"cancelled", true}};
  }
  return {{"error", outcome.error_message()}};
}

struct Tally {
  std::size_t ok = 0, failed = 0, cancelled = 0, not_run = 0, in_order = 0;
};

Tally tally(const GatherRecord& record, std::size_t tasks) {
  Tally counts;
  counts.not_run = tasks - record.outcomes.size();
  for (std::size_t i = 0; i < record.outcomes.size(); ++i) {
    const Outcome<int>& outcome = record.outcomes[i];
    if (outcome.ok()) {
      ++counts.ok;
      counts.in_order += outcome.value() == static_cast<int>(i + 1) ? 1 : 0;
    } else if (outcome.cancelled()) {
      ++counts.cancelled;
    } else {
      ++counts.failed;
    }
  }
  return counts;
}

std::string completion_order(const Timeline& timeline) {
  std::string order;
  for (const Event& event : timeline.events()) {
    const bool ended = event.kind == EventKind::done || event.kind == EventKind::failed ||
                       event.kind == EventKind::cancelled;
    if (ended && timeline.tasks()[event.task].parent != kNoParent) {
      order += order.empty() ? "" : ", ";
      order += timeline.tasks()[event.task].name;
    }
  }
  return order;
}

void judge_failure(ScenarioReport& report, const GatherOptions& options, const GatherRecord& record,
                   const Tally& counts, double slack) {
  const double fail_at = kit::seconds(options.delay_of(options.fail - 1));
  const double raised_at = kit::seconds(record.raised_at_ns);
  const std::size_t n = options.count();
  if (options.sequential) {
    if (options.on_error == "collect") {
      report.checks.push_back(kit::equals("every task ran despite the error",
                                          static_cast<double>(n - counts.not_run),
                                          static_cast<double>(n), ""));
    } else {
      report.checks.push_back(kit::equals("the tasks after the failed one never started",
                                          static_cast<double>(counts.not_run),
                                          static_cast<double>(n - options.fail), ""));
    }
    return;
  }
  std::size_t slower = 0;  // siblings still running when task F failed
  for (std::size_t i = 0; i < n; ++i) {
    slower +=
        (i + 1 != options.fail && options.delay_of(i) > options.delay_of(options.fail - 1)) ? 1 : 0;
  }
  if (options.on_error == "propagate") {
    report.checks.push_back(kit::between("gather raised the error as soon as the task failed",
                                         raised_at, fail_at, fail_at + slack, "s"));
    report.checks.push_back(
        kit::equals("no other task was cancelled", static_cast<double>(counts.cancelled), 0, ""));
    report.takeaways.push_back(fmt::format(
        "propagate: gather raised \"{}\" at {}; the other {} task(s) kept running to the "
        "end: asyncio.gather does not cancel them ({} were still running when it raised)",
        record.raised, kit::format_seconds(raised_at), n - 1, slower));
  } else if (options.on_error == "collect") {
    report.checks.push_back(kit::equals("the error came back as a result, not raised",
                                        static_cast<double>(counts.failed), 1, ""));
    report.checks.push_back(kit::equals("every other task finished", static_cast<double>(counts.ok),
                                        static_cast<double>(n - 1), ""));
    report.takeaways.emplace_back(
        "collect (return_exceptions=True): gather waited for all and returned the error in the "
        "failed task's place; nothing was raised, nothing cancelled");
  } else {
    report.checks.push_back(kit::equals("the tasks still running were cancelled",
                                        static_cast<double>(counts.cancelled),
                                        static_cast<double>(slower), ""));
    report.checks.push_back(kit::between("the error was raised once they had finished", raised_at,
                                         fail_at, fail_at + slack, "s"));
    report.takeaways.push_back(fmt::format(
        "cancel-siblings (TaskGroup): the failure cancelled the {} task(s) still running, "
        "waited for them, then raised \"{}\"",
        slower, record.raised));
  }
}

void judge(ScenarioReport& report, const GatherOptions& options, const GatherRecord& record,
           double slack) {
  const Tally counts = tally(record, options.count());
  const double longest = kit::seconds(options.longest());
  const double total = kit::seconds(options.total());
  if (options.fail == 0) {
    if (options.sequential) {
      report.checks.push_back(kit::between("one after another, the delays add up", report.elapsed_s,
                                           total, total + slack, "s"));
    } else {
      report.checks.push_back(kit::between("all ran at once: as long as the slowest",
                                           report.elapsed_s, longest, longest + slack, "s"));
    }
  } else {
    judge_failure(report, options, record, counts, slack);
  }
  report.checks.push_back(kit::equals("results come back in submission order",
                                      static_cast<double>(counts.in_order),
                                      static_cast<double>(counts.ok), ""));
  constexpr std::size_t kNamedTasks = 20;  // beyond that a list of names teaches nothing
  if (options.count() <= kNamedTasks) {
    report.takeaways.push_back("completion order: " + completion_order(report.timeline) +
                               "; results are still in submission order");
  }
  if (!options.sequential && options.fail == 0) {
    report.comparisons.push_back(kit::faster("gather", report.elapsed_s, "awaiting one by one",
                                             report.summary.sequential_s));
  }
}

void normalize(GatherOptions& options, bool n_given) {
  if (!options.delays.empty() && n_given && options.n != options.count()) {
    throw UsageError(fmt::format("--n {} does not match the {} delays given with --delays",
                                 options.n, options.count()));
  }
  if (options.fail > options.count()) {
    throw UsageError(
        fmt::format("--fail {}: there are only {} tasks", options.fail, options.count()));
  }
}

Json params_of(const GatherOptions& options) {
  Json params = {{"n", options.count()}};
  if (std::ranges::adjacent_find(options.delays, std::not_equal_to{}) == options.delays.end()) {
    params["delay"] = format_duration(options.delay_of(0));  // one delay for all: say it once
  } else {
    params["delays"] = format_durations(options.delays);
  }
  params["fail"] = options.fail;
  params["on_error"] = options.on_error;
  params["sequential"] = options.sequential;
  return params;
}

ScenarioReport run_gather(GatherOptions options, bool n_given, const RunContext& context) {
  normalize(options, n_given);
  Runtime runtime(context.runtime);
  runtime.timeline().reserve_tasks(options.count() + 1);
  ScenarioReport report = kit::begin(kName, kLesson, params_of(options), context, runtime);
  auto record = std::make_shared<GatherRecord>();
  if (options.sequential) {
    kit::drive(report, runtime, gather_sequentially(options, record));
  } else {
    kit::drive(report, runtime, gather_concurrently(options, record));
  }
  const double total = kit::seconds(options.total());
  const double longest = kit::seconds(options.longest());
  // TaskGroup stops at the failure; everything else runs to the slowest.
  const bool stops_at_failure = options.fail > 0 && options.on_error == "cancel-siblings";
  const double ideal = options.sequential ? total
                       : stops_at_failure ? kit::seconds(options.delay_of(options.fail - 1))
                                          : longest;
  kit::finish(report, runtime, total, ideal);
  // Made as they are read: at --n 1000000 the outcomes are already here, and
  // the text summary only counts them.
  report.results = ResultList::made_on_read(options.count(), [record](std::size_t index) {
    return index < record->outcomes.size() ? result_json(record->outcomes[index])
                                           : Json{{"not_run", true}};
  });
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
  }
  return report;
}

ScenarioRunner setup_gather(CLI::App& app) {
  auto options = std::make_shared<GatherOptions>();
  CLI::Option* n = add_count_option(app, "--n", options->n, "how many tasks", 1, kit::kMaxTasks);
  add_duration_option(app, "--delay", options->delay, "how long each task sleeps");
  add_duration_list_option(app, "--delays", options->delays,
                           "one delay per task, e.g. 2s,1s,3s (sets --n)");
  add_count_option(app, "--fail", options->fail, "task number that raises after its delay", 0,
                   kit::kMaxTasks);
  app.add_option("--on-error", options->on_error,
                 "propagate (asyncio.gather) | collect (return_exceptions=True) | "
                 "cancel-siblings (TaskGroup)")
      ->check(CLI::IsMember({"propagate", "collect", "cancel-siblings"}))
      ->capture_default_str();
  app.add_flag("--sequential", options->sequential,
               "await the same tasks one after another instead, to compare");
  return [options, n](const RunContext& context) {
    return run_gather(*options, n->count() > 0, context);
  };
}

}  // namespace

ScenarioEntry gather_scenario() {
  return {kName, kLesson,
          "asyncdemo gather --n 3\n"
          "asyncdemo gather --delays 2s,1s,3s\n"
          "asyncdemo gather --delays 2s,1s,3s --fail 2 --on-error propagate\n"
          "asyncdemo gather --delays 2s,1s,3s --fail 2 --on-error cancel-siblings\n"
          "asyncdemo gather --n 3 --sequential",
          &setup_gather};
}

}  // namespace asyncdemo
