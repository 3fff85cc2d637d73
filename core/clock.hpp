#pragma once
// Time as the runtime sees it: nanoseconds since the run started, on either the
// real clock (uv_hrtime) or the virtual one (--virtual-time).

#include <chrono>
#include <cstdint>

namespace asyncdemo {

using Duration = std::chrono::nanoseconds;

/// Nanoseconds since the start of the current run. Signed so that differences
/// between two instants never wrap.
using Nanos = std::int64_t;

/// Which clock a run uses. Real time is libuv's monotonic clock; virtual time
/// jumps to the next deadline whenever nothing can run, so a run takes no real
/// time and its timeline is byte-for-byte reproducible.
enum class ClockKind : std::uint8_t { real, virtual_time };

constexpr Nanos to_nanos(Duration d) { return d.count(); }

}  // namespace asyncdemo
