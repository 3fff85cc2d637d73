#include "core/detail/process_pool.hpp"

#include <algorithm>
#include <exception>

#include "core/detail/loop_guard.hpp"
#include "core/detail/process_job.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

ProcessPool::ProcessPool(Runtime& runtime, std::size_t width)
    : runtime_(runtime), width_(std::max<std::size_t>(width, 1)) {
  running_.reserve(width_);
}

ProcessPool::~ProcessPool() {
  for (ProcessJob* job : running_) {
    delete job;  // closes its handles; the child, no longer watched, is left to itself
  }
  for (ProcessJob* job : queued_) {
    delete job;
  }
}

void ProcessPool::submit(ProcessJob* job) {
  if (running_.size() < width_) {
    start(*job);
  } else {
    queued_.push_back(job);
  }
  runtime_.begin_real_work();  // the virtual clock waits for the child, queued or running
}

void ProcessPool::start(ProcessJob& job) {
  job.spawn(runtime_.loop());
  running_.push_back(&job);
  runtime_.process_started();
  // A failed record is kept as the run's failure; the child runs and is waited for anyway.
  guarded(runtime_.loop(), [this, &job] {
    runtime_.record_at(runtime_.now(), job.task_, EventKind::thread_started, WaitKind::process);
  });
}

void ProcessPool::finished(ProcessJob& job) noexcept {
  running_.erase(std::ranges::find(running_, &job));
  runtime_.end_real_work();
  start_queued();
}

void ProcessPool::start_queued() noexcept {
  while (running_.size() < width_ && !queued_.empty()) {
    ProcessJob* next = queued_.front();
    queued_.pop_front();
    try {
      start(*next);
    } catch (...) {
      // Its uv_spawn failed: the await raises that, as it would have had the job started
      // at once. The next in the queue takes the place.
      runtime_.end_real_work();
      next->fail_to_start(std::current_exception());
    }
  }
}

void ProcessPool::withdraw(ProcessJob& job) noexcept {
  if (job.running()) {
    return;  // a child cannot be un-started: it runs to its end, unobserved
  }
  const auto queued = std::ranges::find(queued_, &job);
  if (queued == queued_.end()) {
    return;
  }
  queued_.erase(queued);
  runtime_.end_real_work();
  guarded(runtime_.loop(), [this, &job] {
    runtime_.record_at(runtime_.now(), job.task_, EventKind::thread_dropped, WaitKind::process);
  });
  delete &job;
}

}  // namespace asyncdemo::detail
