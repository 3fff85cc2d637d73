// Fuzz target: hostname_problem (scenarios/names.hpp), the check every probe
// name passes before it reaches getaddrinfo. The input is one name, any bytes.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.hpp"
#include "scenarios/names.hpp"

namespace {

using asyncdemo::hostname_problem;
using asyncdemo::fuzz::require;

constexpr std::size_t kMaxName = 253;  // RFC 1035 2.3.4, without the final dot
constexpr std::size_t kMaxLabel = 63;

bool host_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool label_ok(std::string_view label) {
  return !label.empty() && label.size() <= kMaxLabel && std::ranges::all_of(label, host_byte) &&
         label.front() != '-' && label.back() != '-';
}

// The rule, written independently of names.cpp: an optional final dot, then
// 1 to 253 bytes of dot-separated labels, each 1 to 63 letters, digits, '-'
// or '_', not starting or ending with '-'.
bool acceptable(std::string_view name) {
  if (name.ends_with('.')) {
    name.remove_suffix(1);
  }
  if (name.empty() || name.size() > kMaxName) {
    return false;
  }
  for (std::size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.')) {
    if (!label_ok(name.substr(0, dot))) {
      return false;
    }
    name.remove_prefix(dot + 1);
  }
  return label_ok(name);
}

bool printable_ascii(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string ascii_lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string name = asyncdemo::fuzz::as_text(data, size);
  const std::string problem = hostname_problem(name);
  require(problem.empty() == acceptable(name),
          "hostname_problem accepts exactly the names the host name rule allows", name);
  if (problem.empty()) {
    // Spelled out, though `acceptable` implies them: the promises probe relies on.
    require(name.size() <= kMaxName + 1, "an accepted name has at most 253 bytes and a dot", name);
    require(std::ranges::all_of(name, [](char c) { return host_byte(c) || c == '.'; }),
            "an accepted name is ASCII letters, digits, '-', '_' and dots", name);
  } else {
    // The message is printed to a terminal: it must describe a bad byte, never echo it.
    require(printable_ascii(problem), "a problem is described in printable ASCII", name);
  }
  if (!name.ends_with('.')) {
    require(hostname_problem(name + ".") == problem, "a final dot changes nothing", name);
  }
  require(hostname_problem(ascii_lower(name)) == problem, "case changes nothing", name);
  return 0;
}
