#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "tests/core/timeline_queries.hpp"
#include "tests/scenarios/run_scenario.hpp"

namespace {
bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

asyncdemo::TaskOutcome outcome_of(const asyncdemo::ScenarioReport& report, std::string_view name) {
  return asyncdemo::test::summary_of(report.timeline,
                                     asyncdemo::test::task_named(report.timeline, name))
      .outcome;
}

// The notes a task made, in order.
std::vector<std::string> notes_of(const asyncdemo::ScenarioReport& report, std::string_view name) {
  const asyncdemo::TaskId id = asyncdemo::test::task_named(report.timeline, name);
  std::vector<std::string> notes;
  for (const asyncdemo::Event& event : report.timeline.events()) {
    if (event.task == id && event.kind == asyncdemo::EventKind::note) {
      notes.emplace_back(report.timeline.note(event.note));
    }
  }
  return notes;
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

  TEST_CASE("timeout --swallow: wait_for returns the value of work that swallowed the cancel") {
    const auto report = run_scenario(
        "timeout", {"--work", "10s", "--timeout", "2s", "--cleanup", "500ms", "--swallow"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == false);  // no TimeoutError...
    CHECK(report.figures["swallowed"] == 1);
    CHECK(report.figures["overrun_s"].get<double>() == doctest::Approx(0.5));  // ...but late
    CHECK(report.elapsed_s == doctest::Approx(2.5));
    CHECK(report.results.to_json() == asyncdemo::Json::parse(R"([{"value": 1}])"));
    CHECK(outcome_of(report, "work") == asyncdemo::TaskOutcome::ok);
    CHECK(report.params["swallow"] == true);
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "the deadline passed at 2s"));
    CHECK(contains(report.takeaways[0], "swallowed the cancel and returned its value"));
    CHECK(contains(report.takeaways[0], "instead of raising TimeoutError: 500ms past"));
  }

  TEST_CASE("timeout --swallow on a tie: the deadline fires first, and the value comes late") {
    const auto report = run_scenario("timeout", {"--work", "1s", "--timeout", "1s", "--swallow"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == false);
    CHECK(report.elapsed_s == doctest::Approx(1.1));
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "the deadline was set first"));
    CHECK(contains(report.takeaways[0], "swallowed the cancel"));
  }

  TEST_CASE("timeout --swallow over a TaskGroup: the group re-raises, so TimeoutError comes") {
    const auto report =
        run_scenario("timeout", {"--delays", "1s,3s,5s", "--timeout", "2s", "--swallow"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == true);
    CHECK(report.figures["swallowed"] == 2);
    CHECK(report.elapsed_s == doctest::Approx(2.1));
    for (const char* worker : {"work-1", "work-2", "work-3"}) {
      CHECK(outcome_of(report, worker) == asyncdemo::TaskOutcome::ok);
    }
    CHECK(outcome_of(report, "all-work") == asyncdemo::TaskOutcome::cancelled);
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "re-raised"));
    CHECK(contains(report.takeaways[0], "TimeoutError all the same"));
  }

  TEST_CASE("timeout --swallow with a zero timeout: the work never ran, so nothing swallowed") {
    const auto report = run_scenario("timeout", {"--timeout", "0", "--swallow"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == true);
    CHECK(report.figures["swallowed"] == 0);
    CHECK(outcome_of(report, "work") == asyncdemo::TaskOutcome::cancelled);
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0],
                   "the except clause that would have swallowed the cancel "
                   "never ran"));
  }

  TEST_CASE("timeout --swallow whose work beats the deadline has no cancel to swallow") {
    const auto report = run_scenario("timeout", {"--work", "1s", "--timeout", "2s", "--swallow"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["timed_out"] == false);
    CHECK(report.elapsed_s == doctest::Approx(1.0));
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "there was no cancel to swallow"));
  }

  TEST_CASE("timeout and cancel say nothing of swallowing unless --swallow is given") {
    for (const char* scenario : {"timeout", "cancel"}) {
      const auto report = run_scenario(scenario, {});
      CHECK_FALSE(report.params.contains("swallow"));
      CHECK_FALSE(report.figures.contains("swallowed"));
      REQUIRE(report.takeaways.size() == 1);
      CHECK_FALSE(contains(report.takeaways[0], "swallow"));
    }
  }

  TEST_CASE("cancel --swallow: each worker swallows the cancel and beats on to its job's end") {
    const auto report =
        run_scenario("cancel", {"--n", "2", "--after", "1.2s", "--swallow", "--work", "3s"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() == asyncdemo::Json::parse("[1, 2]"));  // not cancelled
    CHECK(report.figures["cancelled"] == 0);
    CHECK(report.figures["swallowed"] == 2);
    CHECK(report.figures["finished_before_cancel"] == 0);
    CHECK(report.elapsed_s == doctest::Approx(3.0));
    CHECK(outcome_of(report, "worker-1") == asyncdemo::TaskOutcome::ok);
    // Beats at 0.5s and 1s; the cancel at 1.2s; the cleanup to 1.3s; then the same job goes
    // on, its count too: beats at 1.8s, 2.3s, 2.8s and a short last one at 3s.
    CHECK(notes_of(report, "worker-1") ==
          std::vector<std::string>{"heartbeat 1", "heartbeat 2", "CancelledError: cleanup 100ms",
                                   "swallowed the cancel", "heartbeat 3", "heartbeat 4",
                                   "heartbeat 5", "heartbeat 6"});
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0],
                   "swallowed the cancel and beat on to the end of its job "
                   "at 3s"));
    CHECK(contains(report.takeaways[0], "task.cancelled() is False"));
  }

  TEST_CASE("cancel --swallow with a cleanup that outlasts the job: the worker returns at once") {
    const auto report = run_scenario("cancel", {"--n", "1", "--after", "1s", "--cleanup", "500ms",
                                                "--swallow", "--work", "1.2s"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() == asyncdemo::Json::parse("[1]"));
    CHECK(report.elapsed_s == doctest::Approx(1.5));
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "the worker got CancelledError"));
    CHECK(contains(report.takeaways[0], "returned at once, at 1.5s, its job already due"));
  }

  TEST_CASE("cancel --swallow on the job's last moment with no cleanup: swallowed, not done") {
    // The worker ends at the cancel's very moment, but after it, in the record's order.
    const auto report =
        run_scenario("cancel", {"--after", "1s", "--cleanup", "0", "--swallow", "--work", "1s"});
    CHECK(all_claims_pass(report));
    CHECK(report.figures["swallowed"] == 3);
    CHECK(report.figures["finished_before_cancel"] == 0);
    CHECK(report.elapsed_s == doctest::Approx(1.0));
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "returned at once, at 1s, its job already due"));
  }

  TEST_CASE("cancel --swallow whose jobs end before the cancel: cancel() does nothing") {
    const auto report = run_scenario("cancel", {"--after", "2s", "--swallow", "--work", "1s"});
    CHECK(all_claims_pass(report));
    CHECK(report.results.to_json() == asyncdemo::Json::parse("[1, 2, 3]"));
    CHECK(report.figures["swallowed"] == 0);
    CHECK(report.figures["finished_before_cancel"] == 3);
    CHECK(report.elapsed_s == doctest::Approx(2.0));
    REQUIRE(report.takeaways.size() == 1);
    CHECK(contains(report.takeaways[0], "had ended before the cancel at 2s"));
  }

  TEST_CASE("cancel --swallow with --offload is a usage error") {
    CHECK_THROWS_WITH_AS(run_scenario("cancel", {"--swallow", "--offload"}),
                         doctest::Contains("--swallow does not go with --offload"),
                         asyncdemo::UsageError);
  }
}
