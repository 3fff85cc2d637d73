#include <doctest/doctest.h>

#include "tests/scenarios/run_scenario.hpp"

using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::run_scenario;

TEST_SUITE("scenarios") {
  TEST_CASE("semaphore lets at most limit tasks in and takes ceil(n / limit) rounds") {
    const auto report = run_scenario("semaphore", {"--n", "10", "--limit", "3", "--delay", "1s"});
    CHECK(all_claims_pass(report));
    CHECK(report.elapsed_s == doctest::Approx(4.0));
    CHECK(report.summary.max_in_flight == 3);
    CHECK(report.figures["max_wait_s"].get<double>() == doctest::Approx(3.0));
  }

  TEST_CASE("semaphore holds with thousands of tasks") {
    const auto report =
        run_scenario("semaphore", {"--n", "5000", "--limit", "100", "--delay", "10ms"});
    CHECK(all_claims_pass(report));
    CHECK(report.elapsed_s == doctest::Approx(0.5));
  }
}

TEST_SUITE("threads") {
  TEST_CASE("probe reports localhost found and an .invalid name not found, offline") {
    const auto report =
        run_scenario("probe", {"localhost", "nosuchname.invalid"}, asyncdemo::ClockKind::real);
    CHECK(all_claims_pass(report));
    REQUIRE(report.results.size() == 2);
    CHECK(report.results[0]["status"] == "FOUND");
    CHECK(report.results[1]["status"] == "NOT FOUND");
  }

  TEST_CASE("probe refuses a malformed name before resolving any") {
    const std::string long_label(64, 'a');
    for (const std::string& bad : {long_label + ".invalid", std::string("bad..name")}) {
      CAPTURE(bad);
      CHECK_THROWS_WITH_AS(run_scenario("probe", {"localhost", bad}, asyncdemo::ClockKind::real),
                           doctest::Contains("invalid name"), asyncdemo::UsageError);
    }
  }

  TEST_CASE("probe refuses a --from file that does not exist") {
    CHECK_THROWS_AS(run_scenario("probe", {"--from", "/nonexistent/names.txt"}),
                    asyncdemo::UsageError);
  }
}
