// Fuzz target: parse_duration and format_duration (core/duration_text.hpp).
// The input is the text after an option like --delay; its first 8 bytes also
// serve as a duration to format, so both directions get arbitrary values.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.hpp"
#include "scenarios/options.hpp"

namespace {

using asyncdemo::Duration;
using asyncdemo::format_duration;
using asyncdemo::kMaxDuration;
using asyncdemo::parse_duration;
using asyncdemo::fuzz::require;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The bytes of digits, the decimal point and the units ns, us, µs, ms, s, m, h
// (µ is C2 B5 in UTF-8): all an accepted duration may contain.
bool duration_byte(char c) {
  return is_digit(c) || c == '.' ||
         std::string_view("nsumh\xC2\xB5").find(c) != std::string_view::npos;
}

struct WrittenUnit {
  std::string_view suffix;
  long double ns;
};

// The units as DESIGN.md lists them; "" is the bare `0`.
constexpr std::array<WrittenUnit, 8> kWrittenUnits{{{"", 0},
                                                    {"ns", 1},
                                                    {"us", 1e3L},
                                                    {"\xC2\xB5s", 1e3L},
                                                    {"ms", 1e6L},
                                                    {"s", 1e9L},
                                                    {"m", 60e9L},
                                                    {"h", 3600e9L}}};

// The nanoseconds `text` stands for, worked out apart from options.cpp: its
// number read as a long double (exact to far below 1ns up to kMaxDuration)
// times its unit; NaN for a unit not in the list.
long double written_ns(const std::string& text) {
  const std::size_t unit_at = std::min(text.find_first_not_of("0123456789."), text.size());
  const long double number = std::strtold(text.substr(0, unit_at).c_str(), nullptr);
  const auto* unit = std::ranges::find(kWrittenUnits, std::string_view(text).substr(unit_at),
                                       &WrittenUnit::suffix);
  return unit == kWrittenUnits.end() ? std::numeric_limits<long double>::quiet_NaN()
                                     : number * unit->ns;
}

void check_accepted(const std::string& text, Duration value) {
  require(value >= Duration::zero() && value <= kMaxDuration,
          "an accepted duration lies in [0, kMaxDuration]", text);
  require(!text.empty() && is_digit(text.front()),
          "an accepted duration starts with a digit (no sign or space)", text);
  require(std::ranges::all_of(text, duration_byte),
          "an accepted duration holds only digits, '.' and unit letters", text);
  require(std::fabs(written_ns(text) - static_cast<long double>(value.count())) < 0.01L,
          "an accepted duration has exactly the value written", text);
  const auto canonical = parse_duration(format_duration(value));
  require(canonical.value == value, "format_duration of an accepted value parses back to it", text);
  const auto negative = parse_duration("-" + text);
  require(!negative && negative.error.find("negative") != std::string::npos,
          "an accepted duration with a minus sign is rejected as negative", text);
}

void check_rejected(const std::string& text, const std::string& error) {
  // The message quotes what the user wrote, so they can see which part was wrong.
  require(error.starts_with("\"" + text + "\""), "a rejection quotes the text it rejects", text);
}

// Any duration in range, formatted, reads back as itself; a negative one
// (which format_duration writes for reports) never reads back at all.
void check_round_trip(const std::string& input) {
  std::uint64_t raw = 0;
  std::memcpy(&raw, input.data(), std::min(input.size(), sizeof raw));
  const auto limit = static_cast<std::uint64_t>(kMaxDuration.count());
  const Duration value(static_cast<Duration::rep>(raw % (limit + 1)));
  const std::string text = format_duration(value);
  require(parse_duration(text).value == value, "format_duration's text parses back exactly", text);
  if (value > Duration::zero()) {
    const std::string minus = format_duration(-value);
    require(minus == "-" + text && !parse_duration(minus),
            "a negative duration formats with a sign and does not parse", minus);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = asyncdemo::fuzz::as_text(data, size);
  const auto parsed = parse_duration(text);
  require(parsed.value.has_value() == parsed.error.empty(),
          "a parse has either a value or an error, never both or neither", text);
  if (parsed.value) {
    check_accepted(text, *parsed.value);
  } else {
    check_rejected(text, parsed.error);
  }
  check_round_trip(text);
  return 0;
}
