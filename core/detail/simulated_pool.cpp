#include "core/detail/simulated_pool.hpp"

#include <algorithm>

#include "core/runtime.hpp"

namespace asyncdemo::detail {

void SimulatedJob::try_remove() noexcept { pool_.withdraw(*this); }

void SimulatedJob::on_timer() noexcept { pool_.finished(*this); }

SimulatedPool::~SimulatedPool() {
  for (SimulatedJob* job : running_) {
    runtime_.remove_timer(*job);
    delete job;
  }
  for (SimulatedJob* job : queued_) {
    delete job;
  }
}

void SimulatedPool::submit(SimulatedJob* job) {
  if (running_.size() < threads_) {
    start(*job);
  } else {
    queued_.push_back(job);
  }
}

void SimulatedPool::start(SimulatedJob& job) {
  job.running_ = true;
  running_.push_back(&job);
  const Nanos now = runtime_.now();
  runtime_.record_at(now, job.task_, EventKind::thread_started, where_);
  runtime_.add_timer(job, now + to_nanos(job.length_));
}

void SimulatedPool::finished(SimulatedJob& job) noexcept {
  running_.erase(std::ranges::find(running_, &job));
  runtime_.record_at(runtime_.now(), job.task_, EventKind::thread_finished, where_);
  job.complete();  // hands the job to its awaiter, or frees it
  if (!queued_.empty()) {
    SimulatedJob* next = queued_.front();
    queued_.pop_front();
    start(*next);
  }
}

void SimulatedPool::withdraw(SimulatedJob& job) noexcept {
  if (job.running_) {
    return;  // a thread is on it: it runs to the end, unobserved
  }
  queued_.erase(std::ranges::find(queued_, &job));
  runtime_.record_at(runtime_.now(), job.task_, EventKind::thread_dropped, where_);
  delete &job;
}

}  // namespace asyncdemo::detail
