#include "scenarios/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <numeric>
#include <optional>
#include <system_error>

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

// Splits on commas, keeping empty items ("2s,,1s" has three).
std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  std::size_t from = 0;
  for (std::size_t comma = text.find(','); comma != std::string_view::npos;
       comma = text.find(',', from)) {
    items.emplace_back(text.substr(from, comma - from));
    from = comma + 1;
  }
  items.emplace_back(text.substr(from));
  return items;
}

// "-n,--n" -> "--n": the name a message should use.
std::string option_label(const std::string& names) {
  const auto items = split_commas(names);
  const auto long_name =
      std::ranges::find_if(items, [](const std::string& item) { return item.starts_with("--"); });
  return long_name != items.end() ? *long_name : items.front();
}

std::string with_range(const std::string& description, const std::string& min,
                       const std::string& max) {
  const std::string range = fmt::format("{} to {}", min, max);
  return description.empty() ? range : fmt::format("{} ({})", description, range);
}

[[noreturn]] void out_of_range(const std::string& label, const std::string& min,
                               const std::string& max, std::string_view got) {
  throw CLI::ValidationError(
      fmt::format("{} must be between {} and {}; got {}", label, min, max, got));
}

struct DurationRange {
  std::string label;
  Duration min;
  Duration max;
};

// `item` is the 1-based position in a list, or 0 for a single duration.
Duration checked_duration(const DurationRange& range, std::string_view text, std::size_t item = 0) {
  const std::string where = item == 0 ? "" : fmt::format("item {}", item);
  const auto [value, error] = parse_duration(text);
  if (!value.has_value()) {
    throw CLI::ValidationError(
        fmt::format("{}: {}{}", range.label, item == 0 ? "" : where + ": ", error));
  }
  if (*value < range.min || *value > range.max) {
    out_of_range(range.label, format_duration(range.min), format_duration(range.max),
                 item == 0 ? std::string(text) : fmt::format("{} ({})", text, where));
  }
  return *value;
}

std::vector<Duration> checked_durations(const DurationRange& range, const std::string& text) {
  const auto items = split_commas(text);
  if (std::ranges::any_of(items, &std::string::empty)) {
    throw CLI::ValidationError(fmt::format(
        "{}: \"{}\" has an empty item; write the list like 2s,1s,3s", range.label, text));
  }
  std::vector<Duration> durations;
  durations.reserve(items.size());
  for (const auto& item : items) {
    durations.push_back(checked_duration(range, item, durations.size() + 1));
  }
  return durations;
}

bool is_integer(std::string_view text) {
  const std::size_t sign = text.starts_with('-') ? 1 : 0;
  return text.size() > sign && count_digits(text, sign) == text.size() - sign;
}

std::size_t checked_count(const std::string& label, std::string_view text, std::size_t min,
                          std::size_t max) {
  if (!is_integer(text)) {
    throw CLI::ValidationError(fmt::format(
        "{}: \"{}\" is not a whole number; write one from {} to {}", label, text, min, max));
  }
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.starts_with('-') || error != std::errc{} || value < min || value > max) {
    out_of_range(label, std::to_string(min), std::to_string(max), text);
  }
  return value;
}

// A plain decimal from 0 to 1: digits, at most one point, digits; nothing from_chars alone
// would also take (a sign, an exponent, "inf", "nan", hex).
double checked_fraction(const std::string& label, std::string_view text) {
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const bool plain = !text.empty() && text != "." && std::ranges::all_of(whole, is_digit) &&
                     std::ranges::all_of(fraction, is_digit);
  double value = -1;
  if (plain) {
    std::from_chars(text.data(), text.data() + text.size(), value);
  }
  if (!plain || value < 0) {
    throw CLI::ValidationError(
        fmt::format("{}: \"{}\" is not a fraction; write one from 0 to 1, like 0.2", label, text));
  }
  if (value > 1) {
    out_of_range(label, "0", "1", text);
  }
  return value;
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

std::string format_durations(const std::vector<Duration>& durations) {
  std::string text;
  for (const Duration d : durations) {
    text += (text.empty() ? "" : ",") + format_duration(d);
  }
  return text;
}

CLI::Option* add_duration_option(CLI::App& app, const std::string& name, Duration& target,
                                 const std::string& description, Duration min, Duration max) {
  DurationRange range{option_label(name), min, max};
  auto* option = app.add_option_function<std::string>(
      name, [range, &target](const std::string& text) { target = checked_duration(range, text); },
      with_range(description, format_duration(min), format_duration(max)));
  return option->type_name("DURATION")
      ->default_str(format_duration(target))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* add_duration_list_option(CLI::App& app, const std::string& name,
                                      std::vector<Duration>& target, const std::string& description,
                                      Duration min, Duration max) {
  DurationRange range{option_label(name), min, max};
  auto* option = app.add_option_function<std::string>(
      name, [range, &target](const std::string& text) { target = checked_durations(range, text); },
      with_range(description, format_duration(min), format_duration(max) + " each"));
  return option->type_name("DURATION,...")
      ->default_str(format_durations(target))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* add_count_option(CLI::App& app, const std::string& name, std::size_t& target,
                              const std::string& description, std::size_t min, std::size_t max) {
  auto* option = app.add_option_function<std::string>(
      name,
      [label = option_label(name), &target, min, max](const std::string& text) {
        target = checked_count(label, text, min, max);
      },
      with_range(description, std::to_string(min), std::to_string(max)));
  return option->type_name("N")
      ->default_str(std::to_string(target))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* add_text_option(CLI::App& app, const std::string& name, std::string& target,
                             const std::string& description, const std::string& type_name) {
  auto* option = app.add_option_function<std::string>(
      name,
      [label = option_label(name), &target](const std::string& text) {
        if (text.empty()) {
          throw CLI::ValidationError(fmt::format("{} needs a value (got an empty one)", label));
        }
        target = text;
      },
      description);
  if (!target.empty()) {
    option->default_str(target);
  }
  return option->type_name(type_name)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* add_choice_option(CLI::App& app, const std::string& name,
                               std::vector<std::string> names, std::size_t default_index,
                               const std::string& description,
                               std::function<void(std::size_t)> choose) {
  const std::string type_name = fmt::format("{}", fmt::join(names, "|"));
  const std::string default_name = default_index < names.size() ? names[default_index] : "";
  auto* option = app.add_option_function<std::string>(
      name,
      [label = option_label(name), names = std::move(names),
       choose = std::move(choose)](const std::string& text) {
        const auto found = std::ranges::find(names, text);
        if (found == names.end()) {
          throw CLI::ValidationError(
              fmt::format("{}: \"{}\" is not one of {}", label, text, fmt::join(names, ", ")));
        }
        choose(static_cast<std::size_t>(found - names.begin()));
      },
      description);
  return option->type_name(type_name)
      ->default_str(default_name)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* add_fraction_option(CLI::App& app, const std::string& name, double& target,
                                 const std::string& description) {
  auto* option = app.add_option_function<std::string>(
      name,
      [label = option_label(name), &target](const std::string& text) {
        target = checked_fraction(label, text);
      },
      with_range(description, "0", "1"));
  return option->type_name("FRACTION")
      ->default_str(fmt::format("{}", target))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

}  // namespace asyncdemo
