// RunSeries: the figures of --repeat's runs added up (median, min, max, spread) and each
// claim's tally over them.
#include "cli/run_series.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace asyncdemo {
namespace {

ScenarioReport run_of(double elapsed_s, std::vector<Claim> checks = {}) {
  ScenarioReport report;
  report.scenario = "gather";
  report.elapsed_s = elapsed_s;
  report.summary.max_in_flight = 3;
  report.checks = std::move(checks);
  return report;
}

Claim claim(bool passed, double measured) {
  return Claim{.name = "ran at once",
               .passed = passed,
               .measured = measured,
               .unit = "s",
               .expected = "<= 1.100s"};
}

TEST_SUITE("cli") {
  TEST_CASE("the median of an odd count is the middle value, of an even count the mean of two") {
    const FigureStats odd = figure_stats("elapsed_s", {3, 1, 2}).value_or(FigureStats{});
    CHECK(odd.count == 3);
    CHECK(odd.median == 2);
    const FigureStats even = figure_stats("elapsed_s", {4, 1, 3, 2}).value_or(FigureStats{});
    CHECK(even.median == doctest::Approx(2.5));
    CHECK(even.count == 4);
  }

  TEST_CASE(
      "min, max and spread are of the values there are, NaNs (figures that did not apply) left "
      "out") {
    const FigureStats stats =
        figure_stats("speedup", {2.5, std::nan(""), 1.5, 3.0}).value_or(FigureStats{});
    CHECK(stats.count == 3);
    CHECK(stats.min == 1.5);
    CHECK(stats.max == 3.0);
    CHECK(stats.spread == doctest::Approx(1.5));
    CHECK_FALSE(figure_stats("speedup", {std::nan("")}).has_value());
    CHECK_FALSE(figure_stats("speedup", {}).has_value());
  }

  TEST_CASE("a series adds up the summary and the top-level numeric scenario figures") {
    RunSeries runs(3);
    for (const double elapsed : {1.2, 1.0, 1.1}) {
      ScenarioReport report = run_of(elapsed);
      report.figures = {{"blocking_s", elapsed * 3}, {"mode", "all"}, {"nested", {{"a", 1}}}};
      runs.add(std::move(report));
    }
    const auto summary = runs.summary_stats();
    REQUIRE_FALSE(summary.empty());
    CHECK(summary.front().name == "elapsed_s");
    CHECK(summary.front().median == doctest::Approx(1.1));
    CHECK(summary.front().spread == doctest::Approx(0.2));
    // sequential_s and the rest are NaN here (no work set): left out, not shown as zero.
    CHECK(std::ranges::none_of(summary, [](const FigureStats& s) { return s.name == "speedup"; }));
    CHECK(std::ranges::any_of(summary,
                              [](const FigureStats& s) { return s.name == "max_in_flight"; }));
    const auto figures = runs.scenario_figure_stats();
    REQUIRE(figures.size() == 1);
    CHECK(figures.front().name == "blocking_s");
    CHECK(figures.front().max == doctest::Approx(3.6));
  }

  TEST_CASE("a claim's tally counts the runs it held in and names the worst that failed") {
    RunSeries runs(4);
    runs.add(run_of(1.0, {claim(true, 1.00)}));
    runs.add(run_of(1.3, {claim(false, 1.30)}));
    runs.add(run_of(1.0, {claim(true, 1.01)}));
    runs.add(run_of(1.2, {claim(false, 1.20)}));
    const auto tallies = runs.claim_tallies();
    REQUIRE(tallies.size() == 1);
    CHECK(tallies[0].judged == 4);
    CHECK(tallies[0].held == 2);
    CHECK(tallies[0].failed_runs == std::vector<std::size_t>{2, 4});
    CHECK(tallies[0].worst_measured == doctest::Approx(1.30));
    CHECK(tallies[0].worst_run == 2);
    CHECK_FALSE(runs.claims_held());
  }

  TEST_CASE("a run cut short ends the figures: they are of the runs that completed") {
    RunSeries runs(5);
    runs.add(run_of(1.0, {claim(true, 1.0)}));
    ScenarioReport interrupted = run_of(0.4);
    interrupted.interrupted = true;
    interrupted.interrupt_signal = 2;
    runs.add(std::move(interrupted));
    CHECK(runs.runs().size() == 2);
    CHECK(runs.completed() == 1);
    CHECK(runs.summary_stats().front().max == 1.0);  // not 0.4
    CHECK(runs.claims_held());
    CHECK(runs.last().interrupted);
  }

  TEST_CASE("--repeat on the virtual clock is one exact run, and the series says so") {
    RunSeries runs(5);
    ScenarioReport report = run_of(1.0);
    report.clock = ClockKind::virtual_time;
    runs.add(std::move(report));
    CHECK(runs.ran_once_on_virtual_clock());
    RunSeries single(1);
    ScenarioReport alone = run_of(1.0);
    alone.clock = ClockKind::virtual_time;
    single.add(std::move(alone));
    CHECK_FALSE(single.ran_once_on_virtual_clock());
    CHECK_FALSE(single.repeated());
  }
}

}  // namespace
}  // namespace asyncdemo
