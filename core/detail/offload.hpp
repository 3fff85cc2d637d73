#pragma once
// Work handed off the loop thread — to libuv's thread pool, to its resolver,
// or to the virtual clock's simulated pool — and the awaiter waiting for it.
//
// The job and the awaiter have separate lifetimes on purpose. Cancelling the
// awaiter resumes it at once, but work that already runs on a thread cannot
// be stopped (uv_cancel only removes work not yet started: "the pretense of
// cancellation"), so the job outlives it, owned by libuv until its completion
// callback. If the awaiter is still there at completion, it takes the job
// over and reads the result from it.

#include <exception>
#include <memory>

#include "core/detail/waiter.hpp"

namespace asyncdemo::detail {

class OffloadAwaiter;

class OffloadJob {
 public:
  OffloadJob(const OffloadJob&) = delete;
  OffloadJob& operator=(const OffloadJob&) = delete;
  OffloadJob(OffloadJob&&) = delete;
  OffloadJob& operator=(OffloadJob&&) = delete;
  virtual ~OffloadJob() = default;

  /// The awaiter gives up on the job (cancelled, or its frame destroyed):
  /// the job is removed if it has not started, else it runs on unobserved.
  /// Either way its completion frees it.
  void withdraw() noexcept {
    awaiter_ = nullptr;
    try_remove();
  }

 protected:
  /// Removes the job if it has not started yet (uv_cancel); else does nothing.
  virtual void try_remove() noexcept = 0;
  OffloadJob(OffloadAwaiter* awaiter, TaskId task) noexcept : awaiter_(awaiter), task_(task) {}
  /// At completion: hands the job to its awaiter, or deletes it if nobody waits.
  void complete() noexcept;
  OffloadAwaiter* awaiter_;
  TaskId task_;
};

class OffloadAwaiter : protected Waiter {
 public:
  OffloadAwaiter(const OffloadAwaiter&) = delete;
  OffloadAwaiter& operator=(const OffloadAwaiter&) = delete;
  OffloadAwaiter(OffloadAwaiter&&) = delete;
  OffloadAwaiter& operator=(OffloadAwaiter&&) = delete;

 protected:
  OffloadAwaiter() = default;
  ~OffloadAwaiter();

  /// This awaiter as the jobs see it (a derived class inherits privately).
  OffloadAwaiter* self() noexcept { return this; }
  /// Starts waiting for `job` (already submitted). Call after begin_wait.
  void attach(OffloadJob* job) noexcept { in_flight_ = job; }
  /// Call after begin_wait: submits `job` and waits for it. If libuv refuses
  /// it, the task resumes at once and await_resume raises the error (see
  /// take_start_error), like any failure of the work itself.
  template <class Job>
  void start(std::unique_ptr<Job> job) {
    try {
      job->submit(runtime());
    } catch (...) {
      start_error_ = std::current_exception();
      wake();
      return;
    }
    attach(job.release());
  }
  /// Gives up on the job (as a cancel does) and wakes the task; for an
  /// awaiter's own deadline. No-op unless still waiting.
  void abandon() noexcept {
    if (pending()) {
      cancel();
    }
  }
  /// In await_resume, after take_cancel: rethrows a failure to start.
  void rethrow_start_error() const {
    if (start_error_) {
      std::rethrow_exception(start_error_);
    }
  }
  /// The finished job, owned by the awaiter; null if the await was cancelled
  /// or the job failed to start.
  [[nodiscard]] OffloadJob* finished_job() const noexcept { return finished_.get(); }

 private:
  friend class OffloadJob;
  bool cancel() noexcept override;
  void job_done(OffloadJob* job) noexcept;

  OffloadJob* in_flight_ = nullptr;
  std::unique_ptr<OffloadJob> finished_;
  std::exception_ptr start_error_;
};

}  // namespace asyncdemo::detail
