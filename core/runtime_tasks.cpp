// Runtime: the registry of tasks — adopting a spawned task, its cancellation
// and its end, and the list of tasks still alive that a run cancels or, after
// a failure, abandons.
#include <exception>
#include <utility>
#include <vector>

#include "core/detail/waiter.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

void detail::finish_spawned(TaskState& task) noexcept { Runtime::current().finish(task); }

void Runtime::adopt(detail::TaskState& task, std::coroutine_handle<> root, std::string_view name) {
  task.root = root;
  task.spawned = true;
  task.refs = 1;  // the runtime's, dropped when the task ends
  task.id = timeline_.add_task(name, current_ != nullptr ? current_->id : kNoParent);
  link_live(task);
  timeline_.record(now(), task.id, EventKind::created);
  schedule(root, &task);
}

bool Runtime::cancel(detail::TaskState& task) noexcept {
  if (task.done) {
    return false;
  }
  task.cancel_requested = true;
  if (detail::Waiter* waiter = task.waiting_on; waiter != nullptr && waiter->cancel()) {
    task.cancel_requested = false;  // forwarded: the awaited task's outcome decides
  }
  return true;
}

void Runtime::finish(detail::TaskState& task) noexcept {
  task.done = true;
  const EventKind kind = !task.error            ? EventKind::done
                         : task.ended_cancelled ? EventKind::cancelled
                                                : EventKind::failed;
  timeline_.record(now(), task.id, kind);
  unlink_live(task);
  if (task.listener != nullptr && loop_open()) {
    // asyncio schedules a task's done-callbacks with call_soon: they run on the next loop
    // iteration, after every step already due in this one (see run_ready_batch). The
    // runtime's reference keeps the frame, and so the outcome, until they have run.
    ready_.push_back(Ready{std::coroutine_handle<>{}, &task});
    if (!idle_active_) {
      update_idle();
    }
    return;
  }
  notify_and_release(task);
}

void Runtime::notify_and_release(detail::TaskState& task) noexcept {
  if (detail::CompletionListener* listener = std::exchange(task.listener, nullptr)) {
    listener->task_completed(task, task.listener_tag);
  }
  if (--task.refs == 0) {
    task.root.destroy();
  }
}

void Runtime::task_completed(detail::TaskState& task, std::uint32_t /*tag*/) noexcept {
  if (&task == main_) {
    cancel_all_tasks();  // asyncio.run cancels what main left running
  }
}

void Runtime::cancel_all_tasks() noexcept {
  for (detail::TaskState* task = live_head_; task != nullptr; task = task->next_live) {
    cancel(*task);
  }
}

void Runtime::link_live(detail::TaskState& task) noexcept {
  task.prev_live = nullptr;
  task.next_live = live_head_;
  if (live_head_ != nullptr) {
    live_head_->prev_live = &task;
  }
  live_head_ = &task;
}

void Runtime::unlink_live(detail::TaskState& task) noexcept {
  if (task.prev_live != nullptr) {
    task.prev_live->next_live = task.next_live;
  } else if (live_head_ == &task) {
    live_head_ = task.next_live;
  }
  if (task.next_live != nullptr) {
    task.next_live->prev_live = task.prev_live;
  }
  task.prev_live = task.next_live = nullptr;
}

void Runtime::abandon_unfinished_tasks() noexcept {
  // Only after a deadlock or a failure inside the loop, or in a Runtime that never ran:
  // frames that will never resume are destroyed (their awaiters unregister in destructors),
  // unless a TaskHandle still holds them; its destructor will.
  current_ = nullptr;  // a step that failed inside the loop never got to clear it
  std::vector<detail::TaskState*> unowned;
  for (const Ready& ready : ready_) {
    // A task that ended but whose listener was never told: nobody will be, and the
    // reference the runtime kept for that goes now.
    if (!ready.handle && --ready.task->refs == 0) {
      unowned.push_back(ready.task);
    }
  }
  ready_.clear();
  timer_woken_.clear();  // wake-ups only: they hold no reference
  for (detail::TaskState* task = live_head_; task != nullptr;) {
    detail::TaskState* next = task->next_live;
    task->prev_live = task->next_live = nullptr;
    if (--task->refs == 0) {
      unowned.push_back(task);
    }
    task = next;
  }
  live_head_ = nullptr;
  for (detail::TaskState* task : unowned) {
    task->root.destroy();
  }
}

}  // namespace asyncdemo
