#pragma once
// to_thread (asyncio.to_thread): run a blocking function on libuv's thread
// pool while the loop goes on; and thread_sleep, a blocking sleep done there.
//
// Cancelling the awaiting task resumes it at once with Cancelled. Work not yet
// started is removed from the pool queue (uv_cancel); work already running
// cannot be stopped and finishes on its thread, unobserved. The timeline
// records both moments, and run() waits for such work before it returns.

#include <concepts>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/clock.hpp"
#include "core/detail/offload.hpp"
#include "core/detail/uv_work_job.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

namespace detail {

template <class R>
struct ResultSlot {
  std::optional<R> value;
  template <class F>
  void fill(F& fn) {
    value.emplace(fn());
  }
  R take() {
    if (!value) {
      throw RuntimeMisuse("thread work produced no value");
    }
    return std::move(*value);
  }
};

template <>
struct ResultSlot<void> {
  template <class F>
  void fill(F& fn) {
    fn();
  }
  void take() {}
};

template <class F>
class FunctionJob final : public UvWorkJob {
 public:
  using Result = std::invoke_result_t<F&>;
  FunctionJob(OffloadAwaiter* awaiter, TaskId task, F fn)
      : UvWorkJob(awaiter, task), fn_(std::move(fn)) {}
  Result take_result() {
    if (error_) {
      std::rethrow_exception(error_);
    }
    return result_.take();
  }

 private:
  void execute() noexcept override {
    try {
      result_.fill(fn_);
    } catch (...) {
      error_ = std::current_exception();  // carried back to the awaiter
    }
  }
  F fn_;
  ResultSlot<Result> result_;
  std::exception_ptr error_;
};

}  // namespace detail

template <class F>
class ToThreadAwaiter final : private detail::OffloadAwaiter {
 public:
  using Result = std::invoke_result_t<F&>;
  explicit ToThreadAwaiter(F fn) : fn_(std::move(fn)) {}

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting) {
    if (!begin_wait(awaiting, WaitKind::thread)) {
      return false;
    }
    start(std::make_unique<detail::FunctionJob<F>>(self(), task()->id, std::move(fn_)));
    return true;
  }
  Result await_resume() {
    if (take_cancel()) {
      throw Cancelled{};
    }
    rethrow_start_error();
    return static_cast<detail::FunctionJob<F>*>(finished_job())->take_result();
  }

 private:
  F fn_;
};

/// asyncio.to_thread(fn): `fn` runs on a pool thread; its value (or
/// exception) comes back at the await. `fn` must be safe to run off the loop
/// thread and must not touch the runtime. On the virtual clock it still runs
/// for real, and time stands still until it is done.
///
/// TRICKY: g++ 12 destroys a capturing lambda written inside the co_await
/// expression twice. Name it first: `auto crunch = [n] {...};
/// co_await to_thread(crunch);`.
template <class F>
  requires std::invocable<F&>
[[nodiscard]] ToThreadAwaiter<F> to_thread(F fn) {
  return ToThreadAwaiter<F>(std::move(fn));
}

/// Awaitable returned by thread_sleep().
class ThreadSleepAwaiter final : private detail::OffloadAwaiter {
 public:
  explicit ThreadSleepAwaiter(Duration length) : length_(length) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting);
  void await_resume();

 private:
  Duration length_;
};

/// A blocking sleep of `length` done on a pool thread — "time.sleep in
/// to_thread". Occupies a pool thread for its whole length, so more of them
/// than the pool has threads queue. If the sleep fails (clock_nanosleep
/// returns an error other than EINTR), the await raises std::system_error.
/// On the virtual clock it occupies a simulated pool of the same size
/// instead, takes no real time, and cannot fail.
[[nodiscard]] inline ThreadSleepAwaiter thread_sleep(Duration length) {
  return ThreadSleepAwaiter(length);
}

}  // namespace asyncdemo
