#pragma once
// ProcessJob: an OffloadJob run as a child process (to_process). Two libuv handles
// carry it: the process (uv_spawn; its exit callback) and a pipe from the child's
// stdout. The job is done when both have ended, in either order: the child has
// exited and its stdout has reached EOF. (A grandchild left holding that stdout
// holds the job until it lets go, as it would hold asyncio's communicate().)
//
// As for thread work, the job outlives a cancelled awaiter: a child cannot be
// un-started, so it runs to its end unobserved, and its end frees the job. Only a
// job still queued in the process pool is removed.

#include <sys/types.h>
#include <uv.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "core/detail/offload.hpp"
#include "core/detail/uv_handle.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

class ProcessPool;

class ProcessJob final : public OffloadJob {
 public:
  /// Most of a child's stdout that is kept: beyond it the job fails with
  /// ProcessOutputTooLarge instead of growing without bound.
  static constexpr std::size_t kMaxOutput = std::size_t{1} << 20U;

  ProcessJob(OffloadAwaiter* awaiter, TaskId task, std::vector<std::string> argv);
  ProcessJob(const ProcessJob&) = delete;
  ProcessJob& operator=(const ProcessJob&) = delete;
  ProcessJob(ProcessJob&&) = delete;
  ProcessJob& operator=(ProcessJob&&) = delete;
  ~ProcessJob() override = default;

  /// Hands the job to the runtime's process pool: its child starts now if the pool
  /// has room, else when a running one ends. On failure throws (std::invalid_argument
  /// for an empty argv, UvError when uv_spawn refuses a child started now); nothing
  /// was started and the caller still owns the job. On success the pool owns it
  /// until completion.
  void submit(Runtime& runtime);

  // After completion, read by the awaiter that took the job over:
  /// Rethrows why the job failed: ProcessFailed for a non-zero status or a signal,
  /// ProcessOutputTooLarge, UvError from a read or from a uv_spawn made after queueing.
  void rethrow_failure() const;
  /// Everything the child wrote on its stdout.
  [[nodiscard]] std::string take_output() noexcept { return std::move(output_); }
  [[nodiscard]] int pid() const noexcept { return pid_; }

 private:
  friend class ProcessPool;

  /// Called by the pool: spawns the child and starts reading its stdout. Throws
  /// UvError if uv_spawn (or the pipe's init) fails; then no child exists and the
  /// handles are closing. A failure after the spawn does not throw: it becomes the
  /// job's failure, raised once the child has ended.
  void spawn(uv_loop_t* loop);
  /// Called by the pool when a queued job could not be started: completes it with `error`.
  void fail_to_start(std::exception_ptr error) noexcept;
  [[nodiscard]] bool running() const noexcept { return pid_ != 0; }

  void try_remove() noexcept override;
  void on_exit(std::int64_t exit_status, int term_signal) noexcept;
  void on_output(ssize_t nread, const uv_buf_t* buf) noexcept;
  void keep(const char* data, std::size_t size) noexcept;
  void stop_reading(std::exception_ptr error) noexcept;
  void complete_if_done() noexcept;
  static void exit_cb(uv_process_t* process, std::int64_t exit_status, int term_signal) noexcept;
  static void alloc_cb(uv_handle_t* pipe, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void read_cb(uv_stream_t* pipe, ssize_t nread, const uv_buf_t* buf) noexcept;

  std::vector<std::string> argv_;
  Runtime* runtime_ = nullptr;
  ProcessPool* pool_ = nullptr;
  UvHandle<uv_pipe_t> stdout_;
  UvHandle<uv_process_t> process_;
  int pid_ = 0;  // 0 until the child is spawned
  bool exited_ = false;
  bool reading_ = false;
  std::int64_t exit_status_ = 0;
  int term_signal_ = 0;
  std::exception_ptr error_;  // a failure of the job itself, raised before the child's status
  std::string output_;
  std::array<char, std::size_t{64} << 10U> buffer_{};  // where libuv reads the next chunk
};

}  // namespace asyncdemo::detail
