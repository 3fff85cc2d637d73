// parse_fake_hosts (core/fake_resolver.hpp): the fake resolver's answers from a hosts-like file.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration_text.hpp"
#include "core/fake_resolver.hpp"
#include "core/nearest_word.hpp"
#include "core/numeric_host.hpp"

namespace asyncdemo {

namespace {

constexpr std::string_view kBlanks = " \t\r";
constexpr std::string_view kLineForm = "NAME LATENCY OUTCOME [ADDRESS...]";
constexpr std::array<FakeOutcome, 4> kOutcomes{FakeOutcome::found, FakeOutcome::not_found,
                                               FakeOutcome::temporary_failure,
                                               FakeOutcome::no_answer};

// The fields of one line, comment dropped.
std::vector<std::string_view> fields_of(std::string_view line) {
  line = line.substr(0, line.find('#'));
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t start = line.find_first_not_of(kBlanks);
    if (start == std::string_view::npos) {
      return fields;
    }
    line.remove_prefix(start);
    const std::size_t end = std::min(line.find_first_of(kBlanks), line.size());
    fields.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
}

std::vector<std::string> outcome_words() {
  std::vector<std::string> words;
  words.reserve(kOutcomes.size());
  for (const FakeOutcome outcome : kOutcomes) {
    words.emplace_back(outcome_word(outcome));
  }
  return words;
}

// The outcome `word` spells, or why it spells none (with the word it most likely meant: any
// word but a wild guess, which is more than two edits or half the word away).
Parsed<FakeOutcome> parse_outcome(std::string_view word) {
  for (const FakeOutcome outcome : kOutcomes) {
    if (word == outcome_word(outcome)) {
      return {outcome, {}};
    }
  }
  const std::vector<std::string> words = outcome_words();
  std::string problem = fmt::format("\"{}\" is not an outcome; write {}", word,
                                    fmt::join(words.begin(), words.end(), ", "));
  if (const std::string* nearest =
          nearest_word(word, words, std::max<std::size_t>(2, word.size() / 2))) {
    problem += fmt::format(" (did you mean {}?)", *nearest);
  }
  return {std::nullopt, std::move(problem)};
}

class HostsParser {
 public:
  explicit HostsParser(std::string_view source) : source_(source) {}

  void read_line(std::string_view line) {
    ++line_;
    const std::vector<std::string_view> fields = fields_of(line);
    if (fields.empty()) {
      return;
    }
    if (fields.size() < 3) {
      fail(fmt::format("expected {}; got \"{}\"", kLineForm, fmt::join(fields, " ")));
    }
    const auto latency = parse_duration(fields[1]);
    if (!latency.value.has_value()) {
      fail(fmt::format("latency: {}", latency.error));
    }
    const auto outcome = parse_outcome(fields[2]);
    if (!outcome.value.has_value()) {
      fail(outcome.error);
    }
    FakeAnswer answer{*latency.value, *outcome.value, addresses(fields)};
    note_name(fields[0]);
    resolver_.add(std::string(fields[0]), std::move(answer));
  }

  FakeResolver take() { return std::move(resolver_); }

 private:
  [[noreturn]] void fail(std::string_view problem) const {
    throw HostsFileError(source_, line_, problem);
  }

  std::vector<std::string> addresses(const std::vector<std::string_view>& fields) const {
    std::vector<std::string> found;
    for (std::size_t i = 3; i < fields.size(); ++i) {
      if (fields[2] != outcome_word(FakeOutcome::found)) {
        fail(fmt::format("\"{}\": only a name that is found has addresses", fields[i]));
      }
      std::optional<std::string> address = numeric_host(fields[i]);
      if (!address) {
        fail(fmt::format("\"{}\" is not a numeric address; write one like 192.0.2.7 or 2001:db8::7",
                         fields[i]));
      }
      found.push_back(std::move(*address));
    }
    return found;
  }

  // A second line for a name would silently win over the first: more likely a slip than meant.
  void note_name(std::string_view name) {
    const auto [first, added] = first_line_.emplace(FakeResolver::key(name), line_);
    if (!added) {
      fail(fmt::format("\"{}\" is listed already, on line {}", name, first->second));
    }
  }

  std::string_view source_;
  std::size_t line_ = 0;
  FakeResolver resolver_;
  std::map<std::string, std::size_t> first_line_;
};

}  // namespace

HostsFileError::HostsFileError(std::string_view source, std::size_t line, std::string_view problem)
    : std::runtime_error(fmt::format("{}:{}: {}", source, line, problem)), line_(line) {}

FakeResolver parse_fake_hosts(std::string_view text, std::string_view source) {
  HostsParser parser(source);
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    parser.read_line(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return parser.take();
}

}  // namespace asyncdemo
