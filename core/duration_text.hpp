#pragma once
// Durations as people write them (2s, 150ms, 1.5s, 0): read and written back exactly. In core,
// not with the option helpers that use them most, because input files a runtime reads (the fake
// resolver's hosts file) spell their latencies the same way as the command line does.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace asyncdemo {

/// The longest duration anything accepts: ample for any demonstration, and
/// short enough that a slip of the finger (`2000s`) is caught, not waited out.
inline constexpr Duration kMaxDuration = std::chrono::hours(1);

/// A parsed value, or why the text was rejected (C++20 has no std::expected).
template <typename T>
struct Parsed {
  std::optional<T> value;
  /// When there is no value: what is wrong and the accepted form, e.g.
  /// `"abc" is not a duration; write it like 2s, 150ms or 1.5s`. It does not
  /// name an option; the option helpers prefix that.
  std::string error;

  explicit operator bool() const noexcept { return value.has_value(); }
};

/// Reads a duration: a non-negative decimal number and a unit (ns, us or µs,
/// ms, s, m, h), e.g. `2s`, `150ms`, `1.5s`, `250us`, `2m`; or `0` alone.
/// Rejects signs, exponents, spaces, a missing unit, values finer than 1ns and
/// values over kMaxDuration.
Parsed<Duration> parse_duration(std::string_view text);

/// The canonical short form, which parse_duration reads back exactly: the
/// largest unit that keeps the number at least 1 (`1s`, `150ms`, `1.5s`,
/// `250us`), whole minutes and hours as `2m` and `1h`, and zero as `0s`.
std::string format_duration(Duration duration);

}  // namespace asyncdemo
