#pragma once
// UvWorkJob: an OffloadJob run on libuv's thread pool (uv_queue_work).

#include <uv.h>

#include <cstdint>

#include "core/detail/offload.hpp"
#include "core/detail/thread_starts.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

class UvWorkJob : public OffloadJob {
 public:
  /// Queues the job. On failure throws UvError; the job was never queued and
  /// the caller still owns it. On success libuv owns it until completion.
  void submit(Runtime& runtime);

 protected:
  /// Whether the timeline gets the moments the work started and finished on its
  /// thread (thread_started, thread_finished, thread_dropped), shown as thread work.
  enum class ThreadEvents : bool { omit, record };
  UvWorkJob(OffloadAwaiter* awaiter, TaskId task,
            ThreadEvents thread_events = ThreadEvents::record) noexcept
      : OffloadJob(awaiter, task), thread_events_(thread_events) {
    start_.task = task;
  }
  /// Runs on a pool thread. Must not touch the loop or the timeline.
  virtual void execute() noexcept = 0;

 private:
  void try_remove() noexcept override;
  static void on_work(uv_work_t* request) noexcept;
  static void on_after_work(uv_work_t* request, int status) noexcept;
  void record_thread_events(Runtime& runtime, int status) const;

  uv_work_t request_{};
  Runtime* runtime_ = nullptr;
  ThreadStarts* thread_starts_ = nullptr;  // with ThreadEvents::record: where on_work posts
  ThreadEvents thread_events_;
  // Written on the pool thread. The start is read on the loop thread once posted (the
  // post's lock orders the two), the finish after completion (libuv's queue lock does).
  ThreadStart start_;
  std::uint64_t finished_hrtime_ = 0;
};

}  // namespace asyncdemo::detail
