#pragma once
// Lock (asyncio.Lock): a semaphore of one, shown as "lock" in the timeline.
//
//   Permit held = co_await lock.acquire();   // `async with lock:`

#include <optional>
#include <vector>

#include "core/semaphore.hpp"

namespace asyncdemo {

class Lock {
 public:
  Lock() : semaphore_(1, WaitKind::lock) {}
  [[nodiscard]] AcquireAwaiter acquire() const { return semaphore_.acquire(); }
  [[nodiscard]] bool locked() const noexcept { return semaphore_.available() == 0; }
  [[nodiscard]] std::size_t waiting() const noexcept { return semaphore_.waiting(); }
  /// The task holding the lock, if it is held.
  [[nodiscard]] std::optional<TaskId> holder() const noexcept {
    return locked() ? std::optional<TaskId>(semaphore_.last_taker()) : std::nullopt;
  }
  /// The tasks waiting for it, first come first.
  [[nodiscard]] std::vector<TaskId> waiters() const { return semaphore_.waiting_tasks(); }

 private:
  Semaphore semaphore_;
};

}  // namespace asyncdemo
