#include "core/detail/page_work.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace asyncdemo::detail {

namespace {

// The system's page size: 4 KiB on x86-64, up to 64 KiB on other kernels,
// where madvise refuses ranges cut at 4 KiB.
std::uintptr_t page_size() noexcept {
  static const std::uintptr_t size = [] {
    const long reported = sysconf(_SC_PAGESIZE);
    return reported > 0 ? static_cast<std::uintptr_t>(reported) : std::uintptr_t{4096};
  }();
  return size;
}

// MADV_POPULATE_WRITE holds the process's mmap lock for the whole range, and
// the loop thread's own mmap, munmap and brk wait for it. Asked for in
// pieces of 16 pages, the lock is never held for more than ~25 us at a time
// (2 MiB at once measured ~20 ms of such waits at gather --n 1000000).
constexpr std::uintptr_t kPagesPerPopulatePiece = 16;

// A munmap that fails (the kernel's limit on mappings, when unmapping splits
// one) leaves memory mapped that nothing uses any more: the process holds a
// little more than it needs, and nothing else depends on it being gone.
void unmap_now(void* begin, std::size_t length) noexcept {
  static_cast<void>(munmap(begin, length));
}

// Faults in [begin, end), both page-aligned. Advice only: where the kernel
// lacks MADV_POPULATE_WRITE (before Linux 5.14) or cannot do it now
// (ENOMEM), the pages fault on first use instead.
void populate_now(std::uintptr_t begin, std::uintptr_t end) noexcept {
#ifdef MADV_POPULATE_WRITE
  // NOLINTNEXTLINE(performance-no-int-to-ptr): madvise takes the page-aligned address
  static_cast<void>(madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE));
#else
  static_cast<void>(begin);
  static_cast<void>(end);
#endif
}

struct Request {
  enum class Kind : std::uint8_t { populate, unmap };
  Kind kind;
  std::uintptr_t begin;
  std::uintptr_t end;

  void run() const noexcept {
    if (kind == Kind::unmap) {
      // NOLINTNEXTLINE(performance-no-int-to-ptr): munmap takes the address
      unmap_now(reinterpret_cast<void*>(begin), end - begin);
      return;
    }
    const std::uintptr_t piece_bytes = kPagesPerPopulatePiece * page_size();
    for (std::uintptr_t piece = begin; piece < end; piece += piece_bytes) {
      populate_now(piece, std::min(end, piece + piece_bytes));
    }
  }
};

// The helper thread and its queue. Started by the first request to populate,
// so a small run never starts it; stopped when the program ends, with whatever is
// still queued left undone (the process's memory goes back with it).
class PageWorker {
 public:
  PageWorker() = default;
  PageWorker(const PageWorker&) = delete;
  PageWorker& operator=(const PageWorker&) = delete;
  PageWorker(PageWorker&&) = delete;
  PageWorker& operator=(PageWorker&&) = delete;
  ~PageWorker() {
    {
      const std::scoped_lock lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  void request(const Request& request) noexcept {
    try {
      {
        std::unique_lock lock(mutex_);
        if (!thread_.joinable()) {
          if (request.kind == Request::Kind::unmap) {
            // Nothing is queued before it, and a small run that only gives
            // back its one chunk, as it exits, is not worth a thread.
            lock.unlock();
            request.run();
            return;
          }
          thread_ = std::thread([this] { serve(); });
        }
        queue_.push_back(request);
        ++requested_;
      }
      work_.notify_one();
    } catch (const std::exception&) {
      // No thread (or no memory for the queue): do it here, as it was done
      // before there was a helper.
      request.run();
    }
  }

  void finish() noexcept {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = requested_;
    done_changed_.wait(lock, [&] { return done_ >= target || stopping_; });
  }

 private:
  void serve() noexcept {
    std::unique_lock lock(mutex_);
    while (true) {
      work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      const Request next = queue_.front();
      queue_.pop_front();
      lock.unlock();
      next.run();
      lock.lock();
      ++done_;
      done_changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_;          // a request came, or the program is ending
  std::condition_variable done_changed_;  // finish() waits on it
  std::deque<Request> queue_;
  std::uint64_t requested_ = 0;  // requests ever queued
  std::uint64_t done_ = 0;       // requests ever done by the thread
  bool stopping_ = false;
  std::thread thread_;  // last: started after everything it uses exists
};

PageWorker& page_worker() {
  static PageWorker worker;
  return worker;
}

Request whole_pages(Request::Kind kind, const void* from, const void* to) noexcept {
  const std::uintptr_t page = page_size();
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(from) + page - 1) & ~(page - 1);
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(to) & ~(page - 1);
  return Request{kind, begin, std::max(begin, end)};
}

}  // namespace

void populate_pages_soon(const void* from, const void* to) noexcept {
  const Request request = whole_pages(Request::Kind::populate, from, to);
  if (request.end > request.begin) {
    page_worker().request(request);
  }
}

void unmap_pages_soon(void* begin, std::size_t length) noexcept {
  const auto at = reinterpret_cast<std::uintptr_t>(begin);
  page_worker().request(Request{Request::Kind::unmap, at, at + length});
}

void AheadOfWrites::enter_stretch(const void* data, std::size_t at, std::size_t capacity) noexcept {
  constexpr std::size_t kStretch = std::size_t{2} << 20;
  const std::size_t stretch_end = std::min(capacity, (at / kStretch + 1) * kStretch);
  if (at >= kStretch) {
    const auto* bytes = static_cast<const std::byte*>(data);
    populate_pages_soon(bytes + stretch_end, bytes + std::min(capacity, stretch_end + kStretch));
  }
  next_stretch_ = stretch_end;
}

void finish_page_work() noexcept { page_worker().finish(); }

}  // namespace asyncdemo::detail
