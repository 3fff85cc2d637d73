#include "core/to_process.hpp"

#include <uv.h>

#include <memory>

#include "core/detail/process_job.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

bool ToProcessAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::process)) {
    return false;
  }
  start(std::make_unique<detail::ProcessJob>(self(), task()->id, std::move(argv_)));
  return true;
}

ProcessResult ToProcessAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  rethrow_start_error();
  auto* job = static_cast<detail::ProcessJob*>(finished_job());
  job->rethrow_failure();
  return ProcessResult{job->take_output(), job->pid()};
}

std::size_t process_pool_size() noexcept { return uv_available_parallelism(); }

}  // namespace asyncdemo
