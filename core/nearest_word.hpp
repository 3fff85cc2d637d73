#pragma once
// "Did you mean ...?": the word a typo was most likely meant to be, for every message that
// rejects a word a user wrote (a scenario, an option, a word in an input file).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace asyncdemo {

/// Levenshtein distance: the fewest single-byte insertions, deletions and substitutions that
/// turn `a` into `b`. O(a.size() * b.size()): meant for words, not texts.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `typed`, at most `max_distance` edits away (the first of equally
/// near ones), or nullptr if none is that near. The pointer is into `candidates`.
[[nodiscard]] const std::string* nearest_word(std::string_view typed,
                                              const std::vector<std::string>& candidates,
                                              std::size_t max_distance);

}  // namespace asyncdemo
