#pragma once
// The closing parts of the text report (DESIGN.md §2.4-2.5): the figures the
// lesson rests on, and the claims checked against them.

#include <cstdio>
#include <string>

#include "cli/render.hpp"

namespace asyncdemo {

/// The completion order is listed only for this many tasks or fewer.
inline constexpr std::size_t kSummaryMaxListed = 10;

/// Results are listed whole up to a screenful of rows; past it, the first
/// kResultsHead and the last kResultsTail, with a count of those between.
inline constexpr std::size_t kResultsScreenful = 20;
inline constexpr std::size_t kResultsHead = 10;
inline constexpr std::size_t kResultsTail = 5;

/// Elapsed, sequential cost, speedup, ideal and overhead, max in flight, worst
/// stall; then the comparisons, the takeaways, the results and completion order.
void render_summary(const ScenarioReport& report, const TextStyle& style, std::FILE* out);

/// A claim's measured figure in its unit: `1.002s`, `2.99x`, `3`.
[[nodiscard]] std::string measured_text(const Claim& claim);

/// Each claim as `PASS  name  measured 1.002 s (expected <= 1.100 s)`, then a tally.
void render_checks(const ScenarioReport& report, const TextStyle& style, std::FILE* out);

}  // namespace asyncdemo
