#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <string_view>

#include "tests/scenarios/run_scenario.hpp"

using asyncdemo::Json;
using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::claim;
using asyncdemo::testing::run_scenario;

namespace {
bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}
}  // namespace

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
    // gather raised, so it returned nothing: the rows say how each task ended.
    CHECK(report.results.to_json() == Json::parse(R"([{"task": "task-1", "value": 1},
                                                       {"task": "task-2", "error": "task-2 failed"},
                                                       {"task": "task-3", "value": 3}])"));
    CHECK(report.figures["raised"] == "task-2 failed");
    CHECK(claim(report, "gather raised the error as soon as the task failed").measured ==
          doctest::Approx(1.0));
  }

  TEST_CASE(
      "with equal delays, a TaskGroup's siblings that ended with the failure are not cancelled") {
    // asyncio: the three wake in one iteration; the group hears of task-2's failure in the
    // next one (call_soon), when task-3 has already returned: [1, RuntimeError, 3].
    const auto report =
        run_scenario("gather", {"--n", "3", "--fail", "2", "--on-error", "cancel-siblings"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() == Json::parse(R"([{"task": "task-1", "value": 1},
                                                       {"task": "task-2", "error": "task-2 failed"},
                                                       {"task": "task-3", "value": 3}])"));
    CHECK(report.figures["raised"] == "ExceptionGroup: task-2 failed");
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "found no task still running to cancel"));
    CHECK(contains(report.takeaways[0], "2 tasks ended in the same loop iteration"));
  }

  TEST_CASE("a TaskGroup of many equal tasks cancels none of those that ended with the failure") {
    const auto report =
        run_scenario("gather", {"--n", "2000", "--fail", "1000", "--on-error", "cancel-siblings"});
    CHECK(all_claims_pass(report));
    CHECK(claim(report, "no task ran on past the failure: each had ended or was cancelled")
              .measured == 0);
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "1999 tasks ended in the same loop iteration"));
  }

  TEST_CASE("a failure awaited one by one shows no speedup, and no negative overhead") {
    const auto report =
        run_scenario("gather", {"--delays", "2s,1s,3s", "--fail", "2", "--sequential"});
    CHECK(all_claims_pass(report));
    CHECK(std::isnan(report.summary.speedup));
    CHECK(report.summary.sequential_s == doctest::Approx(3.0));  // the work that ran: 2s + 1s
    CHECK(report.summary.ideal_s == doctest::Approx(3.0));
    CHECK(report.summary.overhead_s == doctest::Approx(0.0));
  }

  TEST_CASE("zero delays give no speedup, which JSON writes as null") {
    const auto report = run_scenario("gather", {"--delay", "0"});
    CHECK(all_claims_pass(report));
    CHECK(std::isnan(report.summary.speedup));
    CHECK(report.comparisons.empty());
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
    CHECK(report.results.to_json() == Json::parse(R"([{"task": "task-1", "error": "task-1 failed"},
                                                       {"task": "task-2", "value": 2},
                                                       {"task": "task-3", "cancelled": true}])"));
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
    CHECK(report.results[2] == Json{{"task", "task-3"}, {"not_run", true}});
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
