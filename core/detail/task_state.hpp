#pragma once
// The bookkeeping every spawned task carries. It is the base of every Task's
// promise, so spawning a coroutine costs no allocation beyond its own frame.

#include <coroutine>
#include <cstdint>
#include <exception>

#include "core/timeline.hpp"

namespace asyncdemo::detail {

class Waiter;
struct TaskState;

/// Told when a task ends. A task has at most one listener: whoever awaits it
/// (a join, gather, wait_for or as_completed). `tag` tells a listener that
/// watches many tasks which one ended.
class CompletionListener {
 public:
  virtual void task_completed(TaskState& task, std::uint32_t tag) noexcept = 0;

 protected:
  CompletionListener() = default;
  ~CompletionListener() = default;
  CompletionListener(const CompletionListener&) = default;
  CompletionListener& operator=(const CompletionListener&) = default;
};

struct TaskState {
  // A spawned task: its outermost coroutine frame, which the loop resumes and
  // destroys. A task awaited inline (never spawned): the coroutine awaiting
  // it, to continue when it ends (see PromiseBase). One field for both keeps
  // every frame 8 bytes smaller.
  std::coroutine_handle<> root;
  Waiter* waiting_on = nullptr;  // what the task is suspended on, if cancellable
  CompletionListener* listener = nullptr;
  TaskState* prev_live = nullptr;  // the runtime's list of unfinished tasks
  TaskState* next_live = nullptr;
  std::exception_ptr error;  // how the coroutine ended, if by an exception
  TaskId id = 0;
  std::uint32_t listener_tag = 0;
  // Owners of the frame: the runtime until the task ends, plus each handle.
  std::uint32_t refs = 0;
  // One bit each: this struct is in every task's frame, and a million tasks
  // are the point. Only the loop thread touches them.
  bool spawned : 1 = false;
  bool started : 1 = false;
  bool done : 1 = false;
  bool cancel_requested : 1 = false;  // asyncio's "must cancel": raised at the next await
  bool ended_cancelled : 1 = false;   // the error is a Cancelled
  bool running_inline : 1 = false;    // inside its awaiter's await_suspend (see Task)
};

/// Ends a spawned task: records the outcome, tells its listener, drops the
/// runtime's reference (destroying the frame if nobody else holds it).
/// Called from the task's final suspend point; defined in runtime.cpp.
void finish_spawned(TaskState& task) noexcept;

}  // namespace asyncdemo::detail
