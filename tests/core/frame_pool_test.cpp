// The frame pool (core/detail/frame_pool.hpp): aligned, non-overlapping
// frames without a header, and chunks given back as soon as they empty.
// Under the sanitizers the pool is off; the cases that count chunks say so.
#include "core/detail/frame_pool.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"

using asyncdemo::detail::allocate_frame;
using asyncdemo::detail::frame_pool_stats;
using asyncdemo::detail::free_frame;
using asyncdemo::detail::kFrameChunkBytes;
using asyncdemo::detail::kMaxPooledFrameBytes;

namespace {

struct Block {
  std::byte* at;
  std::size_t size;
};

std::vector<Block> allocate_blocks(std::size_t count) {
  std::vector<Block> blocks;
  blocks.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t size = 8 + (i * 40) % 600;  // frame-like sizes, many classes
    auto* at = static_cast<std::byte*>(allocate_frame(size));
    std::memset(at, static_cast<int>(i & 0xFF), size);  // every byte is usable
    blocks.push_back(Block{at, size});
  }
  return blocks;
}

void free_blocks(const std::vector<Block>& blocks) {
  for (const Block& block : blocks) {
    free_frame(block.at, block.size);
  }
}

}  // namespace

TEST_CASE("frame pool: frames are aligned, disjoint, and keep what is written to them") {
  const std::size_t chunks_before = frame_pool_stats().chunks;
  const std::vector<Block> blocks = allocate_blocks(20'000);  // several chunks' worth
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    CHECK(reinterpret_cast<std::uintptr_t>(blocks[i].at) % __STDCPP_DEFAULT_NEW_ALIGNMENT__ == 0);
    const auto fill = static_cast<std::byte>(i & 0xFF);
    CHECK(std::all_of(blocks[i].at, blocks[i].at + blocks[i].size,
                      [fill](std::byte b) { return b == fill; }));
  }
  std::vector<Block> sorted = blocks;
  std::ranges::sort(sorted, {}, &Block::at);
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    CHECK(sorted[i - 1].at + sorted[i - 1].size <= sorted[i].at);
  }
  if (frame_pool_stats().pooled) {
    CHECK(frame_pool_stats().live_frames >= blocks.size());
    CHECK(frame_pool_stats().chunks > chunks_before);
  }
  free_blocks(blocks);
}

TEST_CASE("frame pool: emptied chunks go back to the system, all but one spare") {
  if (!frame_pool_stats().pooled) {
    MESSAGE("frame pool off in this build (sanitizers): frames are plain operator new");
    return;
  }
  const auto before = frame_pool_stats();
  const std::size_t per_chunk = kFrameChunkBytes / 192;
  const std::vector<Block> blocks = [&] {
    std::vector<Block> made;
    made.reserve(5 * per_chunk);
    for (std::size_t i = 0; i < 5 * per_chunk; ++i) {
      made.push_back(Block{static_cast<std::byte*>(allocate_frame(184)), 184});
    }
    return made;
  }();
  // Five chunks' worth of frames fill at least five chunks; at most two of
  // them (the one being cut, the spare) were mapped before.
  CHECK(frame_pool_stats().chunks >= before.chunks + 3);
  CHECK(frame_pool_stats().live_frames == before.live_frames + blocks.size());
  free_blocks(blocks);
  CHECK(frame_pool_stats().live_frames == before.live_frames);
  // What is left: the chunks that held frames before, the one frames are cut
  // from, and one spare.
  CHECK(frame_pool_stats().chunks <= before.chunks + 2);
}

TEST_CASE("frame pool: a frame too large for a chunk comes from operator new") {
  const auto before = frame_pool_stats();
  void* big = allocate_frame(kMaxPooledFrameBytes + 1);
  CHECK(frame_pool_stats().live_frames == before.live_frames);
  std::memset(big, 1, kMaxPooledFrameBytes + 1);
  free_frame(big, kMaxPooledFrameBytes + 1);
}

TEST_CASE("frame pool: a run's task frames all come back when the run ends") {
  const std::size_t live_before = frame_pool_stats().live_frames;
  asyncdemo::Runtime runtime(
      asyncdemo::RuntimeOptions{.clock = asyncdemo::ClockKind::virtual_time});
  asyncdemo::run(runtime, []() -> asyncdemo::Task<void> {
    std::vector<asyncdemo::Task<int>> workers;
    workers.reserve(10'000);
    for (int i = 0; i < 10'000; ++i) {
      workers.push_back([](int id) -> asyncdemo::Task<int> {
        co_await asyncdemo::sleep(std::chrono::milliseconds(id % 7));
        co_return id;
      }(i));
    }
    const auto results = co_await asyncdemo::gather(std::move(workers));
    CHECK(results.size() == 10'000);
    CHECK(results[9'999].value() == 9'999);
  }());
  CHECK(frame_pool_stats().live_frames == live_before);
}
