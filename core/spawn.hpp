#pragma once
// spawn (asyncio.create_task) and TaskHandle, the handle it returns: await it
// for the task's result, or cancel it.

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "core/detail/waiter.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"
#include "core/task.hpp"

namespace asyncdemo {

namespace detail {

/// Waits for one task to end. As is, it is `handle.wait()`: it raises
/// nothing of the task's outcome, and cancelling the waiter only stops the
/// wait. JoinAwaiter builds `co_await handle` on it.
class EndWaiter : protected Waiter, private CompletionListener {
 public:
  explicit EndWaiter(TaskState& task) noexcept : awaited_(task) {}
  EndWaiter(const EndWaiter&) = delete;
  EndWaiter& operator=(const EndWaiter&) = delete;
  EndWaiter(EndWaiter&&) = delete;
  EndWaiter& operator=(EndWaiter&&) = delete;
  ~EndWaiter() {
    if (pending()) {
      awaited_.listener = nullptr;
    }
  }

  [[nodiscard]] bool await_ready() const noexcept { return awaited_.done; }
  bool await_suspend(std::coroutine_handle<> awaiting) {
    if (awaited_.listener != nullptr) {
      throw RuntimeMisuse("a task can be awaited by one awaiter at a time");
    }
    if (!begin_wait(awaiting, WaitKind::child)) {
      return false;
    }
    awaited_.listener = this;
    return true;
  }
  void await_resume() {
    if (take_cancel()) {
      throw Cancelled{};
    }
  }

 protected:
  bool cancel() noexcept override {
    awaited_.listener = nullptr;
    wake();
    return false;
  }

 private:
  void task_completed(TaskState& /*task*/, std::uint32_t /*tag*/) noexcept override { wake_now(); }
  TaskState& awaited_;
};

}  // namespace detail

/// A handle to a running task, like a reference to an asyncio.Task: copies
/// refer to the same task. The task runs whether or not a handle is kept
/// (dropping the last one detaches, it does not cancel); the frame lives until
/// the task has ended and no handle refers to it. Loop thread only.
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
  TaskHandle(const TaskHandle& other) noexcept : handle_(other.handle_) {
    if (handle_) {
      ++handle_.promise().refs;
    }
  }
  TaskHandle& operator=(const TaskHandle& other) noexcept {
    if (this != &other) {
      TaskHandle copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  ~TaskHandle() { reset(); }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }
  [[nodiscard]] bool done() const noexcept { return handle_.promise().done; }
  [[nodiscard]] TaskId id() const noexcept { return handle_.promise().id; }
  [[nodiscard]] detail::TaskState& state() const noexcept { return handle_.promise(); }

  /// Task.cancel(): a request, raised as Cancelled at the task's current
  /// await. False if the task had already ended.
  bool cancel() { return Runtime::current().cancel(state()); }

  /// The result, once done(): value, error or cancellation (a copy when T
  /// can be copied; else moved out, so only one reader gets it).
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
  class JoinAwaiter final : public detail::EndWaiter {
   public:
    explicit JoinAwaiter(Handle handle) : EndWaiter(handle.promise()), handle_(handle) {}
    T await_resume() {
      if (take_cancel()) {
        throw Cancelled{};
      }
      return handle_.promise().take_result();
    }

   private:
    bool cancel() noexcept override {
      runtime().cancel(handle_.promise());
      return true;
    }
    Handle handle_;
  };

  JoinAwaiter operator co_await() const noexcept { return JoinAwaiter(handle_); }

  /// `co_await handle.wait()`: waits for the task to end, whatever its
  /// outcome, raising nothing of it. Cancelling the waiter leaves the task
  /// running (asyncio.wait).
  [[nodiscard]] detail::EndWaiter wait() const noexcept { return detail::EndWaiter(state()); }

 private:
  Handle handle_;
};

/// asyncio.create_task: starts `task` as a task of its own on the next loop
/// iteration, recorded in the timeline under `name` ("task-<id>" if empty)
/// with the current task as its parent.
template <class T>
TaskHandle<T> spawn(Task<T> task, std::string_view name = {}) {
  if (!task.valid()) {
    throw RuntimeMisuse("spawn() of an empty Task");
  }
  // Find the runtime before taking the frame: with none, current() throws and `task`
  // still owns its frame and frees it (taken first, the frame leaked).
  Runtime& runtime = Runtime::current();
  auto handle = task.release();
  runtime.adopt(handle.promise(), handle, name);
  return TaskHandle<T>(handle);
}

/// spawn, for the n-th of many tasks started in order: unnamed, the timeline
/// calls a task "task-<id>", and when the tasks are spawned first, each gets
/// the id it is numbered with, so no name string is made per task (a million
/// at --n 1000000). Throws RuntimeMisuse if the id it got differs.
template <class T>
TaskHandle<T> spawn_numbered(Task<T> task, TaskId number) {
  TaskHandle<T> handle = spawn(std::move(task));
  if (handle.id() != number) {
    throw RuntimeMisuse(
        fmt::format("task {} became task-{}: its name would not match", number, handle.id()));
  }
  return handle;
}

}  // namespace asyncdemo
