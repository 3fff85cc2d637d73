#include "cli/render_fit.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <vector>

namespace asyncdemo {

namespace {

constexpr char kEscape = '\x1b';

// One thing a terminal shows (a UTF-8 code point, one column) or does (an
// escape sequence, none), as a range of the line's bytes.
struct Piece {
  std::size_t begin;
  std::size_t end;
  std::size_t columns;
  bool space;
};

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// An escape sequence ends at its final byte: CSI ("ESC [") at the first byte
// in @..~, any other after the byte following ESC.
std::size_t escape_end(std::string_view line, std::size_t at) {
  std::size_t end = at + 1;
  if (end < line.size() && line[end] == '[') {
    ++end;
    while (end < line.size() && (line[end] < '@' || line[end] > '~')) {
      ++end;
    }
  }
  return std::min(end + 1, line.size());
}

std::vector<Piece> pieces_of(std::string_view line) {
  std::vector<Piece> pieces;
  for (std::size_t at = 0; at < line.size();) {
    if (line[at] == kEscape) {
      const std::size_t end = escape_end(line, at);
      pieces.push_back({at, end, 0, false});
      at = end;
      continue;
    }
    std::size_t end = at + 1;
    while (end < line.size() && continuation_byte(line[end])) {
      ++end;
    }
    pieces.push_back({at, end, 1, line[at] == ' '});
    at = end;
  }
  return pieces;
}

// The column further lines are indented to: the first text aligned after a
// run of two or more spaces (a label's value), else the line's own indent;
// never more than half the width, so that a continuation has room.
std::size_t hanging_column(const std::vector<Piece>& pieces, std::size_t width) {
  std::size_t column = 0;
  std::size_t i = 0;
  while (i < pieces.size() && (pieces[i].space || pieces[i].columns == 0)) {
    column += pieces[i++].columns;
  }
  const std::size_t indent = column;
  std::size_t run = 0;
  for (; i < pieces.size(); column += pieces[i++].columns) {
    if (pieces[i].space) {
      ++run;
    } else if (pieces[i].columns > 0) {
      if (run >= 2) {
        return column <= width / 2 ? column : std::min(indent, width / 2);
      }
      run = 0;
    }
  }
  return std::min(indent, width / 2);
}

}  // namespace

std::string fit_line(std::string_view line, std::size_t width) {
  const std::vector<Piece> pieces = pieces_of(line);
  std::size_t total = 0;
  for (const Piece& piece : pieces) {
    total += piece.columns;
  }
  if (width == 0 || total <= width) {
    return std::string(line) + "\n";
  }
  const std::size_t hang = hanging_column(pieces, width);
  std::string fitted;
  std::size_t next = 0;
  for (bool first = true; next < pieces.size(); first = false) {
    if (!first) {
      while (next < pieces.size() && pieces[next].space) {
        ++next;  // a continuation starts at its first word
      }
      if (next == pieces.size()) {
        break;
      }
      fitted.append(hang, ' ');
    }
    const std::size_t room = width - (first ? 0 : hang);
    // How far this line's room reaches, and the last space within it to break at.
    std::size_t end = next;
    std::size_t columns = 0;
    std::size_t last_space = pieces.size();
    while (end < pieces.size() && columns + pieces[end].columns <= room) {
      columns += pieces[end].columns;
      if (pieces[end].space && end > next && (!first || columns > hang)) {
        last_space = end;
      }
      ++end;
    }
    if (end < pieces.size() && !pieces[end].space && last_space != pieces.size()) {
      end = last_space;  // break at the last space; a word too long for any line is cut instead
    }
    std::size_t text_end = end;
    while (text_end > next && pieces[text_end - 1].space) {
      --text_end;
    }
    const std::size_t begin_byte = pieces[next].begin;
    const std::size_t end_byte = text_end > next ? pieces[text_end - 1].end : begin_byte;
    fitted.append(line.substr(begin_byte, end_byte - begin_byte));
    fitted += '\n';
    next = std::max(end, next + 1);
  }
  return fitted;
}

FittedStream::FittedStream(std::FILE* out, std::size_t width) : out_(out), width_(width) {
  cookie_io_functions_t functions{};
  functions.write = &FittedStream::write;
  file_ = fopencookie(this, "w", functions);
  if (file_ == nullptr) {
    throw std::system_error(errno, std::generic_category(), "fopencookie");
  }
}

FittedStream::~FittedStream() {
  std::fclose(file_);  // flushes into write(), which keeps an unfinished line pending
  if (!pending_.empty()) {
    const std::string last = fit_line(pending_, width_);
    std::fwrite(last.data(), 1, last.size() - 1, out_);  // as it came: without a newline
  }
  std::fflush(out_);
}

ssize_t FittedStream::write(void* cookie, const char* data, std::size_t size) noexcept {
  auto* self = static_cast<FittedStream*>(cookie);
  return self->pass_on(std::string_view(data, size)) ? static_cast<ssize_t>(size) : -1;
}

bool FittedStream::pass_on(std::string_view text) noexcept {
  try {
    std::string lines;
    for (std::size_t newline = text.find('\n'); newline != std::string_view::npos;
         newline = text.find('\n')) {
      pending_.append(text.substr(0, newline));
      lines += fit_line(pending_, width_);
      pending_.clear();
      text.remove_prefix(newline + 1);
    }
    pending_.append(text);
    const bool written = std::fwrite(lines.data(), 1, lines.size(), out_) == lines.size();
    return std::fflush(out_) == 0 && written;
  } catch (...) {
    errno = ENOMEM;  // a string could not grow: fail the write, as a full device would
    return false;
  }
}

}  // namespace asyncdemo
