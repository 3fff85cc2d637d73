#pragma once
// gather (asyncio.gather) with the three error policies a user meets:
//   propagate        asyncio.gather(): the first error is raised at once and
//                    the other tasks keep running (they are NOT cancelled);
//   collect          gather(return_exceptions=True): errors come back as results;
//   cancel_siblings  asyncio.TaskGroup: the first error cancels the others,
//                    waits for them to finish, then is raised.
// Results always come back in submission order, whatever the completion order.

#include <cstdint>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "core/detail/page_work.hpp"
#include "core/detail/waiter.hpp"
#include "core/outcome.hpp"
#include "core/spawn.hpp"

namespace asyncdemo {

enum class OnError : std::uint8_t { propagate, collect, cancel_siblings };

/// The awaitable behind gather(). Lives in the awaiting frame; it is every
/// child's completion listener until it completes, and detaches from the
/// children still running when it completes early (propagate).
template <class T>
class GatherAwaiter final : private detail::Waiter, private detail::CompletionListener {
 public:
  GatherAwaiter(std::vector<TaskHandle<T>> children, OnError policy)
      : GatherAwaiter(
            children.size(), [&children](std::size_t i) { return std::move(children[i]); },
            policy) {}
  /// Takes `count` children from make(0) ... make(count - 1), each a
  /// TaskHandle<T>, and listens to each as soon as it is made. A child just
  /// spawned is still in cache; a second pass over a million of them, after
  /// the last was made, is a walk over cold memory. If make throws, the
  /// children made so far run on, detached, and the error goes on up.
  template <class Make>
  GatherAwaiter(std::size_t count, Make&& make, OnError policy)
      : remaining_(count), policy_(policy) {
    children_.reserve(count);
    try {
      for (std::size_t i = 0; i < count; ++i) {
        children_.push_back(make(i));
        if (!finished_) {
          listen(i);
        }
      }
    } catch (...) {
      detach();  // no destructor runs for a constructor that throws
      throw;
    }
    if (remaining_ == 0) {
      finished_ = true;
    }
  }
  GatherAwaiter(const GatherAwaiter&) = delete;
  GatherAwaiter& operator=(const GatherAwaiter&) = delete;
  GatherAwaiter(GatherAwaiter&&) = delete;
  GatherAwaiter& operator=(GatherAwaiter&&) = delete;
  ~GatherAwaiter() { detach(); }

  [[nodiscard]] bool await_ready() const noexcept { return finished_; }
  bool await_suspend(std::coroutine_handle<> awaiting) {
    return begin_wait(awaiting, WaitKind::child);
  }
  /// The outcomes in submission order; raises per the policy.
  std::vector<Outcome<T>> await_resume() {
    if (take_cancel()) {
      throw Cancelled{};
    }
    if (first_error_ && policy_ != OnError::collect) {
      std::rethrow_exception(error_of(*first_error_));
    }
    if (outer_cancelled_) {
      throw Cancelled{};
    }
    results_.resize(children_.size());
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (children_[i].valid()) {
        results_[i] = children_[i].take_outcome();
        children_[i].reset();  // in the same pass: each frame is visited once
      }
    }
    return std::move(results_);
  }

  /// What a caller that let gather own the handles needs once gather has
  /// raised: every child, to wait for the ones still running and read how
  /// they ended. A child whose frame gather already freed comes back as an
  /// empty handle, its outcome at the same index of `outcomes`.
  struct Remains {
    std::vector<TaskHandle<T>> handles;
    std::vector<Outcome<T>> outcomes;  // empty if gather freed no frame
  };
  Remains take_remains() noexcept {
    detach();
    remaining_ = 0;  // nothing left to listen to: the handles are the caller's now
    if (!results_.empty()) {
      results_.resize(children_.size());  // within the capacity: cannot throw
    }
    return Remains{std::move(children_), std::move(results_)};
  }

 private:
  void task_completed(detail::TaskState& /*task*/, std::uint32_t tag) noexcept override {
    absorb(tag, /*runtime_holds=*/true);  // Runtime::finish drops its reference after this
  }

  // Cancelling the task that awaits gather cancels every child (asyncio).
  bool cancel() noexcept override {
    outer_cancelled_ = true;
    cancel_running();
    return true;
  }

  // Becomes the child's listener, or takes its outcome if it has ended.
  void listen(std::size_t index) noexcept {
    TaskHandle<T>& child = children_[index];
    if (child.done()) {
      absorb(index, /*runtime_holds=*/false);
    } else {
      child.state().listener = this;
      child.state().listener_tag = static_cast<std::uint32_t>(index);
    }
  }

  void absorb(std::size_t index, bool runtime_holds) noexcept {
    --remaining_;
    TaskHandle<T>& child = children_[index];
    const detail::TaskState& state = child.state();
    const bool raised = state.error != nullptr;  // failed or cancelled
    const bool failed = raised && !state.ended_cancelled;
    // When gather holds the only handle, the outcome moves out now and the
    // frame is freed; when the caller kept handles too, the frame lives on
    // anyway and the outcome is read once, at the end. Either way a million
    // children never cost a frame and a stored outcome each at once.
    if (state.refs == (runtime_holds ? 2U : 1U)) {
      if (results_.capacity() == 0) {
        results_.reserve(children_.size());
      }
      // Slots are made up to the one needed: children that end in submission
      // order touch the array a page at a time as their frames are freed,
      // instead of all of it (24 MB at a million) while every frame still lives.
      if (index >= results_.size()) {
        results_ahead_.before_writing(results_, index);
        results_.resize(index + 1);  // within the capacity: nothing moves
      }
      results_[index] = child.take_outcome();
      child.reset();
    }
    if (!first_error_ && policy_ == OnError::propagate && raised) {
      first_error_ = index;
      complete();  // at once: the siblings run on, detached
      return;
    }
    if (!first_error_ && policy_ == OnError::cancel_siblings && failed) {
      first_error_ = index;
      cancel_running();
    }
    if (remaining_ == 0) {
      complete();
    }
  }

  [[nodiscard]] std::exception_ptr error_of(std::size_t index) const noexcept {
    return children_[index].valid() ? children_[index].state().error : results_[index].error();
  }

  void cancel_running() noexcept {
    for (TaskHandle<T>& child : children_) {
      if (child.valid()) {
        child.cancel();
      }
    }
  }

  void complete() noexcept {
    finished_ = true;
    detach();
    if (pending()) {
      wake();
    }
  }

  void detach() noexcept {
    // A child that ended has had its listener cleared by the runtime: with
    // none left running there is nothing to detach, and no reason to touch
    // a million frames (twice: complete() and the destructor) to find that out.
    if (remaining_ == 0) {
      return;
    }
    for (TaskHandle<T>& child : children_) {
      if (child.valid() && child.state().listener == this) {
        child.state().listener = nullptr;
      }
    }
  }

  std::vector<TaskHandle<T>> children_;
  std::vector<Outcome<T>> results_;
  detail::AheadOfWrites results_ahead_;  // 24 MB of results at a million tasks
  std::size_t remaining_;
  OnError policy_;
  std::optional<std::size_t> first_error_;
  bool outer_cancelled_ = false;
  bool finished_ = false;
};

/// Waits for already-spawned tasks.
template <class T>
[[nodiscard]] GatherAwaiter<T> gather(std::vector<TaskHandle<T>> tasks,
                                      OnError policy = OnError::propagate) {
  return GatherAwaiter<T>(std::move(tasks), policy);
}

/// Waits for `count` tasks, make(0) ... make(count - 1), each returning a
/// TaskHandle<T>; asyncio's gather(*(work(i) for i in range(count))). gather
/// listens to each task as it is made rather than in a second pass.
template <class T, class Make>
[[nodiscard]] GatherAwaiter<T> gather_each(std::size_t count, Make&& make,
                                           OnError policy = OnError::propagate) {
  return GatherAwaiter<T>(count, std::forward<Make>(make), policy);
}

/// Spawns each coroutine as a task now ("task-<id>"), then waits for them all.
template <class T>
[[nodiscard]] GatherAwaiter<T> gather(std::vector<Task<T>> coroutines,
                                      OnError policy = OnError::propagate) {
  std::vector<TaskHandle<T>> tasks;
  tasks.reserve(coroutines.size());
  for (Task<T>& coroutine : coroutines) {
    tasks.push_back(spawn(std::move(coroutine)));
  }
  return GatherAwaiter<T>(std::move(tasks), policy);
}

}  // namespace asyncdemo
