// End to end: probe against a resolver whose answers and delays are spelled in
// the names (tests/faults/fake_resolver.cpp, preloaded into the real binary):
// timeouts, NOT FOUND against a temporary failure, completion order, Ctrl-C
// during a stalled lookup, and lookups on the virtual clock. Unprivileged and
// offline, so these run everywhere (the silent-resolver tests need namespaces).
//
// The grammar, in short: `found.test` is 127.0.0.1, `nx.test` no such name,
// `again.test` EAI_AGAIN, `fail.test` EAI_FAIL, `hang.test` no answer for 30 s;
// `slow-<N>ms.` before one delays it; labels before that only tell names apart.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/cli/run_binary.hpp"
#include "tests/e2e/preload.hpp"
#include "tests/e2e/valid_against_schema.hpp"

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;

namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

RunOptions with_fake_resolver() {
  RunOptions options;
  options.env = asyncdemo::test::preloading(ASYNCDEMO_FAKE_RESOLVER);
  options.timeout = 60s;
  return options;
}

// Runs `args` against the fake resolver, and how long that took from outside.
struct TimedRun {
  RunResult result;
  double took_s = 0;
};

TimedRun run_resolving(std::vector<std::string> args, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result = run_asyncdemo(std::move(args), options);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return {std::move(result), took.count()};
}

TimedRun run_resolving(std::vector<std::string> args) {
  return run_resolving(std::move(args), with_fake_resolver());
}

// The row of `name` in a --json document's results.
const Json& row_of(const Json& document, std::string_view name) {
  for (const Json& row : document["results"]) {
    if (row["name"] == name) {
      return row;
    }
  }
  FAIL("no row for ", std::string(name));
  static const Json none;
  return none;
}

const Json& claim_named(const Json& document, std::string_view name) {
  for (const Json& claim : document["checks"]) {
    if (claim["name"] == name) {
      return claim;
    }
  }
  FAIL("no claim named ", std::string(name));
  static const Json none;
  return none;
}

// A row's detail; "" when it has none (a FOUND row, or a failure not yet fixed).
std::string detail_of(const Json& row) { return row.value("detail", std::string()); }

// A figure of the scenario's; null when the run did not report it (a partial record).
Json figure(const Json& document, const std::string& name) {
  return document.value("figures", Json::object()).value(name, Json());
}

// The offset of the live log's line "[+1.234s] <task>  <kind>", in seconds.
std::optional<double> logged_at(const std::string& text, std::string_view task,
                                std::string_view kind) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string offset;
    std::string who;
    std::string what;
    words >> offset >> who >> what;
    if (offset.starts_with("[+") && offset.ends_with("s]") && who == task && what == kind) {
      return std::strtod(offset.c_str() + 2, nullptr);
    }
  }
  return std::nullopt;
}

// The summary's "elapsed  2.001s", in seconds.
std::optional<double> elapsed_in_summary(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string label;
    std::string value;
    words >> label >> value;
    if (label == "elapsed" && value.ends_with('s')) {
      return std::strtod(value.c_str(), nullptr);
    }
  }
  return std::nullopt;
}

// The lines of the live log (those that start "[+"), in order.
std::vector<std::string> log_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (line.starts_with("[+")) {
      lines.push_back(line);
    }
  }
  return lines;
}

// The log line about `name` ("[+0.101s] <name>  ..."); "" when there is none.
std::string log_line_of(const std::vector<std::string>& lines, std::string_view name) {
  for (const std::string& line : lines) {
    std::istringstream words(line);
    std::string offset;
    std::string who;
    words >> offset >> who;
    if (who == name) {
      return line;
    }
  }
  return "";
}

// Where in `lines` the line about `name` is; lines.size() when there is none.
std::size_t log_index_of(const std::vector<std::string>& lines, std::string_view name) {
  const std::string line = log_line_of(lines, name);
  const auto found = std::ranges::find(lines, line);
  return line.empty() ? lines.size() : static_cast<std::size_t>(found - lines.begin());
}

// Options that make the fake resolver say on stderr when a lookup reaches it.
RunOptions with_announcing_resolver() {
  RunOptions options = with_fake_resolver();
  options.env.emplace_back("FAKE_RESOLVER_ANNOUNCE", "1");
  return options;
}

// Ctrl-C once the lookup of `name` is inside getaddrinfo on its pool thread (the fake resolver
// said so) and the loop waits with nothing to run. A lookup still queued would be removed by
// the cancel (uv_cancel), not waited for: the handshake makes sure it is the stalled case.
asyncdemo::testing::SignalPlan interrupt_once_asked(const std::string& name) {
  return asyncdemo::testing::signal_when("fake resolver: asked " + name,
                                         asyncdemo::testing::kWaitingForEvents);
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("the fake resolver answers by the name and passes other names to the real one") {
    const auto [result, took_s] = run_resolving({"probe", "found.test", "nx.test", "again.test",
                                                 "fail.test", "fuond.test", "localhost", "--json"});
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const Json document = Json::parse(result.out);
    CHECK(row_of(document, "found.test")["status"] == "FOUND");
    CHECK(row_of(document, "found.test")["addresses"] == Json::array({"127.0.0.1"}));
    CHECK(row_of(document, "nx.test")["status"] == "NOT FOUND");
    CHECK(row_of(document, "again.test")["status"] == "ERROR");
    CHECK(row_of(document, "fail.test")["status"] == "ERROR");
    CHECK(row_of(document, "fuond.test")["status"] ==
          "ERROR");                                             // misspelled: EAI_FAIL, not a guess
    CHECK(row_of(document, "localhost")["status"] == "FOUND");  // the real resolver's
  }

  TEST_CASE(
      "no such name is NOT FOUND, but a resolver that cannot answer now is a temporary failure") {
    const auto [result, took_s] =
        run_resolving({"probe", "nx.test", "again.test", "fail.test", "--json", "--check"});
    INFO(result);
    CHECK(result.exit_code == 0);  // each name got its answer or its reason: the lesson held
    const Json document = Json::parse(result.out);
    CHECK(asyncdemo::test::valid_against_schema(result.out));
    const Json& missing = row_of(document, "nx.test");
    CHECK(missing["status"] == "NOT FOUND");
    CHECK_FALSE(missing.contains("detail"));
    const Json& again = row_of(document, "again.test");
    CHECK(again["status"] == "ERROR");
    CHECK(contains(detail_of(again), "temporary failure, not an answer"));
    CHECK(contains(detail_of(again), "EAI_AGAIN"));
    const Json& failed = row_of(document, "fail.test");
    CHECK(failed["status"] == "ERROR");
    CHECK(contains(detail_of(failed), "EAI_FAIL"));
    CHECK_FALSE(contains(detail_of(failed), "temporary"));
  }

  TEST_CASE(
      "a lookup slower than --timeout is a TIMEOUT at the deadline, then the run waits "
      "only for its thread") {
    const auto [result, took_s] =
        run_resolving({"probe", "slow-2000ms.found.test", "found.test", "--timeout", "500ms",
                       "--json", "--check", "--tolerance", "1s"});
    INFO(result);
    CHECK(result.exit_code == 0);  // a timeout is the lesson, not an error
    const Json document = Json::parse(result.out);
    const Json& slow = row_of(document, "slow-2000ms.found.test");
    CHECK(slow["status"] == "TIMEOUT");
    CHECK(detail_of(slow) == "no answer within 500ms");
    CHECK(slow["latency_s"].get<double>() >= 0.5);
    CHECK(slow["latency_s"].get<double>() < 1.5);  // at the deadline, not at the answer (2 s)
    CHECK(row_of(document, "found.test")["status"] == "FOUND");
    // Every row was in at the deadline. As asyncio.run's shutdown_default_executor does, the
    // run then waited for the thread still in getaddrinfo (it cannot be interrupted), said so,
    // and ended when it returned, at about 2 s: not sooner, and not much later.
    const double answered = figure(document, "answered_s").get<double>();
    const double elapsed = document["elapsed_s"].get<double>();
    CHECK(answered < 1.5);
    CHECK(elapsed >= 1.9);
    CHECK(elapsed < 3.5);
    CHECK(took_s < 6.0);
    CHECK(contains(document["takeaways"].dump(), "getaddrinfo cannot be interrupted"));
  }

  TEST_CASE("lookups are reported as they complete (as_completed): the fast answers first") {
    const auto [result, took_s] =
        run_resolving({"probe", "a.slow-1500ms.found.test", "b.slow-100ms.found.test",
                       "c.slow-700ms.found.test", "--json", "--check", "--tolerance", "1s"});
    INFO(result);
    CHECK(result.exit_code == 0);
    const Json document = Json::parse(result.out);
    CHECK(figure(document, "completion_order") ==
          Json::array(
              {"b.slow-100ms.found.test", "c.slow-700ms.found.test", "a.slow-1500ms.found.test"}));
    // Results stay in submission order.
    REQUIRE(document["results"].size() == 3);
    CHECK(document["results"][0]["name"] == "a.slow-1500ms.found.test");
    CHECK(document["results"][2]["name"] == "c.slow-700ms.found.test");
    for (const Json& row : document["results"]) {
      CHECK(row["status"] == "FOUND");
    }
    // Concurrently: about the slowest (1.5 s), well short of the sum (2.3 s).
    const double elapsed = document["elapsed_s"].get<double>();
    CHECK(elapsed >= 1.5);
    CHECK(elapsed < 2.1);
    CHECK(figure(document, "sum_latency_s").get<double>() >= 2.3);
  }

  TEST_CASE("Ctrl-C during a stalled lookup cancels it at once and exits 130 after its thread") {
    RunOptions options = with_announcing_resolver();
    options.signals = {interrupt_once_asked("slow-3000ms.found.test")};
    // One at a time: found.test has its answer before the slow lookup starts.
    const auto [result, took_s] =
        run_resolving({"probe", "found.test", "slow-3000ms.found.test", "--limit", "1"}, options);
    INFO(result);
    CHECK(result.exit_code == 130);
    // The stalled task was cancelled when Ctrl-C came, long before its answer...
    const std::optional<double> cancelled =
        logged_at(result.out, "slow-3000ms.found.test", "cancelled");
    CHECK(cancelled.has_value());
    CHECK(cancelled.value_or(99) < 2.5);
    // ...its row says so, and found.test, answered before, keeps its answer.
    CHECK(contains(result.out, "name=slow-3000ms.found.test status=CANCELLED"));
    CHECK(contains(result.out, "name=found.test status=FOUND"));
    CHECK(contains(result.out, "interrupted"));
    // The run ended only when the lookup's thread returned (at about 3 s), as asyncio.run does.
    const std::optional<double> elapsed = elapsed_in_summary(result.out);
    CHECK(elapsed.has_value());
    CHECK(elapsed.value_or(0) >= 2.9);
    CHECK(took_s < 10.0);
  }

  TEST_CASE("a second Ctrl-C quits at once while a lookup still hangs") {
    RunOptions options = with_announcing_resolver();
    options.signals = {
        interrupt_once_asked("hang.test"),
        asyncdemo::testing::signal_when("cancelled", asyncdemo::testing::kWaitingForEvents)};
    const auto [result, took_s] = run_resolving({"probe", "hang.test"}, options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(took_s < 15.0);  // the lookup would hang for 30 s
  }

  // --resolver system: on the virtual clock probe asks the fake resolver unless told otherwise.
  TEST_CASE(
      "on the virtual clock a lookup slower than --timeout times out at --timeout, in real "
      "time") {
    const auto [result, took_s] =
        run_resolving({"probe", "slow-2000ms.found.test", "--timeout", "1s", "--virtual-time",
                       "--resolver", "system", "--json", "--check", "--tolerance", "1s"});
    INFO(result);
    CHECK(result.exit_code == 0);
    const Json document = Json::parse(result.out);
    CHECK(asyncdemo::test::valid_against_schema(result.out));
    const Json& row = row_of(document, "slow-2000ms.found.test");
    CHECK(row["status"] == "TIMEOUT");  // not FOUND, "in 0 s", after the 2 s answer
    CHECK(row["latency_s"].get<double>() >= 1.0);
    CHECK(row["latency_s"].get<double>() < 1.9);
    // The claim measured what happened: the real latency, within --timeout.
    const Json& claim = claim_named(document, "no lookup ran past --timeout");
    CHECK(claim["passed"] == true);
    CHECK(claim["measured"].get<double>() >= 1.0);
  }

  TEST_CASE(
      "on the virtual clock lookups report real latencies, and the header says DNS answers "
      "are real") {
    const auto [result, took_s] =
        run_resolving({"probe", "slow-300ms.found.test", "nx.test", "--virtual-time", "--resolver",
                       "system", "--check", "--color", "never"});
    INFO(result);
    CHECK(result.exit_code == 0);
    const std::string header = result.out.substr(0, result.out.find("\n\n"));
    CHECK(contains(header, "DNS answers are real"));
    CHECK(contains(header, "not reproducible"));
    const auto [json_run, json_took_s] =
        run_resolving({"probe", "slow-300ms.found.test", "nx.test", "--virtual-time", "--resolver",
                       "system", "--json", "--check"});
    INFO(json_run);
    CHECK(json_run.exit_code == 0);
    const Json document = Json::parse(json_run.out);
    CHECK(row_of(document, "slow-300ms.found.test")["latency_s"].get<double>() >= 0.3);
    CHECK(row_of(document, "slow-300ms.found.test")["latency_s"].get<double>() < 2.0);
    // The virtual clock stood still meanwhile: no speedup or overhead is claimed against it.
    CHECK(document["summary"]["speedup"].is_null());
    CHECK(document["summary"]["overhead_s"].is_null());
  }

  TEST_CASE("the event log shows each answer as it arrives, one line each, and nothing else") {
    const std::vector<std::string> names{"b.slow-100ms.found.test", "nx.test", "again.test",
                                         "slow-2000ms.found.test", "fail.test"};
    std::vector<std::string> args{"probe"};
    args.insert(args.end(), names.begin(), names.end());
    args.insert(args.end(), {"--timeout", "1s", "--color", "never"});
    const auto [result, took_s] = run_resolving(args);
    INFO(result);
    CHECK(result.exit_code == 0);
    const std::vector<std::string> lines = log_lines(result.out);
    CHECK(lines.size() == names.size());  // no start, no await: the answers only
    CHECK(contains(log_line_of(lines, "nx.test"), "  NOT FOUND in "));
    CHECK(contains(log_line_of(lines, "again.test"),
                   "  ERROR in "));  // a temporary failure is an error, not an answer
    CHECK(contains(log_line_of(lines, "again.test"), "temporary failure, not an answer"));
    CHECK(contains(log_line_of(lines, "fail.test"), "  ERROR in "));
    CHECK(contains(log_line_of(lines, "slow-2000ms.found.test"), "  TIMEOUT: no answer within 1s"));
    // A found name's line: its latency as a duration, then its addresses.
    const std::string found = log_line_of(lines, "b.slow-100ms.found.test");
    CHECK(contains(found, "  FOUND in "));
    CHECK(found.ends_with("ms: 127.0.0.1"));
    // In the order the answers came: at once, after 100 ms, then the timeout at 1 s.
    CHECK(log_index_of(lines, "nx.test") < log_index_of(lines, "b.slow-100ms.found.test"));
    CHECK(log_index_of(lines, "b.slow-100ms.found.test") <
          log_index_of(lines, "slow-2000ms.found.test"));
    // The rest is counted, not shown.
    CHECK(contains(result.out, "other events (use --json or --trace for all)"));
    for (const std::string& name : names) {
      CHECK_FALSE(logged_at(result.out, name, "start").has_value());
      CHECK_FALSE(logged_at(result.out, name, "await").has_value());
    }
    // And the summary counts them.
    CHECK(contains(result.out,
                   "5 names: 1 found (b.slow-100ms.found.test), 1 not found, "
                   "2 errors, 1 timeout"));
  }

  TEST_CASE("the JSON counts found, not found, errors and timeouts") {
    const auto [result, took_s] = run_resolving(
        {"probe", "found.test", "nx.test", "again.test", "fail.test", "slow-1500ms.found.test",
         "--timeout", "300ms", "--json", "--check", "--tolerance", "1s"});
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(asyncdemo::test::valid_against_schema(result.out));
    const Json document = Json::parse(result.out);
    CHECK(figure(document, "counts") == Json{{"found", 1},
                                             {"not_found", 1},
                                             {"errors", 2},
                                             {"timeouts", 1},
                                             {"cancelled", 0},
                                             {"not_asked", 0}});
    CHECK(document["takeaways"][0] ==
          "5 names: 1 found (found.test), 1 not found, 2 errors, 1 timeout");
  }

  TEST_CASE("the default probe's nineteen names each get their line, and the counts say it") {
    // The classic list with --tld test: names outside the fake resolver's grammar (ERROR),
    // and localhost, which the real resolver finds.
    const auto [result, took_s] = run_resolving({"probe", "--tld", "test", "--color", "never"});
    INFO(result);
    CHECK(result.exit_code == 0);
    const std::vector<std::string> lines = log_lines(result.out);
    CHECK(lines.size() == 19);
    CHECK(contains(log_line_of(lines, "localhost"), "  FOUND in "));
    CHECK(contains(log_line_of(lines, "none.test"), "  ERROR in "));
    CHECK(contains(result.out,
                   "19 names: 1 found (localhost), 0 not found, 18 errors, "
                   "0 timeouts"));
  }

  TEST_CASE("a name under .invalid is not asked, says so, and stays out of the latencies") {
    const auto [result, took_s] =
        run_resolving({"probe", "nosuch.invalid", "slow-200ms.found.test", "--json", "--check"});
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(asyncdemo::test::valid_against_schema(result.out));
    const Json document = Json::parse(result.out);
    const Json& reserved = row_of(document, "nosuch.invalid");
    CHECK(reserved["status"] == "NOT FOUND");
    CHECK(reserved["asked"] == false);
    CHECK(detail_of(reserved) == "not asked: .invalid names never exist (RFC 6761)");
    CHECK_FALSE(row_of(document, "slow-200ms.found.test").contains("asked"));
    // The sum of the latencies is the one real lookup's, exactly: the reserved name's
    // microseconds are not in it, nor in the sequential figure the speedup comes from.
    const double found_latency = row_of(document, "slow-200ms.found.test")["latency_s"];
    CHECK(figure(document, "sum_latency_s").get<double>() == found_latency);
    CHECK(figure(document, "slowest_s").get<double>() == found_latency);
    CHECK(document["summary"]["sequential_s"].get<double>() == found_latency);
    CHECK(figure(document, "counts")["not_asked"] == 1);
    CHECK(contains(document["takeaways"].dump(), "without asking the resolver"));
    // The text says so on the name's own line.
    const auto [text, text_took_s] = run_resolving({"probe", "nosuch.invalid", "--color", "never"});
    CHECK(contains(log_line_of(log_lines(text.out), "nosuch.invalid"),
                   "  NOT FOUND, not asked: .invalid names never exist (RFC 6761)"));
  }

  TEST_CASE("an IP literal is resolved as getaddrinfo reads it, and shows what it became") {
    const auto [result, took_s] =
        run_resolving({"probe", "::1", "1.2.3", "0x7f.1", "--json", "--check"});
    INFO(result);
    REQUIRE(result.exit_code == 0);  // "::1" was a usage error
    const Json document = Json::parse(result.out);
    CHECK(row_of(document, "::1")["addresses"] == Json::array({"::1"}));
    CHECK(row_of(document, "1.2.3")["addresses"] == Json::array({"1.2.0.3"}));
    CHECK(row_of(document, "0x7f.1")["addresses"] == Json::array({"127.0.0.1"}));
    const auto [text, text_took_s] = run_resolving({"probe", "::1", "1.2.3", "--color", "never"});
    INFO(text);
    const std::vector<std::string> lines = log_lines(text.out);
    CHECK(contains(log_line_of(lines, "1.2.3"), ": 1.2.3 -> 1.2.0.3 (an address, not a name)"));
    CHECK(contains(log_line_of(lines, "::1"), ": ::1 (an address, not a name)"));
  }

  TEST_CASE("on the virtual clock a probe answered without lookups stays reproducible") {
    const std::vector<std::string> args{"probe", "one.invalid", "two.invalid", "--virtual-time"};
    const RunResult first = run_asyncdemo(args);
    const RunResult second = run_asyncdemo(args);
    INFO(first);
    CHECK(first.exit_code == 0);
    CHECK_FALSE(contains(first.out, "DNS answers are real"));
    CHECK(first.out == second.out);
  }
}
