#pragma once
// The text of --repeat (cli/run_series.hpp): a line per run while the series
// goes on, and after the last run's report the block the series adds up to.

#include <cstdio>
#include <string>

#include "cli/render.hpp"
#include "cli/run_series.hpp"

namespace asyncdemo {

/// `run 2 of 5: 0.052s, 3 of 3 claims held` (the claims with `with_checks`), or what cut the
/// run short: `run 2 of 5: interrupted by Ctrl-C`.
[[nodiscard]] std::string run_progress(const RunRecord& run, std::size_t requested,
                                       bool with_checks);

/// `5 runs`: each figure's median, min, max and spread over the runs that completed, and with
/// `with_checks` each claim's tally (held in K of N runs, its worst measured value). On the
/// virtual clock, the one line that says why one run was made. Nothing for a single run.
void render_runs(const RunSeries& runs, const TextStyle& style, bool with_checks, std::FILE* out);

}  // namespace asyncdemo
