#include "core/to_thread.hpp"

#include <time.h>  // NOLINT(modernize-deprecated-headers): POSIX's clock_nanosleep

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/detail/simulated_pool.hpp"

namespace asyncdemo {

namespace {

constexpr Nanos kNanosPerSecond = 1'000'000'000;

// The blocking sleep a pool thread does for thread_sleep. clock_nanosleep,
// not std::this_thread::sleep_for, which ignores every error: a sleep that
// cannot happen must fail its task, not end early and report it as done. To
// an absolute deadline on the monotonic clock (uv_hrtime's), so that
// retrying after a signal (EINTR) does not lengthen the sleep.
struct BlockingSleep {
  Duration length;

  void operator()() const {
    timespec deadline{};
    if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) {
      throw std::system_error(errno, std::generic_category(), "clock_gettime");
    }
    // A negative length is no sleep at all, as with sleep_for.
    const Nanos end = deadline.tv_nsec + std::max<Nanos>(to_nanos(length), 0);
    deadline.tv_sec += static_cast<time_t>(end / kNanosPerSecond);
    deadline.tv_nsec = static_cast<long>(end % kNanosPerSecond);
    int error = EINTR;
    while (error == EINTR) {
      error = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr);
    }
    if (error != 0) {  // clock_nanosleep returns the error; it leaves errno alone
      throw std::system_error(error, std::generic_category(), "clock_nanosleep");
    }
  }
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
