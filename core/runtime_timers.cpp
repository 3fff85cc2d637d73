// Runtime: deadlines. Every deadline of a run is in one TimerQueue, behind one
// uv timer armed for the earliest; the last millisecond before a deadline,
// finer than libuv's timers, is polled by the idle handle instead.
#include <cstdint>
#include <utility>

#include "core/detail/loop_guard.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

void Runtime::add_timer(detail::TimerTarget& target, Nanos deadline) {
  timers_.push(target, deadline);
  if (virtual_time()) {
    update_idle();
  } else if ((!timer_armed_ && !polling_deadline_) || deadline < armed_deadline_) {
    rearm_timer();
  }
}

void Runtime::remove_timer(detail::TimerTarget& target) noexcept {
  timers_.remove(target);
  // With deadlines left, the uv timer stays armed (if it fires with nothing
  // due it re-arms). With none, it must stop: an armed timer keeps the loop,
  // and so the run, alive until a deadline nobody waits for.
  if (timers_.empty() && (timer_armed_ || polling_deadline_)) {
    detail::guarded(&loop_, [this] { rearm_timer(); });
  }
}

void Runtime::fire_due_timers(Nanos now) noexcept {
  // asyncio's loop runs the callbacks of the timers it finds due at the start of an
  // iteration after the callbacks already ready; what they wake (a sleeping task, through
  // call_soon) runs in the next iteration, behind what the ready ones scheduled. So a task
  // whose sleep ran out while the loop was blocked resumes after the task that a callback
  // already due (a gather hearing of a child's end) wakes. schedule() holds such wake-ups
  // in timer_woken_ until the batch of steps already due has run.
  firing_timers_ = true;
  while (detail::TimerTarget* target = timers_.pop_due(now)) {
    target->on_timer();
  }
  firing_timers_ = false;
}

void Runtime::queue_timer_woken() {
  if (ready_.empty()) {
    std::swap(ready_, timer_woken_);  // the usual case: no copy of a million entries
  } else {
    ready_.insert(ready_.end(), timer_woken_.begin(), timer_woken_.end());
    timer_woken_.clear();
  }
}

void Runtime::on_timer() {
  timer_armed_ = false;
  fire_due_timers(now());
  rearm_timer();
}

void Runtime::rearm_timer() {
  if (!loop_open()) {
    return;  // closing: the uv timer must not be started or stopped (see schedule)
  }
  const bool was_polling = std::exchange(polling_deadline_, false);
  if (timers_.empty()) {
    stop_timer();
  } else {
    arm_timer_for(timers_.next_deadline());
  }
  if (polling_deadline_ != was_polling) {
    update_idle();
  }
}

void Runtime::stop_timer() {
  if (timer_armed_) {
    check_uv("uv_timer_stop", uv_timer_stop(timer_.get()));
    timer_armed_ = false;
  }
}

void Runtime::arm_timer_for(Nanos next) {
  // libuv's loop time is cached and counted in whole milliseconds, so a timer
  // armed from it can fire up to 1 ms early. Deadlines are checked against
  // uv_hrtime instead, and the wait is rounded down: an early wake-up re-arms
  // and the last millisecond is polled (below); a late one would be overshoot.
  uv_update_time(&loop_);
  const Nanos remaining = next - now();
  constexpr Nanos kNanosPerMilli = 1'000'000;
  armed_deadline_ = next;
  if (remaining < kNanosPerMilli) {
    // Not a 0 ms uv timer: started from a timer callback, libuv before 1.48
    // runs it again in the same pass over its timers (libuv#4245), and with
    // deadlines less than 1 ms apart (a million sleeps set within 0.1 s) the
    // loop spun there, waking every sleeper before running any: the first
    // woke 0.1 s late. The idle handle polls the deadline once per iteration.
    stop_timer();
    polling_deadline_ = true;
    return;
  }
  const auto millis = static_cast<std::uint64_t>(remaining / kNanosPerMilli);
  check_uv("uv_timer_start", uv_timer_start(
                                 timer_.get(),
                                 [](uv_timer_t* timer) {
                                   auto* self = static_cast<Runtime*>(timer->data);
                                   detail::guarded(&self->loop_, [self] { self->on_timer(); });
                                 },
                                 millis, 0));
  timer_armed_ = true;
}

}  // namespace asyncdemo
