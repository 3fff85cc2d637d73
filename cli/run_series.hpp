#pragma once
// RunSeries: the runs of one `--repeat N`, and what they add up to. Each run is
// kept as its figures and claims (RunRecord); only the last keeps its whole
// report (timeline and all), which the text report, --json's top level and
// --trace show: N records of a million-task run cost little, N timelines would
// not. The statistics are hyperfine's, as the issue asks: median, min, max and
// spread (max - min) of each figure over the runs that completed.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.hpp"

namespace asyncdemo {

/// Most runs one `--repeat` may ask for: a thousand is already a long wait.
inline constexpr std::size_t kMaxRepeat = 1000;

/// One run of a series, as the aggregate needs it.
struct RunRecord {
  std::size_t number = 0;  // 1-based, in the order they ran
  double elapsed_s = 0;
  bool interrupted = false;
  int interrupt_signal = 0;
  std::string error;  // the scenario's own failure; empty if it did its work
  Summary summary;
  Json figures = Json::object();
  std::vector<Claim> checks;

  [[nodiscard]] bool partial() const noexcept { return interrupted || !error.empty(); }
};

/// One figure over the runs that had it (a NaN, a figure that did not apply, is left out).
struct FigureStats {
  std::string name;  // as in JSON: "elapsed_s", "speedup", a scenario figure's key
  std::size_t count = 0;
  double median = 0;  // of an even count, the mean of the middle two
  double min = 0;
  double max = 0;
  double spread = 0;  // max - min
};

/// One claim over the runs that judged it (matched by name).
struct ClaimTally {
  std::string name;
  std::string unit;
  std::string expected;  // as the last run that judged it said it
  std::size_t judged = 0;
  std::size_t held = 0;
  std::vector<std::size_t> failed_runs;  // their numbers
  /// The measured value furthest from the median of all of them, among the runs where the
  /// claim failed if it failed anywhere: direction-free, so it fits "<=", ">=" and "==" alike.
  double worst_measured = 0;
  std::size_t worst_run = 0;
};

/// The statistics of `values` (NaNs left out), or nullopt when none is left.
[[nodiscard]] std::optional<FigureStats> figure_stats(std::string name, std::vector<double> values);

class RunSeries {
 public:
  /// `requested`: the N of --repeat N.
  explicit RunSeries(std::size_t requested) : requested_(requested) {}

  /// Adds the next run; its report becomes last().
  void add(ScenarioReport report);

  [[nodiscard]] std::size_t requested() const noexcept { return requested_; }
  /// Every run, the last (perhaps partial) one included.
  [[nodiscard]] const std::vector<RunRecord>& runs() const noexcept { return runs_; }
  /// The runs the statistics cover: those that did their work.
  [[nodiscard]] std::size_t completed() const noexcept;
  /// The report of the run added last. Only after add() (else std::logic_error).
  [[nodiscard]] const ScenarioReport& last() const;
  /// Whether this is a repeat at all (--repeat 2 or more was asked for).
  [[nodiscard]] bool repeated() const noexcept { return requested_ > 1; }
  /// --repeat N on the virtual clock: every run would be the same, so one was made.
  [[nodiscard]] bool ran_once_on_virtual_clock() const;

  /// The summary's figures (elapsed_s first), then each top-level numeric scenario figure,
  /// over the completed runs; a figure no completed run had is left out.
  [[nodiscard]] std::vector<FigureStats> summary_stats() const;
  [[nodiscard]] std::vector<FigureStats> scenario_figure_stats() const;
  /// Each claim of the completed runs, in the order they first appeared.
  [[nodiscard]] std::vector<ClaimTally> claim_tallies() const;
  /// Whether every claim held in every run.
  [[nodiscard]] bool claims_held() const;

 private:
  std::size_t requested_;
  std::vector<RunRecord> runs_;
  std::optional<ScenarioReport> last_;
};

/// "on the virtual clock one run is exact; ran once": why --repeat made one run.
inline constexpr std::string_view kVirtualRanOnce =
    "on the virtual clock one run is exact; ran once";

}  // namespace asyncdemo
