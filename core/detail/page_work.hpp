#pragma once
// Page work kept off the loop thread. A million tasks write a few hundred MB
// of fresh memory, and give most of it back, while the loop is at its
// busiest. In this VM a fresh 4 KiB page costs about 1.5 us to fault in, and
// a used one about 0.5 us to give back, whichever thread does it. So a
// helper thread, on the machine's other core, faults memory in just ahead of
// use and unmaps it after, while the loop thread runs tasks. Measured at
// gather --n 1000000: the spawn loop 0.14 -> 0.09 s, the wakes 20-30 ms
// shorter (frame chunks and the timeline's events).
//
// Populating is advice: memory not faulted in yet faults on first use, as
// it would anyway, so a request that comes late, or never, is never wrong.

#include <cstddef>
#include <vector>

namespace asyncdemo::detail {

/// Has the helper thread fault in the whole pages inside [from, to), and
/// returns at once. The caller may write the memory meanwhile. If the range
/// is unmapped before the helper gets to it, the request faults in nothing,
/// or pages of whatever is mapped there by then, whose contents it leaves
/// as they are.
void populate_pages_soon(const void* from, const void* to) noexcept;

/// Has the helper thread munmap [begin, begin + length), a mapping the
/// caller made and will not touch again, and returns at once; with no
/// helper thread running (nothing was ever asked to be populated), unmaps
/// it now. Requests are done in the order they were made, so memory asked
/// to be populated is populated before it is unmapped.
void unmap_pages_soon(void* begin, std::size_t length) noexcept;

/// Keeps the helper thread a 2 MiB stretch ahead of writes that fill a
/// vector's reserved capacity from the front (the timeline's events,
/// gather's results): each time the writes enter a stretch, it is asked to
/// fault in the next one. The first two stretches fault page by page, so a
/// small array asks for nothing, and so does one with no capacity ahead.
class AheadOfWrites {
 public:
  /// Call before writing element `index` of `items`.
  template <class T>
  void before_writing(const std::vector<T>& items, std::size_t index) noexcept {
    if (index * sizeof(T) >= next_stretch_) {
      enter_stretch(items.data(), index * sizeof(T), items.capacity() * sizeof(T));
    }
  }

 private:
  void enter_stretch(const void* data, std::size_t at, std::size_t capacity) noexcept;
  std::size_t next_stretch_ = 0;  // the byte offset where the next stretch begins
};

/// Waits until the helper thread has done every request made before the
/// call. For tests: the product never needs to wait for it.
void finish_page_work() noexcept;

}  // namespace asyncdemo::detail
