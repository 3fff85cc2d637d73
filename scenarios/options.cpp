#include "scenarios/options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
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

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t count_digits(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  return end - from;
}

// Splits at each `separator`, keeping empty items ("2s,,1s" has three).
std::vector<std::string> split_at(std::string_view text, char separator) {
  std::vector<std::string> items;
  std::size_t from = 0;
  for (std::size_t at = text.find(separator); at != std::string_view::npos;
       at = text.find(separator, from)) {
    items.emplace_back(text.substr(from, at - from));
    from = at + 1;
  }
  items.emplace_back(text.substr(from));
  return items;
}

// "-n,--n" -> "--n": the name a message should use.
std::string option_label(const std::string& names) {
  const auto items = split_at(names, ',');
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
  const auto items = split_at(text, ',');
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

// No other option's type name holds a '|' (DURATION, N, FILE, TEXT, FRACTION, ...), and a flag
// has none: a '|' is the mark of a choice.
std::vector<std::string> choice_names(const CLI::Option& option) {
  const std::string type_name = option.get_type_name();
  if (option.get_expected_max() == 0 || type_name.find('|') == std::string::npos) {
    return {};
  }
  return split_at(type_name, '|');
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
