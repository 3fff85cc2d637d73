#pragma once
// SimulatedPool: on the virtual clock, blocking work of known length (a
// thread_sleep) occupies a simulated pool with as many threads as libuv's
// real one (Runtime::thread_pool_size(), decided in core/thread_pool.hpp:
// asyncio's default executor size, or UV_THREADPOOL_SIZE). Jobs queue FIFO
// and start as threads free up, exactly as on libuv's pool, so "10 one-second
// sleeps on 4 threads take 3 s" holds in virtual time too — instantly and
// reproducibly.

#include <cstddef>
#include <deque>
#include <vector>

#include "core/clock.hpp"
#include "core/detail/offload.hpp"
#include "core/detail/timer_queue.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

class SimulatedPool;

class SimulatedJob final : public OffloadJob, private TimerTarget {
 public:
  SimulatedJob(OffloadAwaiter* awaiter, TaskId task, Duration length, SimulatedPool& pool) noexcept
      : OffloadJob(awaiter, task), length_(length), pool_(pool) {}
  SimulatedJob(const SimulatedJob&) = delete;
  SimulatedJob& operator=(const SimulatedJob&) = delete;
  SimulatedJob(SimulatedJob&&) = delete;
  SimulatedJob& operator=(SimulatedJob&&) = delete;
  ~SimulatedJob() override = default;

 private:
  friend class SimulatedPool;
  void try_remove() noexcept override;
  void on_timer() noexcept override;

  Duration length_;
  SimulatedPool& pool_;
  bool running_ = false;
};

class SimulatedPool {
 public:
  /// `threads` jobs at once; their starts and ends are recorded as work of kind `where`
  /// (WaitKind::thread for the pool's threads).
  SimulatedPool(Runtime& runtime, std::size_t threads, WaitKind where = WaitKind::thread)
      : runtime_(runtime), threads_(threads), where_(where) {}
  SimulatedPool(const SimulatedPool&) = delete;
  SimulatedPool& operator=(const SimulatedPool&) = delete;
  SimulatedPool(SimulatedPool&&) = delete;
  SimulatedPool& operator=(SimulatedPool&&) = delete;
  /// Frees jobs left behind when a run is torn down early.
  ~SimulatedPool();

  /// Takes ownership of `job` until it completes; starts it if a thread is free.
  void submit(SimulatedJob* job);
  [[nodiscard]] std::size_t threads() const noexcept { return threads_; }
  [[nodiscard]] WaitKind where() const noexcept { return where_; }

 private:
  friend class SimulatedJob;
  void start(SimulatedJob& job);
  void finished(SimulatedJob& job) noexcept;
  void withdraw(SimulatedJob& job) noexcept;

  Runtime& runtime_;
  std::size_t threads_;
  WaitKind where_;
  std::deque<SimulatedJob*> queued_;
  std::vector<SimulatedJob*> running_;
};

}  // namespace asyncdemo::detail
