#pragma once
// A stdio stream over a file descriptor whose write errors never reach the
// writer. The renderers print with fmt::print, which throws when a write
// fails; the live log prints from inside the event loop, where such an
// exception would abort the run. Here a failed write is recorded and the rest
// of the output dropped, and the caller decides once the run is over: for
// stdout, a reader that went away (EPIPE, `asyncdemo gather | head -1`) is not
// an error and the run keeps its own exit code, so `--check | head` in a
// pipefail script still reports a failed claim; a full disk (/dev/full) is,
// and is reported.

#include <sys/types.h>

#include <cstddef>
#include <cstdio>

namespace asyncdemo {

/// Writes to a descriptor it does not own, on one thread. For stdout, SIGPIPE
/// must be ignored (main does), so that a gone reader is an EPIPE error here,
/// not the end of the process.
class OutputStream {
 public:
  /// Throws std::system_error if the stream cannot be made.
  explicit OutputStream(int fd);
  OutputStream(const OutputStream&) = delete;
  OutputStream& operator=(const OutputStream&) = delete;
  OutputStream(OutputStream&&) = delete;
  OutputStream& operator=(OutputStream&&) = delete;
  /// Flushes what is buffered and closes the stream (not the descriptor).
  ~OutputStream();

  /// The stream, for the renderers.
  [[nodiscard]] std::FILE* get() const noexcept { return file_; }
  /// Flushes, then returns the errno of the first write that failed, or 0.
  [[nodiscard]] int error();

  /// From now on a failed write is reported to the writer too (fmt::print
  /// throws std::system_error), so that a long report stops within one
  /// buffer of the reader leaving (`--json | head -c 100`) rather than being
  /// rendered to the end for nobody. Not for the live log, which prints from
  /// inside the event loop: there output is dropped quietly.
  void end_on_error() noexcept { end_on_error_ = true; }
  /// Whether writing ended because a write failed (see error()).
  [[nodiscard]] bool failed() const noexcept { return error_ != 0; }

 private:
  static ssize_t write(void* cookie, const char* data, std::size_t size) noexcept;
  void write_all(const char* data, std::size_t size) noexcept;

  int fd_;
  std::FILE* file_ = nullptr;
  int error_ = 0;  // errno of the first failed write; from then on output is dropped
  bool end_on_error_ = false;
};

}  // namespace asyncdemo
