#include "scenarios/durations.hpp"

#include <fmt/format.h>

#include <cmath>

#include "scenarios/options.hpp"

namespace asyncdemo {

std::string format_seconds(double seconds) {
  const double rounded_ms = std::round(seconds * 1e3);
  if (std::abs(seconds * 1e3 - rounded_ms) < 1e-6) {
    if (rounded_ms != 0 && std::abs(rounded_ms) < 1000) {
      return fmt::format("{:g}ms", rounded_ms);
    }
    return fmt::format("{:g}s", rounded_ms / 1e3);
  }
  return fmt::format("{:.3f}s", seconds);
}

std::string format_fixed_seconds(double seconds) { return fmt::format("{:.3f}s", seconds); }

std::string format_measured(Nanos d_ns) {
  if (d_ns < 0) {
    return "-" + format_measured(-d_ns);
  }
  // Rounded to three significant digits, then spelled exactly as a duration is
  // (so 999.96us reads "1ms", and no number ever takes an exponent).
  constexpr Nanos kDigits = 1000;
  Nanos place = 1;
  while (d_ns / place >= kDigits) {
    place *= 10;
  }
  return format_duration(Duration((d_ns + place / 2) / place * place));
}

}  // namespace asyncdemo
