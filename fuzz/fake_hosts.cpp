// Fuzz target: the fake resolver's hosts file (`probe --hosts FILE`, parse_fake_hosts in
// core/fake_resolver.hpp). The input is the file, any bytes.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration_text.hpp"
#include "core/fake_resolver.hpp"
#include "fuzz/fuzz_target.hpp"

namespace {

using asyncdemo::fuzz::require;

constexpr std::string_view kBlanks = " \t\r";
constexpr std::string_view kSource = "fuzz.hosts";

// The fields of each line that has any, worked out independently of fake_hosts.cpp: '#' to the
// end of the line dropped, fields apart by spaces, tabs or CRs.
std::vector<std::vector<std::string>> lines_of(std::string_view text) {
  std::vector<std::vector<std::string>> lines;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    line = line.substr(0, line.find('#'));
    std::vector<std::string> fields;
    std::string field;
    for (const char c : line) {
      if (kBlanks.find(c) == std::string_view::npos) {
        field.push_back(c);
      } else if (!field.empty()) {
        fields.push_back(std::move(field));
        field.clear();
      }
    }
    if (!field.empty()) {
      fields.push_back(std::move(field));
    }
    if (!fields.empty()) {
      lines.push_back(std::move(fields));
    }
  }
  return lines;
}

std::size_t line_count(std::string_view text) {
  return static_cast<std::size_t>(std::ranges::count(text, '\n')) + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = asyncdemo::fuzz::as_text(data, size);
  const std::vector<std::vector<std::string>> lines = lines_of(text);
  try {
    const asyncdemo::FakeResolver resolver = asyncdemo::parse_fake_hosts(text, kSource);
    require(resolver.size() == lines.size(), "an accepted file lists each of its lines' names once",
            text);
    for (const std::vector<std::string>& fields : lines) {
      require(fields.size() >= 3, "an accepted line has a name, a latency and an outcome", text);
      const asyncdemo::FakeAnswer* answer = resolver.find(fields[0]);
      require(answer != nullptr, "every name of an accepted file is found by its own spelling",
              text);
      require(asyncdemo::parse_duration(fields[1]).value == answer->latency,
              "a name's latency is the duration its line spells", text);
      require(asyncdemo::outcome_word(answer->outcome) == fields[2],
              "a name's outcome is the word its line spells", text);
      require(answer->outcome != asyncdemo::FakeOutcome::found || !answer->addresses.empty(),
              "a found name always has an address", text);
      require(answer->outcome == asyncdemo::FakeOutcome::found || answer->addresses.empty(),
              "only a found name has addresses", text);
    }
  } catch (const asyncdemo::HostsFileError& error) {
    require(!lines.empty(), "a file without a line of fields is never refused", text);
    require(error.line() >= 1 && error.line() <= line_count(text),
            "a refusal names a line of the file", text);
    require(std::string_view(error.what())
                .starts_with(std::string(kSource) + ":" + std::to_string(error.line()) + ": "),
            "a refusal reads SOURCE:LINE: why", text);
  }
  return 0;
}
