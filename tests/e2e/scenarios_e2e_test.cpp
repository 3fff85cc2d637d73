// End to end: the real binary, for every scenario — text, JSON (validated
// against the schema), trace, --check and exit codes — and golden files of the
// text output under the virtual clock.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_binary.hpp"
#include "tests/e2e/valid_against_schema.hpp"
#include "tests/scratch_file.hpp"

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;

namespace {

const std::filesystem::path source_dir = ASYNCDEMO_SOURCE_DIR;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using asyncdemo::test::ScratchFile;

using asyncdemo::test::valid_against_schema;

// One invocation per scenario with options that make its lesson visible.
struct Example {
  const char* name;
  std::vector<std::string> args;
};

const std::vector<Example>& examples() {
  static const std::vector<Example> all{
      {"sleep", {"sleep", "--n", "3", "--delay", "1s", "--mode", "all"}},
      {"gather", {"gather", "--delays", "2s,1s,3s", "--fail", "2"}},
      {"gather-cancel-siblings",
       {"gather", "--delays", "2s,1s,3s", "--fail", "1", "--on-error", "cancel-siblings"}},
      {"timeout", {"timeout", "--work", "10s", "--timeout", "2s", "--cleanup", "100ms"}},
      {"cancel", {"cancel", "--n", "3", "--after", "1.5s", "--offload"}},
      {"semaphore", {"semaphore", "--n", "10", "--limit", "3", "--delay", "1s"}},
      {"lock", {"lock", "--n", "3", "--increments", "3", "--delay", "100ms"}},
      {"lock-locked", {"lock", "--n", "3", "--increments", "2", "--delay", "100ms", "--lock"}},
      {"lock-deadlock", {"lock", "--deadlock", "--delay", "100ms"}},
      {"queue",
       {"queue", "--producers", "2", "--consumers", "2", "--items", "8", "--maxsize", "2"}},
      // Neither depends on the machine's core count: inline work holds the one loop thread,
      // and under the GIL thread work computes one job at a time.
      {"lag", {"lag", "--offload", "inline", "--jobs", "2", "--cost", "300ms"}},
      {"lag-gil", {"lag", "--offload", "thread", "--jobs", "2", "--cost", "300ms", "--gil"}},
      {"retry", {"retry", "--n", "6", "--jitter", "all"}},
      {"server", {"server", "--clients", "3", "--requests", "2"}},
      {"server-blocking", {"server", "--clients", "3", "--requests", "2", "--blocking"}},
      {"probe", {"probe", "one.invalid", "two.invalid", "three.invalid"}},
      // The fake resolver makes a probe exact on the virtual clock, with no network: the
      // classic nineteen names answered by the hash of each, and a hosts file's every outcome.
      {"probe-fake", {"probe", "--limit", "5"}},
      {"probe-hosts",
       {"probe", "--hosts", "tests/golden/probe.hosts", "--timeout", "1s", "localhost",
        "python.org", "blogdom.dev", "nosuchname.example", "flaky.example", "silent.example",
        "unlisted.example"}},
      {"run-flags2", {"run", "examples/flags2.toml"}},
      {"run-taskgroup", {"run", "examples/taskgroup.toml"}},
      {"run-probe", {"run", "examples/probe.toml"}},
  };
  return all;
}

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<const char*> more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("every scenario's text output matches its golden file under the virtual clock") {
    // ASYNCDEMO_UPDATE_GOLDEN=1 rewrites the files instead (then review the diff).
    const bool update =
        std::getenv("ASYNCDEMO_UPDATE_GOLDEN") != nullptr;  // NOLINT(concurrency-mt-unsafe)
    // The default pool depends on the machine's CPU count (min(32, cpus + 4)), and the headers
    // of runs that use threads say its size: pinned, so the files are the same everywhere.
    RunOptions pinned_pool;
    pinned_pool.env = {{"UV_THREADPOOL_SIZE", "4"}};
    for (const Example& example : examples()) {
      const RunResult result = run_asyncdemo(
          with(example.args, {"--virtual-time", "--check", "--color", "never", "--width", "100"}),
          pinned_pool);
      INFO(result);
      REQUIRE(result.exit_code == 0);
      const std::filesystem::path golden =
          source_dir / "tests/golden" / (std::string(example.name) + ".txt");
      if (update) {
        std::ofstream(golden, std::ios::binary) << result.out;
        continue;
      }
      CHECK(result.out == read_file(golden));
    }
  }

  TEST_CASE("every plan in examples/ passes its own --check, on the real clock and the virtual") {
    // What the README promises of each: `asyncdemo run examples/<plan>.toml --check`. The
    // real clock's tolerance is widened for a loaded 2-core machine; the virtual clock is exact.
    std::size_t plans = 0;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir / "examples")) {
      if (entry.path().extension() != ".toml") {
        continue;
      }
      ++plans;
      const std::string plan = entry.path().string();
      const RunResult exact = run_asyncdemo({"run", plan, "--check", "--virtual-time", "-q"});
      INFO(plan, exact);
      CHECK(exact.exit_code == 0);
      const RunResult real = run_asyncdemo({"run", plan, "--check", "--tolerance", "500ms", "-q"});
      INFO(real);
      CHECK(real.exit_code == 0);
    }
    CHECK(plans >= 4);
  }

  TEST_CASE(
      "a plan that is wrong exits 2 before anything runs, naming file, line and the nearest") {
    const ScratchFile plan("typo.toml", "[[task]]\nname = \"t\"\nsteps = [{ slep = \"1s\" }]\n");
    const RunResult result = run_asyncdemo({"run", plan.arg()});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find(plan.arg() + ":3:10: a step needs one of") != std::string::npos);
    CHECK(result.err.find("(did you mean sleep?)") != std::string::npos);
    const RunResult missing = run_asyncdemo({"run", "no-such-plan.toml"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.starts_with("asyncdemo: error: no-such-plan.toml: cannot read the plan"));
  }

  TEST_CASE("the virtual clock gives the same output twice") {
    const std::vector<std::string> args{"gather", "--delays", "2s,1s,3s", "--virtual-time",
                                        "--json"};
    const RunResult first = run_asyncdemo(args);
    const RunResult second = run_asyncdemo(args);
    REQUIRE(first.exit_code == 0);
    CHECK(first.out == second.out);
  }

  TEST_CASE("every scenario's --json is one document that validates against the schema") {
    for (const Example& example : examples()) {
      const RunResult result =
          run_asyncdemo(with(example.args, {"--virtual-time", "--json", "--check"}));
      INFO(result);
      REQUIRE(result.exit_code == 0);
      const auto document = nlohmann::json::parse(result.out);
      CHECK(document["schema"] == "asyncdemo/1");
      CHECK(document["scenario"] == example.args.front());
      CHECK(document["clock"] == "virtual");
      CHECK_FALSE(document["checks"].empty());
      CHECK(valid_against_schema(result.out));
    }
  }

  TEST_CASE("every scenario's --trace is a Chrome trace with one named lane per task") {
    for (const Example& example : examples()) {
      const ScratchFile trace(std::string(example.name) + ".trace.json");
      const RunResult result = run_asyncdemo(
          with(example.args, {"--virtual-time", "-q", "--trace", trace.path().c_str()}));
      INFO(result);
      REQUIRE(result.exit_code == 0);
      const auto document = nlohmann::json::parse(read_file(trace.path()));
      std::size_t lanes = 0;
      std::size_t spans = 0;
      for (const auto& event : document["traceEvents"]) {
        lanes += event["ph"] == "M" && event["name"] == "thread_name" ? 1 : 0;
        spans += event["ph"] == "X" ? 1 : 0;
      }
      CHECK(lanes >= 2);                           // main and at least one task
      if (std::string(example.name) != "probe") {  // a virtual-clock lookup takes no time
        CHECK(spans >= 1);
      }
    }
  }

  TEST_CASE("global options work before and after the scenario name") {
    const RunResult before = run_asyncdemo({"--virtual-time", "--json", "gather", "--n", "3"});
    const RunResult after = run_asyncdemo({"gather", "--n", "3", "--virtual-time", "--json"});
    REQUIRE(before.exit_code == 0);
    CHECK(before.out == after.out);
  }

  TEST_CASE("a claim that fails exits 1 and says FAIL") {
    // On the real clock no run is exactly ideal: with no tolerance, the timing claim fails.
    const RunResult result = run_asyncdemo({"sleep", "--mode", "async", "--n", "2", "--delay",
                                            "10ms", "--check", "--tolerance", "0", "-q"});
    INFO(result);
    CHECK(result.exit_code == 1);
    CHECK(result.out.find("FAIL") != std::string::npos);
  }

  TEST_CASE("a failure the user asked for is the lesson, not an error") {
    const RunResult result = run_asyncdemo(
        {"gather", "--delays", "2s,1s", "--fail", "1", "--virtual-time", "--check", "-q"});
    INFO(result);
    CHECK(result.exit_code == 0);
  }

  TEST_CASE("bad input is a usage error that names the option, with nothing on stdout") {
    const std::vector<std::vector<std::string>> bad{
        {"gather", "--n", "0"},
        {"gather", "--n", "99999999999999999999"},
        {"gather", "--n", "abc"},
        {"gather", "--delay", "-1s"},
        {"gather", "--delay", "1.5.s"},
        {"gather", "--delay", "2h"},
        {"gather", "--n", "3", "--fail", "4"},
        {"gather", "--n", "2", "--delays", "1s,2s,3s"},
        {"semaphore", "--limit", "0"},
        {"sleep", "--mode", "fast"},
        {"probe", "--from", "/nonexistent/names.txt"},
        {"probe", "--from", "/"},
        {"nosuchscenario"},
        {"gather", "--nosuchoption"},
    };
    for (const auto& args : bad) {
      const RunResult result = run_asyncdemo(args);
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK_FALSE(result.err.empty());
    }
  }

  TEST_CASE("--trace to a path that cannot be written fails before running") {
    const RunResult result =
        run_asyncdemo({"sleep", "--delay", "10s", "--trace", "/nonexistent/dir/trace.json"});
    INFO(result);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());  // nothing ran, nothing printed
  }

  TEST_CASE("probe reads names from stdin with --from -") {
    RunOptions options;
    options.input = "# a comment\nfirst.invalid\n\nsecond.invalid\n";
    const RunResult result = run_asyncdemo({"probe", "--from", "-", "--json"}, options);
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const auto document = nlohmann::json::parse(result.out);
    REQUIRE(document["results"].size() == 2);
    CHECK(document["results"][0]["name"] == "first.invalid");
    CHECK(document["results"][1]["status"] == "NOT FOUND");
  }

  TEST_CASE("real-clock runs land within generous bounds of their ideal") {
    const RunResult result =
        run_asyncdemo({"gather", "--n", "20", "--delay", "200ms", "--json", "--check"});
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const auto document = nlohmann::json::parse(result.out);
    CHECK(document["elapsed_s"].get<double>() >= 0.2);
    CHECK(document["elapsed_s"].get<double>() < 1.0);
    CHECK(document["clock"] == "real");
  }
}

TEST_SUITE("e2e") {
  TEST_CASE("every example in every scenario's --help runs and exits 0") {
    // The examples are the lines `asyncdemo <scenario> --help` prints. Run here on the virtual
    // clock, so the suite stays quick; shell pipelines are checked by the probe stdin test.
    const RunResult list = run_asyncdemo({"list"});
    REQUIRE(list.exit_code == 0);
    std::istringstream names(list.out);
    std::string line;
    std::size_t ran = 0;
    while (std::getline(names, line)) {
      const std::string scenario = line.substr(0, line.find(' '));
      const RunResult help = run_asyncdemo({scenario, "--help"});
      REQUIRE(help.exit_code == 0);
      std::istringstream help_lines(help.out);
      std::string example;
      while (std::getline(help_lines, example)) {
        const auto start = example.find("asyncdemo " + scenario);
        if (start == std::string::npos || example.find('|') != std::string::npos ||
            example.find("Usage") != std::string::npos) {
          continue;
        }
        std::istringstream words(example.substr(start));
        std::vector<std::string> args;
        for (std::string word; words >> word;) {
          args.push_back(word);
        }
        args.erase(args.begin());  // "asyncdemo"
        args.emplace_back("--virtual-time");
        const RunResult result = run_asyncdemo(args);
        INFO(result);
        CHECK(result.exit_code == 0);
        ++ran;
      }
    }
    CHECK(ran >= 12);  // two or more per scenario
  }
}

TEST_SUITE("e2e") {
  TEST_CASE("every asyncdemo command in the README runs and exits 0") {
    // The README's examples are the contract with a new user. Here they run on the virtual
    // clock (where they accept it), with any trace, picture, page or JUnit file written to a
    // scratch file. A picture the README shows must be what its command draws today, byte for
    // byte.
    std::istringstream readme(read_file(source_dir / "README.md"));
    const ScratchFile trace("readme.trace.json");
    const ScratchFile junit("readme.junit.xml");
    const ScratchFile picture("readme.svg");
    const ScratchFile page("readme.html");
    std::size_t pictures = 0;
    std::size_t ran = 0;
    bool in_code = false;
    for (std::string line; std::getline(readme, line);) {
      if (line.starts_with("```")) {
        in_code = !in_code;
        continue;
      }
      if (!in_code || !line.starts_with("asyncdemo ")) {
        continue;
      }
      std::istringstream words(line.substr(0, line.find('#')));
      std::vector<std::string> args;
      for (std::string word; words >> word;) {
        args.push_back(word);
      }
      args.erase(args.begin());
      std::string shown_picture;
      for (std::string& arg : args) {
        arg = arg.ends_with(".trace.json") ? trace.path().string() : arg;
        arg = arg.ends_with(".junit.xml") ? junit.path().string() : arg;
        arg = arg.ends_with(".html") ? page.path().string() : arg;
        if (arg.ends_with(".svg")) {
          shown_picture = arg;
          arg = picture.path().string();
        }
      }
      const bool help = args.size() >= 2 && args[1] == "--help";
      if (args.front() != "list" && !help && args.front() != "probe") {
        args.emplace_back("--virtual-time");
      }
      const RunResult result = run_asyncdemo(args);
      INFO(result);
      CHECK(result.exit_code == 0);
      if (!shown_picture.empty() && std::filesystem::exists(source_dir / shown_picture)) {
        INFO("the README shows " << shown_picture << ": make it again with the command above");
        CHECK(read_file(picture.path()) == read_file(source_dir / shown_picture));
        ++pictures;
      }
      ++ran;
    }
    CHECK(ran >= 10);
    CHECK(pictures >= 1);
  }
}

TEST_SUITE("e2e") {
  TEST_CASE("Ctrl-C cancels the tasks, runs their cleanup, prints the partial report, exits 130") {
    RunOptions options;
    options.signals = {asyncdemo::testing::interrupt_when_idle()};
    const RunResult result = run_asyncdemo(
        {"cancel", "--n", "3", "--after", "10s", "--cleanup", "200ms", "--color", "never"},
        options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(result.out.find("interrupted") != std::string::npos);
    CHECK(result.out.find("timeline") != std::string::npos);  // the partial timeline
    CHECK(result.out.find("summary") != std::string::npos);
    // Each worker's cleanup ran: its note is in the log.
    std::size_t cleanups = 0;
    for (std::size_t at = result.out.find("CancelledError: cleanup"); at != std::string::npos;
         at = result.out.find("CancelledError: cleanup", at + 1)) {
      ++cleanups;
    }
    CHECK(cleanups == 3);
  }

  TEST_CASE("Ctrl-C during --json still prints one valid document, marked interrupted") {
    RunOptions options;
    options.signals = {asyncdemo::testing::interrupt_when_idle()};
    const RunResult result =
        run_asyncdemo({"gather", "--n", "3", "--delay", "10s", "--json"}, options);
    INFO(result);
    CHECK(result.exit_code == 130);
    const auto document = nlohmann::json::parse(result.out);
    CHECK(document["interrupted"] == true);
    CHECK(document["elapsed_s"].get<double>() < 5.0);
    for (const auto& task : document["tasks"]) {
      CHECK(task["outcome"] == "cancelled");
    }
  }

  TEST_CASE("a second Ctrl-C exits at once, cleanup or not") {
    RunOptions options;
    // The first lands during the run; the second during a 30 s cleanup, once both have begun.
    options.signals = {asyncdemo::testing::interrupt_when_idle(),
                       asyncdemo::testing::signal_when("CancelledError: cleanup 30s",
                                                       asyncdemo::testing::kWaitingForEvents)};
    const auto start = std::chrono::steady_clock::now();
    const RunResult result =
        run_asyncdemo({"cancel", "--n", "2", "--after", "20s", "--cleanup", "30s"}, options);
    const auto took = std::chrono::steady_clock::now() - start;
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(took < std::chrono::seconds(15));
  }
}
