#pragma once
// WaitList and Parked: tasks parked in line until something wakes them, as asyncio's
// primitives keep a deque of futures (Queue._getters, Queue._putters, Event._waiters) and
// wake the first with set_result. A woken task only learns that it may try again: the
// primitive's own loop checks its condition anew, as asyncio's `while self.empty(): ...` does.
//
//   detail::Parked parked(getters, WaitKind::get);
//   co_await parked;   // Cancelled if the task was cancelled meanwhile

#include <coroutine>

#include "core/detail/waiter.hpp"
#include "core/timeline.hpp"

namespace asyncdemo::detail {

class Parked;

/// The line, first come first. Intrusive: parking allocates nothing. Loop thread only.
class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;
  WaitList(WaitList&&) = delete;
  WaitList& operator=(WaitList&&) = delete;
  ~WaitList();

  [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
  /// Wakes the first in line and takes it out of the line (asyncio's _wakeup_next). False if
  /// nobody waits.
  bool wake_first() noexcept;
  /// Wakes everyone in line (asyncio's Event.set).
  void wake_all() noexcept;

 private:
  friend class Parked;
  void push_back(Parked& parked) noexcept;
  void unlink(Parked& parked) noexcept;

  Parked* head_ = nullptr;
  Parked* tail_ = nullptr;
};

/// One task's place in a WaitList: an awaitable that lives in the parked task's frame.
class Parked final : private Waiter {
 public:
  Parked(WaitList& list, WaitKind wait) noexcept : list_(&list), wait_(wait) {}
  Parked(const Parked&) = delete;
  Parked& operator=(const Parked&) = delete;
  Parked(Parked&&) = delete;
  Parked& operator=(Parked&&) = delete;
  ~Parked();

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> handle);
  /// Raises Cancelled if the task was cancelled while parked, or after it was woken but
  /// before it ran (then woken() is true: the wake-up is the caller's to pass on).
  void await_resume();
  /// Whether a wake-up reached this task (as against a cancel taking it out of line).
  [[nodiscard]] bool woken() const noexcept { return woken_; }

 private:
  friend class WaitList;
  bool cancel() noexcept override;
  void wake_up() noexcept;

  WaitList* list_;  // null once the list is gone
  WaitKind wait_;
  Parked* prev_ = nullptr;
  Parked* next_ = nullptr;
  bool listed_ = false;
  bool woken_ = false;
};

}  // namespace asyncdemo::detail
