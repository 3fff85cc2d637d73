#include "core/detail/large_buffer.hpp"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "core/detail/sanitizers.hpp"

namespace asyncdemo::detail {

namespace {

// Below this a buffer is an ordinary allocation: a mapping of its own, and
// huge pages, pay off only for buffers of many pages.
constexpr std::size_t kMappedFromBytes = std::size_t{4} << 20;
constexpr std::size_t kPageBytes = 4096;

bool mapped(std::size_t bytes) { return !kSanitized && bytes >= kMappedFromBytes; }

std::size_t whole_pages(std::size_t bytes) {
  return (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
}

}  // namespace

void* allocate_large_buffer(std::size_t bytes) {
  if (!mapped(bytes)) {
    return ::operator new(bytes);
  }
  void* buffer =
      mmap(nullptr, whole_pages(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buffer == MAP_FAILED) {
    throw std::bad_alloc();
  }
  // Advice only: where the kernel has no transparent huge pages to give, it
  // refuses and the buffer is made of ordinary pages.
  madvise(buffer, whole_pages(bytes), MADV_HUGEPAGE);
  return buffer;
}

void free_large_buffer(void* buffer, std::size_t bytes) noexcept {
  if (!mapped(bytes)) {
    ::operator delete(buffer, bytes);
    return;
  }
  if (munmap(buffer, whole_pages(bytes)) != 0) {
    std::fputs("asyncdemo: munmap of a large buffer failed\n", stderr);
    std::abort();
  }
}

}  // namespace asyncdemo::detail
