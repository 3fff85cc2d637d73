#pragma once
// lock --deadlock: two tasks take two locks in opposite order, as in
//
//   async def take_both(first, second):
//       async with first:
//           await asyncio.sleep(delay)   # meanwhile the other task takes its first lock
//           async with second:           # ...and now each waits for the other's
//               pass
//
// Nothing can ever run again: asyncio would hang. The runtime notices that the loop has run
// out of work (no step, no timer, no thread work), the run reports the cycle, who holds what
// and who waits for what, and cancels the two tasks to end it. With --timeout, wait_for
// breaks the deadlock instead: at its deadline it cancels them and raises TimeoutError.

#include <optional>

#include "core/clock.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

struct DeadlockOptions {
  Duration delay;                   // each task's await between its first lock and its second
  std::optional<Duration> timeout;  // wait_for around the two tasks, if any
};

[[nodiscard]] ScenarioReport run_lock_deadlock(std::string_view name, std::string_view lesson,
                                               const DeadlockOptions& options,
                                               const RunContext& context);

}  // namespace asyncdemo
