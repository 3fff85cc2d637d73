#include "scenarios/durations.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <string_view>

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
  struct Unit {
    Nanos ns;
    std::string_view suffix;
  };
  constexpr std::array<Unit, 3> kUnits{{{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}}};
  if (d_ns < 0) {
    return "-" + format_measured(-d_ns);
  }
  // Rounded to three significant digits first, so that 999.96us reads "1ms", not "1e+03us".
  constexpr Nanos kDigits = 1000;
  Nanos place = 1;
  while (d_ns / place >= kDigits) {
    place *= 10;
  }
  const Nanos rounded = (d_ns + place / 2) / place * place;
  for (const Unit& unit : kUnits) {
    if (rounded >= unit.ns) {
      // Past 100 a %g would switch to an exponent (1230s as "1.23e+03s").
      constexpr double kNoDecimalsFrom = 100;
      const double value = static_cast<double>(rounded) / static_cast<double>(unit.ns);
      return value >= kNoDecimalsFrom ? fmt::format("{:.0f}{}", value, unit.suffix)
                                      : fmt::format("{:.3g}{}", value, unit.suffix);
    }
  }
  return rounded == 0 ? "0s" : fmt::format("{}ns", rounded);
}

}  // namespace asyncdemo
