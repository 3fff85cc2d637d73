#pragma once
// What the fuzz targets share: the libFuzzer entry point, the input as text,
// and `require`, which stops the run at the first property that fails.
//
// Each target states properties of what the parser accepts and rejects, not
// only "no crash": a parser that returns a wrong answer quietly is the bug a
// fuzzer otherwise misses.

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// Called once per input, by libFuzzer (ASYNCDEMO_FUZZ=ON) or by replay_main.cpp
/// (the ordinary build, which runs the seed corpus as a test). Returns 0.
// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer looks for.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace asyncdemo::fuzz {

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// `text` with every byte outside printable ASCII written as \xNN, so that a
/// failure report shows exactly which bytes broke the property.
inline std::string escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f && c != '\\' ? std::string(1, c)
                                                    : fmt::format("\\x{:02X}", byte);
  }
  return out;
}

/// Aborts, naming the property and the input, unless `holds`. An abort (not an
/// exception) so that libFuzzer saves the input as a crash artifact.
inline void require(bool holds, std::string_view property, std::string_view input) {
  if (!holds) {
    fmt::print(stderr, "property failed: {}\n  input: \"{}\"\n", property, escaped(input));
    std::fflush(stderr);
    std::abort();
  }
}

}  // namespace asyncdemo::fuzz
