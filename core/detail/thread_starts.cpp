#include "core/detail/thread_starts.hpp"

#include "core/detail/loop_guard.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

ThreadStarts::ThreadStarts(Runtime& runtime)
    : runtime_(runtime),
      async_(
          runtime.loop(),
          [](uv_loop_t* loop, uv_async_t* async) { return uv_async_init(loop, async, on_async); },
          "uv_async_init"),
      async_for_threads_(async_.get()) {
  async_for_threads_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(async_for_threads_));
}

void ThreadStarts::post(ThreadStart& start) noexcept {
  {
    const std::lock_guard lock(mutex_);
    start.next = nullptr;
    (last_ != nullptr ? last_->next : first_) = &start;
    last_ = &start;
  }
  // Fails only for a handle that is not an async one. Sends close together may wake the
  // loop once, which then records them all.
  static_cast<void>(uv_async_send(async_for_threads_));
}

void ThreadStarts::record_posted(std::uint64_t until_hrtime) {
  ThreadStart* due = nullptr;  // a list cut off the front: first to the one before `rest`
  ThreadStart* rest = nullptr;
  {
    const std::lock_guard lock(mutex_);
    due = first_;
    rest = first_;
    ThreadStart* last_due = nullptr;
    while (rest != nullptr && rest->hrtime <= until_hrtime) {
      last_due = rest;
      rest = rest->next;
    }
    if (last_due == nullptr) {
      return;
    }
    first_ = rest;
    if (rest == nullptr) {
      last_ = nullptr;
    }
  }
  for (ThreadStart* start = due; start != rest; start = start->next) {
    runtime_.record_at(runtime_.from_hrtime(start->hrtime), start->task, EventKind::thread_started,
                       WaitKind::thread);
  }
}

void ThreadStarts::close() noexcept { async_.close(); }

void ThreadStarts::on_async(uv_async_t* async) noexcept {
  auto* starts = static_cast<ThreadStarts*>(async->data);
  guarded(async->loop, [starts] { starts->record_posted(); });
}

}  // namespace asyncdemo::detail
