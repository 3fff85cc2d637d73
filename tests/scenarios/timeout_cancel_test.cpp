#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <string_view>

#include "tests/scenarios/run_scenario.hpp"

namespace {
bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}
}  // namespace

using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::run_scenario;

TEST_SUITE("scenarios") {
  TEST_CASE("timeout returns control at the deadline plus the cleanup") {
    const auto report =
        run_scenario("timeout", {"--work", "10s", "--timeout", "2s", "--cleanup", "500ms"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["overrun_s"].get<double>() == doctest::Approx(0.5));
    CHECK(report.elapsed_s == doctest::Approx(2.5));
  }

  TEST_CASE("timeout does not fire when the work beats the deadline") {
    const auto report = run_scenario("timeout", {"--work", "1s", "--timeout", "2s"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == false);
    CHECK(report.elapsed_s == doctest::Approx(1.0));
  }

  TEST_CASE("timeout over several tasks cancels only those still running") {
    const auto report =
        run_scenario("timeout", {"--n", "3", "--delays", "1s,3s,5s", "--timeout", "2s"});
    CHECK(all_claims_pass(report));
    std::size_t cancelled = 0;
    for (const auto& task : report.timeline.summarize()) {
      cancelled += task.outcome == asyncdemo::TaskOutcome::cancelled ? 1 : 0;
    }
    CHECK(cancelled == 3);  // work-2, work-3 and the group that held them
  }

  TEST_CASE("cancel delivers Cancelled at the await and every cleanup runs") {
    const auto report = run_scenario("cancel", {"--n", "3", "--after", "1.5s"});
    CHECK(all_claims_pass(report));
    CHECK(report.elapsed_s == doctest::Approx(1.6));
  }

  TEST_CASE("cancel --offload shows thread work outliving its cancelled task") {
    const auto report =
        run_scenario("cancel", {"--n", "3", "--after", "1s", "--offload", "--work", "3s"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["thread_work_finished_s"].get<double>() == doctest::Approx(3.0));
    CHECK(report.elapsed_s == doctest::Approx(3.0));
  }

  TEST_CASE("work as long as the timeout times out, as in asyncio, and the text says so") {
    const auto report = run_scenario("timeout", {"--work", "1s", "--timeout", "1s"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == true);
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "the deadline was set first"));
    CHECK_FALSE(contains(report.takeaways[0], "beat the deadline"));
  }

  TEST_CASE("a zero timeout cancels the work before it runs: no cleanup is claimed") {
    for (const char* work : {"10s", "0"}) {
      const auto report = run_scenario("timeout", {"--work", work, "--timeout", "0"});
      CHECK(all_claims_pass(report));
      CHECK(report.figures["timed_out"] == true);
      REQUIRE(report.takeaways.size() == 1);
      CHECK(contains(report.takeaways[0], "no cleanup ran"));
      for (const auto& check : report.checks) {
        CHECK(check.measured >= 0);
      }
    }
  }

  TEST_CASE("timeout and cancel show no speedup or sequential cost") {
    for (const char* scenario : {"timeout", "cancel"}) {
      const auto report = run_scenario(scenario, {});
      CHECK(std::isnan(report.summary.speedup));
      CHECK(std::isnan(report.summary.sequential_s));
    }
  }

  TEST_CASE("a cancel after the thread work ended does nothing, and every result arrives") {
    const auto report =
        run_scenario("cancel", {"--offload", "--after", "400ms", "--work", "300ms"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() == asyncdemo::Json::parse("[1, 2, 3]"));
    CHECK(report.figures["cancelled"] == 0);
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "had ended before the cancel at 400ms"));
  }
}
