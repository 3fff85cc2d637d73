#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/scenarios/run_scenario.hpp"

using asyncdemo::Json;
using asyncdemo::ScenarioReport;
using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::run_scenario;

namespace {

const Json& mode(const ScenarioReport& report, const std::string& name) {
  REQUIRE(report.figures["modes"].contains(name));
  return report.figures["modes"][name];
}

// Each client's attempts, in submission order.
std::vector<std::size_t> attempts(const ScenarioReport& report) {
  std::vector<std::size_t> result;
  result.reserve(report.results.size());
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    result.push_back(report.results[i]["attempts"].get<std::size_t>());
  }
  return result;
}

}  // namespace

TEST_SUITE("scenarios") {
  TEST_CASE("retry without jitter: the clients turned away together retry together, in waves") {
    // 5 clients, 2 calls a second. The 3 turned away at 0 retry at 110, 320 and 730 ms: all in
    // the first window, all turned away again. At 1.54s two get in, the last at 3.15s.
    const auto report = run_scenario(
        "retry", {"--jitter", "none", "--n", "5", "--capacity", "2", "--window", "1s"});
    CHECK(all_claims_pass(report));
    CHECK(attempts(report) == std::vector<std::size_t>{1, 1, 5, 5, 6});
    const Json& none = mode(report, "none");
    CHECK(none["calls_per_window"] == Json::array({5 + 3 + 3 + 3, 3, 0, 1}));
    CHECK(none["served_per_window"] == Json::array({2, 2, 0, 1}));
    CHECK(none["busiest_10ms_retries"] == 3);
    CHECK(none["gave_up"] == 0);
    CHECK(none["last_done_s"].get<double>() == doctest::Approx(3.16));
    CHECK(report.elapsed_s == doctest::Approx(3.16));
  }

  TEST_CASE("retry: a client gives up after --max-attempts, its task failed, the run goes on") {
    const auto report = run_scenario("retry", {"--jitter", "none", "--n", "4", "--capacity", "1",
                                               "--window", "1s", "--max-attempts", "3"});
    CHECK(all_claims_pass(report));
    CHECK(attempts(report) == std::vector<std::size_t>{1, 3, 3, 3});
    CHECK(mode(report, "none")["gave_up"] == 3);
    CHECK(report.error.empty());
    std::size_t failed = 0;
    for (const auto& task : report.timeline.summarize()) {
      failed += task.outcome == asyncdemo::TaskOutcome::failed ? 1 : 0;
    }
    CHECK(failed == 3);
    CHECK(report.elapsed_s == doctest::Approx(0.33));
  }

  TEST_CASE("retry with jitter spreads the retries: fewer at once, every client done sooner") {
    const auto report = run_scenario("retry", {});  // the defaults: all three jitters
    CHECK(all_claims_pass(report));
    const Json& none = mode(report, "none");
    const Json& full = mode(report, "full");
    CHECK(full["busiest_10ms_retries"].get<int>() < none["busiest_10ms_retries"].get<int>());
    CHECK(full["answered"].get<int>() > none["answered"].get<int>());
    CHECK(full["last_done_s"].get<double>() < none["last_done_s"].get<double>());
    CHECK(report.comparisons.size() == 1);
  }

  TEST_CASE("retry is the same run for the same seed, and another for another seed") {
    const std::vector<std::string> options{"--jitter", "full", "--error-rate", "0.3"};
    auto with_seed = [&options](const char* seed) {
      std::vector<std::string> arguments = options;
      arguments.insert(arguments.end(), {"--seed", seed});
      return run_scenario("retry", arguments);
    };
    const auto first = with_seed("7");
    const auto again = with_seed("7");
    const auto other = with_seed("8");
    CHECK(all_claims_pass(first));
    CHECK(first.results.to_json() == again.results.to_json());
    CHECK(first.elapsed_s == again.elapsed_s);
    CHECK(first.figures == again.figures);
    CHECK(first.figures != other.figures);
  }

  TEST_CASE("retry at the edges: one client, room for all, no latency, every call failing") {
    SUBCASE("one client, first call served") {
      const auto report = run_scenario("retry", {"--n", "1", "--jitter", "equal"});
      CHECK(all_claims_pass(report));
      CHECK(attempts(report) == std::vector<std::size_t>{1});
      CHECK(mode(report, "equal")["busiest_10ms_retries"] == 0);
    }
    SUBCASE("a capacity above n: no retries at all") {
      const auto report = run_scenario("retry", {"--n", "5", "--capacity", "8"});
      CHECK(all_claims_pass(report));
      for (const char* jitter : {"none", "full", "equal"}) {
        CHECK(mode(report, jitter)["attempts"] == 5);
      }
    }
    SUBCASE("no latency: the calls are answered at once, and the windows still hold") {
      const auto report = run_scenario("retry", {"--latency", "0", "--jitter", "none"});
      CHECK(all_claims_pass(report));
      CHECK(mode(report, "none")["served_per_window"][0] == 1);
    }
    SUBCASE("every served call fails: every client gives up") {
      const auto report = run_scenario(
          "retry", {"--error-rate", "1", "--n", "3", "--capacity", "6", "--max-attempts", "2"});
      CHECK(all_claims_pass(report));
      for (const char* jitter : {"none", "full", "equal"}) {
        CHECK(mode(report, jitter)["gave_up"] == 3);
        CHECK(mode(report, jitter)["errors"] == 6);
      }
    }
    SUBCASE("a cap at the base: every backoff the same") {
      const auto report = run_scenario("retry", {"--cap", "100ms", "--jitter", "none"});
      CHECK(all_claims_pass(report));
    }
  }

  TEST_CASE("retry refuses a cap shorter than the base, and a fraction out of range") {
    CHECK_THROWS_AS(run_scenario("retry", {"--cap", "50ms"}), asyncdemo::UsageError);
    CHECK_THROWS(run_scenario("retry", {"--error-rate", "1.5"}));
    CHECK_THROWS(run_scenario("retry", {"--error-rate", "20%"}));
  }

  TEST_CASE("retry on the real clock: the same outcomes, and every claim holds") {
    const auto report = run_scenario("retry",
                                     {"--jitter", "none", "--n", "3", "--capacity", "1", "--window",
                                      "1s", "--max-attempts", "3", "--base", "20ms"},
                                     asyncdemo::ClockKind::real);
    CHECK(all_claims_pass(report));
    CHECK(attempts(report) == std::vector<std::size_t>{1, 3, 3});
  }
}
