#include "core/detail/process_job.hpp"

#include <unistd.h>

#include <stdexcept>
#include <utility>

#include "core/detail/loop_guard.hpp"
#include "core/detail/process_pool.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

namespace {

// The error `make()` returns, as an exception_ptr, in a function that must not throw: if
// making it fails (std::bad_alloc), that failure is the one kept.
template <class Make>
std::exception_ptr failure_of(Make make) noexcept {
  try {
    throw make();
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace

ProcessJob::ProcessJob(OffloadAwaiter* awaiter, TaskId task, std::vector<std::string> argv)
    : OffloadJob(awaiter, task), argv_(std::move(argv)) {}

void ProcessJob::submit(Runtime& runtime) {
  if (argv_.empty()) {
    throw std::invalid_argument("to_process: an empty argv names no program to run");
  }
  runtime_ = &runtime;
  pool_ = &runtime.process_pool();
  pool_->submit(this);
}

void ProcessJob::spawn(uv_loop_t* loop) {
  try {
    stdout_ = UvHandle<uv_pipe_t>(
        loop, [](uv_loop_t* on, uv_pipe_t* pipe) { return uv_pipe_init(on, pipe, 0); },
        "uv_pipe_init");
    std::vector<char*> args;
    args.reserve(argv_.size() + 1);
    for (std::string& arg : argv_) {
      args.push_back(arg.data());
    }
    args.push_back(nullptr);
    // stdin ignored: libuv gives the child /dev/null. stdout: a pipe to us, writable from
    // the child's side. stderr: ours, so that what the child complains about is seen.
    std::array<uv_stdio_container_t, 3> stdio{};
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(stdout_.get());
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = STDERR_FILENO;
    uv_process_options_t options{};
    options.exit_cb = exit_cb;
    options.file = args.front();  // executed directly (execvp), no shell
    options.args = args.data();
    options.stdio_count = static_cast<int>(stdio.size());
    options.stdio = stdio.data();
    // No UV_PROCESS_DETACHED: the child stays in our process group, so a Ctrl-C at the
    // terminal reaches it too, as it reaches ProcessPoolExecutor's workers. The child
    // inherits no other descriptor of ours: libuv's and ours are all close-on-exec.
    options.flags = 0;
    int spawned = 0;
    // TRICKY: uv_spawn initialises the handle even when it fails, and libuv then still
    // requires uv_close on it. So the handle is made as if the init had succeeded, owned
    // (and closed) by process_ either way, and the spawn's own code is checked after.
    process_ = UvHandle<uv_process_t>(
        loop,
        [&](uv_loop_t* on, uv_process_t* process) {
          spawned = uv_spawn(on, process, &options);
          return 0;
        },
        "uv_spawn");
    check_uv("uv_spawn", spawned);
  } catch (...) {
    process_.close();
    stdout_.close();
    throw;
  }
  pid_ = process_.get()->pid;
  process_.get()->data = this;
  stdout_.get()->data = this;
  reading_ = true;
  const int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(stdout_.get()), alloc_cb, read_cb);
  if (rc < 0) {
    // The child runs all the same: the job waits for its exit and then fails with this.
    stop_reading(failure_of([rc] { return UvError("uv_read_start", rc); }));
  }
}

void ProcessJob::fail_to_start(std::exception_ptr error) noexcept {
  error_ = std::move(error);
  complete();
}

void ProcessJob::try_remove() noexcept {
  if (pool_ != nullptr) {
    pool_->withdraw(*this);
  }
}

void ProcessJob::rethrow_failure() const {
  if (error_) {
    std::rethrow_exception(error_);
  }
  if (term_signal_ != 0 || exit_status_ != 0) {
    throw ProcessFailed(pid_, exit_status_, term_signal_);
  }
}

void ProcessJob::on_exit(std::int64_t exit_status, int term_signal) noexcept {
  exited_ = true;
  exit_status_ = exit_status;
  term_signal_ = term_signal;
  process_.close();
  runtime_->process_finished();
  // The timeline's record can throw (its event sink, memory): kept as the run's failure.
  // The job goes on either way, so that it completes and its awaiter is woken.
  guarded(runtime_->loop(), [this] {
    runtime_->record_at(runtime_->now(), task_, EventKind::thread_finished, WaitKind::process);
  });
  complete_if_done();
}

void ProcessJob::on_output(ssize_t nread, const uv_buf_t* buf) noexcept {
  if (nread > 0) {
    keep(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == 0) {
    return;  // nothing to read this time (EAGAIN)
  }
  if (nread == UV_EOF) {
    stop_reading(nullptr);
    return;
  }
  stop_reading(failure_of([nread] { return UvError("uv_read", static_cast<int>(nread)); }));
}

void ProcessJob::keep(const char* data, std::size_t size) noexcept {
  if (size > kMaxOutput - output_.size()) {
    stop_reading(failure_of([this] { return ProcessOutputTooLarge(pid_, kMaxOutput); }));
    return;
  }
  try {
    output_.append(data, size);
  } catch (...) {
    stop_reading(std::current_exception());
  }
}

void ProcessJob::stop_reading(std::exception_ptr error) noexcept {
  if (!reading_) {
    return;
  }
  reading_ = false;
  if (error && !error_) {
    error_ = std::move(error);
  }
  // Closed, not only stopped: nothing more is read. A child still writing (its output over
  // the limit) gets EPIPE, or dies of SIGPIPE, whose default libuv restores in the child;
  // this process never writes to the pipe, so it never sees SIGPIPE itself.
  stdout_.close();
  complete_if_done();
}

void ProcessJob::complete_if_done() noexcept {
  if (!exited_ || reading_) {
    return;  // the other of the child's exit and its stdout's end is still to come
  }
  pool_->finished(*this);
  complete();  // hands the job to its awaiter, or frees it if nobody waits any more
}

void ProcessJob::exit_cb(uv_process_t* process, std::int64_t exit_status,
                         int term_signal) noexcept {
  // Nothing here throws (on_exit guards its record), so no exception can cross libuv.
  static_cast<ProcessJob*>(process->data)->on_exit(exit_status, term_signal);
}

void ProcessJob::alloc_cb(uv_handle_t* pipe, std::size_t /*suggested*/, uv_buf_t* buf) noexcept {
  auto* job = static_cast<ProcessJob*>(pipe->data);
  *buf = uv_buf_init(job->buffer_.data(), static_cast<unsigned int>(job->buffer_.size()));
}

void ProcessJob::read_cb(uv_stream_t* pipe, ssize_t nread, const uv_buf_t* buf) noexcept {
  static_cast<ProcessJob*>(pipe->data)->on_output(nread, buf);
}

}  // namespace asyncdemo::detail
