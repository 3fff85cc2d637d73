#pragma once
// "Did you mean ...?": the nearest of the names a user could have meant, for error messages
// about a mistyped scenario, option, or key of a plan file.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace asyncdemo {

/// Levenshtein distance: the fewest one-character insertions, deletions and substitutions
/// that turn `a` into `b`.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// " (did you mean gather?)" for the candidate nearest to `typed`, or nothing when none is
/// within two edits: further than that would be a guess, not a typo.
[[nodiscard]] std::string did_you_mean(std::string_view typed,
                                       const std::vector<std::string>& candidates);

}  // namespace asyncdemo
