#include "scenarios/names.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string_view>

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

std::string trim(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = line.find_last_not_of(" \t\r");
  return line.substr(first, last - first + 1);
}

std::vector<std::string> read_names(std::istream& in) {
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    std::string name = trim(line);
    if (!name.empty() && name.front() != '#') {
      names.push_back(std::move(name));
    }
  }
  return names;
}

std::vector<std::string> read_names_from(const std::string& from) {
  if (from == "-") {
    return read_names(std::cin);
  }
  std::error_code error;
  if (std::filesystem::is_directory(from, error)) {
    throw UsageError(fmt::format("--from {}: is a directory, not a file of names", from));
  }
  std::ifstream file(from);
  if (!file) {
    throw UsageError(fmt::format("--from {}: cannot open: {}", from, std::strerror(errno)));
  }
  std::vector<std::string> names = read_names(file);
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
  if (!from.empty()) {
    std::vector<std::string> names = read_names_from(from);
    if (names.empty()) {
      throw UsageError(fmt::format("--from {}: no names in it", from));
    }
    for (const std::string& argument : arguments) {
      names.push_back(argument);
    }
    return names;
  }
  if (!arguments.empty()) {
    return arguments;
  }
  std::vector<std::string> names;
  names.reserve(kShortKeywords.size() + 1);
  for (std::string_view keyword : kShortKeywords) {
    names.push_back(fmt::format("{}.{}", keyword, tld));
  }
  names.emplace_back("localhost");
  return names;
}

}  // namespace asyncdemo
