#include "cli/render_format.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdint>
#include <sstream>

namespace asyncdemo {

namespace {

bool is_control(unsigned char byte) {
  constexpr unsigned char kFirstPrintable = 0x20;
  constexpr unsigned char kDelete = 0x7f;
  return byte < kFirstPrintable || byte == kDelete;
}

// A UTF-8 continuation byte (10xxxxxx) does not start a new character.
bool starts_code_point(unsigned char byte) {
  constexpr unsigned char kTopTwoBits = 0xc0;
  constexpr unsigned char kContinuation = 0x80;
  return (byte & kTopTwoBits) != kContinuation;
}

std::string_view ansi_code(Ansi colour) {
  switch (colour) {
    case Ansi::bold: return "1";
    case Ansi::dim: return "2";
    case Ansi::red: return "31";
    case Ansi::green: return "32";
    case Ansi::yellow: return "33";
    case Ansi::blue: return "34";
    case Ansi::magenta: return "35";
    case Ansi::cyan: return "36";
  }
  return "0";
}

}  // namespace

std::string format_ratio(double ratio) { return fmt::format("{:.2f}x", ratio); }

std::string format_param_value(const Json& value) {
  if (value.is_string()) {
    return printable(value.get_ref<const std::string&>());
  }
  if (value.is_array()) {
    std::string joined;
    for (const Json& item : value) {
      joined += (joined.empty() ? "" : ",") + format_param_value(item);
    }
    return joined;
  }
  if (value.is_null()) {
    return "none";
  }
  return printable(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string format_params(const Json& params) {
  std::string line;
  for (const auto& [key, value] : params.items()) {
    line +=
        fmt::format("{}{}={}", line.empty() ? "" : " ", printable(key), format_param_value(value));
  }
  return line;
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (is_control(static_cast<unsigned char>(c))) {
      c = '?';
    }
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (const char c : text) {
    width += starts_code_point(static_cast<unsigned char>(c)) ? 1 : 0;
  }
  return width;
}

std::string fit(std::string_view text, std::size_t columns) {
  std::string safe = printable(text);
  if (display_width(safe) <= columns) {
    return safe;
  }
  std::string cut;
  std::size_t taken = 0;
  for (const char c : safe) {
    if (starts_code_point(static_cast<unsigned char>(c)) && ++taken == columns) {
      break;  // the last column is kept for the '~'
    }
    cut += c;
  }
  return cut + "~";
}

std::string pad(std::string_view text, std::size_t columns) {
  const std::size_t width = display_width(text);
  std::string out(text);
  out.append(width < columns ? columns - width : 0, ' ');
  return out;
}

std::vector<std::string> wrap(std::string_view text, std::size_t width, std::string_view indent) {
  std::vector<std::string> lines;
  const std::size_t room = width > display_width(indent) ? width - display_width(indent) : 1;
  std::string line;
  std::istringstream words(printable(text));
  for (std::string word; words >> word;) {
    if (!line.empty() && display_width(line) + 1 + display_width(word) > room) {
      lines.push_back(std::string(indent) + line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty() || lines.empty()) {
    lines.push_back(std::string(indent) + line);
  }
  return lines;
}

std::string event_detail(const Event& event, const Timeline& timeline) {
  std::string detail;
  if (event.kind == EventKind::suspended) {
    detail = to_string(event.wait);
  }
  const std::string_view note = timeline.note(event.note);
  if (!note.empty()) {
    detail += (detail.empty() ? "" : " ") + std::string(note);
  }
  return detail;
}

std::string paint(std::string_view text, Ansi colour, bool color) {
  if (!color) {
    return std::string(text);
  }
  return fmt::format("\x1b[{}m{}\x1b[0m", ansi_code(colour), text);
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return fmt::format("signal {}", signal);
  }
}

std::string interruption_name(int signal) {
  return signal == SIGINT ? "Ctrl-C" : signal_name(signal);
}

std::string xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
    } else if (byte >= 0x80) {
      length = 0;  // a continuation byte or one no UTF-8 text starts with
    }
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
    } else if (byte < 0x20 || byte == 0x7F) {
      out += '?';
    } else {
      switch (text[i]) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += text[i];
      }
    }
    i += length;
  }
  return out;
}

}  // namespace asyncdemo
