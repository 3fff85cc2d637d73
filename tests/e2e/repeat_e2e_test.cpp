// End to end: --repeat N and --junit FILE, the global options for CI, on the real binary.
// Real-clock runs are short and their times are never asserted: only structure and counts.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/cli/run_binary.hpp"
#include "tests/e2e/valid_against_schema.hpp"
#include "tests/scratch_file.hpp"

using asyncdemo::test::ScratchFile;
using asyncdemo::test::valid_against_schema;
using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;
using asyncdemo::testing::signal_when;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::size_t occurrences(std::string_view text, std::string_view part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string_view::npos;
       at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// What python3's XML parser makes of a JUnit file: "tests failures errors testcases
// failure-messages" on one line, or a parse error (exit status not 0).
std::string parsed_junit(const std::filesystem::path& path) {
  const ScratchFile summary("junit-summary.txt");
  const std::string command = fmt::format(
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as ET\n"
      "suite = ET.parse(sys.argv[1]).getroot().find('testsuite')\n"
      "cases = suite.findall('testcase')\n"
      "fails = [f.get('message') for c in cases for f in c.findall('failure')]\n"
      "print(suite.get('name'), suite.get('tests'), suite.get('failures'), suite.get('errors'),"
      " len(cases), '|'.join(fails))\" '{}' > '{}'",
      path.string(), summary.arg());
  if (std::system(command.c_str()) != 0) {  // NOLINT(concurrency-mt-unsafe, cert-env33-c)
    return "unparsable";
  }
  return read_file(summary.path());
}

// Sleeps on the real clock with no slack: every loop step takes some nanoseconds, so "the
// loop was never held" fails each time, whatever the machine.
std::vector<std::string> failing_claim() {
  return {"sleep", "--n", "2", "--delay", "20ms", "--mode", "async", "--tolerance", "0"};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("--repeat 3 runs three times on the real clock and adds the runs up") {
    const RunResult result =
        run_asyncdemo({"gather", "--n", "3", "--delay", "50ms", "--repeat", "3", "--check"});
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "run 1 of 3: "));
    CHECK(contains(result.out, "run 2 of 3: "));
    CHECK(contains(result.out, "run 3 of 3, in full:"));
    CHECK(occurrences(result.out, "\nsummary\n") == 1);  // one full report: the last run's
    CHECK(contains(result.out, "\n3 runs\n"));
    CHECK(contains(result.out, "  figure "));
    CHECK(contains(result.out, "  elapsed "));
    CHECK(contains(result.out, "held in 3 of 3 runs"));
    CHECK(result.err.empty());
  }

  TEST_CASE("--repeat on the virtual clock runs once and says why") {
    const RunResult text = run_asyncdemo({"gather", "--n", "3", "--virtual-time", "--repeat", "5"});
    INFO(text);
    CHECK(text.exit_code == 0);
    CHECK(contains(text.out, "--repeat 5: on the virtual clock one run is exact; ran once"));
    CHECK_FALSE(contains(text.out, "run 1 of"));
    const RunResult json =
        run_asyncdemo({"--repeat", "5", "gather", "--n", "3", "--virtual-time", "--json"});
    INFO(json);
    REQUIRE(json.exit_code == 0);
    const auto document = nlohmann::json::parse(json.out);
    CHECK(document["repeat"]["requested"] == 5);
    CHECK(document["repeat"]["ran"] == 1);
    CHECK(document["repeat"]["note"] == "on the virtual clock one run is exact; ran once");
    CHECK(valid_against_schema(json.out));
  }

  TEST_CASE("--json --repeat is one document with every run and the statistics, valid") {
    const RunResult result = run_asyncdemo(
        {"gather", "--n", "2", "--delay", "20ms", "--repeat", "3", "--json", "--check"});
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const auto document = nlohmann::json::parse(result.out);
    CHECK(document["schema"] == "asyncdemo/1");
    const auto& repeat = document["repeat"];
    CHECK(repeat["ran"] == 3);
    CHECK(repeat["completed"] == 3);
    CHECK(repeat["runs"].size() == 3);
    CHECK(repeat["summary"]["elapsed_s"]["count"] == 3);
    CHECK(repeat["summary"]["elapsed_s"]["min"] <= repeat["summary"]["elapsed_s"]["median"]);
    CHECK_FALSE(repeat["claims"].empty());
    CHECK(repeat["claims"][0]["judged"] == 3);
    CHECK(valid_against_schema(result.out));
    // Without --repeat the document has no such member: asyncdemo/1 as it was.
    const RunResult single = run_asyncdemo({"gather", "--n", "2", "--virtual-time", "--json"});
    CHECK_FALSE(nlohmann::json::parse(single.out).contains("repeat"));
  }

  TEST_CASE("--check with --repeat exits 1 when a claim failed in a run") {
    const RunResult result =
        run_asyncdemo(with(failing_claim(), {"--repeat", "2", "--check", "-q"}));
    INFO(result);
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "held in 0 of 2 runs (failed in runs 1, 2)"));
  }

  TEST_CASE("--junit writes one testcase per claim per run, a failure with measured and expected") {
    const ScratchFile junit("claims.junit.xml");
    const RunResult result =
        run_asyncdemo(with(failing_claim(), {"--repeat", "2", "-q", "--junit", junit.arg()}));
    INFO(result);
    CHECK(result.exit_code == 0);  // no --check: the file says what failed, the exit code does not
    const std::string xml = read_file(junit.path());
    INFO(xml);
    const std::string parsed = parsed_junit(junit.path());
    INFO(parsed);
    REQUIRE(parsed.starts_with("asyncdemo.sleep "));
    const auto claims_per_run = occurrences(xml, " (run 1)\"");
    CHECK(claims_per_run >= 1);
    CHECK(occurrences(xml, "<testcase ") == 2 * claims_per_run);
    CHECK(contains(parsed, fmt::format(" {} ", 2 * claims_per_run)));
    CHECK(contains(xml, "<failure message=\"measured "));
    CHECK(contains(xml, ", expected &lt;= 0s\""));
  }

  TEST_CASE("--junit obeys the atomic rule: a refused run leaves the old file as it was") {
    const ScratchFile junit("kept.junit.xml", "precious\n");
    const RunResult refused = run_asyncdemo({"gather", "--fail", "9", "--junit", junit.arg()});
    INFO(refused);
    CHECK(refused.exit_code == 2);
    CHECK(read_file(junit.path()) == "precious\n");
    const RunResult unwritable =
        run_asyncdemo({"gather", "--virtual-time", "--junit", "/nonexistent-dir/j.xml"});
    INFO(unwritable);
    CHECK(unwritable.exit_code == 2);
    CHECK(unwritable.out.empty());  // checked before anything ran
    CHECK(contains(unwritable.err, "--junit: cannot open \"/nonexistent-dir/j.xml\""));
    const ScratchFile names("names.txt", "localhost\n");
    const RunResult input =
        run_asyncdemo({"probe", "--from", names.arg(), "--junit", names.arg(), "--virtual-time"});
    INFO(input);
    CHECK(input.exit_code == 2);
    CHECK(contains(input.err, "that is a file this scenario reads"));
    CHECK(read_file(names.path()) == "localhost\n");
  }

  TEST_CASE("--repeat is a usage error outside 1..1000") {
    for (const char* count : {"0", "1001", "many"}) {
      const RunResult result = run_asyncdemo({"gather", "--repeat", count});
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(contains(result.err, "--repeat"));
      CHECK(result.out.empty());
    }
  }

  TEST_CASE("Ctrl-C during a repeat ends the series: the runs before it add up, exit 130") {
    RunOptions options;
    // Once run 1 is over and the loop of run 2 waits on its sleeps.
    options.signals = {signal_when("run 1 of 3: ", asyncdemo::testing::kWaitingForEvents)};
    const ScratchFile junit("interrupted.junit.xml");
    const RunResult result = run_asyncdemo(
        {"gather", "--n", "2", "--delay", "1s", "--repeat", "3", "--check", "--junit", junit.arg()},
        options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(contains(result.out, "interrupted by Ctrl-C"));
    CHECK(contains(result.out, "of 3 runs completed (run "));
    const std::string xml = read_file(junit.path());
    CHECK(contains(xml, "<error message=\"interrupted by Ctrl-C"));
  }

  TEST_CASE("probe --from - reads stdin once for every run of --repeat") {
    RunOptions options;
    options.input = "localhost\n";
    const RunResult result =
        run_asyncdemo({"probe", "--from", "-", "--repeat", "2", "-q"}, options);
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "\n2 runs\n"));
  }

  TEST_CASE("run - reads its plan from stdin once for every run of --repeat") {
    RunOptions options;
    options.input =
        "[[task]]\nname = \"t\"\nsteps = [{ sleep = \"10ms\" }]\n"
        "[[claim]]\ntask = \"t\"\noutcome = \"done\"\n";
    const RunResult result = run_asyncdemo({"run", "-", "--repeat", "2", "--check", "-q"}, options);
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "\n2 runs\n"));
    CHECK(contains(result.out, "held in 2 of 2 runs"));
  }
}
