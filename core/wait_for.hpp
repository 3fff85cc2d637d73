#pragma once
// wait_for (asyncio.wait_for): a timeout is a race between the work and a
// deadline. At the deadline the work is cancelled and — the part people get
// wrong — *awaited*: its cleanup runs to the end before TimeoutError is
// raised, so the overrun past the deadline is real and shows in the timeline.

#include <algorithm>
#include <coroutine>
#include <string_view>
#include <utility>

#include "core/detail/timer_queue.hpp"
#include "core/detail/waiter.hpp"
#include "core/errors.hpp"
#include "core/spawn.hpp"

namespace asyncdemo {

template <class T>
class WaitForAwaiter final : private detail::Waiter,
                             private detail::CompletionListener,
                             private detail::TimerTarget {
 public:
  WaitForAwaiter(TaskHandle<T> work, Duration timeout)
      : work_(std::move(work)), timeout_(timeout) {}
  WaitForAwaiter(const WaitForAwaiter&) = delete;
  WaitForAwaiter& operator=(const WaitForAwaiter&) = delete;
  WaitForAwaiter(WaitForAwaiter&&) = delete;
  WaitForAwaiter& operator=(WaitForAwaiter&&) = delete;
  ~WaitForAwaiter() {
    if (queued()) {
      runtime().remove_timer(*this);
    }
    if (pending()) {
      work_.state().listener = nullptr;
    }
  }

  [[nodiscard]] bool await_ready() const noexcept { return work_.done(); }
  bool await_suspend(std::coroutine_handle<> awaiting) {
    if (!begin_wait(awaiting, WaitKind::child)) {
      return false;
    }
    work_.state().listener = this;
    // A timeout <= 0 still goes through the timer: the work is cancelled on
    // the next loop iteration, before its first step, as in asyncio.
    runtime().add_timer(*this, runtime().now() + to_nanos(std::max(timeout_, Duration::zero())));
    return true;
  }
  /// The work's value. TimeoutError if the deadline cancelled it; the work's
  /// own error otherwise. If the work swallowed the cancellation and returned
  /// a value anyway, that value is returned (asyncio does the same).
  T await_resume() {
    if (take_cancel()) {
      throw Cancelled{};
    }
    Outcome<T> outcome = work_.take_outcome();
    if (outcome.cancelled() && timed_out_ && !outer_cancelled_) {
      throw TimeoutError();
    }
    return std::move(outcome).take();
  }

 private:
  void on_timer() noexcept override {
    timed_out_ = true;
    work_.cancel();
  }
  void task_completed(detail::TaskState& /*task*/, std::uint32_t /*tag*/) noexcept override {
    if (queued()) {
      runtime().remove_timer(*this);
    }
    wake();
  }
  bool cancel() noexcept override {
    outer_cancelled_ = true;
    if (queued()) {
      runtime().remove_timer(*this);
    }
    work_.cancel();
    return true;
  }

  TaskHandle<T> work_;
  Duration timeout_;
  bool timed_out_ = false;
  bool outer_cancelled_ = false;
};

/// Runs `work` as a task of its own (named `name`, or "task-<id>") with a
/// deadline `timeout` from now.
template <class T>
[[nodiscard]] WaitForAwaiter<T> wait_for(Task<T> work, Duration timeout,
                                         std::string_view name = {}) {
  return WaitForAwaiter<T>(spawn(std::move(work), name), timeout);
}

/// The same for a task already running.
template <class T>
[[nodiscard]] WaitForAwaiter<T> wait_for(TaskHandle<T> work, Duration timeout) {
  return WaitForAwaiter<T>(std::move(work), timeout);
}

}  // namespace asyncdemo
