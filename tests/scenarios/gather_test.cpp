#include <doctest/doctest.h>

#include "tests/scenarios/run_scenario.hpp"

using asyncdemo::Json;
using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::claim;
using asyncdemo::testing::run_scenario;

TEST_SUITE("scenarios") {
  TEST_CASE("gather takes as long as the slowest task and keeps submission order") {
    const auto report = run_scenario("gather", {"--delays", "2s,1s,3s"});
    CHECK(all_claims_pass(report));
    CHECK(report.elapsed_s == doctest::Approx(3.0));
    CHECK(report.results.to_json() == Json::parse("[1, 2, 3]"));
    CHECK(report.summary.sequential_s == doctest::Approx(6.0));
    CHECK(report.summary.speedup == doctest::Approx(2.0));
  }

  TEST_CASE("gather with propagate raises at once and does not cancel the others") {
    const auto report = run_scenario("gather", {"--delays", "2s,1s,3s", "--fail", "2"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() == Json::parse(R"([1, {"error": "task-2 failed"}, 3])"));
    CHECK(claim(report, "gather raised the error as soon as the task failed").measured ==
          doctest::Approx(1.0));
  }

  TEST_CASE("gather with collect returns the error in place of the result") {
    const auto report =
        run_scenario("gather", {"--delays", "2s,1s,3s", "--fail", "2", "--on-error", "collect"});
    CHECK(all_claims_pass(report));
    CHECK(report.results[1]["error"] == "task-2 failed");
    CHECK(report.elapsed_s == doctest::Approx(3.0));
  }

  TEST_CASE("gather with cancel-siblings cancels the tasks still running") {
    const auto report = run_scenario(
        "gather", {"--delays", "2s,1s,3s", "--fail", "1", "--on-error", "cancel-siblings"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() ==
          Json::parse(R"([{"error": "task-1 failed"}, 2, {"cancelled": true}])"));
    CHECK(report.elapsed_s == doctest::Approx(2.0));
  }

  TEST_CASE("gather --sequential adds the delays up") {
    const auto report = run_scenario("gather", {"--delays", "2s,1s,3s", "--sequential"});
    CHECK(all_claims_pass(report));
    CHECK(report.elapsed_s == doctest::Approx(6.0));
  }

  TEST_CASE("gather --sequential stops at the first error unless collecting") {
    const auto report = run_scenario("gather", {"--n", "4", "--fail", "2", "--sequential"});
    CHECK(all_claims_pass(report));
    CHECK(report.results[2]["not_run"] == true);
    CHECK(report.results[3]["not_run"] == true);
  }

  TEST_CASE("gather refuses a --fail beyond the last task") {
    CHECK_THROWS_AS(run_scenario("gather", {"--n", "3", "--fail", "4"}), asyncdemo::UsageError);
  }

  TEST_CASE("gather refuses --n that contradicts --delays") {
    CHECK_THROWS_AS(run_scenario("gather", {"--n", "2", "--delays", "1s,2s,3s"}),
                    asyncdemo::UsageError);
  }
}
