// Runtime: the ready queue — the steps due on the next loop iteration, run in
// batches by the idle handle, which is active only while something waits to run.
#include <algorithm>
#include <vector>

#include "core/detail/loop_guard.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

void Runtime::schedule(std::coroutine_handle<> handle, detail::TaskState* task) {
  if (!loop_open()) {
    // TRICKY: while the loop closes (thread work still completing) and after (frames still
    // held by a TaskHandle, run()'s own for main, are destroyed after the loop closed, and a
    // permit released by one wakes a waiter in another), nothing runs any more and the idle
    // handle is closing or gone: drop the wake-up.
    return;
  }
  (firing_timers_ ? timer_woken_ : ready_).push_back(Ready{handle, task});
  if (!idle_active_) {
    update_idle();
  }
}

void Runtime::resume_from_callback(std::coroutine_handle<> handle, detail::TaskState* task) {
  if (!loop_open()) {
    return;  // as schedule: nothing runs any more
  }
  if (current_ != nullptr) {
    schedule(handle, task);  // inside a step: a step never runs inside another
    return;
  }
  step(handle, task, now());
}

void Runtime::step(std::coroutine_handle<> handle, detail::TaskState* task, Nanos start_ns) {
  current_ = task;
  if (!task->started) {
    task->started = true;
    if (task->cancel_requested) {
      // Cancelled before its first step: like asyncio, the body never runs.
      task->cancel_requested = false;
      task->error = std::make_exception_ptr(Cancelled{});
      task->ended_cancelled = true;
      finish(*task);
      current_ = nullptr;
      return;
    }
    timeline_.record(start_ns, task->id, EventKind::started);
  } else {
    timeline_.record(start_ns, task->id, EventKind::resumed);
  }
  handle.resume();
  current_ = nullptr;
}

void Runtime::run_ready_batch() {
  // Only what is ready now runs in this iteration; what it schedules waits
  // for the next one, so I/O and timers are never starved (asyncio does the same).
  //
  // A step that ends by suspending or finishing records that moment as the
  // last thing it does (what follows is the runtime's own bookkeeping, well
  // under a microsecond), and the next step starts right after it: that
  // reading serves as the next step's start. At a million tasks the clock is
  // read 2 million times fewer (a reading costs ~40 ns here), and a step's
  // measured length, which the "don't block the loop" lessons judge, still
  // covers all of the task's own code.
  Nanos previous_end_ns = -1;
  for (std::size_t count = ready_.size(); count > 0 && !ready_.empty(); --count) {
    const Ready ready = ready_.front();
    ready_.pop_front();
    if (!ready.handle) {
      notify_and_release(*ready.task);  // a task ended in an earlier iteration (see finish)
      previous_end_ns = -1;
      continue;
    }
    const TaskId id = ready.task->id;
    const std::size_t events_before = timeline_.events().size();
    step(ready.handle, ready.task, previous_end_ns >= 0 ? previous_end_ns : now());
    previous_end_ns = step_end(id, events_before);
  }
}

Nanos Runtime::step_end(TaskId task, std::size_t events_before) const noexcept {
  const std::vector<Event>& events = timeline_.events();
  if (events.size() <= events_before) {
    return -1;
  }
  const Event& last = events.back();
  return last.task == task && ends_step(last) && !virtual_time() ? last.t_ns : -1;
}

void Runtime::on_idle() {
  if (virtual_time()) {
    fire_due_timers(virtual_now_);
  } else if (polling_deadline_) {
    fire_due_timers(now());
    rearm_timer();
  }
  run_ready_batch();
  queue_timer_woken();  // due timers' wake-ups: the next iteration, behind this one's
  // libuv computes the poll timeout from the loop time it cached when this
  // iteration began, before the batch ran. Refreshed now, a timer armed
  // before or during a long batch (a million first steps take 0.1 s) fires
  // at its deadline instead of a whole batch late.
  uv_update_time(&loop_);
  if (ready_.empty() && virtual_clock_may_jump()) {
    // Nothing can run: on the virtual clock, time jumps to the next deadline.
    virtual_now_ = std::max(virtual_now_, timers_.next_deadline());
    fire_due_timers(virtual_now_);
    queue_timer_woken();  // nothing else is ready: they run next
  }
  update_idle();
}

void Runtime::update_idle() {
  if (!loop_open()) {
    return;  // closing: the idle handle must not be started or stopped (see schedule)
  }
  const bool wanted =
      !ready_.empty() || !timer_woken_.empty() || virtual_clock_may_jump() || polling_deadline_;
  if (wanted == idle_active_) {
    return;
  }
  if (wanted) {
    check_uv("uv_idle_start", uv_idle_start(idle_.get(), [](uv_idle_t* idle) {
               auto* self = static_cast<Runtime*>(idle->data);
               detail::guarded(&self->loop_, [self] { self->on_idle(); });
             }));
  } else {
    check_uv("uv_idle_stop", uv_idle_stop(idle_.get()));
  }
  idle_active_ = wanted;
}

}  // namespace asyncdemo
