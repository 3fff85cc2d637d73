#pragma once
// How a measured time is written, in every output: one function per form,
// each with one rule. (An option's value is spelled exactly by
// format_duration in scenarios/options.hpp, which parse_duration reads back.)
//
//   format_seconds(1.0)          "1s"      narration: the short forms people write
//   format_seconds(2.0041)       "2.004s"  (whole milliseconds short, else ms precision)
//   format_fixed_seconds(1.0)    "1.000s"  figures and log stamps, which line up in columns
//   format_measured(89'712)      "89.7us"  a measurement's three significant digits

#include <string>

#include "core/clock.hpp"

namespace asyncdemo {

/// Seconds in the short form a person writes: "1s", "150ms", "1.5s" when the
/// time is a whole number of milliseconds, else "2.004s" (to the millisecond).
[[nodiscard]] std::string format_seconds(double seconds);

/// Seconds to the millisecond, always three decimals: "1.001s", "0.000s".
[[nodiscard]] std::string format_fixed_seconds(double seconds);

/// A measured duration to three significant digits in the unit that reads
/// best, spelled as format_duration spells a duration: "1.23ms", "89.7us", "2.5s",
/// "140ns", "0s". Its later digits are noise.
[[nodiscard]] std::string format_measured(Nanos d_ns);

}  // namespace asyncdemo
