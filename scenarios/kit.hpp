#pragma once
// The pieces every scenario uses to turn a run into a report: starting and
// finishing it, the summary arithmetic, and claims with their verdicts.

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/task.hpp"
#include "scenarios/durations.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo::kit {

/// The most tasks a scenario accepts. A task costs a few hundred bytes with
/// its timeline, so this bounds a run to about a gigabyte.
inline constexpr std::size_t kMaxTasks = 2'000'000;

[[nodiscard]] double seconds(Nanos ns);
[[nodiscard]] double seconds(Duration d);
[[nodiscard]] Nanos nanos(double seconds);

/// "1 task", "3 tasks"; with verbs, "1 task was", "3 tasks were".
[[nodiscard]] std::string count_of(std::size_t count, std::string_view noun);
[[nodiscard]] std::string count_of(std::size_t count, std::string_view noun,
                                   std::string_view verb_one, std::string_view verb_many);

/// A report with its header filled in, the live log attached to `runtime`,
/// and RunContext::on_start called: call before running anything.
/// `longest_task_name` is ScenarioReport::longest_task_name (see numbered_name).
[[nodiscard]] ScenarioReport begin(std::string_view scenario, std::string_view lesson, Json params,
                                   const RunContext& context, Runtime& runtime,
                                   std::string longest_task_name);

/// "task-3": the name of the `number`th of a scenario's numbered tasks.
[[nodiscard]] std::string numbered_name(std::string_view prefix, std::size_t number);

/// Runs `main` to the end (asyncio.run). If Ctrl-C interrupted it, main ends
/// cancelled: the report is marked interrupted and the partial record kept.
/// If main (or the loop) failed, its error becomes the report's error, and
/// the partial record is kept too: the timeline shows how far the run got.
template <class T>
void drive(ScenarioReport& report, Runtime& runtime, Task<T> main) {
  try {
    run(runtime, std::move(main));
  } catch (const Cancelled&) {
    if (!runtime.interrupted()) {
      throw;
    }
  } catch (const UsageError&) {
    throw;  // the user's to fix (exit 2), not a failure of the run
  } catch (const std::exception& failure) {
    report.error = failure.what();
  }
  report.interrupted = runtime.interrupted();
  report.interrupt_signal = runtime.interrupt_signal();
}

/// Awaits `task` inside the task that runs it, so a scenario can wrap what it
/// spawns: `spawn(kit::noting_error(work(id)), name)`. An error it raises (not
/// a cancel) is noted on that task's timeline first — "error: <what>", in the
/// event log, JSON and trace beside the `failed` that follows — and then
/// passed on unchanged.
template <class T>
Task<T> noting_error(Task<T> task) {
  try {
    co_return co_await std::move(task);
  } catch (const std::exception& error) {
    Runtime::current().note(fmt::format("error: {}", error.what()));
    throw;
  }
}

/// Moves the timeline into the report and fills elapsed_s, max_in_flight and
/// max_loop_stall_s from it. The work figures (sequential, ideal, speedup,
/// overhead) stay unset — not shown, null in JSON — unless the scenario gives
/// them with show_work or set_work: only where they mean something.
void finish(ScenarioReport& report, Runtime& runtime);
/// The same, then set_work(report, sequential_s, ideal_s) (a figure <= 0 is left unset).
void finish(ScenarioReport& report, Runtime& runtime, double sequential_s, double ideal_s);

/// ideal's `at_a_time` for work that all runs at once.
inline constexpr std::size_t kAllAtOnce = SIZE_MAX;

/// The work figures from what the tasks recorded (every task but the root).
/// A task's own work is its life from its first step to its end, less the
/// time it queued (for a permit, a lock, a queue) or awaited another task; sequential
/// is the sum of them, and ideal the shortest run that does that same work
/// `at_a_time` tasks at once, started in the order the tasks were created
/// (1: one after another; kAllAtOnce: as long as the longest). Such a run
/// never beats the real one, so the overhead is never negative. No speedup
/// when `with_speedup` is false: a run whose point is not overlap.
void show_work(ScenarioReport& report, std::size_t at_a_time, bool with_speedup = true);
/// The shortest run of `pieces` of work, `at_a_time` at once, started in their order, each on
/// the slot that frees first (the list schedule; 1: their sum; kAllAtOnce: the longest).
[[nodiscard]] Nanos shortest_run(const std::vector<Nanos>& pieces, std::size_t at_a_time);
/// The time tasks waited on `wait` (a permit, a lock, room or an item in a queue): from each
/// suspension on it to the task's next step, or to its end if it was cancelled there.
struct WaitTimes {
  std::size_t count = 0;          // suspensions on it, even those that lasted no time
  Nanos total_ns = 0;             // all of them together
  std::vector<Nanos> by_task_ns;  // each task's, indexed by TaskId
};
/// One pass over the events, however many tasks.
[[nodiscard]] WaitTimes wait_times(const Timeline& timeline, WaitKind wait);

/// The most jobs of the tasks with ids in [first, last) that ran off the loop (on a pool
/// thread or in a child process) at the same moment, walking the events in the order they
/// were recorded (a job's start before its end, even when both have the same time).
[[nodiscard]] std::size_t work_at_once(const Timeline& timeline, TaskId first, TaskId last);

/// The value that `share` (0.5 for p50, 0.99 for p99, 1 for the most) of `values` are at or
/// below: the nearest rank, ceil(share x n), of the sorted values; 0 when there are none.
[[nodiscard]] Nanos nearest_rank(std::vector<Nanos> values, double share);

/// The work figures a scenario computed itself (from its record): overhead =
/// elapsed - ideal (at least 0), speedup = sequential / elapsed if asked for and elapsed > 0.
void set_work(ScenarioReport& report, double sequential_s, double ideal_s,
              bool with_speedup = true);

/// How far a real-clock figure may stray from its ideal: --tolerance on the
/// real clock, nothing on the virtual one (there the figures are exact).
[[nodiscard]] double slack(const RunContext& context);

[[nodiscard]] Claim at_most(std::string name, double measured, double limit, std::string unit);
[[nodiscard]] Claim at_least(std::string name, double measured, double limit, std::string unit);
[[nodiscard]] Claim between(std::string name, double measured, double low, double high,
                            std::string unit);
[[nodiscard]] Claim equals(std::string name, double measured, double expected, std::string unit);

/// "async ran 2.99x faster than blocking".
[[nodiscard]] std::string faster(std::string_view fast, double fast_s, std::string_view slow,
                                 double slow_s);

}  // namespace asyncdemo::kit
