#pragma once
// guarded(): the body of every libuv callback run on the loop thread goes through it.
// libuv calls back through C frames, which an exception must never cross: anything a
// callback throws is kept (the first failure of the run) and stops the loop, and
// Runtime::run_until_complete rethrows it once the loop is closed.

#include <uv.h>

#include <exception>
#include <utility>

namespace asyncdemo::detail {

/// Inside a catch block: keeps the exception being handled as the loop's failure (unless an
/// earlier one is kept already) and stops `loop`. Loop thread only.
void keep_loop_failure(uv_loop_t* loop) noexcept;

/// The failure kept on this thread since the last call, or null; clears it.
[[nodiscard]] std::exception_ptr take_loop_failure() noexcept;

/// Whether a failure is kept on this thread.
[[nodiscard]] bool loop_failed() noexcept;

/// Runs `fn`; what it throws is kept and stops `loop` (see keep_loop_failure).
template <class Fn>
void guarded(uv_loop_t* loop, Fn&& fn) noexcept {
  try {
    std::forward<Fn>(fn)();
  } catch (...) {
    keep_loop_failure(loop);
  }
}

}  // namespace asyncdemo::detail
