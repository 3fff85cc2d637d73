#pragma once
// Pieces of JSON text for the streaming renderers (--json, --trace): they
// print the document as they go, and use nlohmann only for the small values
// whose escaping must be right (names, notes, parameters, results).

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>

#include "scenarios/scenario.hpp"

namespace asyncdemo {

/// `value` as compact JSON text. Invalid UTF-8 (a name read from a file) is
/// replaced with U+FFFD rather than thrown about: the document stays valid.
inline std::string json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// `text` as a JSON string literal, quotes and all.
inline std::string json_string(std::string_view text) { return json_text(Json(text)); }

/// A number as JSON. JSON has no NaN or infinity (a speedup over zero time):
/// those are written as null.
inline std::string json_number(double value) {
  return std::isfinite(value) ? fmt::format("{}", value) : std::string("null");
}

}  // namespace asyncdemo
