#include "core/detail/loop_guard.hpp"

namespace asyncdemo::detail {

namespace {

// One per thread, as there is at most one Runtime (and so one loop) per thread.
thread_local std::exception_ptr loop_failure;

}  // namespace

void keep_loop_failure(uv_loop_t* loop) noexcept {
  if (!loop_failure) {
    loop_failure = std::current_exception();
  }
  uv_stop(loop);
}

std::exception_ptr take_loop_failure() noexcept { return std::exchange(loop_failure, nullptr); }

bool loop_failed() noexcept { return static_cast<bool>(loop_failure); }

}  // namespace asyncdemo::detail
