#pragma once
// ThreadStarts: how the moment a job starts on a pool thread reaches the loop as it
// happens. libuv tells the loop only when a job has finished (uv_after_work_cb), so a
// start learnt from there would reach the live log a whole job late, after events that
// came later. A pool thread posts its start here instead; a uv_async_t wakes the loop,
// which records it on the timeline at once, with the time the thread read.

#include <uv.h>

#include <cstdint>
#include <mutex>

#include "core/detail/uv_handle.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

/// One job's start, kept in the job itself: posting it allocates nothing, so a pool
/// thread never fails to post. The job outlives its post, which is recorded at the
/// latest just before the job's end is (ThreadStarts::record_posted).
struct ThreadStart {
  TaskId task = 0;
  std::uint64_t hrtime = 0;
  ThreadStart* next = nullptr;  // in ThreadStarts' list, guarded by its mutex
};

class ThreadStarts {
 public:
  /// Opens the async handle on the runtime's loop, unreferenced: it never keeps the loop
  /// running by itself (the jobs do). Throws UvError if libuv refuses.
  explicit ThreadStarts(Runtime& runtime);

  /// Any thread: a job started; `start` holds its task and the uv_hrtime() it read.
  void post(ThreadStart& start) noexcept;
  /// Loop thread: records the starts posted so far, in the order they were posted, up to
  /// the first one later than `until_hrtime`. Called with a job's finish before its end is
  /// recorded, so that the starts before it, its own included (maybe still on their way),
  /// come first, and the starts after it stay behind it. Posts are queued under the lock
  /// after reading the time, so a start posted before the job's own read an earlier time.
  void record_posted(std::uint64_t until_hrtime = UINT64_MAX);
  /// Loop thread, once no job can post any more (every job has completed): starts closing
  /// the handle; the loop must run once more to free it.
  void close() noexcept;

 private:
  static void on_async(uv_async_t* async) noexcept;

  Runtime& runtime_;
  UvHandle<uv_async_t> async_;
  // The handle as pool threads use it: UvHandle::get() reads the handle's flags, which
  // only the loop thread may.
  uv_async_t* async_for_threads_ = nullptr;
  std::mutex mutex_;
  ThreadStart* first_ = nullptr;  // guarded by mutex_, oldest first
  ThreadStart* last_ = nullptr;   // guarded by mutex_
};

}  // namespace asyncdemo::detail
