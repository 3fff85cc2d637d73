#pragma once
// Runtime: one event loop (libuv) driving coroutines, like an asyncio event
// loop. It owns the loop, the ready queue, the shared timer and the timeline.
// Everything here runs on the loop thread; the only cross-thread traffic is
// libuv's own thread-pool completion.
//
// The scheduling model, where order is observable, is asyncio's:
// - One loop iteration runs the steps that were ready when it began, in the
//   order they were queued; what they schedule waits for the next iteration.
// - Timers due when an iteration begins fire in deadline order, then in the
//   order they were set, after the steps already due; the tasks they wake run
//   in the next iteration, behind what those steps scheduled (asyncio runs a
//   due timer's callback in the iteration, and the task it wakes through
//   call_soon in the next one).
// - A task's end reaches whoever listens to it (gather, a TaskGroup, wait_for,
//   as_completed, a join) one iteration later, queued behind the steps already
//   due, as asyncio's done-callbacks run through call_soon: siblings that end
//   in the same iteration as a failure have ended before a TaskGroup hears of
//   it. `await task` resumes from that callback itself (Task.__wakeup).
// On the virtual clock equal delays are exact ties, decided by these rules; on
// the real clock deadlines keep their microseconds, so sleeps set microseconds
// apart are not a tie (asyncio's millisecond-rounded wait would group them).

#include <uv.h>

#include <atomic>
#include <coroutine>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/detail/task_state.hpp"
#include "core/detail/timer_queue.hpp"
#include "core/detail/uv_handle.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {

class FakeResolver;

namespace detail {
class LocalTcp;
class ProcessPool;
class SimulatedPool;
class ThreadStarts;
}  // namespace detail

struct RuntimeOptions {
  ClockKind clock = ClockKind::real;
  /// Ctrl-C (SIGINT) and SIGTERM during run: the first cancels main, and so
  /// (as main ends) every task, and lets their cleanup run (interrupt_signal()
  /// tells which signal it was); a second exits the process at once with
  /// status 128 + that second signal (130 for SIGINT, 143 for SIGTERM). The
  /// dispositions the process had before the run are restored when the loop
  /// closes.
  bool handle_interrupts = false;
  /// With handle_interrupts: called once, on the loop thread, at the first
  /// signal, right after main's cancellation was requested, with the signal,
  /// threads_running() and processes_running(): jobs on pool threads and child
  /// processes, which no cancel stops and which the run waits for. May be
  /// empty. What it throws ends the run (rethrown by run_until_complete, as any
  /// failure inside the loop).
  std::function<void(int signal, std::size_t threads_running, std::size_t processes_running)>
      on_interrupt = {};
  /// Where resolve() gets its answers: null, the system's getaddrinfo on the thread pool; set,
  /// these made-up answers, each after its latency on the runtime's own clock, with no thread
  /// and no network (core/fake_resolver.hpp). Shared: the resolver is read, never changed.
  std::shared_ptr<const FakeResolver> fake_resolver = {};
};

/// One run's event loop. Construct it, `run(runtime, main())` once (see
/// run.hpp), then read its timeline. At most one Runtime exists per thread at
/// a time; while it exists, `Runtime::current()` returns it, which is how
/// `sleep`, `spawn` and friends find their loop without reference parameters.
class Runtime final : private detail::CompletionListener {
 public:
  explicit Runtime(RuntimeOptions options = {});
  /// Never throws. Frees the frames of tasks that never ended and closes the
  /// loop if run_until_complete did not (a Runtime that never ran). That path
  /// cannot throw, so a failure there — uv_loop_close refusing, a libuv
  /// callback failing while the handles close — is written to stderr as one
  /// "asyncdemo: ..." line. run_until_complete closes the loop itself and
  /// throws such failures to its caller instead.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  Runtime(Runtime&&) = delete;
  Runtime& operator=(Runtime&&) = delete;

  /// The Runtime of this thread; throws RuntimeMisuse if there is none.
  static Runtime& current();

  [[nodiscard]] ClockKind clock() const noexcept { return clock_; }
  [[nodiscard]] bool virtual_time() const noexcept { return clock_ == ClockKind::virtual_time; }
  /// Time since the runtime was created, on its clock.
  [[nodiscard]] Nanos now() const noexcept;
  /// A uv_hrtime() reading taken on any thread, on this run's time axis (on
  /// the virtual clock, which stands still while real work runs: now()).
  [[nodiscard]] Nanos from_hrtime(std::uint64_t hrtime) const noexcept;
  [[nodiscard]] Timeline& timeline() noexcept { return timeline_; }
  [[nodiscard]] const Timeline& timeline() const noexcept { return timeline_; }
  [[nodiscard]] uv_loop_t* loop() noexcept { return &loop_; }
  /// Size of libuv's thread pool, which the virtual clock's simulated pool
  /// copies: thread_pool().threads (core/thread_pool.hpp, where it is decided).
  [[nodiscard]] static std::size_t thread_pool_size() noexcept;

  /// The fake resolver that resolve() answers from, or null: the system's (see RuntimeOptions).
  [[nodiscard]] const FakeResolver* fake_resolver() const noexcept { return fake_resolver_.get(); }

  /// True once a SIGINT/SIGTERM interrupted the run (see RuntimeOptions).
  [[nodiscard]] bool interrupted() const noexcept { return interrupt_signal_ != 0; }
  /// The signal that interrupted the run (SIGINT or SIGTERM, the first that
  /// arrived), or 0 if none did. Loop thread.
  [[nodiscard]] int interrupt_signal() const noexcept { return interrupt_signal_; }
  /// How many of this runtime's jobs (to_thread, thread_sleep, resolve) are
  /// running on a pool thread right now; jobs still queued do not count. Any thread.
  [[nodiscard]] std::size_t threads_running() const noexcept {
    return threads_running_.load(std::memory_order_relaxed);
  }
  /// How many of to_process's children are running right now (spawned, not yet
  /// exited); children still queued do not count. Loop thread.
  [[nodiscard]] std::size_t processes_running() const noexcept { return processes_running_; }

  /// Adds a scenario's remark to the current task's record.
  void note(std::string text);
  /// The same on `task`'s record, from outside any task: what the loop itself sees (the
  /// cycle of a deadlock, from on_deadlock's handler).
  void note_on(TaskId task, std::string text);
  /// Called once, on the loop thread, if the loop runs out of work while main is unfinished:
  /// no step ready, no timer, no thread work, so every task waits on something nothing will
  /// ever complete (asyncio would hang). The handler may look at what waits on what, note it
  /// and cancel tasks to end the run; the loop then runs on. If main is still unfinished when
  /// nothing is left to run again, run_until_complete throws RuntimeMisuse, as without one.
  void on_deadlock(std::function<void()> handler) { deadlock_handler_ = std::move(handler); }

  /// Drives the loop until `main` ends, then (as asyncio.run does) cancels
  /// every task still alive and lets them finish, waits for thread-pool work
  /// still running, closes every handle and checks uv_loop_close succeeds
  /// (UvError if not). Rethrows what a libuv callback threw (the first
  /// failure), after closing the loop; throws RuntimeMisuse if the loop runs
  /// dry while `main` is unfinished (a deadlock). Called by run() in run.hpp.
  void run_until_complete(detail::TaskState& main);

  // ---- for the awaitables in core/ (not for scenarios) ----

  /// Registers a new task and schedules its first step (asyncio.create_task).
  void adopt(detail::TaskState& task, std::coroutine_handle<> root, std::string_view name);
  /// Queues a coroutine to resume on the next loop iteration, inside `task`.
  void schedule(std::coroutine_handle<> handle, detail::TaskState* task);
  /// Resumes a coroutine now, from a completion listener (a done-callback,
  /// which runs between steps), as asyncio's Task.__wakeup runs __step
  /// directly; schedules it instead if called inside a step.
  void resume_from_callback(std::coroutine_handle<> handle, detail::TaskState* task);
  /// Requests cancellation (Task.cancel). False if the task had already ended.
  bool cancel(detail::TaskState& task) noexcept;
  [[nodiscard]] detail::TaskState* current_task() const noexcept { return current_; }
  /// Records an event for the current task, now.
  void record(EventKind kind, WaitKind wait = WaitKind::none);
  void record_at(Nanos t_ns, TaskId task, EventKind kind, WaitKind wait = WaitKind::none);

  void add_timer(detail::TimerTarget& target, Nanos deadline);
  void remove_timer(detail::TimerTarget& target) noexcept;
  /// The loop thread itself is stuck for `d` (a blocking call). On the
  /// virtual clock this is where time moves by `d`.
  void block_for(Duration d);
  /// Real work (a thread-pool job, a DNS lookup) is in flight: the virtual
  /// clock must not jump past it.
  void begin_real_work() noexcept { ++real_work_in_flight_; }
  void end_real_work() noexcept;
  /// A pool thread starts or ends one of this runtime's jobs (see
  /// threads_running()). Any thread.
  void thread_work_started() noexcept { threads_running_.fetch_add(1, std::memory_order_relaxed); }
  void thread_work_finished() noexcept { threads_running_.fetch_sub(1, std::memory_order_relaxed); }
  /// A child process of to_process is spawned or has exited (see processes_running()).
  void process_started() noexcept { ++processes_running_; }
  void process_finished() noexcept { --processes_running_; }
  /// The virtual clock's stand-in for the thread pool (same size as libuv's).
  detail::SimulatedPool& simulated_pool();
  /// The pool of child processes that to_process runs (ProcessPoolExecutor), of
  /// process_pool_size() places. Made on first use; the runtime owns it.
  detail::ProcessPool& process_pool();
  /// The runtime's TCP listeners and the connections between its own ends, which the
  /// virtual clock counts as real work in flight (see core/detail/local_tcp.hpp).
  detail::LocalTcp& local_tcp();
  /// The virtual clock's stand-in for `width` cores that CPU work of kind `where` (thread
  /// or process) runs on: one simulated pool per width and kind, kept for the whole run.
  detail::SimulatedPool& simulated_cores(std::size_t width, WaitKind where);
  /// Where pool threads post the moment a job starts, so that it is recorded as it
  /// happens (see detail::ThreadStarts). Opened on first use, on the loop thread, before
  /// the first job that posts is queued; throws UvError if libuv refuses.
  detail::ThreadStarts& thread_starts();

  /// Ends a task (from its final suspend point). See detail::finish_spawned.
  void finish(detail::TaskState& task) noexcept;

 private:
  void task_completed(detail::TaskState& task, std::uint32_t tag) noexcept override;
  /// Tells a task's listener that it ended, then drops the runtime's reference.
  void notify_and_release(detail::TaskState& task) noexcept;
  void on_idle();
  void on_timer();
  void run_ready_batch();
  void step(std::coroutine_handle<> handle, detail::TaskState* task, Nanos start_ns);
  /// The time a step of `task` ended, if its last event (after `events_before`)
  /// marks that end; -1 if it does not.
  [[nodiscard]] Nanos step_end(TaskId task, std::size_t events_before) const noexcept;
  void fire_due_timers(Nanos now) noexcept;
  /// Queues what the timers woke behind what is ready now (see fire_due_timers).
  void queue_timer_woken();
  [[nodiscard]] bool virtual_clock_may_jump() const noexcept;
  void update_idle();
  void rearm_timer();
  void stop_timer();
  void arm_timer_for(Nanos deadline);
  void cancel_all_tasks() noexcept;
  void watch_interrupts();
  void watch_signal(detail::UvHandle<uv_signal_t>& handle, int signal, struct sigaction& previous);
  void on_interrupt(int signal);
  void stop_watching_interrupts() noexcept;
  void abandon_unfinished_tasks() noexcept;
  /// Closes every handle, runs the loop until they are freed and thread work
  /// still running is done, then closes the loop; returns uv_loop_close's code.
  [[nodiscard]] int close_loop() noexcept;
  [[nodiscard]] bool loop_open() const noexcept { return loop_state_ == LoopState::open; }
  void link_live(detail::TaskState& task) noexcept;
  void unlink_live(detail::TaskState& task) noexcept;

  // A step to run: `handle` resumes inside `task`. Or, with a null handle, a task that
  // ended in an earlier iteration, whose listener is told now (asyncio's call_soon of
  // its done-callbacks): one queue, so both keep the order they were queued in.
  struct Ready {
    std::coroutine_handle<> handle;
    detail::TaskState* task;
  };

  // open: running, handles may start and stop. closing: close_loop's last uv_run (or the
  // teardown before it); nothing may start or stop a handle, wake-ups are dropped. closed:
  // uv_loop_close was called.
  enum class LoopState : std::uint8_t { open, closing, closed };

  ClockKind clock_;
  uv_loop_t loop_{};
  LoopState loop_state_ = LoopState::closed;
  detail::UvHandle<uv_idle_t> idle_;      // runs the ready queue; active only when needed
  detail::UvHandle<uv_timer_t> timer_;    // the one timer behind every real-clock deadline
  detail::UvHandle<uv_signal_t> sigint_;  // only with handle_interrupts, during run
  detail::UvHandle<uv_signal_t> sigterm_;
  bool handle_interrupts_ = false;
  std::function<void(int, std::size_t, std::size_t)> on_interrupt_;
  std::function<void()> deadlock_handler_;
  std::shared_ptr<const FakeResolver> fake_resolver_;
  int interrupt_signal_ = 0;
  // What SIGINT and SIGTERM did before the run watched them, put back when it stops
  // (libuv leaves SIG_DFL behind, which would let a later Ctrl-C kill the process).
  struct sigaction previous_sigint_{};
  struct sigaction previous_sigterm_{};
  bool watching_interrupts_ = false;
  bool idle_active_ = false;
  bool timer_armed_ = false;
  // The next deadline is less than libuv's 1 ms timer resolution away: no uv
  // timer is armed, and the idle handle checks the deadline every iteration.
  bool polling_deadline_ = false;
  Nanos armed_deadline_ = 0;  // of the uv timer, or the polled deadline
  std::uint64_t start_hrtime_ = 0;
  Nanos virtual_now_ = 0;
  // A deque, not a vector: a million spawns queue a million entries, and a
  // deque grows in small blocks and gives them back as the batch is consumed,
  // where a vector would double (copying) and keep its peak capacity.
  std::deque<Ready> ready_;
  // What due timers woke, held until the steps already due have run (see fire_due_timers).
  std::deque<Ready> timer_woken_;
  bool firing_timers_ = false;
  detail::TimerQueue timers_;
  detail::TaskState* current_ = nullptr;
  detail::TaskState* live_head_ = nullptr;
  detail::TaskState* main_ = nullptr;
  std::size_t real_work_in_flight_ = 0;
  std::atomic<std::size_t> threads_running_{0};  // written by pool threads (see threads_running)
  std::size_t processes_running_ = 0;
  Timeline timeline_;
  std::unique_ptr<detail::SimulatedPool> simulated_pool_;
  std::unique_ptr<detail::ProcessPool> process_pool_;
  std::vector<std::unique_ptr<detail::SimulatedPool>> simulated_cores_;
  std::unique_ptr<detail::ThreadStarts> thread_starts_;
  std::unique_ptr<detail::LocalTcp> local_tcp_;
};

}  // namespace asyncdemo
