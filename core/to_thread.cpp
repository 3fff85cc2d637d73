#include "core/to_thread.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/detail/blocking_sleep.hpp"
#include "core/detail/simulated_pool.hpp"

namespace asyncdemo {

namespace {

// The pool thread's part of thread_sleep (see detail::blocking_sleep).
struct BlockingSleep {
  Duration length;

  void operator()() const { detail::blocking_sleep(length); }
};

using BlockingSleepJob = detail::FunctionJob<BlockingSleep>;

}  // namespace

bool ThreadSleepAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::thread)) {
    return false;
  }
  Runtime& rt = runtime();
  if (rt.virtual_time()) {
    auto* job = new detail::SimulatedJob(self(), task()->id, length_, rt.simulated_pool());
    attach(job);
    rt.simulated_pool().submit(job);
    return true;
  }
  start(std::make_unique<BlockingSleepJob>(self(), task()->id, BlockingSleep{length_}));
  return true;
}

void ThreadSleepAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  rethrow_start_error();
  // A failed sleep on a pool thread is raised here, at the await, as to_thread
  // raises its function's exception. A simulated sleep (virtual clock) cannot fail.
  if (auto* job = dynamic_cast<BlockingSleepJob*>(finished_job())) {
    job->take_result();
  }
}

}  // namespace asyncdemo
