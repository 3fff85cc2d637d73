// The page worker (core/detail/page_work.hpp): memory faulted in and unmapped
// by a helper thread, in the order asked. Residency is read with mincore(2).
// In the "threads" suite, so that ThreadSanitizer runs it too.
#include "core/detail/page_work.hpp"

#include <doctest/doctest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

using asyncdemo::detail::AheadOfWrites;
using asyncdemo::detail::finish_page_work;
using asyncdemo::detail::populate_pages_soon;
using asyncdemo::detail::unmap_pages_soon;

namespace {

const std::size_t page_size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));

std::byte* map_fresh(std::size_t pages) {
  void* mapped =
      mmap(nullptr, pages * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mapped != MAP_FAILED);
  return static_cast<std::byte*>(mapped);
}

// Which of the pages are in memory; empty if the range is not mapped.
std::vector<bool> resident(std::byte* begin, std::size_t pages) {
  std::vector<unsigned char> flags(pages);
  if (mincore(begin, pages * page_size, flags.data()) != 0) {
    REQUIRE(errno == ENOMEM);  // the only failure expected: not mapped
    return {};
  }
  std::vector<bool> in_memory;
  in_memory.reserve(pages);
  for (const unsigned char flag : flags) {
    in_memory.push_back((flag & 1U) != 0);
  }
  return in_memory;
}

// Written into a range before it is handed over to be unmapped.
constexpr std::uint64_t kMarker = 0x6173796e6364656dU;

std::byte* map_marked(std::size_t pages) {
  std::byte* range = map_fresh(pages);
  std::memcpy(range, &kMarker, sizeof kMarker);
  return range;
}

// Whether the marked range is still mapped as it was. Its addresses may have
// been reused once it was unmapped (thread stacks are mapped and unmapped
// all the time): a mapping there without the marker is someone else's. It
// is read through a pipe, so that an unreadable page there (a stack's guard
// page) is EFAULT rather than a crash.
bool still_mapped(const std::byte* range) {
  std::array<int, 2> pipe_ends{};
  REQUIRE(pipe(pipe_ends.data()) == 0);
  std::uint64_t first = 0;
  const bool readable = write(pipe_ends[1], range, sizeof first) == sizeof first;
  if (readable) {
    REQUIRE(read(pipe_ends[0], &first, sizeof first) == sizeof first);
  }
  close(pipe_ends[0]);
  close(pipe_ends[1]);
  return readable && first == kMarker;
}

// MADV_POPULATE_WRITE came with Linux 5.14; before, populating is no-op advice.
bool kernel_can_populate() {
  std::byte* page = map_fresh(1);
  const bool can = madvise(page, page_size, MADV_POPULATE_WRITE) == 0;
  REQUIRE(munmap(page, page_size) == 0);
  return can;
}

}  // namespace

TEST_SUITE("threads") {
  TEST_CASE("page worker: the whole pages inside a range are faulted in, not those it cuts") {
    if (!kernel_can_populate()) {
      MESSAGE("skipped: this kernel has no MADV_POPULATE_WRITE");
      return;
    }
    constexpr std::size_t kPages = 64;
    std::byte* memory = map_fresh(kPages);
    REQUIRE(resident(memory, kPages) == std::vector<bool>(kPages, false));
    // From the middle of page 0 to the middle of the last page: pages 1 ... 62.
    populate_pages_soon(memory + page_size / 2, memory + (kPages - 1) * page_size + page_size / 2);
    finish_page_work();
    std::vector<bool> expected(kPages, true);
    expected.front() = false;
    expected.back() = false;
    CHECK(resident(memory, kPages) == expected);
    REQUIRE(munmap(memory, kPages * page_size) == 0);
  }

  TEST_CASE("page worker: a range is unmapped, after the populating asked before it") {
    constexpr std::size_t kPages = 32;
    std::byte* memory = map_marked(kPages);
    populate_pages_soon(memory, memory + kPages * page_size);
    unmap_pages_soon(memory, kPages * page_size);
    finish_page_work();
    CHECK_FALSE(still_mapped(memory));
  }

  TEST_CASE("page worker: requests from many threads are all done") {
    constexpr std::size_t kPages = 16;
    constexpr int kThreads = 4;
    std::vector<std::byte*> ranges;
    ranges.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
      ranges.push_back(map_marked(kPages));
    }
    {
      std::vector<std::jthread> threads;
      threads.reserve(ranges.size());
      for (std::byte* range : ranges) {
        threads.emplace_back([range] { unmap_pages_soon(range, kPages * page_size); });
      }
    }
    finish_page_work();
    for (std::byte* range : ranges) {
      CHECK_FALSE(still_mapped(range));
    }
  }

  TEST_CASE("ahead of writes: entering a 2 MiB stretch has the next one faulted in") {
    if (!kernel_can_populate()) {
      MESSAGE("skipped: this kernel has no MADV_POPULATE_WRITE");
      return;
    }
    constexpr std::size_t kStretch = std::size_t{2} << 20;
    constexpr std::size_t kPerStretch = kStretch / sizeof(std::uint64_t);
    std::vector<std::uint64_t> items;
    items.reserve(4 * kPerStretch);
    AheadOfWrites ahead;
    for (std::size_t i = 0; i <= kPerStretch; ++i) {  // up to the first element of stretch 1
      ahead.before_writing(items, i);
      items.push_back(i);
    }
    finish_page_work();
    // Stretch 2 (bytes 4 MiB .. 6 MiB) was asked for, though nothing was written there.
    auto* const data = reinterpret_cast<std::byte*>(items.data());
    const auto misalignment = reinterpret_cast<std::uintptr_t>(data) % page_size;
    std::byte* const first_page =
        data + 2 * kStretch + (misalignment == 0 ? 0 : page_size - misalignment);
    const std::size_t pages = kStretch / page_size - 1;  // the whole pages inside the stretch
    CHECK(resident(first_page, pages) == std::vector<bool>(pages, true));
  }
}
