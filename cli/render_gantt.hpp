#pragma once
// The timeline chart of the text report (DESIGN.md §2.3): one row per task on
// a shared time axis, each state drawn with its own glyph (and colour).

#include <cstdio>

#include "cli/render.hpp"

namespace asyncdemo {

/// Tasks beyond this many collapse: the first and last few rows, then a row
/// of how many tasks were alive in each column.
inline constexpr std::size_t kGanttMaxFullRows = 20;
inline constexpr std::size_t kGanttHeadRows = 6;
inline constexpr std::size_t kGanttTailRows = 3;

/// Draws the chart, its axis and a legend of the glyphs it used.
void render_gantt(const ScenarioReport& report, const TextStyle& style, std::FILE* out);

}  // namespace asyncdemo
