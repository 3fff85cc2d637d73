#pragma once
// "Did you mean ...?" as messages end with it: the nearest of the names a user could have
// meant (core/nearest_word.hpp), for a mistyped scenario, option, or key of a plan file.

#include <string>
#include <string_view>
#include <vector>

namespace asyncdemo {

/// " (did you mean gather?)" for the candidate nearest to `typed`, or nothing when none is
/// within two edits: further than that would be a guess, not a typo.
[[nodiscard]] std::string did_you_mean(std::string_view typed,
                                       const std::vector<std::string>& candidates);

}  // namespace asyncdemo
