#pragma once
// Waiter: the base of every awaitable that suspends a task on the runtime.
// It owns the protocol that makes cancellation exact: record the suspension,
// be reachable by Runtime::cancel while pending, resume the task exactly
// once, and raise Cancelled at this await if that is why it resumed.

#include <coroutine>

#include "core/detail/task_state.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

class Waiter {
 public:
  /// Called by Runtime::cancel while the task is suspended here. Either
  /// withdraws the operation and wakes the task (returns false: the task's
  /// cancel request stays and is raised when it resumes), or forwards the
  /// cancellation to the task being awaited (returns true: that task's own
  /// outcome decides, as asyncio does for `await task`).
  virtual bool cancel() noexcept = 0;

  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;
  Waiter(Waiter&&) = delete;
  Waiter& operator=(Waiter&&) = delete;

 protected:
  Waiter() = default;
  ~Waiter() = default;

  /// Call first in await_suspend. Returns false when the task already has a
  /// cancel request: then do not register anything, return false from
  /// await_suspend, and await_resume will raise it.
  bool begin_wait(std::coroutine_handle<> handle, WaitKind what);
  /// Schedules the task to resume. Call exactly once per successful begin_wait.
  void wake() noexcept;
  /// Resumes the task at once instead: only from a completion listener, which
  /// runs between steps, for an await whose wake-up is the awaited task's
  /// done-callback itself (`await task`: asyncio's Task.__wakeup steps the
  /// awaiting task directly, in the iteration after the awaited one ended).
  void wake_now() noexcept;
  /// In await_resume: true (and the request consumed) if this await must
  /// raise Cancelled.
  bool take_cancel() noexcept;
  [[nodiscard]] bool pending() const noexcept {
    return task_ != nullptr && task_->waiting_on == this;
  }
  // Looked up rather than stored: a Waiter is in the frame of every suspended
  // task, and the runtime is the thread's current one for as long as any is.
  [[nodiscard]] static Runtime& runtime();
  [[nodiscard]] TaskState* task() const noexcept { return task_; }

 private:
  // No flags of its own: "engaged" is task_ set by begin_wait, "pending" is
  // the task's waiting_on pointing here (a Waiter sits in the frame of every
  // suspended task, so its size is paid a million times).
  TaskState* task_ = nullptr;
  std::coroutine_handle<> handle_;
};

}  // namespace asyncdemo::detail
