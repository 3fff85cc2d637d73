// --repeat's text: a line per run, and the block the runs add up to.
#include <doctest/doctest.h>

#include <string>

#include "cli/render_runs.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

ScenarioReport run_of(double elapsed_s, bool claim_held) {
  ScenarioReport report;
  report.scenario = "gather";
  report.elapsed_s = elapsed_s;
  report.summary.max_in_flight = 3;
  report.checks = {Claim{.name = "ran at once",
                         .passed = claim_held,
                         .measured = elapsed_s,
                         .unit = "s",
                         .expected = "<= 1.100s"}};
  return report;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("render") {
  TEST_CASE("runs: the block gives each figure's median, min, max and spread, and each tally") {
    RunSeries runs(3);
    runs.add(run_of(1.0, true));
    runs.add(run_of(1.2, false));
    runs.add(run_of(1.1, true));
    const std::string text =
        testing::capture([&runs](std::FILE* out) { render_runs(runs, TextStyle{}, true, out); });
    INFO(text);
    CHECK(has(text, "\n3 runs\n"));
    CHECK(has(text, "  figure                median       min       max  spread\n"));
    CHECK(has(text, "  elapsed               1.100s    1.000s    1.200s  0.200s (18.2%)\n"));
    CHECK(has(text, "  max in flight              3         3         3  0\n"));
    CHECK(has(text,
              "  FAIL  ran at once  held in 2 of 3 runs (failed in run 2), worst 1.200s in "
              "run 2 (expected <= 1.100s)\n"));
    CHECK(has(text, "  0 of 1 claim held in every run\n"));
    // Without --check the claims stay out of the text, as a single run's do.
    const std::string unchecked =
        testing::capture([&runs](std::FILE* out) { render_runs(runs, TextStyle{}, false, out); });
    CHECK_FALSE(has(unchecked, "held in"));
  }

  TEST_CASE("runs: a single run adds nothing, one on the virtual clock says why it ran once") {
    RunSeries single(1);
    single.add(run_of(1.0, true));
    CHECK(testing::capture([&single](std::FILE* out) {
            render_runs(single, TextStyle{}, true, out);
          }).empty());
    RunSeries virtual_runs(5);
    ScenarioReport report = run_of(1.0, true);
    report.clock = ClockKind::virtual_time;
    virtual_runs.add(std::move(report));
    CHECK(testing::capture([&virtual_runs](std::FILE* out) {
            render_runs(virtual_runs, TextStyle{}, true, out);
          }) == "\n--repeat 5: on the virtual clock one run is exact; ran once\n");
  }

  TEST_CASE("runs: each run's line says its time and claims, or what cut it short") {
    RunSeries runs(5);
    runs.add(run_of(1.0, true));
    CHECK(run_progress(runs.runs().back(), 5, true) == "run 1 of 5: 1.000s, 1 of 1 claim held");
    CHECK(run_progress(runs.runs().back(), 5, false) == "run 1 of 5: 1.000s");
    ScenarioReport interrupted = run_of(0.3, true);
    interrupted.checks.clear();
    interrupted.interrupted = true;
    interrupted.interrupt_signal = 15;
    runs.add(std::move(interrupted));
    CHECK(run_progress(runs.runs().back(), 5, true) == "run 2 of 5: interrupted by SIGTERM");
    const std::string text =
        testing::capture([&runs](std::FILE* out) { render_runs(runs, TextStyle{}, true, out); });
    CHECK(has(text,
              "\n1 of 5 runs completed (run 2 interrupted by SIGTERM); the figures are of "
              "those\n"));
  }
}

}  // namespace
}  // namespace asyncdemo
