#include <doctest/doctest.h>

#include "tests/scenarios/run_scenario.hpp"

using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::claim;
using asyncdemo::testing::run_scenario;

TEST_SUITE("scenarios") {
  TEST_CASE("sleep all shows blocking adding up, async overlapping, threads overlapping") {
    const auto report = run_scenario("sleep", {"--n", "3", "--delay", "1s", "--mode", "all"});
    CHECK(all_claims_pass(report));
    const auto& modes = report.figures["modes"];
    CHECK(modes["blocking"]["elapsed_s"].get<double>() == doctest::Approx(3.0));
    CHECK(modes["async"]["elapsed_s"].get<double>() == doctest::Approx(1.0));
    CHECK(modes["threads"]["elapsed_s"].get<double>() == doctest::Approx(1.0));
    CHECK(report.elapsed_s == doctest::Approx(5.0));
    REQUIRE(report.comparisons.size() == 2);
    CHECK(report.comparisons[0] == "async ran 3.00x faster than blocking");
  }

  TEST_CASE("ten one-second sleeps on a pool of four threads take three seconds") {
    const auto report = run_scenario("sleep", {"--n", "10", "--mode", "threads"});
    CHECK(all_claims_pass(report));
    CHECK(report.elapsed_s == doctest::Approx(3.0));
  }

  TEST_CASE("blocking sleeps stall the loop for their whole length") {
    const auto report =
        run_scenario("sleep", {"--n", "2", "--delay", "250ms", "--mode", "blocking"});
    CHECK(report.summary.max_loop_stall_s == doctest::Approx(0.25));
    CHECK(report.elapsed_s == doctest::Approx(0.5));
    CHECK(report.summary.speedup == doctest::Approx(1.0));
  }

  TEST_CASE("async sleeps on the real clock take about one delay, never less") {
    const auto report = run_scenario("sleep", {"--n", "5", "--delay", "100ms", "--mode", "async"},
                                     asyncdemo::ClockKind::real);
    CHECK(report.elapsed_s >= 0.1);
    CHECK(report.elapsed_s < 0.4);  // generous: the machine is small and noisy
    CHECK(claim(report, "async: the 5 sleeps overlapped").passed);
  }
}
