#pragma once
// ProcessPool: the runtime's ProcessPoolExecutor. At most `width` child processes
// run at once (process_pool_size(): os.cpu_count(), its default max_workers); more
// jobs queue FIFO and start as children end. A queued job is removed when its
// awaiter gives up on it; a running child is never stopped.

#include <cstddef>
#include <deque>
#include <vector>

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

class ProcessJob;

class ProcessPool {
 public:
  ProcessPool(Runtime& runtime, std::size_t width);
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;
  ProcessPool(ProcessPool&&) = delete;
  ProcessPool& operator=(ProcessPool&&) = delete;
  /// Frees jobs left behind when a run is torn down early. The run itself waits for
  /// every child (its handles keep the loop alive), so normally there are none.
  ~ProcessPool();

  /// Starts `job`'s child now if fewer than `width` run, else queues the job. Throws
  /// what starting it throws (UvError from uv_spawn); then the caller still owns the
  /// job. Else the pool owns it until it completes. Loop thread.
  void submit(ProcessJob* job);

 private:
  friend class ProcessJob;
  /// A running job's child ended and its output was read: frees its place and starts
  /// the jobs queued next. The job completes (and may be freed) after this.
  void finished(ProcessJob& job) noexcept;
  /// The job's awaiter gave up: a queued job is removed (and freed); a running one
  /// runs on, unobserved.
  void withdraw(ProcessJob& job) noexcept;
  void start(ProcessJob& job);
  void start_queued() noexcept;

  Runtime& runtime_;
  std::size_t width_;
  std::deque<ProcessJob*> queued_;
  std::vector<ProcessJob*> running_;  // reserved to width_: adding a started job cannot fail
};

}  // namespace asyncdemo::detail
