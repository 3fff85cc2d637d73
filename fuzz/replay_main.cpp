// The driver of the fuzz targets in the ordinary build, where there is no
// libFuzzer: runs the target once on each file named, or on every file under
// each directory named. CTest runs it over fuzz/corpus/<target>, so the plain
// and ASan+UBSan suites keep every seed, and every crash saved there, passing.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"

namespace {

namespace fs = std::filesystem;

// Sorted, so that a failure names the same first input on every machine.
std::vector<fs::path> inputs(std::span<char*> arguments) {
  std::vector<fs::path> files;
  for (const char* argument : arguments) {
    if (!fs::is_directory(argument)) {
      files.emplace_back(argument);
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(argument)) {
      if (entry.is_regular_file()) {
        files.push_back(entry.path());
      }
    }
  }
  std::ranges::sort(files);
  return files;
}

std::vector<std::uint8_t> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error(fmt::format("cannot open {}", file.string()));
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<fs::path> files = inputs(std::span(argv, argc).subspan(1));
    if (files.empty()) {
      fmt::print(stderr, "usage: {} FILE|DIR...: no inputs found\n", argv[0]);
      return 2;
    }
    for (const fs::path& file : files) {
      const std::vector<std::uint8_t> bytes = read_bytes(file);
      fmt::print("{}\n", file.string());
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    fmt::print("replayed {} inputs\n", files.size());
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "replay: {}\n", error.what());
    return 1;
  }
}
