#pragma once
// Task<T>: a lazy coroutine, like a Python coroutine object. Nothing runs
// until it is awaited (then it runs inside the awaiting task) or spawned
// (then it becomes a task of its own; see spawn.hpp).

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/detail/frame_pool.hpp"
#include "core/detail/task_state.hpp"
#include "core/outcome.hpp"

namespace asyncdemo {

template <class T>
class Task;

namespace detail {

class PromiseBase : public TaskState {
 public:
  // Every coroutine frame of a Task comes from the frame pool (frame_pool.hpp).
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      PromiseBase& promise = h.promise();
      if (promise.spawned) {
        // TRICKY: this may destroy the frame we are suspended in; nothing of
        // the frame may be touched after the call.
        finish_spawned(promise);
        return std::noop_coroutine();
      }
      if (promise.running_inline) {
        return std::noop_coroutine();  // the awaiter's await_suspend is below us and goes on
      }
      return promise.continuation() ? promise.continuation() : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept {
    error = std::current_exception();
    ended_cancelled = is_cancelled(error);
  }

  /// Who awaits this coroutine directly (only ever set on a task that is not spawned).
  [[nodiscard]] std::coroutine_handle<> continuation() const noexcept { return root; }
  void set_continuation(std::coroutine_handle<> awaiting) noexcept { root = awaiting; }
};

template <class T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T take_result() {
    if (error) {
      std::rethrow_exception(error);
    }
    if (!value_) {
      throw RuntimeMisuse("a task's result was read before it returned");
    }
    if constexpr (std::is_copy_constructible_v<T>) {
      if (spawned) {
        return *value_;  // other handles to the task may read it too
      }
    }
    return std::move(*value_);
  }
  /// The outcome of a spawned task. Copied when T can be copied, so that
  /// every handle to the task (gather, a join, the scenario) can read it.
  Outcome<T> take_outcome() {
    if (error) {
      return Outcome<T>::of_error(error);
    }
    if (!value_) {
      throw RuntimeMisuse("a task's result was read before it returned");
    }
    if constexpr (std::is_copy_constructible_v<T>) {
      return Outcome<T>::of_value(*value_);
    } else {
      return Outcome<T>::of_value(std::move(*value_));
    }
  }

 private:
  std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take_result() const {
    if (error) {
      std::rethrow_exception(error);
    }
  }
  Outcome<void> take_outcome() const {
    return error ? Outcome<void>::of_error(error) : Outcome<void>::of_value();
  }
};

}  // namespace detail

/// A lazy, move-only coroutine that owns its frame. `co_await task` runs it to
/// completion inside the current task (no scheduling) and returns its value or
/// rethrows its exception.
template <class T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }

  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle handle;
      bool await_ready() const noexcept { return false; }
      // TRICKY: not symmetric transfer (returning `handle`). g++ 12 makes that
      // resume a tail call only at -O2 without sanitizers; in Debug, ASan and
      // TSan builds every await of a task that completes without suspending
      // left a native frame behind, so a loop of such awaits overflowed the
      // stack (~30k iterations under ASan). Instead the task's first stretch
      // runs right here; if it ends without suspending, returning false
      // continues the awaiter in the same native frame, and the stack stays
      // flat. A task that suspends is resumed later by the loop and continues
      // its awaiter from its final suspend (symmetric transfer, one level).
      bool await_suspend(std::coroutine_handle<> awaiting) noexcept {
        detail::PromiseBase& promise = handle.promise();
        promise.set_continuation(awaiting);
        promise.running_inline = true;
        handle.resume();
        promise.running_inline = false;
        return !handle.done();
      }
      T await_resume() { return handle.promise().take_result(); }
    };
    return Awaiter{handle_};
  }

  /// Gives up ownership of the frame (spawn takes it over).
  Handle release() noexcept { return std::exchange(handle_, {}); }

 private:
  void destroy() noexcept {
    if (handle_) {
      handle_.destroy();
      handle_ = {};
    }
  }

  Handle handle_;
};

namespace detail {

template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}

inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace detail

}  // namespace asyncdemo
