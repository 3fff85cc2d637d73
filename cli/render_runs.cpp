#include "cli/render_runs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "cli/render_format.hpp"
#include "cli/render_summary.hpp"
#include "scenarios/kit.hpp"

namespace asyncdemo {

namespace {

constexpr std::size_t kMaxLabelColumns = 24;
constexpr std::size_t kValueColumns = 10;
constexpr double kPercent = 100;

// The summary's labels, as its text shows them (render_summary.cpp).
std::string summary_label(std::string_view name) {
  if (name == "elapsed_s") {
    return "elapsed";
  }
  if (name == "sequential_s") {
    return "sequential";
  }
  if (name == "ideal_s") {
    return "ideal";
  }
  if (name == "overhead_s") {
    return "overhead";
  }
  if (name == "max_in_flight") {
    return "max in flight";
  }
  if (name == "max_loop_stall_s") {
    return "worst loop stall";
  }
  return std::string(name);
}

// A scenario figure under its plain name, as results show one (`blocking_s` reads `blocking`).
std::string figure_label(std::string_view name) {
  return printable(name.size() > 2 && name.ends_with("_s") ? name.substr(0, name.size() - 2)
                                                           : name);
}

std::string value_text(std::string_view name, double value) {
  if (name.size() > 2 && name.ends_with("_s")) {
    return format_fixed_seconds(value);
  }
  if (name == "speedup") {
    return format_ratio(value);
  }
  return fmt::format("{:g}", value);
}

// `0.001s (2.0%)`: the spread, and what share of the median it is when that means something.
std::string spread_text(const FigureStats& stats) {
  std::string absolute = value_text(stats.name, stats.spread);
  // A share of a spread too small to show (`0.000s (64.3%)`) would be noise.
  if (stats.median <= 0 || absolute == value_text(stats.name, 0)) {
    return absolute;
  }
  return fmt::format("{} ({:.1f}%)", absolute, kPercent * stats.spread / stats.median);
}

struct Row {
  std::string label;
  FigureStats stats;
};

void print_figures(const std::vector<Row>& rows, std::FILE* out) {
  std::size_t label_columns = std::string_view("figure").size();
  for (const Row& row : rows) {
    label_columns = std::max(label_columns, std::min(display_width(row.label), kMaxLabelColumns));
  }
  fmt::print(out, "  {:<{}}  {:>{}}{:>{}}{:>{}}  {}\n", "figure", label_columns, "median",
             kValueColumns, "min", kValueColumns, "max", kValueColumns, "spread");
  for (const Row& row : rows) {
    const FigureStats& s = row.stats;
    fmt::print(out, "  {}  {:>{}}{:>{}}{:>{}}  {}\n",
               pad(fit(row.label, kMaxLabelColumns), label_columns), value_text(s.name, s.median),
               kValueColumns, value_text(s.name, s.min), kValueColumns, value_text(s.name, s.max),
               kValueColumns, spread_text(s));
  }
}

std::string run_list(const std::vector<std::size_t>& numbers) {
  return fmt::format("{} {}", numbers.size() == 1 ? "run" : "runs", fmt::join(numbers, ", "));
}

// `PASS  name  held in 5 of 5 runs, worst 0.052s in run 3 (expected <= 0.150s)`.
void print_claims(const std::vector<ClaimTally>& tallies, const TextStyle& style, std::FILE* out) {
  std::size_t name_columns = 0;
  for (const ClaimTally& tally : tallies) {
    name_columns =
        std::max(name_columns, std::min(display_width(tally.name), kMaxLabelColumns * 2));
  }
  std::size_t held_everywhere = 0;
  for (const ClaimTally& tally : tallies) {
    const bool held = tally.held == tally.judged;
    held_everywhere += held ? 1 : 0;
    const std::string verdict =
        held ? paint("PASS", Ansi::green, style.color) : paint("FAIL", Ansi::red, style.color);
    const std::string failed =
        held ? std::string() : fmt::format(" (failed in {})", run_list(tally.failed_runs));
    Claim worst;
    worst.measured = tally.worst_measured;
    worst.unit = tally.unit;
    fmt::print(out, "  {}  {}  held in {} of {}{}, worst {} in run {} (expected {})\n", verdict,
               pad(printable(tally.name), name_columns), tally.held,
               kit::count_of(tally.judged, "run"), failed, measured_text(worst), tally.worst_run,
               printable(tally.expected));
  }
  fmt::print(out, "  {} of {} held in every run\n", held_everywhere,
             kit::count_of(tallies.size(), "claim"));
}

// `5 runs`, or when the series stopped short, where and why.
std::string heading(const RunSeries& runs) {
  const RunRecord& last = runs.runs().back();
  const std::size_t completed = runs.completed();
  if (completed == runs.requested()) {
    return kit::count_of(completed, "run");
  }
  std::string why = fmt::format("stopped after run {}", last.number);  // a signal between runs
  if (last.interrupted) {
    why = fmt::format("run {} interrupted by {}", last.number,
                      interruption_name(last.interrupt_signal));
  } else if (!last.error.empty()) {
    why = fmt::format("run {} failed", last.number);
  }
  return fmt::format("{} of {} runs completed ({}); the figures are of those", completed,
                     runs.requested(), why);
}

}  // namespace

std::string run_progress(const RunRecord& run, std::size_t requested, bool with_checks) {
  const std::string which = fmt::format("run {} of {}", run.number, requested);
  if (run.interrupted) {
    return fmt::format("{}: interrupted by {}", which, interruption_name(run.interrupt_signal));
  }
  if (!run.error.empty()) {
    return fmt::format("{}: failed: {}", which, printable(run.error));
  }
  std::string text = fmt::format("{}: {}", which, format_fixed_seconds(run.elapsed_s));
  if (with_checks) {
    const auto held = std::ranges::count_if(run.checks, &Claim::passed);
    text += fmt::format(", {} of {} held", held, kit::count_of(run.checks.size(), "claim"));
  }
  return text;
}

void render_runs(const RunSeries& runs, const TextStyle& style, bool with_checks, std::FILE* out) {
  if (runs.ran_once_on_virtual_clock()) {
    fmt::print(out, "\n--repeat {}: {}\n", runs.requested(), kVirtualRanOnce);
    return;
  }
  if (!runs.repeated() || runs.runs().empty()) {
    return;
  }
  fmt::print(out, "\n{}\n", paint(heading(runs), Ansi::bold, style.color));
  std::vector<Row> rows;
  for (FigureStats& stats : runs.summary_stats()) {
    std::string label = summary_label(stats.name);
    rows.push_back({std::move(label), std::move(stats)});
  }
  for (FigureStats& stats : runs.scenario_figure_stats()) {
    std::string label = figure_label(stats.name);
    rows.push_back({std::move(label), std::move(stats)});
  }
  if (!rows.empty()) {
    print_figures(rows, out);
  }
  const std::vector<ClaimTally> tallies = runs.claim_tallies();
  if (with_checks && !tallies.empty()) {
    fmt::print(out, "\n{}\n", paint("claims over the runs", Ansi::bold, style.color));
    print_claims(tallies, style, out);
  }
  std::fflush(out);
}

}  // namespace asyncdemo
