// timeout: a deadline on slow work. At the deadline the work is cancelled, its
// cleanup (which itself awaits) runs to the end, and only then is the timeout
// raised — so the caller regains control *after* the deadline, by the cleanup.

#include <fmt/format.h>

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

struct TimeoutOptions {
  Duration work = 10s;
  Duration timeout = 2s;
  Duration cleanup = 100ms;
  std::size_t n = 1;
  std::vector<Duration> delays;  // one work length per task; default: n x --work
};

struct TimeoutRecord {
  std::vector<Nanos> cancelled_at;  // when each cancelled worker got Cancelled
  std::vector<Nanos> cleaned_at;    // when each finished its cleanup
  std::size_t finished = 0;         // workers that returned their value
  bool timed_out = false;
  Nanos returned_at = 0;  // when wait_for returned or raised
};

Task<int> worker(int id, Duration work, Duration cleanup, std::shared_ptr<TimeoutRecord> record) {
  bool cancelled = false;
  try {
    co_await sleep(work);
  } catch (const Cancelled&) {
    cancelled = true;  // C++ cannot co_await inside a catch block: clean up below
  }
  if (cancelled) {
    Runtime& runtime = Runtime::current();
    record->cancelled_at.push_back(runtime.now());
    runtime.note(fmt::format("cancelled: cleanup {}", format_duration(cleanup)));
    co_await sleep(cleanup);  // e.g. closing a connection politely
    record->cleaned_at.push_back(runtime.now());
    throw Cancelled{};  // re-raise: swallowing a cancel would hide the timeout
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
    tasks.push_back(
        spawn(worker(id, options.delays[i], options.cleanup, record), fmt::format("work-{}", id)));
  }
  // TaskGroup semantics: on cancellation, wait for every task's cleanup.
  const std::vector<Outcome<int>> results =
      co_await gather(std::move(tasks), OnError::cancel_siblings);
  co_return static_cast<int>(results.size());
}

Task<void> timeout_main(TimeoutOptions options, std::shared_ptr<TimeoutRecord> record) {
  Runtime& runtime = Runtime::current();
  try {
    if (options.delays.size() == 1) {
      co_await wait_for(worker(1, options.delays.front(), options.cleanup, record), options.timeout,
                        "work");
    } else {
      co_await wait_for(all_workers(options, record), options.timeout, "all-work");
    }
  } catch (const TimeoutError&) {
    record->timed_out = true;
  }
  record->returned_at = runtime.now();
  runtime.note(record->timed_out ? "TimeoutError" : "finished in time");
}

// The longest cleanup a cancelled worker ran, from the record.
double longest_cleanup(const TimeoutRecord& record) {
  Nanos longest = 0;
  for (std::size_t i = 0; i < record.cleaned_at.size() && i < record.cancelled_at.size(); ++i) {
    longest = std::max(longest, record.cleaned_at[i] - record.cancelled_at[i]);
  }
  return kit::seconds(longest);
}

void judge(ScenarioReport& report, const TimeoutOptions& options, const TimeoutRecord& record,
           double slack) {
  const double deadline = kit::seconds(options.timeout);
  const double longest = kit::seconds(*std::ranges::max_element(options.delays));
  const double returned = kit::seconds(record.returned_at);
  const std::size_t n = options.delays.size();
  report.figures["timed_out"] = record.timed_out;
  report.figures["deadline_s"] = deadline;
  report.figures["returned_s"] = returned;
  report.figures["overrun_s"] = std::max(0.0, returned - deadline);
  // asyncio's deadline is set before the work first runs, so on a tie it
  // fires first: work as long as the timeout times out.
  const bool expect_timeout = longest >= deadline;
  report.checks.push_back(kit::equals(expect_timeout ? "the deadline raised TimeoutError"
                                                     : "the work beat the deadline: no timeout",
                                      record.timed_out ? 1 : 0, expect_timeout ? 1 : 0, ""));
  if (!record.timed_out) {
    report.checks.push_back(kit::between("control returned when the work was done", returned,
                                         longest, longest + slack, "s"));
    report.takeaways.push_back(fmt::format(
        "the work was done at {}, before the deadline at {}: wait_for simply returned its result",
        format_seconds(returned), format_seconds(deadline)));
    return;
  }
  const std::string tie =
      longest == deadline
          ? " (the work was due at the same moment, but the deadline was set first, so it "
            "fired first, as in asyncio)"
          : "";
  if (record.cancelled_at.empty()) {
    // Cancelled before its first step: like asyncio, the body never ran.
    report.checks.push_back(kit::between("TimeoutError came at the deadline", returned, deadline,
                                         deadline + slack, "s"));
    report.takeaways.push_back(fmt::format(
        "the deadline ({}) came before the work's first step{}: wait_for cancelled it before it "
        "ran, so no cleanup ran, and TimeoutError came at {}",
        format_seconds(deadline), tie, format_seconds(returned)));
    return;
  }
  const double cancelled_at = kit::seconds(record.cancelled_at.front());
  const double cleanup = longest_cleanup(record);
  const double planned_cleanup = kit::seconds(options.cleanup);
  report.checks.push_back(kit::between("the work was cancelled at the deadline", cancelled_at,
                                       deadline, deadline + slack, "s"));
  report.checks.push_back(
      kit::between("TimeoutError came only after the cleanup: deadline + cleanup", returned,
                   deadline + planned_cleanup, deadline + planned_cleanup + slack, "s"));
  const std::string who =
      n == 1 ? "the work got Cancelled at its await"
             : fmt::format(
                   "{} finished in time; the {} still running got Cancelled at their "
                   "awaits",
                   kit::count_of(record.finished, "task"),
                   kit::count_of(record.cancelled_at.size(), "task"));
  report.takeaways.push_back(fmt::format(
      "the deadline passed at {}{}; {}, {} cleanup ran for {}, and only then did wait_for raise "
      "TimeoutError: {} past the deadline",
      format_seconds(deadline), tie, who, n == 1 ? "its" : "their", format_seconds(cleanup),
      format_seconds(std::max(0.0, returned - deadline))));
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
  ScenarioReport report = kit::begin(kName, kLesson, std::move(params), context, runtime);
  auto record = std::make_shared<TimeoutRecord>();
  kit::drive(report, runtime, timeout_main(options, record));
  // No work figures: a timeout's point is when control comes back, not overlap.
  kit::finish(report, runtime);
  report.results.push_back(record->timed_out ? Json{{"error", "TimeoutError"}} : Json("ok"));
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
  return [options, n](const RunContext& context) {
    return run_timeout(*options, n->count() > 0, context);
  };
}

}  // namespace

ScenarioEntry timeout_scenario() {
  return {kName, kLesson,
          "asyncdemo timeout\n"
          "asyncdemo timeout --work 10s --timeout 2s --cleanup 500ms\n"
          "asyncdemo timeout --n 3 --delays 1s,3s,5s --timeout 2s",
          &setup_timeout};
}

}  // namespace asyncdemo
