#pragma once
// to_process: asyncio's `loop.run_in_executor(ProcessPoolExecutor(), fn)`, with a
// program as the function: a child process runs while the loop goes on, and its
// stdout comes back at the await. Children run in a pool of process_pool_size()
// places per Runtime; more of them queue and start, first come first served, as
// running ones end.
//
// Cancelling the awaiting task resumes it at once with Cancelled. A child still
// queued is removed; a running child is not stopped (ProcessPoolExecutor cannot
// stop running work either: "the pretense of cancellation"). It runs to its end,
// its output is discarded, and run() waits for it before it returns. The timeline
// records both moments, as for thread work, with WaitKind::process.

#include <coroutine>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/detail/offload.hpp"

namespace asyncdemo {

/// What a child process gave back.
struct ProcessResult {
  std::string output;  // everything the child wrote on its stdout
  int pid = 0;
};

/// Awaitable returned by to_process().
class ToProcessAwaiter final : private detail::OffloadAwaiter {
 public:
  explicit ToProcessAwaiter(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting);
  ProcessResult await_resume();

 private:
  std::vector<std::string> argv_;
};

/// run_in_executor(ProcessPoolExecutor(), ...): runs `argv` as a child process
/// (argv[0] a path, or a name looked up in PATH; executed directly, no shell) and
/// returns what it wrote on its stdout, once it has exited and its stdout has
/// ended. Its stdin is /dev/null, its stderr this process's.
///
/// The await raises ProcessFailed if the child exits with a non-zero status or is
/// killed by a signal; ProcessOutputTooLarge if it writes more than 1 MiB on its
/// stdout; UvError("uv_spawn", ...) if it cannot be started (a missing program:
/// ENOENT); std::invalid_argument for an empty `argv`. Loop thread only. On the
/// virtual clock the child still runs for real, and time stands still until it
/// has ended.
[[nodiscard]] inline ToProcessAwaiter to_process(std::vector<std::string> argv) {
  return ToProcessAwaiter(std::move(argv));
}

/// How many children run at once per Runtime: ProcessPoolExecutor's default
/// max_workers, the CPU count (os.process_cpu_count() of Python 3.13, which counts
/// the CPUs this process may run on: uv_available_parallelism()). At least 1.
[[nodiscard]] std::size_t process_pool_size() noexcept;

}  // namespace asyncdemo
