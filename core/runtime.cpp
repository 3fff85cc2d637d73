// Runtime: construction, the run itself and the teardown. The other concepts
// have their own files: runtime_tasks.cpp (the registry of live tasks),
// runtime_ready.cpp (the ready queue and its idle handle), runtime_timers.cpp
// (deadlines on the one uv timer), runtime_clock.cpp (the real and virtual
// clocks), runtime_interrupts.cpp (SIGINT and SIGTERM).
#include "core/runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <utility>

#include "core/detail/local_tcp.hpp"
#include "core/detail/loop_guard.hpp"
#include "core/detail/process_pool.hpp"
#include "core/detail/simulated_pool.hpp"
#include "core/detail/thread_starts.hpp"
#include "core/errors.hpp"
#include "core/to_process.hpp"

namespace asyncdemo {

namespace {

thread_local Runtime* current_runtime = nullptr;

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

// The destructor's way to report what it cannot throw: one line on stderr.
void report_teardown_failure(std::exception_ptr failure) noexcept {
  try {
    std::rethrow_exception(std::move(failure));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asyncdemo: while closing the event loop: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "asyncdemo: while closing the event loop: an unknown error\n");
  }
}

}  // namespace

Runtime::Runtime(RuntimeOptions options)
    : clock_(options.clock),
      handle_interrupts_(options.handle_interrupts),
      on_interrupt_(std::move(options.on_interrupt)),
      fake_resolver_(std::move(options.fake_resolver)) {
  if (current_runtime != nullptr) {
    throw RuntimeMisuse("a Runtime already exists on this thread");
  }
  check_descriptors_for_loop_init();
  check_uv("uv_loop_init", uv_loop_init(&loop_));
  loop_state_ = LoopState::open;
  try {
    idle_ = detail::UvHandle<uv_idle_t>(&loop_, uv_idle_init, "uv_idle_init");
    timer_ = detail::UvHandle<uv_timer_t>(&loop_, uv_timer_init, "uv_timer_init");
  } catch (...) {
    static_cast<void>(close_loop());  // the init error is the one worth telling
    static_cast<void>(detail::take_loop_failure());
    throw;
  }
  idle_.get()->data = this;
  timer_.get()->data = this;
  start_hrtime_ = uv_hrtime();
  current_runtime = this;
}

Runtime::~Runtime() {
  if (loop_open()) {
    loop_state_ = LoopState::closing;  // never ran: the frames freed below wake nobody
  }
  abandon_unfinished_tasks();
  simulated_pool_.reset();
  process_pool_.reset();  // empty once a run closed its loop: that waited for every child
  simulated_cores_.clear();
  if (const int rc = close_loop(); rc < 0) {
    report_teardown_failure(std::make_exception_ptr(UvError("uv_loop_close", rc)));
  }
  if (std::exception_ptr failure = detail::take_loop_failure()) {
    report_teardown_failure(std::move(failure));
  }
  current_runtime = nullptr;
}

Runtime& Runtime::current() {
  if (current_runtime == nullptr) {
    throw RuntimeMisuse("no running asyncdemo Runtime on this thread");
  }
  return *current_runtime;
}

void Runtime::note(std::string text) {
  if (current_ == nullptr) {
    throw RuntimeMisuse("note() outside a task");
  }
  note_on(current_->id, std::move(text));
}

void Runtime::note_on(TaskId task, std::string text) {
  const std::uint32_t index = timeline_.add_note(std::move(text));
  timeline_.record(now(), task, EventKind::note, WaitKind::none, index);
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

void Runtime::run_until_complete(detail::TaskState& main) {
  main_ = &main;
  main.listener = this;
  static_cast<void>(detail::take_loop_failure());  // nothing of an earlier run on this thread
  if (handle_interrupts_) {
    watch_interrupts();
  }
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once nothing is active, or a callback failed
  if (!main.done && !detail::loop_failed() && deadlock_handler_) {
    // Once: a handler that leaves the run stuck again must not be asked forever.
    const std::function<void()> handler = std::exchange(deadlock_handler_, nullptr);
    detail::guarded(&loop_, handler);
    if (!detail::loop_failed()) {
      uv_run(&loop_, UV_RUN_DEFAULT);  // what the handler scheduled (a cancel wakes its task)
    }
  }
  // TRICKY: from here on nothing may start or stop a handle. The last uv_run in close_loop
  // still completes thread work that was running when a callback failed, and the
  // completion wakes the task that awaited it; with the loop marked closing, schedule drops
  // that wake-up instead of starting the idle handle close_loop has just closed.
  loop_state_ = LoopState::closing;
  const bool abandoned = detail::loop_failed() || !main.done;
  if (abandoned) {
    abandon_unfinished_tasks();
  }
  const int closed = close_loop();
  timeline_.finish();  // after close_loop, which may still record thread work ending
  if (std::exception_ptr failure = detail::take_loop_failure()) {
    std::rethrow_exception(failure);
  }
  if (abandoned) {
    throw RuntimeMisuse(
        "deadlock: the loop ran out of work while main was still waiting for something that "
        "nothing will complete");
  }
  check_uv("uv_loop_close", closed);
}

detail::ThreadStarts& Runtime::thread_starts() {
  if (!thread_starts_) {
    thread_starts_ = std::make_unique<detail::ThreadStarts>(*this);
  }
  return *thread_starts_;
}

detail::ProcessPool& Runtime::process_pool() {
  if (!process_pool_) {
    process_pool_ = std::make_unique<detail::ProcessPool>(*this, process_pool_size());
  }
  return *process_pool_;
}

detail::LocalTcp& Runtime::local_tcp() {
  if (!local_tcp_) {
    local_tcp_ = std::make_unique<detail::LocalTcp>(*this);
  }
  return *local_tcp_;
}

int Runtime::close_loop() noexcept {
  if (loop_state_ == LoopState::closed) {
    return 0;
  }
  loop_state_ = LoopState::closing;
  idle_.close();
  timer_.close();
  stop_watching_interrupts();
  idle_active_ = timer_armed_ = polling_deadline_ = false;
  // Runs the close callbacks, which free the handles, and waits for thread work still
  // running. A callback that fails meanwhile stops the loop early (uv_stop; the failure is
  // kept): run again until nothing is left.
  while (uv_run(&loop_, UV_RUN_DEFAULT) != 0) {
  }
  // Only now, with every job completed (a job in flight keeps uv_run going), can no pool
  // thread post a start any more; its handle closes last, and the loop runs to free it.
  if (thread_starts_) {
    thread_starts_->close();
    while (uv_run(&loop_, UV_RUN_DEFAULT) != 0) {
    }
  }
  loop_state_ = LoopState::closed;
  return uv_loop_close(&loop_);
}

}  // namespace asyncdemo
