#include "core/runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <thread>
#include <utility>

#include "core/detail/simulated_pool.hpp"
#include "core/detail/waiter.hpp"
#include "core/errors.hpp"

namespace asyncdemo {

namespace {

thread_local Runtime* current_runtime = nullptr;

// libuv calls back through C frames, which an exception must never cross:
// anything a callback throws stops the loop and is rethrown by
// run_until_complete.
thread_local std::exception_ptr loop_failure;

template <class Fn>
void guarded(uv_loop_t* loop, Fn&& fn) noexcept {
  try {
    fn();
  } catch (...) {
    if (!loop_failure) {
      loop_failure = std::current_exception();
    }
    uv_stop(loop);
  }
}

// TRICKY: the first uv_loop_init of a process also makes libuv's process-wide
// signal pipe, and libuv calls abort() when it cannot (unix/signal.c,
// uv__signal_global_init), where every other failure of the call is returned.
// Out of file descriptors (a low RLIMIT_NOFILE) the process would die without
// a word. So first check that the three descriptors the call takes before it
// can return an error (its epoll instance and that pipe) are to be had, and
// fail as the call itself would have.
void check_descriptors_for_loop_init() {
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    check_uv("uv_loop_init", uv_translate_sys_error(errno));
  }
  const int third = ::fcntl(pipe_fds[0], F_DUPFD_CLOEXEC, 0);
  const int error = errno;
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  if (third < 0) {
    check_uv("uv_loop_init", uv_translate_sys_error(error));
  }
  ::close(third);
}

}  // namespace

void detail::finish_spawned(TaskState& task) noexcept { Runtime::current().finish(task); }

Runtime::Runtime(RuntimeOptions options)
    : clock_(options.clock), handle_interrupts_(options.handle_interrupts) {
  if (current_runtime != nullptr) {
    throw RuntimeMisuse("a Runtime already exists on this thread");
  }
  check_descriptors_for_loop_init();
  check_uv("uv_loop_init", uv_loop_init(&loop_));
  loop_open_ = true;
  try {
    idle_ = detail::UvHandle<uv_idle_t>(&loop_, uv_idle_init, "uv_idle_init");
    timer_ = detail::UvHandle<uv_timer_t>(&loop_, uv_timer_init, "uv_timer_init");
  } catch (...) {
    close_loop();
    throw;
  }
  idle_.get()->data = this;
  timer_.get()->data = this;
  start_hrtime_ = uv_hrtime();
  current_runtime = this;
}

Runtime::~Runtime() {
  abandon_unfinished_tasks();
  simulated_pool_.reset();
  close_loop();
  current_runtime = nullptr;
}

Runtime& Runtime::current() {
  if (current_runtime == nullptr) {
    throw RuntimeMisuse("no running asyncdemo Runtime on this thread");
  }
  return *current_runtime;
}

Nanos Runtime::now() const noexcept {
  if (virtual_time()) {
    return virtual_now_;
  }
  return static_cast<Nanos>(uv_hrtime() - start_hrtime_);
}

Nanos Runtime::from_hrtime(std::uint64_t hrtime) const noexcept {
  if (virtual_time()) {
    return virtual_now_;
  }
  return static_cast<Nanos>(hrtime - start_hrtime_);
}

detail::SimulatedPool& Runtime::simulated_pool() {
  if (!simulated_pool_) {
    simulated_pool_ = std::make_unique<detail::SimulatedPool>(*this, thread_pool_size());
  }
  return *simulated_pool_;
}

std::size_t Runtime::thread_pool_size() noexcept {
  // Mirrors libuv's own reading of the variable (threadpool.c): 1..1024, default 4.
  constexpr std::size_t kDefault = 4;
  constexpr std::size_t kMax = 1024;
  const char* value = std::getenv("UV_THREADPOOL_SIZE");  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) {
    return kDefault;
  }
  const long parsed = std::strtol(value, nullptr, 10);
  return std::clamp<std::size_t>(parsed > 0 ? static_cast<std::size_t>(parsed) : 1, 1, kMax);
}

void Runtime::note(std::string text) {
  if (current_ == nullptr) {
    throw RuntimeMisuse("note() outside a task");
  }
  const std::uint32_t index = timeline_.add_note(std::move(text));
  timeline_.record(now(), current_->id, EventKind::note, WaitKind::none, index);
}

void Runtime::record(EventKind kind, WaitKind wait) {
  if (current_ == nullptr) {
    throw RuntimeMisuse("no current task to record for");
  }
  timeline_.record(now(), current_->id, kind, wait);
}

void Runtime::record_at(Nanos t_ns, TaskId task, EventKind kind, WaitKind wait) {
  timeline_.record(t_ns, task, kind, wait);
}

// ---- tasks ----

void Runtime::adopt(detail::TaskState& task, std::coroutine_handle<> root, std::string_view name) {
  task.root = root;
  task.spawned = true;
  task.refs = 1;  // the runtime's, dropped when the task ends
  task.id = timeline_.add_task(name, current_ != nullptr ? current_->id : kNoParent);
  link_live(task);
  timeline_.record(now(), task.id, EventKind::created);
  schedule(root, &task);
}

void Runtime::schedule(std::coroutine_handle<> handle, detail::TaskState* task) {
  if (!loop_open_) {
    // TRICKY: after a deadlock, frames still held by a TaskHandle (run()'s own, for main)
    // are destroyed after the loop closed, and a permit released by one wakes a waiter in
    // another. Nothing runs any more and the idle handle is gone: drop the wake-up.
    return;
  }
  ready_.push_back(Ready{handle, task});
  if (!idle_active_) {
    update_idle();
  }
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
  // Only after a deadlock or a failure inside the loop: frames that will
  // never resume are destroyed (their awaiters unregister in destructors),
  // unless a TaskHandle still holds them; its destructor will.
  ready_.clear();
  std::vector<detail::TaskState*> unowned;
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

// ---- the loop ----

void Runtime::run_until_complete(detail::TaskState& main) {
  main_ = &main;
  main.listener = this;
  loop_failure = nullptr;
  if (handle_interrupts_) {
    watch_interrupts();
  }
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once nothing is active
  timeline_.finish();
  if (std::exception_ptr failure = std::exchange(loop_failure, nullptr)) {
    abandon_unfinished_tasks();
    close_loop();
    std::rethrow_exception(failure);
  }
  if (!main.done) {
    abandon_unfinished_tasks();
    close_loop();
    throw RuntimeMisuse(
        "deadlock: the loop ran out of work while main was still waiting for something that "
        "nothing will complete");
  }
  close_loop();
}

void Runtime::close_loop() {
  if (!loop_open_) {
    return;
  }
  idle_.close();
  timer_.close();
  sigint_.close();  // stopping the last watcher restores the signal's default action
  sigterm_.close();
  // Frames freed after this (see schedule) must not start or stop the closed handles.
  idle_active_ = timer_armed_ = polling_deadline_ = false;
  uv_run(&loop_, UV_RUN_DEFAULT);  // runs the close callbacks, which free the handles
  loop_open_ = false;
  check_uv("uv_loop_close", uv_loop_close(&loop_));
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

bool Runtime::virtual_clock_may_jump() const noexcept {
  return virtual_time() && real_work_in_flight_ == 0 && !timers_.empty();
}

void Runtime::on_idle() {
  if (virtual_time()) {
    fire_due_timers(virtual_now_);
  } else if (polling_deadline_) {
    // The tasks it wakes run in this same batch, as asyncio's loop runs the
    // callbacks of due timers in the iteration that finds them due.
    fire_due_timers(now());
    rearm_timer();
  }
  run_ready_batch();
  // libuv computes the poll timeout from the loop time it cached when this
  // iteration began, before the batch ran. Refreshed now, a timer armed
  // before or during a long batch (a million first steps take 0.1 s) fires
  // at its deadline instead of a whole batch late.
  uv_update_time(&loop_);
  if (ready_.empty() && virtual_clock_may_jump()) {
    // Nothing can run: on the virtual clock, time jumps to the next deadline.
    virtual_now_ = std::max(virtual_now_, timers_.next_deadline());
    fire_due_timers(virtual_now_);
  }
  update_idle();
}

void Runtime::update_idle() {
  const bool wanted = !ready_.empty() || virtual_clock_may_jump() || polling_deadline_;
  if (wanted == idle_active_) {
    return;
  }
  if (wanted) {
    check_uv("uv_idle_start", uv_idle_start(idle_.get(), [](uv_idle_t* idle) {
               auto* self = static_cast<Runtime*>(idle->data);
               guarded(&self->loop_, [self] { self->on_idle(); });
             }));
  } else {
    check_uv("uv_idle_stop", uv_idle_stop(idle_.get()));
  }
  idle_active_ = wanted;
}

// ---- interrupts ----

void Runtime::watch_interrupts() {
  auto watch = [this](detail::UvHandle<uv_signal_t>& handle, int signal) {
    handle = detail::UvHandle<uv_signal_t>(&loop_, uv_signal_init, "uv_signal_init");
    handle.get()->data = this;
    check_uv("uv_signal_start", uv_signal_start(
                                    handle.get(),
                                    [](uv_signal_t* watcher, int /*signal*/) {
                                      static_cast<Runtime*>(watcher->data)->on_interrupt();
                                    },
                                    signal));
    // A watcher must not keep the loop alive: the run ends when its work does.
    uv_unref(reinterpret_cast<uv_handle_t*>(handle.get()));
  };
  watch(sigint_, SIGINT);
  watch(sigterm_, SIGTERM);
}

void Runtime::on_interrupt() noexcept {
  if (interrupted_) {
    std::_Exit(130);  // the second Ctrl-C: the user wants out now, cleanup or not
  }
  interrupted_ = true;
  // As asyncio.run does on Ctrl-C: cancel main. When main ends, the tasks it
  // leaves are cancelled once (task_completed), so their cleanup runs undisturbed.
  if (main_ != nullptr && !main_->done) {
    cancel(*main_);
  } else {
    cancel_all_tasks();
  }
}

// ---- time ----

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
    guarded(&loop_, [this] { rearm_timer(); });
  }
}

void Runtime::fire_due_timers(Nanos now) noexcept {
  while (detail::TimerTarget* target = timers_.pop_due(now)) {
    target->on_timer();
  }
}

void Runtime::on_timer() {
  timer_armed_ = false;
  fire_due_timers(now());
  rearm_timer();
}

void Runtime::rearm_timer() {
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
                                   guarded(&self->loop_, [self] { self->on_timer(); });
                                 },
                                 millis, 0));
  timer_armed_ = true;
}

void Runtime::block_for(Duration d) {
  if (d <= Duration::zero()) {
    return;
  }
  if (virtual_time()) {
    virtual_now_ += to_nanos(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

void Runtime::end_real_work() noexcept {
  --real_work_in_flight_;
  guarded(&loop_, [this] { update_idle(); });
}

}  // namespace asyncdemo
