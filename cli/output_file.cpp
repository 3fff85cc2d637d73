#include "cli/output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>

#include "cli/interrupts.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

namespace {

constexpr mode_t kNewFileMode = 0666;  // less the umask, as for any file a program creates
constexpr int kTemporaryAttempts = 100;

std::optional<struct stat> stat_of(const std::string& path) {
  struct stat status{};
  if (::stat(path.c_str(), &status) != 0) {
    return std::nullopt;
  }
  return status;
}

// The user's to fix (exit 2), unless the process is out of descriptors, which
// says nothing about the path: the same command works with one to spare (exit 1).
[[noreturn]] void cannot_open(std::string_view option, const std::string& path, int error) {
  const std::string message = fmt::format("{}: cannot open \"{}\" for writing", option, path);
  if (error == EMFILE || error == ENFILE) {
    throw std::system_error(error, std::generic_category(), message);
  }
  throw UsageError(fmt::format("{}: {}", message, std::strerror(error)));
}

// The file a path names for writing: a symbolic link is followed, so that
// the rename replaces the file it points to and the link stays a link.
std::string resolve_target(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_symlink(path, error)) {
    std::filesystem::path resolved = std::filesystem::weakly_canonical(path, error);
    if (!error) {
      return resolved.string();
    }
  }
  return path;
}

// Where a temporary beside `target` goes: ".NAME.PID-K.tmp", hidden, same directory.
std::string temporary_name(const std::string& target, int attempt) {
  const std::filesystem::path path(target);
  const std::filesystem::path directory = path.parent_path();
  const std::string name =
      fmt::format(".{}.{}-{}.tmp", path.filename().string(), ::getpid(), attempt);
  return (directory.empty() ? std::filesystem::path(name) : directory / name).string();
}

}  // namespace

void OutputFile::check(std::string_view option, const std::string& path) {
  const OutputFile probe(option, path);  // removed again by its destructor, never committed
}

OutputFile::OutputFile(std::string_view option, const std::string& path) {
  if (path.empty()) {
    throw UsageError(fmt::format("{}: needs a file name (got an empty one)", option));
  }
  if (path == "-") {
    throw UsageError(fmt::format(
        "{} -: stdout carries the report, so this output needs a file of its own", option));
  }
  const std::optional<struct stat> existing = stat_of(path);  // through symbolic links
  if (existing && S_ISDIR(existing->st_mode)) {
    cannot_open(option, path, EISDIR);
  }
  if (existing && ::access(path.c_str(), W_OK) != 0) {
    cannot_open(option, path, errno);  // replacing a file one may not write would surprise
  }
  if (existing && !S_ISREG(existing->st_mode)) {
    // A device or a FIFO (/dev/null, /dev/stdout): written in place, since a rename would
    // replace the device node itself.
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) {
      cannot_open(option, path, errno);
    }
    return;
  }
  target_ = resolve_target(path);
  for (int attempt = 0; fd_ < 0; ++attempt) {
    temporary_ = temporary_name(target_, attempt);
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kNewFileMode);
    if (fd_ < 0 && (errno != EEXIST || attempt + 1 == kTemporaryAttempts)) {
      const int error = errno;
      temporary_.clear();
      cannot_open(option, path, error);
    }
  }
  interrupt_slot_ = interrupts::remove_on_exit(temporary_.c_str());
  if (existing) {
    // The replacement keeps the permissions of the file it replaces.
    static_cast<void>(::fchmod(fd_, existing->st_mode & 07777));
  }
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!committed_ && !temporary_.empty()) {
    ::unlink(temporary_.c_str());
  }
  interrupts::forget(interrupt_slot_);
}

int OutputFile::commit() noexcept {
  int error = 0;
  // A regular file reaches the disk before it replaces the old one: after a
  // crash there is the old file or the new one, never an empty one.
  if (!temporary_.empty() && ::fsync(fd_) != 0) {
    error = errno;
  }
  if (::close(std::exchange(fd_, -1)) != 0 && error == 0) {
    error = errno;
  }
  if (error == 0 && !temporary_.empty() && ::rename(temporary_.c_str(), target_.c_str()) != 0) {
    error = errno;
  }
  committed_ = error == 0;
  return error;
}

bool same_file(const std::string& a, const std::string& b) {
  const std::optional<struct stat> first = stat_of(a);
  const std::optional<struct stat> second = stat_of(b);
  if (first && second) {
    return first->st_dev == second->st_dev && first->st_ino == second->st_ino;
  }
  std::error_code error;
  const auto absolute_a = std::filesystem::weakly_canonical(a, error);
  const auto absolute_b = std::filesystem::weakly_canonical(b, error);
  return !error && absolute_a == absolute_b;
}

}  // namespace asyncdemo
