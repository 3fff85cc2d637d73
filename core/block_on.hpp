#pragma once
// block_on: a function run on the loop thread itself, inside the current task — CPU work
// written straight into a coroutine (`count_primes(n)` inside an `async def`). Nothing else
// on the loop can run until it returns: the mistake every async lesson warns about, here on
// purpose, recorded as the task holding the loop.

#include <exception>
#include <optional>
#include <type_traits>

#include "core/clock.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

/// Runs `fn` now, on the loop thread, and returns its value; recorded as a blocked span of
/// the current task (as block_sleep is), so the timeline names the task that held the loop.
/// On the virtual clock `fn` does not run: CPU work there is simulated by its stated `cost`,
/// by which time moves, and the result is empty. What `fn` throws passes through, after the
/// span is closed.
template <class F>
  requires std::is_invocable_v<F&>
std::optional<std::invoke_result_t<F&>> block_on(F fn, Duration cost) {
  Runtime& runtime = Runtime::current();
  runtime.record(EventKind::suspended, WaitKind::blocked);
  std::optional<std::invoke_result_t<F&>> result;
  if (runtime.virtual_time()) {
    runtime.block_for(cost);
  } else {
    try {
      result.emplace(fn());
    } catch (...) {
      runtime.record(EventKind::resumed);
      throw;
    }
  }
  runtime.record(EventKind::resumed);
  return result;
}

}  // namespace asyncdemo
