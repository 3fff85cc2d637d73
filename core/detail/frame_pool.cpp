#include "core/detail/frame_pool.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <utility>

#include "core/detail/page_work.hpp"

namespace asyncdemo::detail {

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kPooled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif
#else
constexpr bool kPooled = true;
#endif

constexpr std::size_t kAlignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

constexpr std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

class FramePool;

// The start of every chunk. Chunks are aligned to their size, so a frame's
// chunk is its address with the low bits cleared: no per-frame header.
struct ChunkHeader {
  const FramePool* owner;
  std::size_t live;  // frames cut from this chunk and not yet freed
};
constexpr std::size_t kHeaderBytes = round_up(sizeof(ChunkHeader), kAlignment);

ChunkHeader* chunk_of(void* frame) noexcept {
  return reinterpret_cast<ChunkHeader*>(  // NOLINT(performance-no-int-to-ptr)
      reinterpret_cast<std::uintptr_t>(frame) & ~(std::uintptr_t{kFrameChunkBytes} - 1));
}

std::byte* chunk_begin(ChunkHeader* chunk) noexcept {
  return reinterpret_cast<std::byte*>(chunk) + kHeaderBytes;
}

std::byte* chunk_end(ChunkHeader* chunk) noexcept {
  return reinterpret_cast<std::byte*>(chunk) + kFrameChunkBytes;
}

[[noreturn]] void misuse(const char* what) noexcept {
  std::fputs(what, stderr);
  std::abort();
}

class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;
  FramePool(FramePool&&) = delete;
  FramePool& operator=(FramePool&&) = delete;
  // Chunks that still hold frames stay mapped: a frame outlived its thread,
  // and freeing it later is the misuse free() reports.
  ~FramePool() {
    if (spare_ != nullptr) {
      unmap(spare_);
    }
    if (current_ != nullptr && current_->live == 0) {
      unmap(current_);
    }
    if (region_end_ > region_next_) {
      unmap_pages_soon(region_next_, static_cast<std::size_t>(region_end_ - region_next_));
    }
  }

  void* allocate(std::size_t size) {
    const std::size_t bytes = round_up(size, kAlignment);
    if (current_ == nullptr || bytes > static_cast<std::size_t>(chunk_end(current_) - next_)) {
      start_chunk();
    }
    void* frame = next_;
    next_ += bytes;
    ++current_->live;
    ++live_;
    return frame;
  }

  void free(void* frame) noexcept {
    ChunkHeader* chunk = chunk_of(frame);
    if (chunk->owner != this) {
      misuse("asyncdemo: a coroutine frame was freed on a thread other than its own\n");
    }
    --live_;
    if (--chunk->live > 0) {
      return;
    }
    if (chunk == current_) {
      next_ = chunk_begin(chunk);  // empty: cut the next frames from its start again
    } else {
      retire(chunk);
    }
  }

  [[nodiscard]] FramePoolStats stats() const noexcept {
    return FramePoolStats{.pooled = true, .chunks = chunks_, .live_frames = live_};
  }

 private:
  void start_chunk() {
    ChunkHeader* next = spare_ != nullptr ? std::exchange(spare_, nullptr) : cut_chunk();
    if (current_ != nullptr && current_->live == 0) {
      retire(current_);
    }
    current_ = next;
    next_ = chunk_begin(next);
  }

  // One empty chunk is kept for the next wave of tasks; the rest go back to
  // the system, which is what lets a run's memory fall as its tasks end.
  void retire(ChunkHeader* chunk) noexcept {
    if (spare_ == nullptr) {
      spare_ = chunk;
    } else {
      unmap(chunk);
    }
  }

  ChunkHeader* cut_chunk() {
    if (region_next_ == region_end_) {
      reserve_region();
    }
    auto* chunk = reinterpret_cast<ChunkHeader*>(region_next_);  // a chunk starts with its header
    region_next_ += kFrameChunkBytes;
    // A run that has filled a chunk makes frames by the thousand and will
    // write every page of this chunk and the next: the page worker faults
    // them in beside the loop. The first chunk faults page by page, so a run
    // of three tasks does not hold 2 MiB.
    if (++chunks_cut_ > 1) {
      populate_pages_soon(chunk, std::min(region_next_ + kFrameChunkBytes, region_end_));
    }
    chunk->owner = this;
    chunk->live = 0;
    ++chunks_;
    return chunk;
  }

  // Chunks are cut from regions reserved by one mmap each, twice as large
  // each time (1, 2, 4 ... 64 chunks): the loop thread then rarely maps
  // anything, and a mmap would wait while the page worker holds the mmap
  // lock to fault a chunk in (a mmap per chunk measured ~30 ms of such
  // waits at a million frames).
  void reserve_region() {
    constexpr std::size_t kMaxRegionChunks = 64;
    const std::size_t chunks = region_chunks_;
    region_chunks_ = std::min(kMaxRegionChunks, 2 * region_chunks_);
    // One chunk more than needed, then the unaligned ends are cut off: mmap
    // only promises page alignment.
    const std::size_t bytes = (chunks + 1) * kFrameChunkBytes;
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      throw std::bad_alloc();
    }
    auto* const start = static_cast<std::byte*>(mapped);
    const auto address = reinterpret_cast<std::uintptr_t>(start);
    std::byte* const aligned = start + (round_up(address, kFrameChunkBytes) - address);
    std::byte* const end = aligned + chunks * kFrameChunkBytes;
    // Neither cut can fail on a range this call mapped; if one did, the
    // range would only stay reserved, untouched and unused.
    if (aligned > start) {
      munmap(start, static_cast<std::size_t>(aligned - start));
    }
    if (start + bytes > end) {
      munmap(end, static_cast<std::size_t>(start + bytes - end));
    }
    // No MADV_HUGEPAGE: measured on a 2-core VM, huge pages made a million
    // frames 0.15 s faster on a quiet machine but 0.2 s slower right after
    // another program had churned memory (fresh huge pages fault slowly in a
    // guest), and a demonstrator's timings must not swing with its neighbours.
    region_next_ = aligned;
    region_end_ = end;
  }

  void unmap(ChunkHeader* chunk) noexcept {
    --chunks_;
    unmap_pages_soon(chunk, kFrameChunkBytes);
  }

  ChunkHeader* current_ = nullptr;    // frames are cut from here
  std::byte* next_ = nullptr;         // the next free byte of current_
  ChunkHeader* spare_ = nullptr;      // empty, kept for reuse
  std::byte* region_next_ = nullptr;  // the reserved chunks not cut yet
  std::byte* region_end_ = nullptr;
  std::size_t region_chunks_ = 1;  // the size of the next region
  std::size_t chunks_ = 0;
  std::size_t chunks_cut_ = 0;  // ever, by this pool
  std::size_t live_ = 0;
};

FramePool& this_thread_pool() {
  thread_local FramePool pool;
  return pool;
}

}  // namespace

void* allocate_frame(std::size_t size) {
  if (!kPooled || size > kMaxPooledFrameBytes) {
    return ::operator new(size);
  }
  return this_thread_pool().allocate(size);
}

void free_frame(void* frame, std::size_t size) noexcept {
  if (!kPooled || size > kMaxPooledFrameBytes) {
    ::operator delete(frame, size);
    return;
  }
  this_thread_pool().free(frame);
}

FramePoolStats frame_pool_stats() noexcept {
  if (!kPooled) {
    return FramePoolStats{};
  }
  return this_thread_pool().stats();
}

}  // namespace asyncdemo::detail
