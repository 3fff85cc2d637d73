#include "scenarios/spelling.hpp"

#include <fmt/format.h>

#include <cstddef>

#include "core/nearest_word.hpp"

namespace asyncdemo {

namespace {

constexpr std::size_t kMaxTypoDistance = 2;

}  // namespace

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates) {
  const std::string* best = nearest_word(typed, candidates, kMaxTypoDistance);
  return best == nullptr ? "" : fmt::format(" (did you mean {}?)", *best);
}

}  // namespace asyncdemo
