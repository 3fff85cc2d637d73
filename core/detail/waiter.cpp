#include "core/detail/waiter.hpp"

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

Runtime& Waiter::runtime() {
  // Throws RuntimeMisuse outside a runtime. Once a wait is engaged (begin_wait
  // found a runtime) it cannot: the runtime outlives the tasks it runs.
  return Runtime::current();
}

bool Waiter::begin_wait(std::coroutine_handle<> handle, WaitKind what) {
  task_ = Runtime::current().current_task();
  if (task_ == nullptr) {
    throw RuntimeMisuse("awaited outside a task: spawn it or run it with run()");
  }
  handle_ = handle;
  if (task_->cancel_requested) {
    return false;  // asyncio raises a pending cancel at the next await, before it waits
  }
  task_->waiting_on = this;
  runtime().record(EventKind::suspended, what);
  return true;
}

void Waiter::wake() noexcept {
  task_->waiting_on = nullptr;
  runtime().schedule(handle_, task_);
}

void Waiter::wake_now() noexcept {
  task_->waiting_on = nullptr;
  runtime().resume_from_callback(handle_, task_);
}

bool Waiter::take_cancel() noexcept {
  if (task_ != nullptr && task_->cancel_requested) {
    task_->cancel_requested = false;
    return true;
  }
  return false;
}

}  // namespace asyncdemo::detail
