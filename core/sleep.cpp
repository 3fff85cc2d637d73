#include "core/sleep.hpp"

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

SleepAwaiter::~SleepAwaiter() {
  if (queued()) {
    runtime().remove_timer(*this);
  }
}

bool SleepAwaiter::await_suspend(std::coroutine_handle<> handle) {
  if (!begin_wait(handle, WaitKind::sleep)) {
    return false;
  }
  if (delay_ <= Duration::zero()) {
    wake();  // asyncio.sleep(0): no timer, just let the others run first
  } else {
    // The deadline counts from the suspension begin_wait just recorded (the
    // moment the timeline shows), which also saves a second clock reading
    // per sleep.
    Runtime& rt = runtime();
    rt.add_timer(*this, rt.timeline().events().back().t_ns + to_nanos(delay_));
  }
  return true;
}

void SleepAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
}

bool SleepAwaiter::cancel() noexcept {
  runtime().remove_timer(*this);
  wake();
  return false;
}

void SleepAwaiter::on_timer() noexcept { wake(); }

void block_sleep(Duration delay) {
  Runtime& runtime = Runtime::current();
  runtime.record(EventKind::suspended, WaitKind::blocked);
  runtime.block_for(delay);
  runtime.record(EventKind::resumed);
}

}  // namespace asyncdemo
