#pragma once
// ScratchFile: a file in the system's temporary directory for one test, named
// after this process so that parallel test processes never share one, and
// removed when the test ends.

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ios>
#include <string>
#include <string_view>
#include <system_error>

namespace asyncdemo::test {

class ScratchFile {
 public:
  /// A path only: the test (or the program it runs) writes the file.
  explicit ScratchFile(std::string_view name)
      : path_(std::filesystem::temp_directory_path() /
              fmt::format("asyncdemo-{}-{}", ::getpid(), name)) {}
  /// A file holding `contents`, byte for byte.
  ScratchFile(std::string_view name, std::string_view contents) : ScratchFile(name) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ScratchFile(ScratchFile&&) = delete;
  ScratchFile& operator=(ScratchFile&&) = delete;
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// The path as a command-line argument.
  [[nodiscard]] std::string arg() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace asyncdemo::test
