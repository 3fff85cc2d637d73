#include "core/detail/populate.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace asyncdemo::detail {

void populate_pages(const void* from, const void* to) noexcept {
#ifdef MADV_POPULATE_WRITE
  constexpr std::uintptr_t kPage = 4096;
  const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(from) + kPage - 1) & ~(kPage - 1);
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(to) & ~(kPage - 1);
  if (end > begin) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): madvise takes the page-aligned address
    static_cast<void>(madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE));
  }
#else
  static_cast<void>(from);
  static_cast<void>(to);
#endif
}

}  // namespace asyncdemo::detail
