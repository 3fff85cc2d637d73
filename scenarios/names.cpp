#include "scenarios/names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string_view>
#include <system_error>

#include "core/resolve.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

namespace {

// Python's keyword.kwlist entries of at most 4 letters, lowercased, as in
// Fluent Python's domain probe: `(kw for kw in kwlist if len(kw) <= 4)`.
constexpr std::array<std::string_view, 18> kShortKeywords = {
    "none", "true", "and", "as", "def", "del", "elif", "else", "for",
    "from", "if",   "in",  "is", "not", "or",  "pass", "try",  "with"};

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;
// A name longer than this is cut short in a message: enough to find it by.
constexpr std::size_t kMaxShownName = 80;

bool allowed(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string label_problem(std::string_view label) {
  if (label.empty()) {
    return "empty label (two dots in a row, or a leading dot)";
  }
  if (label.size() > kMaxLabel) {
    return fmt::format("label of {} bytes; at most {} are allowed", label.size(), kMaxLabel);
  }
  for (const char c : label) {
    const auto byte = static_cast<unsigned char>(c);
    if (!allowed(byte)) {
      return byte >= 0x20 && byte < 0x7f ? fmt::format("character '{}' not allowed", c)
                                         : fmt::format("byte 0x{:02X} not allowed", byte);
    }
  }
  if (label.front() == '-' || label.back() == '-') {
    return "a label may not start or end with '-'";
  }
  return {};
}

// Where `text` stops being well-formed UTF-8 (the start of the first bad
// sequence), or npos. Per Unicode Table 3-7: no overlong forms, no
// surrogates, nothing past U+10FFFF.
std::size_t invalid_utf8_at(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = 1;
    unsigned char low = 0x80;  // the range of the second byte; later ones are 80..BF
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      low = lead == 0xE0 ? 0xA0 : 0x80;
      high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      low = lead == 0xF0 ? 0x90 : 0x80;
      high = lead == 0xF4 ? 0x8F : 0xBF;
    } else if (lead >= 0x80) {
      return at;
    }
    if (at + length > text.size()) {
      return at;
    }
    for (std::size_t next = 1; next < length; ++next) {
      const auto byte = static_cast<unsigned char>(text[at + next]);
      if (byte < (next == 1 ? low : 0x80) || byte > (next == 1 ? high : 0xBF)) {
        return at;
      }
    }
    at += length;
  }
  return std::string_view::npos;
}

bool is_ascii(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// `name` quoted as it can be shown on a terminal: printable ASCII as is,
// every other byte as \xNN (no raw control or invalid bytes reach the user's
// terminal), cut short when long.
std::string shown(std::string_view name) {
  std::string text;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '"' || byte == '\\') {
      text += '\\';
      text += c;
    } else if (byte >= 0x20 && byte < 0x7f) {
      text += c;
    } else {
      text += fmt::format("\\x{:02X}", byte);
    }
    if (text.size() > kMaxShownName) {
      return fmt::format("\"{}...\"", text.substr(0, kMaxShownName));
    }
  }
  return fmt::format("\"{}\"", text);
}

// Every name is checked before any is resolved: a bad one is a usage error
// (exit 2, nothing run), not a row of the report. The message names the first
// bad name, where it came from, and how many more there are.
class NameCheck {
 public:
  /// `source` says where `name` came from ("--from names.txt"; "" for an
  /// argument), `line` its line in a file (0 if not from a file).
  void add(const std::string& name, std::string_view source, std::size_t line = 0) {
    // An address ("::1", "1.2.3") is not a host name, but getaddrinfo takes it, as asyncio's
    // getaddrinfo does: it is resolved, and its row shows what it became.
    const std::string problem = numeric_host(name) ? "" : hostname_problem(name);
    if (problem.empty()) {
      return;
    }
    if (bad_ == 0) {
      const std::string origin = source.empty() ? ""
                                 : line == 0    ? fmt::format("{}: ", source)
                                                : fmt::format("{}, line {}: ", source, line);
      first_ = fmt::format("{}invalid name {}: {}", origin, shown(name), problem);
    }
    ++bad_;
  }

  void throw_if_bad() const {
    if (bad_ > 1) {
      throw UsageError(
          fmt::format("{} (and {} more invalid name{})", first_, bad_ - 1, bad_ == 2 ? "" : "s"));
    }
    if (bad_ == 1) {
      throw UsageError(first_);
    }
  }

 private:
  std::string first_;
  std::size_t bad_ = 0;
};

std::string trim(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = line.find_last_not_of(" \t\r");
  return line.substr(first, last - first + 1);
}

// One name a line; blank lines and # comments skipped; each name checked
// with its line number.
std::vector<std::string> read_names(std::istream& in, std::string_view source, NameCheck& check) {
  std::vector<std::string> names;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    std::string name = trim(line);
    if (!name.empty() && name.front() != '#') {
      check.add(name, source, number);
      names.push_back(std::move(name));
    }
  }
  return names;
}

std::vector<std::string> read_names_from(const std::string& from, NameCheck& check) {
  if (from == "-") {
    return read_names(std::cin, "--from - (stdin)", check);
  }
  std::error_code error;
  if (std::filesystem::is_directory(from, error)) {
    throw UsageError(fmt::format("--from {}: is a directory, not a file of names", from));
  }
  std::ifstream file(from);
  if (!file) {
    const int open_error = errno;
    // Out of file descriptors is the machine's state, not a wrong path: a
    // failure (exit 1), not a usage error (exit 2).
    if (open_error == EMFILE || open_error == ENFILE) {
      throw std::system_error(open_error, std::generic_category(),
                              fmt::format("--from {}: cannot open", from));
    }
    throw UsageError(fmt::format("--from {}: cannot open: {}", from, std::strerror(open_error)));
  }
  std::vector<std::string> names = read_names(file, fmt::format("--from {}", from), check);
  if (file.bad()) {
    throw UsageError(fmt::format("--from {}: read failed", from));
  }
  return names;
}

}  // namespace

std::string hostname_problem(const std::string& name) {
  std::string_view rest = name;
  if (!rest.empty() && rest.back() == '.') {
    rest.remove_suffix(1);  // a fully qualified name's final dot is not a label
  }
  if (rest.empty()) {
    return "empty name";
  }
  if (rest.size() > kMaxName) {
    return fmt::format("name of {} bytes; at most {} are allowed", rest.size(), kMaxName);
  }
  if (const std::size_t at = invalid_utf8_at(rest); at != std::string_view::npos) {
    return fmt::format("not valid UTF-8 (byte 0x{:02X} at offset {})",
                       static_cast<unsigned char>(rest[at]), at);
  }
  if (!is_ascii(rest)) {
    return "non-ASCII characters; write an international name in its ASCII (xn--) form";
  }
  while (true) {
    const auto dot = rest.find('.');
    if (std::string problem = label_problem(rest.substr(0, dot)); !problem.empty()) {
      return problem;
    }
    if (dot == std::string_view::npos) {
      return {};
    }
    rest.remove_prefix(dot + 1);
  }
}

std::vector<std::string> gather_names(const std::vector<std::string>& arguments,
                                      const std::string& from, const std::string& tld) {
  NameCheck check;
  if (!from.empty()) {
    std::vector<std::string> names = read_names_from(from, check);
    if (names.empty()) {
      throw UsageError(fmt::format("--from {}: no names in it", from));
    }
    for (const std::string& argument : arguments) {
      check.add(argument, "");
      names.push_back(argument);
    }
    check.throw_if_bad();
    return names;
  }
  if (!arguments.empty()) {
    for (const std::string& argument : arguments) {
      check.add(argument, "");
    }
    check.throw_if_bad();
    return arguments;
  }
  std::vector<std::string> names;
  names.reserve(kShortKeywords.size() + 1);
  for (std::string_view keyword : kShortKeywords) {
    names.push_back(fmt::format("{}.{}", keyword, tld));
    check.add(names.back(), "--tld");
  }
  names.emplace_back("localhost");
  check.throw_if_bad();
  return names;
}

}  // namespace asyncdemo
