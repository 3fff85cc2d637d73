#include "core/detail/uv_work_job.hpp"

#include "core/detail/loop_guard.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

void UvWorkJob::submit(Runtime& runtime) {
  runtime_ = &runtime;
  if (thread_events_ == ThreadEvents::record) {
    thread_starts_ = &runtime.thread_starts();  // opened here, on the loop thread
  }
  request_.data = this;
  check_uv("uv_queue_work", uv_queue_work(runtime.loop(), &request_, on_work, on_after_work));
  runtime.begin_real_work();
}

void UvWorkJob::try_remove() noexcept {
  // 0: removed before a thread took it; the completion callback still fires,
  // with UV_ECANCELED. UV_EBUSY: already running; it will finish unobserved.
  // Either way the completion callback frees the job, so neither is an error.
  const int rc = uv_cancel(reinterpret_cast<uv_req_t*>(&request_));
  static_cast<void>(rc);
}

void UvWorkJob::on_work(uv_work_t* request) noexcept {
  // On a pool thread, where guarded() cannot help (it stops the loop, a loop-thread call):
  // nothing here throws, execute() included.
  auto* job = static_cast<UvWorkJob*>(request->data);
  job->runtime_->thread_work_started();
  job->start_.hrtime = uv_hrtime();
  if (job->thread_starts_ != nullptr) {
    job->thread_starts_->post(job->start_);  // shown as it happens, not only at the end
  }
  job->execute();
  job->finished_hrtime_ = uv_hrtime();
  job->runtime_->thread_work_finished();
}

void UvWorkJob::on_after_work(uv_work_t* request, int status) noexcept {
  auto* job = static_cast<UvWorkJob*>(request->data);
  Runtime& runtime = *job->runtime_;
  runtime.end_real_work();
  if (job->thread_events_ == ThreadEvents::record) {
    // The timeline's record can throw (its event sink, memory): kept as the run's failure.
    // The job completes either way, so its awaiter is woken and the job freed.
    detail::guarded(runtime.loop(), [&] { job->record_thread_events(runtime, status); });
  }
  job->complete();
}

void UvWorkJob::record_thread_events(Runtime& runtime, int status) const {
  if (status == UV_ECANCELED) {
    runtime.record_at(runtime.now(), task_, EventKind::thread_dropped, WaitKind::thread);
    return;
  }
  // The start was posted as it happened; if it has not been recorded yet (its wake-up and
  // this completion came in the same iteration), it is now, before the end, with the other
  // starts that came before that end.
  thread_starts_->record_posted(finished_hrtime_);
  runtime.record_at(runtime.from_hrtime(finished_hrtime_), task_, EventKind::thread_finished,
                    WaitKind::thread);
}

}  // namespace asyncdemo::detail
