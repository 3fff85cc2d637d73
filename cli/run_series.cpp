#include "cli/run_series.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace asyncdemo {

namespace {

RunRecord record_of(const ScenarioReport& report, std::size_t number) {
  RunRecord record;
  record.number = number;
  record.elapsed_s = report.elapsed_s;
  record.interrupted = report.interrupted;
  record.interrupt_signal = report.interrupt_signal;
  record.error = report.error;
  record.summary = report.summary;
  record.figures = report.figures;
  record.checks = report.checks;
  return record;
}

double median_of_sorted(const std::vector<double>& sorted) {
  const std::size_t middle = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Each summary figure, named as in JSON, read from one run.
struct SummaryFigure {
  const char* name;
  double (*read)(const RunRecord& run);
};

constexpr std::array kSummaryFigures{
    SummaryFigure{"elapsed_s", [](const RunRecord& run) { return run.elapsed_s; }},
    SummaryFigure{"sequential_s", [](const RunRecord& run) { return run.summary.sequential_s; }},
    SummaryFigure{"ideal_s", [](const RunRecord& run) { return run.summary.ideal_s; }},
    SummaryFigure{"speedup", [](const RunRecord& run) { return run.summary.speedup; }},
    SummaryFigure{"overhead_s", [](const RunRecord& run) { return run.summary.overhead_s; }},
    SummaryFigure{
        "max_in_flight",
        [](const RunRecord& run) { return static_cast<double>(run.summary.max_in_flight); }},
    SummaryFigure{"max_loop_stall_s",
                  [](const RunRecord& run) { return run.summary.max_loop_stall_s; }},
};

// The worst of a claim's measured values: see ClaimTally::worst_measured.
void find_worst(ClaimTally& tally,
                const std::vector<std::pair<std::size_t, const Claim*>>& judged) {
  std::vector<double> measured;
  measured.reserve(judged.size());
  for (const auto& [run, claim] : judged) {
    measured.push_back(claim->measured);
  }
  std::ranges::sort(measured);
  const double median = median_of_sorted(measured);
  const bool failed_somewhere = tally.held < tally.judged;
  double furthest = -1;
  for (const auto& [run, claim] : judged) {
    const double distance = std::abs(claim->measured - median);
    if ((failed_somewhere && claim->passed) || !(distance > furthest)) {
      continue;
    }
    furthest = distance;
    tally.worst_measured = claim->measured;
    tally.worst_run = run;
  }
}

}  // namespace

std::optional<FigureStats> figure_stats(std::string name, std::vector<double> values) {
  std::erase_if(values, [](double value) { return !std::isfinite(value); });
  if (values.empty()) {
    return std::nullopt;
  }
  std::ranges::sort(values);
  FigureStats stats;
  stats.name = std::move(name);
  stats.count = values.size();
  stats.median = median_of_sorted(values);
  stats.min = values.front();
  stats.max = values.back();
  stats.spread = stats.max - stats.min;
  return stats;
}

void RunSeries::add(ScenarioReport report) {
  runs_.push_back(record_of(report, runs_.size() + 1));
  last_ = std::move(report);
}

const ScenarioReport& RunSeries::last() const {
  if (!last_) {
    throw std::logic_error("RunSeries::last() called before any run was added");
  }
  return *last_;
}

std::size_t RunSeries::completed() const noexcept {
  return static_cast<std::size_t>(
      std::ranges::count_if(runs_, [](const RunRecord& run) { return !run.partial(); }));
}

bool RunSeries::ran_once_on_virtual_clock() const {
  return repeated() && last_ && last_->clock == ClockKind::virtual_time;
}

std::vector<FigureStats> RunSeries::summary_stats() const {
  std::vector<FigureStats> all;
  for (const SummaryFigure& figure : kSummaryFigures) {
    std::vector<double> values;
    for (const RunRecord& run : runs_) {
      if (!run.partial()) {
        values.push_back(figure.read(run));
      }
    }
    if (auto stats = figure_stats(figure.name, std::move(values))) {
      all.push_back(std::move(*stats));
    }
  }
  return all;
}

std::vector<FigureStats> RunSeries::scenario_figure_stats() const {
  // The keys in the order the first completed run had them; nested and non-numeric ones are
  // the scenario's structure, not a figure to take a median of.
  std::vector<std::string> keys;
  for (const RunRecord& run : runs_) {
    if (run.partial() || !run.figures.is_object()) {
      continue;
    }
    for (const auto& [key, value] : run.figures.items()) {
      if (value.is_number() && std::ranges::find(keys, key) == keys.end()) {
        keys.push_back(key);
      }
    }
  }
  std::vector<FigureStats> all;
  for (const std::string& key : keys) {
    std::vector<double> values;
    for (const RunRecord& run : runs_) {
      if (!run.partial() && run.figures.is_object() && run.figures.contains(key) &&
          run.figures[key].is_number()) {
        values.push_back(run.figures[key].get<double>());
      }
    }
    if (auto stats = figure_stats(key, std::move(values))) {
      all.push_back(std::move(*stats));
    }
  }
  return all;
}

std::vector<ClaimTally> RunSeries::claim_tallies() const {
  std::vector<ClaimTally> tallies;
  std::vector<std::vector<std::pair<std::size_t, const Claim*>>> judged;
  for (const RunRecord& run : runs_) {
    for (const Claim& claim : run.checks) {
      auto found = std::ranges::find(tallies, claim.name, &ClaimTally::name);
      if (found == tallies.end()) {
        ClaimTally tally;
        tally.name = claim.name;
        tallies.push_back(std::move(tally));
        judged.emplace_back();
        found = std::prev(tallies.end());
      }
      ClaimTally& tally = *found;
      tally.unit = claim.unit;
      tally.expected = claim.expected;
      ++tally.judged;
      if (claim.passed) {
        ++tally.held;
      } else {
        tally.failed_runs.push_back(run.number);
      }
      judged[static_cast<std::size_t>(found - tallies.begin())].emplace_back(run.number, &claim);
    }
  }
  for (std::size_t i = 0; i < tallies.size(); ++i) {
    find_worst(tallies[i], judged[i]);
  }
  return tallies;
}

bool RunSeries::claims_held() const {
  return std::ranges::all_of(
      runs_, [](const RunRecord& run) { return std::ranges::all_of(run.checks, &Claim::passed); });
}

}  // namespace asyncdemo
