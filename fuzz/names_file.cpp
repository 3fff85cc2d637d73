// Fuzz target: reading the names to probe from a file (`probe --from -`,
// gather_names in scenarios/names.hpp). The input is the file, any bytes,
// read through std::cin as `--from -` reads it.

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "scenarios/names.hpp"
#include "scenarios/scenario.hpp"

namespace {

using asyncdemo::fuzz::require;

constexpr std::string_view kBlanks = " \t\r";

// std::cin reads `text` while this lives.
class StdinFrom {
 public:
  explicit StdinFrom(std::string text)
      : buffer_(std::move(text)), saved_(std::cin.rdbuf(&buffer_)) {
    std::cin.clear();
  }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;
  StdinFrom(StdinFrom&&) = delete;
  StdinFrom& operator=(StdinFrom&&) = delete;
  ~StdinFrom() {
    std::cin.rdbuf(saved_);
    std::cin.clear();
  }

 private:
  std::stringbuf buffer_;
  std::streambuf* saved_;
};

// The names a file holds, worked out independently of names.cpp: one per
// line, blanks (space, tab, CR) trimmed from both ends, blank lines and lines
// starting with '#' skipped.
std::vector<std::string> names_in(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    line.remove_prefix(std::min(line.find_first_not_of(kBlanks), line.size()));
    line.remove_suffix(line.size() - (line.find_last_not_of(kBlanks) + 1));
    if (!line.empty() && !line.starts_with('#')) {
      names.emplace_back(line);
    }
  }
  return names;
}

bool trimmed_name(const std::string& name) {
  return !name.empty() && name.find('\n') == std::string::npos && !name.starts_with('#') &&
         kBlanks.find(name.front()) == std::string_view::npos &&
         kBlanks.find(name.back()) == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = asyncdemo::fuzz::as_text(data, size);
  std::vector<std::string> expected = names_in(text);
  const StdinFrom stdin_from(text);
  try {
    const std::vector<std::string> names = asyncdemo::gather_names({"localhost"}, "-", "dev");
    require(std::ranges::all_of(names, trimmed_name),
            "every name read is non-empty, one line, trimmed, and not a comment", text);
    expected.emplace_back("localhost");  // the arguments follow the file's names
    require(names == expected, "the names are the file's non-blank, non-comment lines, in order",
            text);
  } catch (const asyncdemo::UsageError& error) {
    // Rejecting the file is right when it holds no names, or a name no host can have.
    const bool has_invalid = std::ranges::any_of(expected, [](const std::string& name) {
      return !asyncdemo::hostname_problem(name).empty();
    });
    require(expected.empty() || has_invalid, "a file of valid names is never rejected", text);
    require(std::string_view(error.what()).starts_with("--from"),
            "a rejected file is reported under --from", text);
  }
  return 0;
}
