#pragma once
// as_completed (asyncio.as_completed): results in the order tasks finish,
// not the order they were submitted.
//
//   AsCompleted<int> pending = as_completed(std::move(tasks));
//   while (pending.remaining() > 0) {
//     Completed<int> next = co_await pending.next();   // next.index, next.outcome
//   }

#include <coroutine>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/detail/waiter.hpp"
#include "core/errors.hpp"
#include "core/outcome.hpp"
#include "core/spawn.hpp"

namespace asyncdemo {

template <class T>
struct Completed {
  std::size_t index;  // position in the submitted list
  Outcome<T> outcome;
};

/// Owns the tasks it watches. Not movable: the tasks point back at it.
/// Destroying it before all are yielded detaches the rest (they run on); a
/// task suspended in next() meanwhile is woken, and its await raises
/// RuntimeMisuse. Loop thread only.
template <class T>
class AsCompleted final : private detail::CompletionListener {
 public:
  explicit AsCompleted(std::vector<TaskHandle<T>> tasks) : tasks_(std::move(tasks)) {
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
      if (tasks_[i].done()) {
        absorb(i);
      } else {
        tasks_[i].state().listener = this;
        tasks_[i].state().listener_tag = static_cast<std::uint32_t>(i);
      }
    }
  }
  AsCompleted(const AsCompleted&) = delete;
  AsCompleted& operator=(const AsCompleted&) = delete;
  AsCompleted(AsCompleted&&) = delete;
  AsCompleted& operator=(AsCompleted&&) = delete;
  ~AsCompleted() {
    for (TaskHandle<T>& task : tasks_) {
      if (task.valid() && task.state().listener == this) {
        task.state().listener = nullptr;
      }
    }
    if (NextAwaiter* waiter = std::exchange(waiting_, nullptr)) {
      waiter->orphan();
    }
  }

  /// How many results have not been taken with next() yet.
  [[nodiscard]] std::size_t remaining() const noexcept { return tasks_.size() - yielded_; }

  class NextAwaiter final : private detail::Waiter {
   public:
    explicit NextAwaiter(AsCompleted& owner) : owner_(&owner) {}
    NextAwaiter(const NextAwaiter&) = delete;
    NextAwaiter& operator=(const NextAwaiter&) = delete;
    NextAwaiter(NextAwaiter&&) = delete;
    NextAwaiter& operator=(NextAwaiter&&) = delete;
    ~NextAwaiter() {
      if (owner_ != nullptr && owner_->waiting_ == this) {
        owner_->waiting_ = nullptr;
      }
    }
    [[nodiscard]] bool await_ready() const noexcept { return !owner_->finished_.empty(); }
    bool await_suspend(std::coroutine_handle<> awaiting) {
      if (!begin_wait(awaiting, WaitKind::child)) {
        return false;
      }
      owner_->waiting_ = this;
      return true;
    }
    Completed<T> await_resume() {
      if (take_cancel()) {
        throw Cancelled{};
      }
      if (owner_ == nullptr) {
        throw RuntimeMisuse("as_completed: destroyed while next() was awaited");
      }
      Completed<T> next = std::move(owner_->finished_.front());
      owner_->finished_.pop_front();
      ++owner_->yielded_;
      return next;
    }

   private:
    friend class AsCompleted;
    // Cancelling the consumer stops its wait; the tasks keep running.
    bool cancel() noexcept override {
      owner_->waiting_ = nullptr;
      wake();
      return false;
    }
    void notify() noexcept { wake(); }
    // Its as_completed is gone: nothing will notify; the await raises misuse instead.
    void orphan() noexcept {
      owner_ = nullptr;
      wake();
    }
    AsCompleted* owner_;  // null once orphaned
  };

  /// The next task to finish. Awaiting it with nothing remaining is misuse.
  [[nodiscard]] NextAwaiter next() {
    if (remaining() == 0) {
      throw RuntimeMisuse("as_completed: no results remaining");
    }
    if (waiting_ != nullptr) {
      throw RuntimeMisuse("as_completed: next() is already being awaited");
    }
    return NextAwaiter(*this);
  }

 private:
  void task_completed(detail::TaskState& /*task*/, std::uint32_t tag) noexcept override {
    absorb(tag);
    if (NextAwaiter* waiter = std::exchange(waiting_, nullptr)) {
      waiter->notify();
    }
  }
  void absorb(std::size_t index) {
    finished_.push_back(Completed<T>{index, tasks_[index].take_outcome()});
    tasks_[index].reset();
  }

  std::vector<TaskHandle<T>> tasks_;
  std::deque<Completed<T>> finished_;
  NextAwaiter* waiting_ = nullptr;
  std::size_t yielded_ = 0;
};

template <class T>
[[nodiscard]] AsCompleted<T> as_completed(std::vector<TaskHandle<T>> tasks) {
  return AsCompleted<T>(std::move(tasks));
}

}  // namespace asyncdemo
