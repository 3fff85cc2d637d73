// lag: CPU work inline holds the loop and the heartbeat's tick comes late; on a thread or in a
// process the heartbeat keeps time; under the GIL thread work computes one job at a time.
#include <doctest/doctest.h>

#include <string>

#include "scenarios/scenario.hpp"
#include "tests/scenarios/run_scenario.hpp"

using asyncdemo::ClockKind;
using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::claim;
using asyncdemo::testing::run_scenario;

namespace {

double figure(const asyncdemo::ScenarioReport& report, const char* mode, const char* name) {
  return report.figures["modes"][mode][name].get<double>();
}

bool says(const asyncdemo::ScenarioReport& report, const std::string& words) {
  for (const std::string& takeaway : report.takeaways) {
    if (takeaway.find(words) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_SUITE("scenarios") {
  TEST_CASE("inline CPU work holds the loop, and the heartbeat's tick comes as late as the work") {
    const auto report = run_scenario(
        "lag", {"--offload", "inline", "--jobs", "2", "--cost", "500ms", "--tick", "100ms"});
    CHECK(all_claims_pass(report));
    // The tick was due at 100 ms; the two jobs held the loop until 1 s.
    CHECK(figure(report, "inline", "max_lag_s") == doctest::Approx(0.9));
    CHECK(figure(report, "inline", "held_loop_s") == doctest::Approx(1.0));
    CHECK(report.summary.max_loop_stall_s == doctest::Approx(0.5));
    CHECK(report.summary.max_loop_stall_task == "inline-1");
    CHECK(claim(report, "inline: a tick came as late as the work held the loop").measured ==
          doctest::Approx(0.9));
    CHECK(says(report, "2 jobs held the loop for 1s in all"));
  }

  TEST_CASE("on a thread or in a process the heartbeat keeps time") {
    const auto report = run_scenario("lag", {"--offload", "all", "--cost", "300ms"});
    CHECK(all_claims_pass(report));
    CHECK(figure(report, "thread", "max_lag_s") == 0);
    CHECK(figure(report, "process", "max_lag_s") == 0);
    CHECK(figure(report, "inline", "max_lag_s") == doctest::Approx(0.2));
    // Each phase: the work, then the heartbeat's tick that sees the stop.
    CHECK(figure(report, "thread", "elapsed_s") == doctest::Approx(0.4));
    CHECK(report.comparisons.size() == 1);
    CHECK(report.comparisons[0] ==
          "heartbeat lag, worst / p99: inline 200ms / 200ms, thread 0s / 0s, process 0s / 0s");
  }

  TEST_CASE("under the GIL, jobs on threads take as long together as one after another") {
    const auto report =
        run_scenario("lag", {"--offload", "thread", "--jobs", "3", "--cost", "200ms", "--gil"});
    CHECK(all_claims_pass(report));
    CHECK(claim(report, "thread: with the GIL the jobs computed one at a time").passed);
    CHECK(figure(report, "thread", "cpu_s") == doctest::Approx(0.6));
    CHECK(figure(report, "thread", "jobs_at_once") == 1);
    CHECK(says(report, "model: thread work takes turns at one lock"));
  }

  TEST_CASE("work shorter than a tick makes no tick late, and the report says so") {
    const auto report = run_scenario("lag", {"--offload", "inline", "--cost", "50ms"});
    CHECK(all_claims_pass(report));
    CHECK(figure(report, "inline", "max_lag_s") == 0);
    CHECK(says(report, "no longer than one tick"));
    CHECK(says(report, "make --cost longer than --tick"));
  }

  TEST_CASE("zero-cost work passes its own check in every mode") {
    const auto report = run_scenario("lag", {"--cost", "0", "--jobs", "3"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.size() == 9);
  }

  TEST_CASE("--size counts for real, so the virtual clock refuses it") {
    CHECK_THROWS_AS(run_scenario("lag", {"--size", "1000"}), asyncdemo::UsageError);
  }

  TEST_CASE("on the real clock inline work is counted, and the late tick is measured") {
    const auto report = run_scenario(
        "lag", {"--offload", "inline", "--cost", "150ms", "--tick", "50ms"}, ClockKind::real);
    CHECK(all_claims_pass(report));
    CHECK(figure(report, "inline", "max_lag_s") >= 0.1);
    REQUIRE(report.results.size() == 1);
    CHECK(report.results[0]["primes"].get<long>() > 0);
    CHECK(report.results[0]["cpu_s"].get<double>() >= 0.15);
  }
}

TEST_SUITE("threads") {
  TEST_CASE("on the real clock jobs under the GIL compute within the phase, one at a time") {
    const auto report = run_scenario(
        "lag", {"--offload", "thread", "--jobs", "2", "--cost", "60ms", "--gil"}, ClockKind::real);
    CHECK(all_claims_pass(report));
    CHECK(figure(report, "thread", "elapsed_s") >= figure(report, "thread", "cpu_s"));
  }

  TEST_CASE("on the real clock process work runs in child processes and comes back counted") {
    const auto report = run_scenario(
        "lag", {"--offload", "process", "--jobs", "2", "--cost", "50ms"}, ClockKind::real);
    CHECK(all_claims_pass(report));
    REQUIRE(report.results.size() == 2);
    for (std::size_t i = 0; i < report.results.size(); ++i) {
      CHECK(report.results[i]["primes"].get<long>() > 0);
      CHECK(report.results[i]["cpu_s"].get<double>() >= 0.05);
    }
  }
}
