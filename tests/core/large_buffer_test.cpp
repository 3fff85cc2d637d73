// LargeBufferAllocator (core/detail/large_buffer.hpp): buffers of any size
// hold what is written to them, across the size where they start being
// mapped on their own, and through a vector's growth.
#include "core/detail/large_buffer.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

using asyncdemo::detail::LargeBufferAllocator;

TEST_CASE("large buffers keep their contents through a vector's growth, small and large") {
  std::vector<std::uint64_t, LargeBufferAllocator<std::uint64_t>> values;
  // From a few bytes to 16 MB: every reallocation copies into a buffer of the
  // next size, the large ones mapped, and frees the last one.
  constexpr std::uint64_t kCount = 2'000'000;
  for (std::uint64_t i = 0; i < kCount; ++i) {
    // NOLINTNEXTLINE(performance-inefficient-vector-operation): the growth is what is tested
    values.push_back(i * 7);
  }
  std::uint64_t mismatches = 0;
  for (std::uint64_t i = 0; i < kCount; ++i) {
    mismatches += values[i] == i * 7 ? 0 : 1;
  }
  CHECK(mismatches == 0);
  values.resize(10);
  values.shrink_to_fit();  // back to a small buffer, the large one freed
  CHECK(values.back() == 63);
}

TEST_CASE("large buffer allocator refuses a size that overflows, as operator new[] does") {
  LargeBufferAllocator<std::uint64_t> allocator;
  CHECK_THROWS_AS(static_cast<void>(allocator.allocate(SIZE_MAX / 4)), std::bad_array_new_length);
}
