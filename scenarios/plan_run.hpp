#pragma once
// Running a plan (scenarios/plan.hpp) for real: each step is the runtime's own construct —
// a sleep is asyncio.sleep on a libuv timer, a gather is gather, a semaphore is a Semaphore —
// so a plan's run is recorded, drawn and judged like any built-in scenario's.
//
// main starts every top-level task (those no step starts) in the order the file declares
// them and awaits them all, as `await asyncio.gather(*tasks, return_exceptions=True)`: one
// task's failure is its own, and the run goes on. A plan that can no longer make progress
// (every task waits on something nothing will complete) is a deadlock: asyncio would hang;
// the run records who waited on what, cancels every task and ends.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime.hpp"
#include "core/task.hpp"
#include "core/timeline.hpp"
#include "scenarios/plan.hpp"

namespace asyncdemo::plan {

/// What a plan's run recorded beyond its timeline.
struct PlanRecord {
  /// For each task of the timeline (by TaskId): the template it is a copy of; empty for
  /// main and for a wait_for block's task.
  std::vector<std::string> template_of;
  bool deadlocked = false;
  Nanos deadlocked_at = -1;
  std::vector<std::string> deadlock_waits;  // "task-1 waits at acquire lock-b, held by task-2"
  /// The permits tasks ended holding, never released ("task-1 kept downloads"): asyncio
  /// keeps such a permit taken for good.
  std::vector<std::string> kept_permits;
  /// Each task that raised an error (not a cancel): "broken: the server answered 500".
  std::vector<std::string> failures;
  std::vector<std::size_t> max_held;  // per Plan::limits: the most permits taken at once
  std::vector<std::size_t> max_size;  // per Plan::queues: the most items waiting at once
  std::size_t timeouts = 0;           // wait_for deadlines that passed
};

struct PlanWorld;

/// One run of a plan: the semaphores, locks and queues its tasks share, and every task it
/// started. Make it after the Runtime and let it go before (its handles are the runtime's
/// tasks); it must outlive the run, whose tasks use it to their very end.
class PlanRun {
 public:
  explicit PlanRun(const Plan& plan);
  PlanRun(const PlanRun&) = delete;
  PlanRun& operator=(const PlanRun&) = delete;
  PlanRun(PlanRun&&) = delete;
  PlanRun& operator=(PlanRun&&) = delete;
  ~PlanRun();

  /// The run's main task: run it with kit::drive.
  [[nodiscard]] Task<void> main();
  /// After the run: what it recorded.
  [[nodiscard]] PlanRecord take_record();

 private:
  std::unique_ptr<PlanWorld> world_;
};

}  // namespace asyncdemo::plan
