#pragma once
// spawn (asyncio.create_task) and TaskHandle, the handle it returns: await it
// for the task's result, or cancel it.

#include <string>
#include <utility>

#include "core/detail/waiter.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"
#include "core/task.hpp"

namespace asyncdemo {

/// A handle to a running task. The task runs whether or not the handle is
/// kept (dropping it detaches, it does not cancel); the frame lives until the
/// task has ended and no handle refers to it. Loop thread only.
template <class T>
class [[nodiscard]] TaskHandle {
 public:
  using Handle = std::coroutine_handle<detail::Promise<T>>;

  TaskHandle() = default;
  explicit TaskHandle(Handle handle) noexcept : handle_(handle) { ++handle_.promise().refs; }
  TaskHandle(TaskHandle&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  TaskHandle& operator=(TaskHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  TaskHandle(const TaskHandle&) = delete;
  TaskHandle& operator=(const TaskHandle&) = delete;
  ~TaskHandle() { reset(); }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }
  [[nodiscard]] bool done() const noexcept { return handle_.promise().done; }
  [[nodiscard]] TaskId id() const noexcept { return handle_.promise().id; }
  [[nodiscard]] detail::TaskState& state() const noexcept { return handle_.promise(); }

  /// Task.cancel(): a request, raised as Cancelled at the task's current
  /// await. False if the task had already ended.
  bool cancel() { return Runtime::current().cancel(state()); }

  /// The result, once done(): value, error or cancellation. Moves it out.
  Outcome<T> take_outcome() {
    if (!done()) {
      throw RuntimeMisuse("take_outcome() on a task that has not ended");
    }
    return handle_.promise().take_outcome();
  }

  /// Drops this reference; the frame is destroyed once the task has ended
  /// and no other reference remains.
  void reset() noexcept {
    if (handle_) {
      if (--handle_.promise().refs == 0) {
        handle_.destroy();
      }
      handle_ = {};
    }
  }

  /// `co_await handle`: waits for the task and returns its value or rethrows
  /// its error. Cancelling the awaiting task cancels the awaited one too, as
  /// in asyncio; the awaiter then gets whatever that task ends with.
  class JoinAwaiter final : private detail::Waiter, private detail::CompletionListener {
   public:
    explicit JoinAwaiter(Handle handle) : handle_(handle) {}
    JoinAwaiter(const JoinAwaiter&) = delete;
    JoinAwaiter& operator=(const JoinAwaiter&) = delete;
    JoinAwaiter(JoinAwaiter&&) = delete;
    JoinAwaiter& operator=(JoinAwaiter&&) = delete;
    ~JoinAwaiter() {
      if (pending()) {
        handle_.promise().listener = nullptr;
      }
    }

    [[nodiscard]] bool await_ready() const noexcept { return handle_.promise().done; }
    bool await_suspend(std::coroutine_handle<> awaiting) {
      detail::TaskState& child = handle_.promise();
      if (child.listener != nullptr) {
        throw RuntimeMisuse("a task can be awaited by one awaiter at a time");
      }
      if (!begin_wait(awaiting, WaitKind::child)) {
        return false;
      }
      child.listener = this;
      return true;
    }
    T await_resume() {
      if (take_cancel()) {
        throw Cancelled{};
      }
      return handle_.promise().take_result();
    }

   private:
    void task_completed(detail::TaskState& /*task*/, std::uint32_t /*tag*/) noexcept override {
      wake();
    }
    bool cancel() noexcept override {
      runtime().cancel(handle_.promise());
      return true;
    }
    Handle handle_;
  };

  JoinAwaiter operator co_await() const noexcept { return JoinAwaiter(handle_); }

 private:
  Handle handle_;
};

/// asyncio.create_task: starts `task` as a task of its own on the next loop
/// iteration, recorded in the timeline under `name` ("task-<id>" if empty)
/// with the current task as its parent.
template <class T>
TaskHandle<T> spawn(Task<T> task, std::string name = {}) {
  if (!task.valid()) {
    throw RuntimeMisuse("spawn() of an empty Task");
  }
  auto handle = task.release();
  Runtime::current().adopt(handle.promise(), handle, std::move(name));
  return TaskHandle<T>(handle);
}

}  // namespace asyncdemo
