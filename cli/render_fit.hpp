#pragma once
// Every line of human output fits the width (--width, else the terminal's).
//
// The renderers lay out what they know the shape of (the Gantt is drawn to
// the width, prose is wrapped); this is the rule that holds for every other
// line, whatever it says: a line longer than the width is broken at spaces,
// and its further lines are indented to its first column of aligned text (the
// value column of `  sequential        3.000s (...)`, the text after
// `legend:  `), or to its own indent. Nothing is cut: a word longer than a
// line is broken across lines.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace asyncdemo {

/// `line` (no newline in it) as one or more lines of at most `width` columns,
/// each ending in '\n'. Columns are counted as a terminal shows them: UTF-8
/// code points, and ANSI escape sequences (colour) take none.
[[nodiscard]] std::string fit_line(std::string_view line, std::size_t width);

/// A stdio stream that passes text on to `out` with every line fitted to
/// `width` (fit_line). A line is passed on once its newline arrives (or at
/// close); each flush of this stream flushes `out` too, so that the live log
/// still shows each line as it happens. A write that fails on `out` fails
/// here too (and fmt::print throws), so the writer sees what `out` says.
class FittedStream {
 public:
  /// Throws std::system_error if the stream cannot be made.
  FittedStream(std::FILE* out, std::size_t width);
  FittedStream(const FittedStream&) = delete;
  FittedStream& operator=(const FittedStream&) = delete;
  FittedStream(FittedStream&&) = delete;
  FittedStream& operator=(FittedStream&&) = delete;
  /// Passes on what is left (a last line without a newline) and closes.
  ~FittedStream();

  [[nodiscard]] std::FILE* get() const noexcept { return file_; }

 private:
  static ssize_t write(void* cookie, const char* data, std::size_t size) noexcept;
  bool pass_on(std::string_view text) noexcept;

  std::FILE* out_;
  std::size_t width_;
  std::string pending_;  // the start of a line whose newline has not arrived yet
  std::FILE* file_ = nullptr;
};

}  // namespace asyncdemo
