#pragma once
// Semaphore (asyncio.Semaphore): at most N holders at once, waiters served
// strictly first come, first served. The permit is an RAII guard — the
// `async with sem:` of C++ — so it is returned on every path out, cancellation
// included.
//
//   Semaphore sem(3);
//   Permit permit = co_await sem.acquire();   // released when `permit` dies

#include <coroutine>
#include <cstddef>
#include <memory>
#include <vector>

#include "core/detail/waiter.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {

namespace detail {
struct SemaphoreState;
}

/// A held permit. Move-only; gives the permit back when destroyed or on release().
class [[nodiscard]] Permit {
 public:
  Permit() = default;
  explicit Permit(std::shared_ptr<detail::SemaphoreState> state) noexcept;
  Permit(Permit&&) noexcept = default;
  Permit& operator=(Permit&& other) noexcept;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit() { release(); }

  void release() noexcept;
  [[nodiscard]] bool held() const noexcept { return state_ != nullptr; }

 private:
  std::shared_ptr<detail::SemaphoreState> state_;
};

/// Awaitable returned by Semaphore::acquire(). If a permit is free and nobody
/// queues, it is taken without suspending (as asyncio does). Otherwise the
/// task queues; a release hands its permit straight to the first in line, so
/// no late-comer can barge. A cancelled waiter leaves the queue; one cancelled
/// after being handed a permit passes it on.
class AcquireAwaiter final : private detail::Waiter {
 public:
  explicit AcquireAwaiter(std::shared_ptr<detail::SemaphoreState> state) noexcept;
  AcquireAwaiter(const AcquireAwaiter&) = delete;
  AcquireAwaiter& operator=(const AcquireAwaiter&) = delete;
  AcquireAwaiter(AcquireAwaiter&&) = delete;
  AcquireAwaiter& operator=(AcquireAwaiter&&) = delete;
  ~AcquireAwaiter();

  bool await_ready() noexcept;
  bool await_suspend(std::coroutine_handle<> awaiting);
  Permit await_resume();

 private:
  friend struct detail::SemaphoreState;
  bool cancel() noexcept override;
  void grant() noexcept;
  [[nodiscard]] TaskId waiting_task() const noexcept;

  std::shared_ptr<detail::SemaphoreState> state_;
  AcquireAwaiter* prev_ = nullptr;  // the FIFO queue is intrusive: no allocation per waiter
  AcquireAwaiter* next_ = nullptr;
  bool queued_ = false;
  bool granted_ = false;
};

/// Loop thread only. The state is shared with permits and waiters, so a
/// Semaphore may be destroyed while tasks still hold or await it.
class Semaphore {
 public:
  /// `permits` holders at once. Waiting shows as `wait` in the timeline.
  explicit Semaphore(std::size_t permits, WaitKind wait = WaitKind::permit);

  [[nodiscard]] AcquireAwaiter acquire() const { return AcquireAwaiter(state_); }
  [[nodiscard]] std::size_t available() const noexcept;
  [[nodiscard]] std::size_t waiting() const noexcept;
  /// The most permits that were ever held at the same time.
  [[nodiscard]] std::size_t max_held() const noexcept;
  /// The task that took a permit last (from a free one or handed over by a release): for a
  /// semaphore of one held right now, its holder.
  [[nodiscard]] TaskId last_taker() const noexcept;
  /// The tasks in line, first come first.
  [[nodiscard]] std::vector<TaskId> waiting_tasks() const;

 private:
  std::shared_ptr<detail::SemaphoreState> state_;
};

}  // namespace asyncdemo
