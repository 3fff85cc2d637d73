// probe on the fake resolver (--resolver fake, --hosts FILE): exact on the virtual clock, no
// network, and every claim and takeaway true to what was recorded.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scenarios/fake_dns.hpp"
#include "scenarios/scenario.hpp"
#include "tests/scenarios/run_scenario.hpp"
#include "tests/scratch_file.hpp"

using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::run_scenario;

namespace {

constexpr std::string_view kHosts =
    "fast.test   30ms   found  192.0.2.3\n"
    "slow.test   250ms  found\n"
    "gone.test   80ms   not-found\n"
    "flaky.test  120ms  temporary-failure\n"
    "silent.test 0      no-answer\n";

std::string status_of(const asyncdemo::ScenarioReport& report, const std::string& name) {
  for (const auto& row : report.results.to_json()) {
    if (row["name"] == name) {
      return row["status"].get<std::string>();
    }
  }
  return "";
}

}  // namespace

TEST_SUITE("scenarios") {
  TEST_CASE("probe with a hosts file on the virtual clock: exact latencies, total and counts") {
    const asyncdemo::test::ScratchFile hosts("probe.hosts", kHosts);
    const auto report = run_scenario(
        "probe", {"--hosts", hosts.arg(), "--timeout", "400ms", "fast.test", "slow.test",
                  "gone.test", "flaky.test", "silent.test", "unlisted.test"});
    CHECK(all_claims_pass(report));
    CHECK(report.params["resolver"] == "fake");
    CHECK(report.params["hosts"] == hosts.arg());
    CHECK(report.lesson.find("DNS answers come from the fake resolver (--hosts " + hosts.arg()) !=
          std::string::npos);
    CHECK(report.elapsed_s ==
          doctest::Approx(0.4).epsilon(1e-9));  // the silent name's timeout, to the nanosecond
    CHECK(report.figures["slowest_s"].get<double>() == doctest::Approx(0.4).epsilon(1e-9));
    CHECK(report.figures["sum_latency_s"].get<double>() == doctest::Approx(0.88));
    CHECK(report.figures["completion_order"] == asyncdemo::Json{"unlisted.test", "fast.test",
                                                                "gone.test", "flaky.test",
                                                                "slow.test", "silent.test"});
    const asyncdemo::Json& counts = report.figures["counts"];
    CHECK(counts["found"] == 2);
    CHECK(counts["not_found"] == 2);
    CHECK(counts["errors"] == 1);
    CHECK(counts["timeouts"] == 1);
    CHECK(status_of(report, "flaky.test") == "ERROR");
    CHECK(status_of(report, "silent.test") == "TIMEOUT");
  }

  TEST_CASE("probe on the virtual clock asks the fake resolver, which makes answers up by hash") {
    const auto report = run_scenario("probe", {"localhost", "def.dev", "none.dev", "and.dev"});
    CHECK(all_claims_pass(report));
    CHECK(report.params["resolver"] == "fake");
    CHECK(report.lesson.find("made up from a hash of each name") != std::string::npos);
    CHECK(status_of(report, "localhost") == "FOUND");
    CHECK(status_of(report, "def.dev") == "FOUND");
    CHECK(status_of(report, "and.dev") == "NOT FOUND");
    CHECK(report.elapsed_s ==
          doctest::Approx(0.174).epsilon(1e-9));  // and.dev's made-up 174ms, the slowest
    const auto again = run_scenario("probe", {"localhost", "def.dev", "none.dev", "and.dev"});
    CHECK(again.results.to_json() == report.results.to_json());
  }

  TEST_CASE("the made-up answers: localhost and IP literals at once, the rest by the name's hash") {
    using asyncdemo::FakeOutcome;
    using asyncdemo::hashed_answer;
    CHECK(hashed_answer("LocalHost.").addresses == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(hashed_answer("1.2.3").addresses == std::vector<std::string>{"1.2.0.3"});
    CHECK(hashed_answer("x.invalid").outcome == FakeOutcome::not_found);
    const asyncdemo::FakeAnswer def = hashed_answer("def.dev");
    CHECK(def.outcome == FakeOutcome::found);
    CHECK(def.latency == std::chrono::milliseconds(32));
    CHECK(def.addresses == std::vector<std::string>{"198.51.100.199"});
    CHECK(hashed_answer("DEF.dev.").addresses == def.addresses);  // as names compare
    std::size_t found = 0;
    for (int i = 0; i < 300; ++i) {
      const asyncdemo::FakeAnswer answer = hashed_answer("host-" + std::to_string(i) + ".test");
      found += answer.outcome == FakeOutcome::found ? 1 : 0;
      CHECK(answer.latency >= std::chrono::milliseconds(20));
      CHECK(answer.latency <= std::chrono::milliseconds(200));
    }
    CHECK(found > 170);  // about two in three
    CHECK(found < 230);
  }

  TEST_CASE("probe refuses --hosts with --resolver system, and a hosts file that is not one") {
    const asyncdemo::test::ScratchFile hosts("bad.hosts",
                                             "a.test 10ms found\nb.test 1s not-fund\n");
    CHECK_THROWS_WITH_AS(run_scenario("probe", {"--hosts", hosts.arg(), "--resolver", "system"}),
                         "--hosts gives the fake resolver its answers; it does not go with "
                         "--resolver system",
                         asyncdemo::UsageError);
    CHECK_THROWS_WITH_AS(
        run_scenario("probe", {"--hosts", hosts.arg(), "a.test"}),
        (hosts.arg() +
         ":2: \"not-fund\" is not an outcome; write found, not-found, temporary-failure, "
         "no-answer (did you mean not-found?)")
            .c_str(),
        asyncdemo::UsageError);
    CHECK_THROWS_WITH_AS(run_scenario("probe", {"--hosts", "/nonexistent/x.hosts", "a.test"}),
                         "--hosts /nonexistent/x.hosts: cannot open: No such file or directory",
                         asyncdemo::UsageError);
  }
}
