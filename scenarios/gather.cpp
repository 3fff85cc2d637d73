// gather: N tasks at once. Results come back in submission order while the
// completion order differs; and when one fails, the policy decides what
// happens to the others — asyncio.gather does NOT cancel them.

#include "core/gather.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
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
  OnError on_error = OnError::propagate;
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

// --on-error's values, in the order --help lists them.
std::vector<std::pair<std::string, OnError>> policy_choices() {
  return {{"propagate", OnError::propagate},
          {"collect", OnError::collect},
          {"cancel-siblings", OnError::cancel_siblings}};
}

std::string name_of(OnError policy) {
  for (const auto& [name, value] : policy_choices()) {
    if (value == policy) {
      return name;
    }
  }
  return "?";
}

// What main saw, read back after the run.
struct GatherRecord {
  // Of every task main started, in submission order; the ones after them
  // never started (a sequential run stops at the first error).
  std::vector<Outcome<int>> outcomes;
  // Tasks still running when main stopped listening (gather raised, or main
  // was cancelled): the run ends them, and settle() reads how.
  std::vector<TaskHandle<int>> unsettled;
  std::string raised;  // the error gather raised, if any
  Nanos raised_at_ns = -1;

  // Once the run is over (every task ended), while the runtime still exists.
  void settle() {
    for (std::size_t i = 0; i < unsettled.size(); ++i) {
      if (unsettled[i].valid() && unsettled[i].done()) {
        outcomes[i] = unsettled[i].take_outcome();
      } else if (unsettled[i].valid()) {
        outcomes[i] = Outcome<int>::of_error(std::make_exception_ptr(Cancelled{}));
      }
      unsettled[i].reset();
    }
    unsettled.clear();
  }
};

Task<int> worker(int id, Duration delay, bool fails) {
  co_await sleep(delay);
  if (fails) {
    fail_task(id);
  }
  co_return id;
}

TaskHandle<int> spawn_worker(const GatherOptions& options, std::size_t index) {
  const int id = static_cast<int>(index + 1);
  return spawn_numbered(worker(id, options.delay_of(index), options.fail == index + 1),
                        static_cast<TaskId>(id));
}

// Takes what gather leaves once it has raised or was cancelled: the outcomes it
// read, and the handles of the tasks still running, read after the run.
void keep_remains(GatherAwaiter<int>& all, GatherRecord& record) {
  auto [handles, outcomes] = all.take_remains();
  record.outcomes.resize(handles.size());
  for (std::size_t i = 0; i < handles.size(); ++i) {
    if (!handles[i].valid()) {
      record.outcomes[i] = std::move(outcomes[i]);
    }
  }
  record.unsettled = std::move(handles);
}

Task<void> gather_concurrently(GatherOptions options, std::shared_ptr<GatherRecord> record) {
  // gather spawns the workers itself and owns their handles, so it frees
  // each task's frame as the task ends: at a million tasks the frames are
  // most of the memory, and it falls as they finish instead of waiting for
  // the last one.
  GatherAwaiter<int> all = gather_each<int>(
      options.count(), [&options](std::size_t i) { return spawn_worker(options, i); },
      options.on_error);
  bool cancelled = false;
  try {
    record->outcomes = co_await all;  // gather waited for every task: the whole record
    co_return;
  } catch (const Cancelled&) {
    cancelled = true;  // Ctrl-C: asyncio.run cancels main, and gather the tasks
  } catch (const std::exception& error) {
    record->raised = error.what();
    record->raised_at_ns = Runtime::current().now();
  }
  keep_remains(all, *record);
  if (cancelled) {
    throw Cancelled{};
  }
  // gather raised. Left uncaught, the error would end main and asyncio.run
  // would cancel the tasks still running; main waits for them instead (and
  // cancels nothing), so that the record shows what gather did — or did not
  // do — to the others.
  for (TaskHandle<int>& task : record->unsettled) {
    if (task.valid()) {
      co_await task.wait();
    }
  }
}

Task<void> gather_sequentially(GatherOptions options, std::shared_ptr<GatherRecord> record) {
  // `for c in coros: await c`: each coroutine runs to its end before the next
  // one starts, and the first error ends the loop (unless it is collected).
  for (std::size_t i = 0; i < options.count(); ++i) {
    TaskHandle<int> task = spawn_worker(options, i);
    co_await task.wait();
    Outcome<int> outcome = task.take_outcome();
    const bool failed = !outcome.ok();
    if (failed && record->raised.empty() && options.on_error != OnError::collect) {
      record->raised = outcome.error_message();
      record->raised_at_ns = Runtime::current().now();
    }
    record->outcomes.push_back(std::move(outcome));
    if (failed && options.on_error != OnError::collect) {
      break;
    }
  }
}

bool gather_raised(const GatherRecord& record) { return !record.raised.empty(); }

Json result_json(const Outcome<int>& outcome, std::size_t index, bool as_outcomes) {
  Json result;
  if (outcome.ok()) {
    result = outcome.value();
  } else if (outcome.cancelled()) {
    result = {{"cancelled", true}};
  } else {
    result = {{"error", outcome.error_message()}};
  }
  if (!as_outcomes) {
    return result;  // gather's return value, in submission order
  }
  // gather raised, so it returned nothing: each row is how a task ended.
  Json row = {{"task", fmt::format("task-{}", index + 1)}};
  if (result.is_object()) {
    row.update(result);
  } else {
    row["value"] = result;
  }
  return row;
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

// How the other tasks stood when task F failed, from the timeline.
struct Siblings {
  Nanos failed_at = 0;           // when task F ended
  Nanos last_end = 0;            // when the last task ended
  std::size_t ran_on = 0;        // done after the failure (later than `slack` allows)
  std::size_t running_then = 0;  // not yet ended when gather raised
  std::size_t same_moment = 0;   // done at the failure's moment (the same loop iteration)
};

Siblings siblings_of(const Timeline& timeline, const GatherOptions& options,
                     const GatherRecord& record, Nanos slack) {
  const std::vector<Timeline::TaskSummary> tasks = timeline.summarize();
  Siblings s;
  s.failed_at = tasks[options.fail].end_ns;
  for (std::size_t id = 1; id <= options.count() && id < tasks.size(); ++id) {
    const Timeline::TaskSummary& task = tasks[id];
    s.last_end = std::max(s.last_end, task.end_ns);
    if (id == options.fail) {
      continue;
    }
    const bool done = task.outcome == TaskOutcome::ok;
    s.ran_on += done && task.end_ns > s.failed_at + slack ? 1 : 0;
    s.same_moment +=
        done && task.end_ns >= s.failed_at && task.end_ns <= s.failed_at + slack ? 1 : 0;
    s.running_then += task.end_ns > record.raised_at_ns ? 1 : 0;
  }
  return s;
}

void judge_sequential_failure(ScenarioReport& report, const GatherOptions& options,
                              const Tally& counts) {
  const std::size_t n = options.count();
  if (options.on_error == OnError::collect) {
    report.checks.push_back(kit::equals("every task ran despite the error",
                                        static_cast<double>(n - counts.not_run),
                                        static_cast<double>(n), ""));
    report.takeaways.push_back(fmt::format(
        "one by one, collecting errors: task-{} failed and the loop went on; all {} ran",
        options.fail, kit::count_of(n - counts.not_run, "task")));
    return;
  }
  report.checks.push_back(kit::equals("the tasks after the failed one never started",
                                      static_cast<double>(counts.not_run),
                                      static_cast<double>(n - options.fail), ""));
  report.takeaways.push_back(
      fmt::format("one by one: the error of task-{} ended the loop, so {} after it never started",
                  options.fail, kit::count_of(counts.not_run, "task")));
}

void judge_failure(ScenarioReport& report, const GatherOptions& options, const GatherRecord& record,
                   const Tally& counts, double slack) {
  if (options.sequential) {
    judge_sequential_failure(report, options, counts);
    return;
  }
  const std::size_t others = options.count() - 1;
  const Siblings s = siblings_of(report.timeline, options, record, kit::nanos(slack));
  const double failed_at = kit::seconds(s.failed_at);
  const double raised_at = kit::seconds(record.raised_at_ns);
  const std::string failure =
      fmt::format("task-{} failed at {}", options.fail, format_seconds(failed_at));
  if (options.on_error == OnError::propagate) {
    report.checks.push_back(kit::between("gather raised the error as soon as the task failed",
                                         raised_at, failed_at, failed_at + slack, "s"));
    report.checks.push_back(
        kit::equals("no other task was cancelled", static_cast<double>(counts.cancelled), 0, ""));
    const std::string others_then =
        others == 0 ? std::string("there was no other task")
        : s.running_then == 0
            ? fmt::format("the other {} had all ended by then", others)
            : fmt::format(
                  "it cancelled none of the other {}: the {} still running ran on to the "
                  "end (main waited for them to show it; left uncaught, the error would "
                  "end main and asyncio.run would cancel them)",
                  others, s.running_then);
    report.takeaways.push_back(fmt::format("propagate: {} and gather raised \"{}\" at once; {}",
                                           failure, record.raised, others_then));
  } else if (options.on_error == OnError::collect) {
    report.checks.push_back(kit::equals("the error came back as a result, not raised",
                                        static_cast<double>(counts.failed), 1, ""));
    report.checks.push_back(kit::equals("every other task finished", static_cast<double>(counts.ok),
                                        static_cast<double>(others), ""));
    report.takeaways.push_back(fmt::format(
        "collect (return_exceptions=True): {}; gather waited for all and returned the error in "
        "its place: nothing raised, {} cancelled",
        failure, counts.cancelled == 0 ? "nothing" : kit::count_of(counts.cancelled, "task")));
  } else {
    report.checks.push_back(
        kit::equals("no task ran on past the failure: each had ended or was "
                    "cancelled",
                    static_cast<double>(s.ran_on), 0, ""));
    report.checks.push_back(kit::between("the error was raised once every task had ended",
                                         raised_at, kit::seconds(s.last_end),
                                         kit::seconds(s.last_end) + slack, "s"));
    std::string what = counts.cancelled > 0
                           ? fmt::format("cancelled the {} still running and waited for {}",
                                         kit::count_of(counts.cancelled, "task"),
                                         counts.cancelled == 1 ? "it" : "them")
                           : "found no task still running to cancel";
    if (s.same_moment > 0) {
      what += fmt::format(
          " ({} ended in the same loop iteration as the failure, and a TaskGroup hears of an "
          "end one iteration later, as asyncio runs done-callbacks through call_soon)",
          kit::count_of(s.same_moment, "task"));
    }
    report.takeaways.push_back(fmt::format(
        "cancel-siblings (TaskGroup): {}; the group {}, then raised an ExceptionGroup holding "
        "\"{}\"",
        failure, what, record.raised));
  }
}

void judge(ScenarioReport& report, const GatherOptions& options, const GatherRecord& record,
           double slack) {
  const Tally counts = tally(record, options.count());
  if (options.fail == 0) {
    if (options.sequential) {
      const double total = kit::seconds(options.total());
      report.checks.push_back(kit::between("one after another, the delays add up", report.elapsed_s,
                                           total, total + slack, "s"));
    } else {
      const double longest = kit::seconds(options.longest());
      report.checks.push_back(kit::between("all ran at once: as long as the slowest",
                                           report.elapsed_s, longest, longest + slack, "s"));
    }
  } else {
    judge_failure(report, options, record, counts, slack);
  }
  report.checks.push_back(kit::equals("results come back in submission order",
                                      static_cast<double>(counts.in_order),
                                      static_cast<double>(counts.ok), ""));
  if (!options.sequential && options.fail == 0 && std::isfinite(report.summary.speedup)) {
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
  params["on_error"] = name_of(options.on_error);
  params["sequential"] = options.sequential;
  return params;
}

ScenarioReport run_gather(GatherOptions options, bool n_given, const RunContext& context) {
  normalize(options, n_given);
  Runtime runtime(context.runtime);
  runtime.timeline().reserve_tasks(options.count() + 1);
  // spawn_worker names the tasks as spawn does: "task-<id>", main being task 0.
  ScenarioReport report = kit::begin(kName, kLesson, params_of(options), context, runtime,
                                     kit::numbered_name("task", options.count()));
  auto record = std::make_shared<GatherRecord>();
  if (options.sequential) {
    kit::drive(report, runtime, gather_sequentially(options, record));
  } else {
    kit::drive(report, runtime, gather_concurrently(options, record));
  }
  record->settle();
  kit::finish(report, runtime);
  // Awaited one by one, the speedup is 1 by definition: the figure to compare
  // is the elapsed time beside a gather of the same tasks.
  kit::show_work(report, options.sequential ? 1 : kit::kAllAtOnce,
                 /*with_speedup=*/!options.sequential);
  if (gather_raised(*record)) {
    report.figures["raised"] = options.on_error == OnError::cancel_siblings
                                   ? fmt::format("ExceptionGroup: {}", record->raised)
                                   : record->raised;
  }
  // Made as they are read: at --n 1000000 the outcomes are already here, and
  // the text summary only counts them.
  const bool as_outcomes = gather_raised(*record) || report.partial();
  report.results =
      ResultList::made_on_read(options.count(), [record, as_outcomes](std::size_t index) {
        return index < record->outcomes.size()
                   ? result_json(record->outcomes[index], index, as_outcomes)
                   : Json{{"task", fmt::format("task-{}", index + 1)}, {"not_run", true}};
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
  add_choice_option(app, "--on-error", options->on_error,
                    "propagate (asyncio.gather) | collect (return_exceptions=True) | "
                    "cancel-siblings (TaskGroup)",
                    policy_choices());
  app.add_flag("--sequential", options->sequential,
               "instead, await each coroutine in turn (`for c in coros: await c`), each "
               "starting when the one before has ended, to compare");
  return [options, n](const RunContext& context) {
    return run_gather(*options, n->count() > 0, context);
  };
}

// What gather's event log keeps to once the opening is shown (ScenarioEntry::lesson_events):
// each task's end as it comes, in completion order while the results keep submission order,
// and main, which gather wakes.
bool is_completion(const Event& event, const Timeline& timeline) {
  const bool of_main = timeline.parent(event.task) == kNoParent;
  return of_main || ends_task(event.kind) || event.kind == EventKind::note;
}

}  // namespace

ScenarioEntry gather_scenario() {
  return {kName,
          kLesson,
          "asyncdemo gather --n 3\n"
          "asyncdemo gather --delays 2s,1s,3s\n"
          "asyncdemo gather --delays 2s,1s,3s --fail 2 --on-error propagate\n"
          "asyncdemo gather --delays 2s,1s,3s --fail 2 --on-error cancel-siblings\n"
          "asyncdemo gather --n 3 --sequential",
          &setup_gather,
          &is_completion,
          kLogOpeningLines};
}

}  // namespace asyncdemo
