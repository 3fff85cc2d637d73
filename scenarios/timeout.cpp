// timeout: a deadline on slow work. At the deadline the work is cancelled, its
// cleanup (which itself awaits) runs to the end, and only then is the timeout
// raised — so the caller regains control *after* the deadline, by the cleanup.
//
// --swallow: the work catches the cancel and returns its value anyway. wait_for
// then returns that value, late by the cleanup, and raises nothing — unless the
// work is a TaskGroup of tasks (--n > 1), which re-raises the cancel of its own
// task whatever they returned, or the timeout is 0, which cancels the work
// before its first step, so that its except clause never runs.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "core/wait_for.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "timeout";
constexpr std::string_view kLesson =
    "wait_for cancels work that misses its deadline and waits for its cleanup before raising "
    "TimeoutError, so control returns after the deadline, late by the cleanup.";
// The task wait_for runs: the work itself, or with several, the TaskGroup over "work-<id>".
constexpr std::string_view kWorkName = "work";
constexpr std::string_view kAllWorkName = "all-work";

struct TimeoutOptions {
  Duration work = 10s;
  Duration timeout = 2s;
  Duration cleanup = 100ms;
  std::size_t n = 1;
  std::vector<Duration> delays;  // one work length per task; default: n x --work
  bool swallow = false;          // the work returns its value when cancelled, not Cancelled
};

struct TimeoutRecord {
  std::vector<Nanos> cancelled_at;  // when each cancelled worker got Cancelled
  std::vector<Nanos> cleaned_at;    // when each finished its cleanup
  std::size_t finished = 0;         // workers that returned their value in time
  std::size_t swallowed = 0;        // cancelled workers that returned their value anyway
  bool timed_out = false;
  int value = 0;          // what wait_for returned, unless it raised
  Nanos returned_at = 0;  // when wait_for returned or raised
};

// The note a worker makes when it swallows the cancel: where the record shows it did.
constexpr std::string_view kSwallowedNote = "swallowed the cancel";

Task<int> worker(int id, Duration work, Duration cleanup, bool swallow,
                 std::shared_ptr<TimeoutRecord> record) {
  bool cancelled = false;
  try {
    co_await sleep(work);
  } catch (const Cancelled&) {
    cancelled = true;  // C++ cannot co_await inside a catch block: clean up below
  }
  if (cancelled) {
    Runtime& runtime = Runtime::current();
    record->cancelled_at.push_back(runtime.now());
    runtime.note(fmt::format("CancelledError: cleanup {}", format_duration(cleanup)));
    co_await sleep(cleanup);  // e.g. closing a connection politely
    record->cleaned_at.push_back(runtime.now());
    if (!swallow) {
      throw Cancelled{};  // re-raise: swallowing a cancel would hide the timeout
    }
    // --swallow: no re-raise. The value is returned as if the work had been done.
    ++record->swallowed;
    runtime.note(fmt::format("{}: returns {}", kSwallowedNote, id));
    co_return id;
  }
  ++record->finished;
  co_return id;
}

// Several tasks under one deadline: wait_for cancels this coroutine, and
// gather passes the cancellation on to every task still running.
Task<int> all_workers(TimeoutOptions options, std::shared_ptr<TimeoutRecord> record) {
  std::vector<TaskHandle<int>> tasks;
  for (std::size_t i = 0; i < options.delays.size(); ++i) {
    const int id = static_cast<int>(i + 1);
    tasks.push_back(spawn(worker(id, options.delays[i], options.cleanup, options.swallow, record),
                          kit::numbered_name(kWorkName, i + 1)));
  }
  // TaskGroup semantics: on cancellation, wait for every task's cleanup, then
  // raise Cancelled, even if every task swallowed its cancel and returned a value.
  const std::vector<Outcome<int>> results =
      co_await gather(std::move(tasks), OnError::cancel_siblings);
  co_return static_cast<int>(results.size());
}

Task<void> timeout_main(TimeoutOptions options, std::shared_ptr<TimeoutRecord> record) {
  Runtime& runtime = Runtime::current();
  try {
    if (options.delays.size() == 1) {
      record->value = co_await wait_for(
          worker(1, options.delays.front(), options.cleanup, options.swallow, record),
          options.timeout, kWorkName);
    } else {
      record->value =
          co_await wait_for(all_workers(options, record), options.timeout, kAllWorkName);
    }
  } catch (const TimeoutError&) {
    record->timed_out = true;
  }
  record->returned_at = runtime.now();
  if (record->timed_out) {
    runtime.note("TimeoutError");
  } else if (record->swallowed > 0) {
    runtime.note("returned late: the work swallowed the cancel");
  } else {
    runtime.note("finished in time");
  }
}

// The longest cleanup a cancelled worker ran, from the record.
double longest_cleanup(const TimeoutRecord& record) {
  Nanos longest = 0;
  for (std::size_t i = 0; i < record.cleaned_at.size() && i < record.cancelled_at.size(); ++i) {
    longest = std::max(longest, record.cleaned_at[i] - record.cancelled_at[i]);
  }
  return kit::seconds(longest);
}

// What a judgement needs besides the report: the deadline, when control came
// back, the longest work and the slack the clock allows.
struct Moments {
  double deadline = 0;
  double returned = 0;
  double longest = 0;
  double slack = 0;
  std::string tie;  // the aside for work due at the deadline's very moment, or empty
};

void judge_in_time(ScenarioReport& report, const TimeoutOptions& options, const Moments& at) {
  report.checks.push_back(kit::between("control returned when the work was done", at.returned,
                                       at.longest, at.longest + at.slack, "s"));
  const std::string no_cancel =
      options.swallow ? "; the deadline never fired, so there was no cancel to swallow" : "";
  report.takeaways.push_back(fmt::format(
      "the work was done at {}, before the deadline at {}: wait_for simply returned its result{}",
      format_seconds(at.returned), format_seconds(at.deadline), no_cancel));
}

// Cancelled before its first step: like asyncio, the body never ran.
void judge_before_start(ScenarioReport& report, const TimeoutOptions& options, const Moments& at) {
  report.checks.push_back(kit::between("TimeoutError came at the deadline", at.returned,
                                       at.deadline, at.deadline + at.slack, "s"));
  const std::string no_except = options.swallow
                                    ? " and the except clause that would have swallowed the "
                                      "cancel never ran"
                                    : "";
  report.takeaways.push_back(fmt::format(
      "the deadline ({}) came before the work's first step{}: wait_for cancelled it before it "
      "ran, so no cleanup ran{}, and TimeoutError came at {}",
      format_seconds(at.deadline), at.tie, no_except, format_seconds(at.returned)));
}

// The deadline cancelled work that was running: its cleanup ran, and then
// either TimeoutError came, or (a lone task that swallowed the cancel) its value.
void judge_cancelled(ScenarioReport& report, const TimeoutOptions& options,
                     const TimeoutRecord& record, const Moments& at) {
  const double cancelled_at = kit::seconds(record.cancelled_at.front());
  const double cleanup = longest_cleanup(record);
  const double planned_cleanup = kit::seconds(options.cleanup);
  const double overrun = std::max(0.0, at.returned - at.deadline);
  const std::size_t n = options.delays.size();
  report.checks.push_back(kit::between("the work was cancelled at the deadline", cancelled_at,
                                       at.deadline, at.deadline + at.slack, "s"));
  report.checks.push_back(kit::between(
      record.timed_out ? "TimeoutError came only after the cleanup: deadline + cleanup"
                       : "wait_for returned the value only after the cleanup: deadline + cleanup",
      at.returned, at.deadline + planned_cleanup, at.deadline + planned_cleanup + at.slack, "s"));
  if (!record.timed_out) {
    report.takeaways.push_back(fmt::format(
        "the deadline passed at {}{}; the work got CancelledError at its await, its cleanup ran "
        "for "
        "{}, and then it swallowed the cancel and returned its value, so wait_for returned that "
        "value instead of raising TimeoutError: {} past the deadline",
        format_seconds(at.deadline), at.tie, format_seconds(cleanup), format_seconds(overrun)));
    return;
  }
  const std::size_t still_running = record.cancelled_at.size();
  if (record.swallowed > 0) {
    report.checks.push_back(kit::equals("every task the deadline cancelled swallowed the cancel",
                                        static_cast<double>(record.swallowed),
                                        static_cast<double>(still_running), ""));
    report.takeaways.push_back(fmt::format(
        "the deadline passed at {}{}; {} finished in time; the {} still running got CancelledError "
        "at {}, {} cleanup ran for {}, and {} swallowed the cancel and returned {}; but "
        "the TaskGroup holding them had been cancelled itself and re-raised that, so wait_for "
        "raised TimeoutError all the same: {} past the deadline",
        format_seconds(at.deadline), at.tie, kit::count_of(record.finished, "task"),
        kit::count_of(still_running, "task"), still_running == 1 ? "its await" : "their awaits",
        still_running == 1 ? "its" : "their", format_seconds(cleanup),
        still_running == 1 ? "it" : "they", still_running == 1 ? "its value" : "their values",
        format_seconds(overrun)));
    return;
  }
  const std::string who =
      n == 1 ? "the work got CancelledError at its await"
             : fmt::format("{} finished in time; the {} still running got CancelledError at {}",
                           kit::count_of(record.finished, "task"),
                           kit::count_of(still_running, "task"),
                           still_running == 1 ? "its await" : "their awaits");
  report.takeaways.push_back(fmt::format(
      "the deadline passed at {}{}; {}, {} cleanup ran for {}, and only then did wait_for raise "
      "TimeoutError: {} past the deadline",
      format_seconds(at.deadline), at.tie, who, still_running == 1 ? "its" : "their",
      format_seconds(cleanup), format_seconds(overrun)));
}

void judge(ScenarioReport& report, const TimeoutOptions& options, const TimeoutRecord& record,
           double slack) {
  Moments at;
  at.deadline = kit::seconds(options.timeout);
  at.longest = kit::seconds(*std::ranges::max_element(options.delays));
  at.returned = kit::seconds(record.returned_at);
  at.slack = slack;
  report.figures["timed_out"] = record.timed_out;
  report.figures["deadline_s"] = at.deadline;
  report.figures["returned_s"] = at.returned;
  report.figures["overrun_s"] = std::max(0.0, at.returned - at.deadline);
  if (options.swallow) {
    report.figures["swallowed"] = record.swallowed;
  }
  // asyncio's deadline is set before the work first runs, so on a tie it
  // fires first: work as long as the timeout times out.
  const bool deadline_fires = at.longest >= at.deadline;
  // Swallowing helps only a lone task that ran: a TaskGroup re-raises the
  // cancel of its own task, and a zero timeout cancels before the first step.
  const bool value_returned_late =
      options.swallow && options.delays.size() == 1 && options.timeout > Duration::zero();
  const bool expect_timeout = deadline_fires && !value_returned_late;
  const char* expected_claim = expect_timeout ? "the deadline raised TimeoutError"
                               : deadline_fires
                                   ? "the work swallowed the cancel: wait_for returned its value, "
                                     "no TimeoutError"
                                   : "the work beat the deadline: no timeout";
  report.checks.push_back(
      kit::equals(expected_claim, record.timed_out ? 1 : 0, expect_timeout ? 1 : 0, ""));
  if (deadline_fires && at.longest == at.deadline) {
    at.tie =
        " (the work was due at the same moment, but the deadline was set first, so it fired "
        "first, as in asyncio)";
  }
  if (record.cancelled_at.empty()) {
    if (record.timed_out) {
      judge_before_start(report, options, at);
    } else {
      judge_in_time(report, options, at);
    }
    return;
  }
  judge_cancelled(report, options, record, at);
}

void normalize(TimeoutOptions& options, bool n_given) {
  if (options.delays.empty()) {
    options.delays.assign(options.n, options.work);
  } else if (n_given && options.n != options.delays.size()) {
    throw UsageError(fmt::format("--n {} does not match the {} lengths given with --delays",
                                 options.n, options.delays.size()));
  }
}

ScenarioReport run_timeout(TimeoutOptions options, bool n_given, const RunContext& context) {
  normalize(options, n_given);
  Runtime runtime(context.runtime);
  Json params = {{"n", options.delays.size()}};
  if (std::ranges::adjacent_find(options.delays, std::not_equal_to{}) == options.delays.end()) {
    params["work"] = format_duration(options.delays.front());
  } else {
    params["delays"] = format_durations(options.delays);
  }
  params["timeout"] = format_duration(options.timeout);
  params["cleanup"] = format_duration(options.cleanup);
  if (options.swallow) {  // absent otherwise: the plain lesson's header stays as it was
    params["swallow"] = true;
  }
  // One task is "work"; several are "work-<id>" under "all-work", the task wait_for runs.
  std::string longest_name(kWorkName);
  if (options.delays.size() > 1) {
    longest_name = kit::numbered_name(kWorkName, options.delays.size());
    if (longest_name.size() < kAllWorkName.size()) {
      longest_name = kAllWorkName;
    }
  }
  ScenarioReport report =
      kit::begin(kName, kLesson, std::move(params), context, runtime, std::move(longest_name));
  auto record = std::make_shared<TimeoutRecord>();
  kit::drive(report, runtime, timeout_main(options, record));
  // No work figures: a timeout's point is when control comes back, not overlap.
  kit::finish(report, runtime);
  // What main got: wait_for's value (the work's id; with several, the TaskGroup's count), or
  // its TimeoutError.
  report.results.push_back(record->timed_out ? Json{{"error", "TimeoutError"}}
                                             : Json{{"value", record->value}});
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
  }
  return report;
}

ScenarioRunner setup_timeout(CLI::App& app) {
  auto options = std::make_shared<TimeoutOptions>();
  add_duration_option(app, "--work", options->work, "how long the slow work would take");
  add_duration_option(app, "--timeout", options->timeout, "the deadline (asyncio.wait_for)");
  add_duration_option(app, "--cleanup", options->cleanup,
                      "how long the cancelled work's cleanup awaits");
  CLI::Option* n = add_count_option(app, "--n", options->n, "how many tasks under the deadline", 1,
                                    kit::kMaxTasks);
  add_duration_list_option(app, "--delays", options->delays,
                           "one work length per task, e.g. 1s,3s,5s (sets --n)");
  app.add_flag("--swallow", options->swallow,
               "the cancelled work returns its value after its cleanup instead of re-raising "
               "(a lone task's wait_for then returns it, no TimeoutError; with --n > 1 the "
               "TaskGroup re-raises the cancel, so TimeoutError all the same)");
  return [options, n](const RunContext& context) {
    return run_timeout(*options, n->count() > 0, context);
  };
}

}  // namespace

ScenarioEntry timeout_scenario() {
  return {kName, kLesson,
          "asyncdemo timeout\n"
          "asyncdemo timeout --work 10s --timeout 2s --cleanup 500ms\n"
          "asyncdemo timeout --n 3 --delays 1s,3s,5s --timeout 2s\n"
          "asyncdemo timeout --work 10s --timeout 2s --swallow",
          &setup_timeout};
}

}  // namespace asyncdemo
