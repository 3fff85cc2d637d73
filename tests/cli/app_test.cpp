// End-to-end tests of the command line (cli/app.cpp, cli/main.cpp) through the
// real binary: nothing here depends on what a particular scenario does, only
// on scenario_registry(). Scenario runs use --virtual-time, so they are
// instant and reproducible.

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.hpp"
#include "tests/cli/run_binary.hpp"

namespace {

using asyncdemo::scenario_registry;
using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunResult;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// Help text wraps; comparing with runs of whitespace squeezed to one space
// checks the words without depending on where the lines break.
std::string squeezed(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (!space || (!out.empty() && out.back() != ' ')) {
      out.push_back(space ? ' ' : c);
    }
  }
  return out;
}

std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;) {
    words.push_back(word);
  }
  return words;
}

std::string first_scenario() { return std::string(scenario_registry().front().name); }

// A usage error: exit 2, a message on stderr, nothing on stdout.
void check_usage_error(const RunResult& result, std::string_view message) {
  INFO(result);
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(contains(result.err, message));
  CHECK(result.err.starts_with("asyncdemo: error: "));
  CHECK(contains(result.err, "--help"));
}

std::string temp_path(std::string_view name) {
  return "/tmp/asyncdemo-test-" + std::to_string(::getpid()) + "-" + std::string(name);
}

// An example that is a plain command (no pipe, quotes or redirection), split
// into its arguments; nullopt for one that needs a shell.
std::optional<std::vector<std::string>> plain_command(std::string_view example) {
  if (example.find_first_of("|'\"$<>;&`\\") != std::string_view::npos) {
    return std::nullopt;
  }
  return words_of(example);
}

}  // namespace

TEST_CASE("the registry has at least one scenario for these tests to use") {
  REQUIRE_FALSE(scenario_registry().empty());
}

TEST_CASE("--version prints the name and version on stdout and exits 0") {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--version"}, {first_scenario(), "--version"}}) {
    const RunResult result = run_asyncdemo(args);
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(result.out.starts_with("asyncdemo "));
    CHECK(lines_of(result.out).size() == 1);
    CHECK(words_of(result.out).size() == 2);
    CHECK(result.err.empty());
  }
}

TEST_CASE("list shows every registered scenario with its lesson, one line each when piped") {
  const RunResult result = run_asyncdemo({"list"});
  INFO(result);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  const std::vector<std::string> lines = lines_of(result.out);
  REQUIRE(lines.size() == scenario_registry().size());
  const std::size_t column = lines.front().find(scenario_registry().front().lesson);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& entry = scenario_registry()[i];
    CAPTURE(entry.name);
    CHECK(words_of(lines[i]).front() == entry.name);
    CHECK(lines[i].find(entry.lesson) == column);  // aligned
  }
}

TEST_CASE("list wraps lessons to --width, aligned under the first line") {
  const RunResult result = run_asyncdemo({"list", "--width", "60"});
  INFO(result);
  CHECK(result.exit_code == 0);
  const std::vector<std::string> lines = lines_of(result.out);
  for (const auto& line : lines) {
    CHECK(line.size() <= 60);
  }
  for (const auto& entry : scenario_registry()) {
    CHECK(contains(squeezed(result.out),
                   squeezed(std::string(entry.name) + "  " + std::string(entry.lesson))));
  }
}

TEST_CASE("list --json gives every scenario's name and lesson") {
  const RunResult result = run_asyncdemo({"list", "--json"});
  INFO(result);
  CHECK(result.exit_code == 0);
  const auto document = nlohmann::json::parse(result.out);
  REQUIRE(document["scenarios"].size() == scenario_registry().size());
  for (std::size_t i = 0; i < scenario_registry().size(); ++i) {
    CHECK(document["scenarios"][i]["name"] == scenario_registry()[i].name);
    CHECK(document["scenarios"][i]["lesson"] == scenario_registry()[i].lesson);
  }
}

TEST_CASE("--help shows the usage, every global option and every scenario") {
  const RunResult result = run_asyncdemo({"--help"});
  INFO(result);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(
      result.out.starts_with("Usage: asyncdemo [GLOBAL OPTIONS] <scenario> [SCENARIO OPTIONS]\n"));
  for (const char* option :
       {"--json", "--trace FILE", "--check", "--tolerance DURATION=100ms", "--virtual-time",
        "--color auto|always|never=auto", "--width N", "-q,--quiet", "--version", "--help"}) {
    CHECK(contains(result.out, option));
  }
  for (const auto& entry : scenario_registry()) {
    CHECK(contains(squeezed(result.out), squeezed(entry.lesson)));
  }
}

TEST_CASE("every scenario's --help shows its options, lesson and examples") {
  for (const auto& entry : scenario_registry()) {
    const RunResult result = run_asyncdemo({std::string(entry.name), "--help"});
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(result.out.starts_with("Usage: asyncdemo " + std::string(entry.name)));
    CHECK(contains(squeezed(result.out), squeezed(entry.lesson)));
    CHECK(contains(result.out, "Options:\n"));
    CHECK(contains(result.out, "Examples:\n"));
    for (const auto& example : lines_of(std::string(entry.examples))) {
      CHECK(contains(result.out, "\n  " + example + "\n"));
    }
    CHECK(contains(result.out, "see 'asyncdemo --help'"));
  }
}

TEST_CASE("every plain example in a scenario's --help is a command line that parses") {
  // CLI11 validates every value before it acts on --help, so an example with
  // --help appended checks its options without running it.
  for (const auto& entry : scenario_registry()) {
    std::size_t plain = 0;
    for (const auto& example : lines_of(std::string(entry.examples))) {
      auto args = plain_command(example);
      if (!args) {
        continue;
      }
      ++plain;
      REQUIRE(args->front() == "asyncdemo");
      args->erase(args->begin());
      args->emplace_back("--help");
      const RunResult result = run_asyncdemo(*args);
      INFO(result);
      CHECK(result.exit_code == 0);
      CHECK(result.err.empty());
    }
    CAPTURE(entry.name);
    CHECK(plain > 0);
  }
}

TEST_CASE("asyncdemo without a scenario shows the usage and the scenarios on stderr, exit 2") {
  for (const auto& args : std::vector<std::vector<std::string>>{{}, {"--json", "--check"}}) {
    const RunResult result = run_asyncdemo(args);
    check_usage_error(result, "no scenario given");
    CHECK(contains(result.err, "Usage: asyncdemo [GLOBAL OPTIONS] <scenario>"));
    for (const auto& entry : scenario_registry()) {
      CHECK(contains(result.err, "\n  " + std::string(entry.name) + " "));
    }
  }
}

TEST_CASE("an unknown scenario is a usage error that names it and suggests a close one") {
  check_usage_error(run_asyncdemo({"nosuchscenario"}), "unknown scenario \"nosuchscenario\"");
  const std::string typo = first_scenario() + "x";
  const RunResult result = run_asyncdemo({typo, "--json"});
  check_usage_error(result,
                    "unknown scenario \"" + typo + "\" (did you mean " + first_scenario() + "?)");
  CHECK(contains(result.err, "\n  " + first_scenario() + " "));  // the list of scenarios
}

TEST_CASE("an unknown option is a usage error that names it, before or after the scenario") {
  check_usage_error(run_asyncdemo({"--bogus", "list"}), "unknown option --bogus");
  check_usage_error(run_asyncdemo({first_scenario(), "--bogus"}), "unknown option --bogus");
  check_usage_error(run_asyncdemo({first_scenario(), "--bogus=3"}), "unknown option --bogus\n");
  check_usage_error(run_asyncdemo({first_scenario(), "--jsno"}),
                    "unknown option --jsno (did you mean --json?)");
  check_usage_error(run_asyncdemo({first_scenario(), "-z"}), "unknown option -z");
}

TEST_CASE("cancel --swallow with --offload is a usage error that says why") {
  // A worker cancelled while its work runs on a thread cannot await that work again.
  check_usage_error(run_asyncdemo({"cancel", "--swallow", "--offload"}),
                    "--swallow does not go with --offload");
  check_usage_error(run_asyncdemo({"cancel", "--offload", "--json", "--swallow"}),
                    "has no job left to run on to");
}

TEST_CASE("a stray argument after a scenario is a usage error that shows it") {
  // Not for a scenario that takes names (probe): there it is a name.
  const RunResult result = run_asyncdemo({"list", "stray"});
  check_usage_error(result, "unexpected argument \"stray\"");
}

TEST_CASE("a global option after the scenario name works as it does before it") {
  const std::string name = first_scenario();
  const RunResult before = run_asyncdemo({"--json", "--virtual-time", name});
  const RunResult after = run_asyncdemo({name, "--json", "--virtual-time"});
  const RunResult mixed = run_asyncdemo({"--virtual-time", name, "--json"});
  INFO(before);
  INFO(after);
  REQUIRE(before.exit_code == 0);
  CHECK(after.exit_code == 0);
  CHECK(mixed.exit_code == 0);
  CHECK(after.out == before.out);
  CHECK(mixed.out == before.out);
  const auto document = nlohmann::json::parse(after.out);
  CHECK(document["scenario"] == name);
  CHECK(document["clock"] == "virtual");
  CHECK(run_asyncdemo({"list", "--json"}).out == run_asyncdemo({"--json", "list"}).out);
}

TEST_CASE("--json puts one JSON document on stdout and nothing else") {
  const RunResult result = run_asyncdemo({first_scenario(), "--json", "--virtual-time"});
  INFO(result);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  const auto document = nlohmann::json::parse(result.out);
  CHECK(document["schema"] == "asyncdemo/1");
  const bool no_checks = !document.contains("checks") || document["checks"].empty();
  CHECK(no_checks);
}

TEST_CASE("--check adds the claims and exits 0 when they hold") {
  const RunResult result = run_asyncdemo({first_scenario(), "--json", "--check", "--virtual-time"});
  INFO(result);
  const auto document = nlohmann::json::parse(result.out);
  REQUIRE(document["checks"].is_array());
  CHECK_FALSE(document["checks"].empty());
  bool all_passed = true;
  for (const auto& check : document["checks"]) {
    all_passed = all_passed && check["passed"] == true;
  }
  CHECK(result.exit_code == (all_passed ? 0 : 1));
}

TEST_CASE("text output has no colour when piped, unless --color always") {
  const std::string name = first_scenario();
  const RunResult piped = run_asyncdemo({name, "--virtual-time"});
  const RunResult never = run_asyncdemo({name, "--virtual-time", "--color", "never"});
  asyncdemo::testing::RunOptions no_color;
  no_color.env = {{"NO_COLOR", "1"}};  // an explicit --color always wins over NO_COLOR
  const RunResult always = run_asyncdemo({name, "--virtual-time", "--color", "always"}, no_color);
  INFO(piped);
  CHECK(piped.exit_code == 0);
  CHECK_FALSE(contains(piped.out, "\x1b["));
  CHECK(never.out == piped.out);
  CHECK(always.exit_code == 0);
  CHECK(contains(always.out, "\x1b["));
}

TEST_CASE("--quiet leaves out the header and the live log") {
  const std::string name = first_scenario();
  const RunResult full = run_asyncdemo({name, "--virtual-time"});
  const RunResult quiet = run_asyncdemo({"-q", name, "--virtual-time"});
  INFO(quiet);
  CHECK(quiet.exit_code == 0);
  CHECK_FALSE(quiet.out.empty());
  CHECK(quiet.out.size() < full.out.size());
  CHECK(full.out.ends_with(quiet.out));
  CHECK(run_asyncdemo({name, "--virtual-time", "--quiet"}).out == quiet.out);
}

TEST_CASE("bad values of global options are usage errors that name the option") {
  const std::string name = first_scenario();
  check_usage_error(run_asyncdemo({"--width", "5", name}),
                    "--width must be between 40 and 1000; got 5");
  check_usage_error(run_asyncdemo({name, "--width", "wide"}),
                    "--width: \"wide\" is not a whole number; write one from 40 to 1000");
  check_usage_error(run_asyncdemo({name, "--tolerance", "-1s"}),
                    "--tolerance: \"-1s\" is negative; a duration is 0 or more");
  check_usage_error(run_asyncdemo({name, "--tolerance", "5m"}),
                    "--tolerance must be between 0s and 1m; got 5m");
  check_usage_error(run_asyncdemo({"--color", "purple", name}),
                    "--color: \"purple\" is not one of auto, always, never");
  check_usage_error(run_asyncdemo({name, "--trace"}), "--trace");
}

TEST_CASE("--trace to a path that cannot be written fails before anything runs") {
  const RunResult result =
      run_asyncdemo({first_scenario(), "--trace", "/nonexistent-dir/trace.json"});
  INFO(result);
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());  // not even the header
  CHECK(result.err.starts_with(
      "asyncdemo: error: --trace: cannot open \"/nonexistent-dir/trace.json\" for writing: "
      "No such file or directory\nTry 'asyncdemo "));
}

TEST_CASE("--trace writes a Trace Event Format file beside the normal output") {
  const std::string path = temp_path("trace.json");
  const RunResult result =
      run_asyncdemo({"--trace", path, first_scenario(), "--virtual-time", "--json"});
  INFO(result);
  CHECK(result.exit_code == 0);
  CHECK(nlohmann::json::accept(result.out));
  std::ifstream file(path);
  REQUIRE(file.good());
  const auto trace = nlohmann::json::parse(file);
  CHECK(trace["traceEvents"].is_array());
  CHECK_FALSE(trace["traceEvents"].empty());
  std::remove(path.c_str());
}

TEST_CASE("the helper passes arguments through verbatim, spaces and quotes included") {
  const RunResult result = run_asyncdemo({"it's a \"scenario\" $HOME"});
  check_usage_error(result, R"(unknown scenario "it's a "scenario" $HOME")");
}
