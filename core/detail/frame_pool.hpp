#pragma once
// Memory for coroutine frames. A million tasks are a million frames of the
// same few sizes, made and freed in waves on one thread; malloc spends a
// header on each and never gives the middle of its heap back. The pool cuts
// frames from large aligned chunks by bumping a pointer and gives a chunk
// back to the system as soon as its last frame is freed, so a run's memory
// falls as its tasks end. Faulting chunks in ahead of use, and unmapping
// them, is done by the page worker beside the loop (page_work.hpp).
//
// Rules: a frame is freed on the thread that made it (the loop thread makes
// and destroys every task). A chunk stays mapped while any frame in it lives.
// Under AddressSanitizer or ThreadSanitizer the pool is off and every frame is
// an ordinary operator new, so that the sanitizers see each one.

#include <cstddef>

namespace asyncdemo::detail {

/// Memory for a coroutine frame of `size` bytes, aligned for any ordinary
/// type (__STDCPP_DEFAULT_NEW_ALIGNMENT__). Throws std::bad_alloc.
[[nodiscard]] void* allocate_frame(std::size_t size);
/// Frees what allocate_frame(size) returned, with the same size.
void free_frame(void* frame, std::size_t size) noexcept;

/// What the calling thread's pool holds, for tests and benchmarks.
struct FramePoolStats {
  bool pooled = false;          // false: frames come from operator new (sanitizer builds)
  std::size_t chunks = 0;       // chunks holding frames, and the spare
  std::size_t live_frames = 0;  // frames made and not yet freed
};
[[nodiscard]] FramePoolStats frame_pool_stats() noexcept;

/// The size of one chunk, and the largest frame cut from chunks (larger ones
/// go to operator new).
inline constexpr std::size_t kFrameChunkBytes = std::size_t{2} << 20;
inline constexpr std::size_t kMaxPooledFrameBytes = 4096;

}  // namespace asyncdemo::detail
