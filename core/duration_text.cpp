#include "core/duration_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <numeric>
#include <optional>
#include <system_error>
#include <utility>

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

struct Unit {
  std::string_view suffix;
  std::int64_t ns;
};

// A unit is matched against everything after the number, so order does not
// matter ("ms" never reads as "m"). "m" is minutes, as in Go's time.ParseDuration.
constexpr std::array<Unit, 7> kUnits{{{"ns", 1},
                                      {"us", 1'000},
                                      {"µs", 1'000},
                                      {"ms", 1'000'000},
                                      {"s", 1'000'000'000},
                                      {"m", 60'000'000'000},
                                      {"h", 3'600'000'000'000}}};

constexpr std::string_view kDurationForm = "write it like 2s, 150ms or 1.5s";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Non-ASCII bytes count as letters so that "µs" and other UTF-8 units read as
// a (possibly unknown) unit, not as garbage.
bool is_unit_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}

std::size_t count_digits(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  return end - from;
}

// "12.5ms" split into its parts; `valid` is false when the number is malformed.
struct Pieces {
  std::string_view whole;
  std::string_view fraction;
  std::string_view unit;
  bool valid = false;
};

Pieces split_duration(std::string_view text) {
  Pieces pieces;
  pieces.whole = text.substr(0, count_digits(text, 0));
  std::size_t at = pieces.whole.size();
  if (at < text.size() && text[at] == '.') {
    pieces.fraction = text.substr(at + 1, count_digits(text, at + 1));
    if (pieces.fraction.empty()) {
      return pieces;  // "1.s"
    }
    at += 1 + pieces.fraction.size();
  }
  pieces.unit = text.substr(at);
  pieces.valid = !pieces.whole.empty();
  return pieces;
}

const Unit* find_unit(std::string_view suffix) {
  const auto* unit = std::ranges::find(kUnits, suffix, &Unit::suffix);
  return unit == kUnits.end() ? nullptr : unit;
}

Parsed<Duration> rejected(std::string error) { return {std::nullopt, std::move(error)}; }

Parsed<Duration> not_a_duration(std::string_view text) {
  return rejected(fmt::format("\"{}\" is not a duration; {}", text, kDurationForm));
}

Parsed<Duration> too_long(std::string_view text) {
  return rejected(
      fmt::format("\"{}\" is too long; the limit is {}", text, format_duration(kMaxDuration)));
}

// The fraction's digits, exactly, or nullopt when they are not a whole number
// of nanoseconds. With trailing zeros dropped the digits are F / 10^k of a
// unit, whole only if 10^k divides unit_ns * F. Dividing both by their gcd
// keeps it in 64 bits (the result is below unit_ns), so 0.1s is exactly 100ms
// and 0.00000000005m is exactly 3ns.
std::optional<std::int64_t> fraction_ns(std::string_view digits, std::int64_t unit_ns) {
  while (!digits.empty() && digits.back() == '0') {
    digits.remove_suffix(1);
  }
  // No unit up to an hour (3.6e12 ns = 2^13 * 3^2 * 5^11) can absorb more than
  // 13 significant decimals: F would need more than 13 factors of 2 or of 5.
  constexpr std::size_t kMaxSignificantDigits = 13;
  if (digits.size() > kMaxSignificantDigits) {
    return std::nullopt;
  }
  std::int64_t numerator = 0;
  std::int64_t denominator = 1;
  for (const char c : digits) {
    numerator = numerator * 10 + (c - '0');
    denominator *= 10;
  }
  const std::int64_t common = std::gcd(unit_ns, denominator);
  const std::int64_t needed = denominator / common;  // what must divide the numerator
  if (numerator % needed != 0) {
    return std::nullopt;
  }
  return (unit_ns / common) * (numerator / needed);
}

Parsed<Duration> to_duration(std::string_view text, const Pieces& pieces, const Unit& unit) {
  std::uint64_t whole = 0;
  const auto [end, error] =
      std::from_chars(pieces.whole.data(), pieces.whole.data() + pieces.whole.size(), whole);
  const auto limit_ns = static_cast<std::uint64_t>(kMaxDuration.count());
  if (error != std::errc{} || whole > limit_ns / static_cast<std::uint64_t>(unit.ns)) {
    return too_long(text);
  }
  const auto fraction = fraction_ns(pieces.fraction, unit.ns);
  if (!fraction) {
    return rejected(fmt::format("\"{}\" is finer than a nanosecond", text));
  }
  const auto total = static_cast<std::int64_t>(whole) * unit.ns + *fraction;
  if (total > kMaxDuration.count()) {
    return too_long(text);
  }
  return {Duration(total), {}};
}

Parsed<Duration> parse_unsigned_duration(std::string_view text) {
  if (text == "0") {
    return {Duration::zero(), {}};
  }
  const Pieces pieces = split_duration(text);
  if (!pieces.valid || !std::ranges::all_of(pieces.unit, is_unit_char)) {
    return not_a_duration(text);
  }
  if (pieces.unit.empty()) {
    return rejected(fmt::format("\"{0}\" has no unit; write it like {0}s or {0}ms", text));
  }
  const Unit* unit = find_unit(pieces.unit);
  if (unit == nullptr) {
    return rejected(fmt::format(R"("{}" has an unknown unit "{}"; use ns, us, ms, s, m or h)", text,
                                pieces.unit));
  }
  return to_duration(text, pieces, *unit);
}

// The magnitude of d in `unit`, exactly: whole part, then the fraction's
// digits without trailing zeros.
std::string format_in(std::uint64_t ns, std::uint64_t unit_ns, std::string_view suffix) {
  const std::uint64_t whole = ns / unit_ns;
  std::uint64_t remainder = ns % unit_ns;
  if (remainder == 0) {
    return fmt::format("{}{}", whole, suffix);
  }
  std::string fraction;
  for (std::uint64_t place = unit_ns / 10; place > 0 && remainder > 0; place /= 10) {
    fraction.push_back(static_cast<char>('0' + remainder / place));
    remainder %= place;
  }
  return fmt::format("{}.{}{}", whole, fraction, suffix);
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view text) {
  if (!text.starts_with('-')) {
    return parse_unsigned_duration(text);
  }
  if (parse_unsigned_duration(text.substr(1))) {
    return rejected(fmt::format("\"{}\" is negative; a duration is 0 or more", text));
  }
  return not_a_duration(text);
}

std::string format_duration(Duration duration) {
  if (duration < Duration::zero()) {
    // Not produced by parse_duration; kept total so a report never throws.
    return "-" + format_duration(Duration(0) - duration);
  }
  const auto ns = static_cast<std::uint64_t>(duration.count());
  if (ns == 0) {
    return "0s";
  }
  for (const auto& [whole_unit, suffix] : {std::pair{Duration(1h), "h"}, {Duration(1min), "m"}}) {
    if (duration % whole_unit == Duration::zero()) {
      return fmt::format("{}{}", duration / whole_unit, suffix);
    }
  }
  for (const auto& [unit_ns, suffix] :
       {std::pair{1'000'000'000ULL, "s"}, {1'000'000ULL, "ms"}, {1'000ULL, "us"}}) {
    if (ns >= unit_ns) {
      return format_in(ns, unit_ns, suffix);
    }
  }
  return format_in(ns, 1, "ns");
}

}  // namespace asyncdemo
