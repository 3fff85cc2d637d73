#include "scenarios/request_line.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace asyncdemo {

namespace {

// The length of the UTF-8 sequence at `text[at]` if it is one well-formed character that is not
// a control character, else 0.
std::size_t text_character(std::string_view text, std::size_t at) noexcept {
  const auto lead = static_cast<std::uint8_t>(text[at]);
  if (lead < 0x80) {
    return (lead >= 0x20 && lead != 0x7F) || lead == '\t' ? 1 : 0;
  }
  std::size_t length = 0;
  std::uint32_t code = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2;
    code = lead & 0x1FU;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3;
    code = lead & 0x0FU;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4;
    code = lead & 0x07U;
  } else {
    return 0;  // a continuation byte, or a lead byte UTF-8 never uses
  }
  if (at + length > text.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<std::uint8_t>(text[at + i]);
    if ((next & 0xC0U) != 0x80U) {
      return 0;
    }
    code = (code << 6U) | (next & 0x3FU);
  }
  constexpr std::array<std::uint32_t, 5> kShortest{0, 0, 0x80, 0x800, 0x10000};
  const bool overlong = code < kShortest[length];
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  const bool c1_control = code >= 0x80 && code <= 0x9F;
  return overlong || surrogate || c1_control || code > 0x10FFFF ? 0 : length;
}

}  // namespace

bool is_text_line(std::string_view line) noexcept {
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t length = text_character(line, at);
    if (length == 0) {
      return false;
    }
    at += length;
  }
  return true;
}

}  // namespace asyncdemo
