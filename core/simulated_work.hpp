#pragma once
// simulated_work: CPU work on the virtual clock, where it does not run but is simulated by its
// stated cost. It occupies one of `width` simulated cores for that long; jobs beyond the width
// wait, first come, first served, as jobs wait for a pool's threads or a process pool's
// workers. Recorded as work on a thread, or in a process, as the real work would be.

#include <coroutine>

#include "core/clock.hpp"
#include "core/detail/offload.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {

/// Awaitable returned by simulated_work().
class SimulatedWorkAwaiter final : private detail::OffloadAwaiter {
 public:
  SimulatedWorkAwaiter(Duration cost, std::size_t width, WaitKind where)
      : cost_(cost), width_(width), where_(where) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting);
  void await_resume();

 private:
  Duration cost_;
  std::size_t width_;
  WaitKind where_;
};

/// Occupies one of `width` (at least 1) simulated cores for `cost`, recorded as work of kind
/// `where` (WaitKind::thread or WaitKind::process). Only on the virtual clock (RuntimeMisuse
/// on the real one, where work has to run for real). Cancelling the awaiting task resumes it
/// at once; a job not started yet is dropped, a started one runs on to its end, unobserved,
/// as real work on a thread does.
[[nodiscard]] inline SimulatedWorkAwaiter simulated_work(Duration cost, std::size_t width,
                                                         WaitKind where) {
  return {cost, width, where};
}

}  // namespace asyncdemo
