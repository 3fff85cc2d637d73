#pragma once
// sleep (asyncio.sleep) and block_sleep (time.sleep on the loop thread: the
// mistake every async lesson warns about, here on purpose).

#include <coroutine>

#include "core/clock.hpp"
#include "core/detail/timer_queue.hpp"
#include "core/detail/waiter.hpp"

namespace asyncdemo {

/// Awaitable returned by sleep(). Lives in the awaiting coroutine's frame;
/// it leaves the timer queue on wake, on cancel, or when destroyed.
class SleepAwaiter final : private detail::Waiter, private detail::TimerTarget {
 public:
  explicit SleepAwaiter(Duration delay) : delay_(delay) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  SleepAwaiter& operator=(const SleepAwaiter&) = delete;
  SleepAwaiter(SleepAwaiter&&) = delete;
  SleepAwaiter& operator=(SleepAwaiter&&) = delete;
  ~SleepAwaiter();

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> handle);
  void await_resume();

 private:
  bool cancel() noexcept override;
  void on_timer() noexcept override;
  Duration delay_;
};

/// asyncio.sleep(d): suspends the current task for at least `d` (never less,
/// on either clock) while other tasks run. sleep(0) just yields to them.
/// A negative delay counts as 0. (By reference: a by-value argument is a
/// temporary that the awaiting frame keeps, 8 bytes in each of a million frames.)
[[nodiscard]] inline SleepAwaiter sleep(const Duration& delay) { return SleepAwaiter(delay); }

/// time.sleep(d) on the loop thread: the whole loop stops for `d`. Recorded as
/// a "blocked" span of the current task. On the virtual clock, time moves by `d`.
void block_sleep(Duration delay);

}  // namespace asyncdemo
