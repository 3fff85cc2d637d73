#pragma once
// Option helpers for the scenarios' setup functions: durations (2s, 150ms,
// 1.5s, 0), lists of durations (2s,1s,3s), counts and named choices, each
// range-checked. A bad value is a CLI::ValidationError whose message names the
// option and the accepted form, so it surfaces as a usage error (exit 2).

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/duration_text.hpp"  // parse_duration and format_duration, which options read

// Declared, not included (see scenarios/scenario.hpp): the helpers take and return them by
// reference and pointer only.
namespace CLI {  // NOLINT(readability-identifier-naming): CLI11 names it
class App;
class Option;
}  // namespace CLI

namespace asyncdemo {

/// `2s,1s,3s`: the form add_duration_list_option reads.
std::string format_durations(const std::vector<Duration>& durations);

// The add_* helpers declare one option on a (scenario's) subcommand. `name` is
// CLI11's name list, e.g. "--delay" or "-n,--n". The target keeps its value
// when the option is absent, and that value is shown as the default in --help;
// the accepted range is appended to the description. Each returns the option,
// so a runner can ask `option->count()` whether it was given.

/// `--delay 1.5s`; out of range: `--delay must be between 0s and 1m; got 2m`.
CLI::Option* add_duration_option(CLI::App& app, const std::string& name, Duration& target,
                                 const std::string& description, Duration min = Duration::zero(),
                                 Duration max = kMaxDuration);

/// `--delays 2s,1s,3s`: one comma-separated argument (so it never swallows a
/// positional), at least one item, each within [min, max].
CLI::Option* add_duration_list_option(CLI::App& app, const std::string& name,
                                      std::vector<Duration>& target, const std::string& description,
                                      Duration min = Duration::zero(), Duration max = kMaxDuration);

/// `--n 3`: a whole number in [min, max]; anything else, negative and
/// overflowing numbers included, reads `--n must be between 1 and 1000000; got 0`.
CLI::Option* add_count_option(CLI::App& app, const std::string& name, std::size_t& target,
                              const std::string& description, std::size_t min, std::size_t max);

/// `--error-rate 0.2`: a fraction from 0 to 1, written as a plain decimal (0, 0.25, 1); a
/// percentage, sign, exponent or anything else reads
/// `--error-rate: "20%" is not a fraction; write one from 0 to 1, like 0.2`.
CLI::Option* add_fraction_option(CLI::App& app, const std::string& name, double& target,
                                 const std::string& description);

/// `--tld dev`: text that must not be empty; `--tld ""` reads
/// `--tld needs a value (got an empty one)`. `type_name` is what --help shows
/// ("TEXT"); an input file is declared with "FILE", which is how the CLI knows
/// that no output file (--trace) may replace it.
CLI::Option* add_text_option(CLI::App& app, const std::string& name, std::string& target,
                             const std::string& description, const std::string& type_name = "TEXT");

/// The non-template part of add_choice_option: `choose(i)` is called with the
/// index into `names` of the value given. The option's type name is the names
/// joined by '|' (`blocking|async|threads|all`, as --help shows it), which is
/// how choice_names() reads them back.
CLI::Option* add_choice_option(CLI::App& app, const std::string& name,
                               std::vector<std::string> names, std::size_t default_index,
                               const std::string& description,
                               std::function<void(std::size_t)> choose);

/// `--mode async` for an enum (or any copyable value): the choices in the order
/// --help lists them; a value not listed reads
/// `--mode: "fast" is not one of blocking, async, threads, all`.
template <typename T>
CLI::Option* add_choice_option(CLI::App& app, const std::string& name, T& target,
                               const std::string& description,
                               std::vector<std::pair<std::string, T>> choices) {
  std::vector<std::string> names;
  std::size_t default_index = choices.size();
  for (std::size_t i = 0; i < choices.size(); ++i) {
    names.push_back(choices[i].first);
    if (choices[i].second == target) {
      default_index = i;
    }
  }
  return add_choice_option(app, name, std::move(names), default_index, description,
                           [&target, choices = std::move(choices)](std::size_t index) {
                             target = choices[index].second;
                           });
}

/// The values a choice option (add_choice_option) accepts, in the order --help lists them; empty
/// for any other option. What the completion scripts and the man page offer.
std::vector<std::string> choice_names(const CLI::Option& option);

/// The choices of an option that picks one way of doing the work, or all of them one after
/// another (sleep's --mode, lag's --offload): each way alone, in the order given, then "all".
template <typename T>
std::vector<std::pair<std::string, std::vector<T>>> each_or_all(
    const std::vector<std::pair<std::string, T>>& ways) {
  std::vector<std::pair<std::string, std::vector<T>>> choices;
  std::vector<T> all;
  for (const auto& [name, way] : ways) {
    choices.emplace_back(name, std::vector<T>{way});
    all.push_back(way);
  }
  choices.emplace_back("all", std::move(all));
  return choices;
}

/// What a choice option was, in the words it was given: the name of `chosen` among
/// `choices` ("?" if it is none of them).
template <typename T>
std::string name_of_choice(const std::vector<std::pair<std::string, T>>& choices, const T& chosen) {
  for (const auto& [name, value] : choices) {
    if (value == chosen) {
      return name;
    }
  }
  return "?";
}

}  // namespace asyncdemo
