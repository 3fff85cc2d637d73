// Fuzz target: a list of durations (add_duration_list_option in
// scenarios/options.hpp), parsed by CLI11 as `--delays=TEXT` on a command line,
// against two ranges: everything parse_duration allows, and a narrow one.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "scenarios/options.hpp"

namespace {

using asyncdemo::Duration;
using asyncdemo::fuzz::require;
using namespace std::chrono_literals;

struct ListOption {
  std::string name;
  Duration min;
  Duration max;
};

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  for (std::size_t comma = text.find(','); comma != std::string_view::npos;
       comma = text.find(',')) {
    items.emplace_back(text.substr(0, comma));
    text.remove_prefix(comma + 1);
  }
  items.emplace_back(text);
  return items;
}

// What the list must come to, worked out from parse_duration item by item: a
// value for every item, each within range, or nothing.
std::optional<std::vector<Duration>> expected(const ListOption& option, std::string_view text) {
  std::vector<Duration> durations;
  for (const std::string& item : split_commas(text)) {
    const std::optional<Duration> value = asyncdemo::parse_duration(item).value;
    if (item.empty() || !value || *value < option.min || *value > option.max) {
      return std::nullopt;
    }
    durations.push_back(*value);
  }
  return durations;
}

// The list as the command line reads it, or nothing when CLI11 rejects it
// (after checking that the message names the option, as every usage error must).
std::optional<std::vector<Duration>> parse(const ListOption& option, const std::string& text) {
  CLI::App app;
  std::vector<Duration> target;
  asyncdemo::add_duration_list_option(app, option.name, target, "", option.min, option.max);
  try {
    app.parse(std::vector<std::string>{option.name + "=" + text});
  } catch (const CLI::ParseError& error) {
    require(std::string_view(error.what()).starts_with(option.name),
            "a rejected list is reported under the option's name", text);
    return std::nullopt;
  }
  return target;
}

void check(const ListOption& option, const std::string& text) {
  const auto list = parse(option, text);
  require(list == expected(option, text),
          "the list accepts exactly the texts whose every item parse_duration accepts in range, "
          "with the same values",
          text);
  if (list) {
    const std::string canonical = asyncdemo::format_durations(*list);
    require(parse(option, canonical) == list, "format_durations of a list parses back to it", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = asyncdemo::fuzz::as_text(data, size);
  check({"--delays", Duration::zero(), asyncdemo::kMaxDuration}, text);
  check({"--bounded", 1ms, 10s}, text);
  return 0;
}
