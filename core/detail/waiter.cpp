#include "core/detail/waiter.hpp"

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

Waiter::Waiter() : runtime_(Runtime::current()) {}

bool Waiter::begin_wait(std::coroutine_handle<> handle, WaitKind what) {
  task_ = runtime_.current_task();
  if (task_ == nullptr) {
    throw RuntimeMisuse("awaited outside a task: spawn it or run it with run()");
  }
  engaged_ = true;
  handle_ = handle;
  if (task_->cancel_requested) {
    return false;  // asyncio raises a pending cancel at the next await, before it waits
  }
  pending_ = true;
  task_->waiting_on = this;
  runtime_.record(EventKind::suspended, what);
  return true;
}

void Waiter::wake() noexcept {
  pending_ = false;
  task_->waiting_on = nullptr;
  runtime_.schedule(handle_, task_);
}

bool Waiter::take_cancel() noexcept {
  if (engaged_ && task_->cancel_requested) {
    task_->cancel_requested = false;
    return true;
  }
  return false;
}

}  // namespace asyncdemo::detail
