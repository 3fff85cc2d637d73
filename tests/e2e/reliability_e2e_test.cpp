// End to end: the real binary when its world misbehaves — a reader that
// closes stdout early, a full disk, bad names in arguments and files, too few
// file descriptors, a resolver that cannot answer and one that never does,
// thread work that fails (a clock_nanosleep that always does).

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "tests/cli/run_binary.hpp"
#include "tests/e2e/valid_against_schema.hpp"
#include "tests/scratch_file.hpp"

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;

namespace {

using namespace std::chrono_literals;

const std::filesystem::path source_dir = ASYNCDEMO_SOURCE_DIR;

using asyncdemo::test::ScratchFile;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Only printable ASCII and newlines: nothing that a terminal would act on.
bool terminal_safe(std::string_view text) {
  return std::ranges::all_of(text, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\n' || (byte >= 0x20 && byte < 0x7f);
  });
}

RunOptions stdout_closed_after(std::size_t bytes) {
  RunOptions options;
  options.close_stdout_after = bytes;
  return options;
}

RunOptions stdout_to(std::string path) {
  RunOptions options;
  options.stdout_path = std::move(path);
  return options;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE(
      "a reader that closes stdout early ends the output, quietly, with the run's exit code") {
    // `asyncdemo gather --n 100000 | head -1`: the header arrives at once, the rest a second
    // later, when the reader has long gone.
    const RunResult result = run_asyncdemo({"gather", "--n", "100000"}, stdout_closed_after(1));
    INFO(result);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == 0);  // not 141, death by SIGPIPE
    CHECK(result.err.empty());
    CHECK(result.out.starts_with("gather"));
  }

  TEST_CASE("stdout closed before the first write: --json, list and --help still exit 0 quietly") {
    const std::vector<std::vector<std::string>> commands{
        {"gather", "--n", "3", "--virtual-time", "--json"},
        {"semaphore", "--n", "20", "--limit", "3", "--virtual-time"},
        {"list"},
        {"--help"},
        {"gather", "--help"},
    };
    for (const auto& args : commands) {
      const RunResult result = run_asyncdemo(args, stdout_closed_after(0));
      INFO(result);
      CHECK(result.exit_code == 0);
      CHECK(result.err.empty());
    }
  }

  TEST_CASE("a failed claim still exits 1 when the reader of stdout has gone (--check | head)") {
    // On the real clock no run is exactly ideal: with no tolerance, the timing claim fails.
    const RunResult result = run_asyncdemo(
        {"sleep", "--mode", "async", "--n", "2", "--delay", "10ms", "--check", "--tolerance", "0"},
        stdout_closed_after(0));
    INFO(result);
    CHECK(result.exit_code == 1);
    CHECK(result.err.empty());
  }

  TEST_CASE("an interrupted run still exits 130 when the reader of stdout has gone") {
    RunOptions options = stdout_closed_after(0);
    options.signals = {asyncdemo::testing::interrupt_when_idle()};
    const RunResult result =
        run_asyncdemo({"cancel", "--n", "3", "--after", "10s", "--cleanup", "100ms"}, options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(result.err.empty());
  }

  TEST_CASE("stdout that cannot be written (/dev/full) is reported and exits 1") {
    const std::vector<std::vector<std::string>> commands{
        {"gather", "--n", "3", "--virtual-time"},
        {"gather", "--n", "3", "--virtual-time", "--json"},
        {"semaphore", "--n", "2000", "--limit", "10", "--delay", "1ms", "--virtual-time"},
        {"list"},
    };
    for (const auto& args : commands) {
      const RunResult result = run_asyncdemo(args, stdout_to("/dev/full"));
      INFO(result);
      CHECK(result.exit_code == 1);
      CHECK(result.err == "asyncdemo: error: cannot write to stdout: No space left on device\n");
    }
  }

  TEST_CASE("a --trace file that cannot be written (/dev/full) is reported and exits 1") {
    // A small trace fails as the file is closed; a large one while it is written.
    for (const char* n : {"3", "3000"}) {
      const RunResult result =
          run_asyncdemo({"gather", "--n", n, "--virtual-time", "-q", "--trace", "/dev/full"});
      INFO(result);
      CHECK(result.exit_code == 1);
      CHECK(result.err ==
            "asyncdemo: error: --trace: writing \"/dev/full\" failed: No space left on device\n");
      CHECK(contains(result.out, "summary"));  // the report itself arrived
    }
  }
}

namespace {

struct BadName {
  std::string kind;
  std::string name;
  std::string shown;    // how the message shows it (escaped, maybe cut short)
  std::string problem;  // what the message says is wrong
};

std::vector<BadName> bad_names() {
  const std::string label63(63, 'a');
  // Four labels of 63 bytes and their dots: 255 bytes, over the 253 allowed.
  const std::string too_long = fmt::format("{0}.{0}.{0}.{0}", label63);
  return {
      {"empty", "", "\"\"", "empty name"},
      {"over 253 bytes", too_long, fmt::format("\"{}...\"", too_long.substr(0, 80)),
       "name of 255 bytes; at most 253 are allowed"},
      {"a label over 63 bytes", label63 + "a.example", fmt::format("\"{}a.example\"", label63),
       "label of 64 bytes; at most 63 are allowed"},
      {"not UTF-8",
       "caf\xC3.ex\xFF"
       "ample",
       R"("caf\xC3.ex\xFFample")", "not valid UTF-8 (byte 0xC3 at offset 3)"},
      {"a control character", "\x1b[31mred.example", R"("\x1B[31mred.example")",
       "byte 0x1B not allowed"},
  };
}

void check_refused(const RunResult& result, const BadName& bad, std::string_view origin) {
  INFO(result);
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(terminal_safe(result.err));
  CHECK(
      contains(result.err, fmt::format("{}invalid name {}: {}\n", origin, bad.shown, bad.problem)));
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("probe refuses an invalid name given as an argument: exit 2, nothing run") {
    for (const BadName& bad : bad_names()) {
      CAPTURE(bad.kind);
      check_refused(run_asyncdemo({"probe", "localhost", bad.name, "--json"}), bad,
                    "asyncdemo: error: ");
    }
  }

  TEST_CASE("probe refuses an invalid name in a --from file, saying on which line") {
    for (BadName bad : bad_names()) {
      CAPTURE(bad.kind);
      if (bad.name.empty()) {  // a blank line is skipped; "." is the name with no labels
        // A new BadName rather than assigning "." to bad.name: g++ 12 at -O2 reports a false
        // -Wrestrict overlap in that string assignment (GCC bug 105651), failing Release builds.
        bad = BadName{bad.kind, ".", "\".\"", bad.problem};
      }
      const ScratchFile names("names.txt", "# to probe\nlocalhost\n\n  " + bad.name + "\t\n");
      check_refused(run_asyncdemo({"probe", "--from", names.arg()}), bad,
                    fmt::format("--from {}, line 4: ", names.arg()));
    }
  }

  TEST_CASE("probe refuses an invalid name read from stdin, saying on which line") {
    const BadName bad = bad_names()[3];  // not UTF-8
    RunOptions options;
    options.input = "localhost\n" + bad.name + "\n";
    check_refused(run_asyncdemo({"probe", "--from", "-"}, options), bad,
                  "--from - (stdin), line 2: ");
  }

  TEST_CASE("probe refuses a --hosts file that is not one: exit 2, file and line, nothing run") {
    const ScratchFile hosts("names.hosts", "# answers\nlocalhost 0 found\nb.test 1s no-anwser\n");
    const RunResult result = run_asyncdemo({"probe", "--hosts", hosts.arg(), "localhost"});
    INFO(result);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.starts_with(
        fmt::format("asyncdemo: error: {}:3: \"no-anwser\" is not an outcome; write found, "
                    "not-found, temporary-failure, no-answer (did you mean no-answer?)\n",
                    hosts.arg())));
    const RunResult missing = run_asyncdemo({"probe", "--hosts", "/nonexistent/names.hosts"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("--hosts /nonexistent/names.hosts: cannot open") != std::string::npos);
  }

  TEST_CASE("probe names the first invalid name and counts the others") {
    const RunResult result = run_asyncdemo({"probe", "ok.example", "a..b", "bad-", "c..d"});
    INFO(result);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "invalid name \"a..b\": empty label"));
    CHECK(contains(result.err, "(and 2 more invalid names)"));
  }
}

namespace {

// The sanitizers' runtimes need file descriptors of their own (UBSan's vptr check opens a pipe
// to probe memory): starved of them, they report errors that are not the binary's.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Runs `args` with at most `limit` open file descriptors: prlimit (util-linux) sets the limit
// and execs the binary. Throws std::system_error when there is no prlimit.
RunResult run_with_open_files(int limit, std::vector<std::string> args) {
  RunOptions options;
  options.launcher = {"prlimit", fmt::format("--nofile={}", limit), "--"};
  options.timeout = 30s;
  return run_asyncdemo(std::move(args), options);
}

bool prlimit_works() {
  try {
    return run_with_open_files(64, {"--version"}).exit_code == 0;
  } catch (const std::system_error&) {
    return false;
  }
}

// Whether runs under a descriptor limit can be tested here; if not, says why (doctest MESSAGE).
bool descriptor_limits_testable() {
  if (kSanitized) {
    MESSAGE("skipped in a sanitizer build: its runtime needs file descriptors of its own");
    return false;
  }
  if (!prlimit_works()) {
    MESSAGE("skipped: prlimit cannot run here");
    return false;
  }
  return true;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("out of file descriptors: a clear error naming the failing call, exit 1, no crash") {
    if (!descriptor_limits_testable()) {
      return;
    }
    // From the lowest limit at which the binary starts at all (the dynamic loader needs a
    // descriptor; descriptors this process leaves open are inherited) up to plenty: each run
    // either works or stops with the call that failed.
    int lowest = 3;
    while (lowest < 64 && run_with_open_files(lowest, {"--version"}).exit_code != 0) {
      ++lowest;
    }
    const std::vector<std::vector<std::string>> commands{
        {"sleep", "--n", "3", "--delay", "10ms", "--mode", "all", "-q"},
        {"probe", "localhost", "nosuchname.invalid", "-q"},
    };
    for (const auto& args : commands) {
      bool failed_at_loop_init = false;
      for (int limit = lowest; limit <= lowest + 12; ++limit) {
        const RunResult result = run_with_open_files(limit, args);
        CAPTURE(limit);
        INFO(result);
        CHECK_FALSE(result.timed_out);
        CHECK((result.exit_code == 0 || result.exit_code == 1));  // not a signal
        if (result.exit_code == 1) {
          CHECK(result.err.starts_with("asyncdemo: error: uv_"));
          CHECK(contains(result.err, "EMFILE: too many open files"));
        }
        failed_at_loop_init = failed_at_loop_init || contains(result.err, "uv_loop_init: EMFILE");
      }
      CHECK(failed_at_loop_init);
      CHECK(run_with_open_files(64, args).exit_code == 0);
    }
  }
}

namespace {

// Runs `args` with no file descriptor free from main on: a library preloaded into the binary
// (tests/faults/no_free_descriptors.cpp) opens /dev/null until none is left, once the dynamic
// loader, which needs one, is done; prlimit keeps that to a few. `env` sets LD_PRELOAD for the
// binary only, not for prlimit.
RunResult run_without_free_descriptors(std::vector<std::string> args) {
  RunOptions options;
  options.launcher = {"prlimit", "--nofile=32", "--", "env",
                      fmt::format("LD_PRELOAD={}", ASYNCDEMO_NO_FREE_DESCRIPTORS)};
  options.timeout = 30s;
  return run_asyncdemo(std::move(args), options);
}

// How to run the binary as a user whom file permissions refuse: as is, unless this is root
// (root reads and writes whatever the permissions say); then as nobody (setpriv), if nobody
// can reach the binary (not from under a private directory). Nullopt when neither works.
std::optional<RunOptions> unprivileged_run() {
  RunOptions options;
  if (::geteuid() == 0) {
    options.launcher = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  }
  try {
    if (run_asyncdemo({"--version"}, options).exit_code == 0) {
      return options;
    }
    return std::nullopt;
  } catch (const std::system_error&) {
    return std::nullopt;  // no setpriv here
  }
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("out of file descriptors opening --trace or --from: an error, exit 1, not usage") {
    if (!descriptor_limits_testable()) {
      return;
    }
    // EMFILE says nothing about the path the user gave: the same command works with a
    // descriptor to spare. So it is a failure (1), not a usage error (2).
    const ScratchFile trace("emfile-trace.json");
    const RunResult traced = run_without_free_descriptors(
        {"gather", "--n", "1", "--virtual-time", "-q", "--trace", trace.arg()});
    INFO(traced);
    CHECK(traced.exit_code == 1);
    CHECK(traced.err ==
          fmt::format("asyncdemo: error: --trace: cannot open \"{}\" for writing: Too many open "
                      "files\n",
                      trace.arg()));
    CHECK(traced.out.empty());

    const ScratchFile names("emfile-names.txt", "localhost\n");
    const RunResult probed = run_without_free_descriptors({"probe", "--from", names.arg(), "-q"});
    INFO(probed);
    CHECK(probed.exit_code == 1);
    CHECK(probed.err ==
          fmt::format("asyncdemo: error: --from {}: cannot open: Too many open files\n",
                      names.arg()));
    CHECK(probed.out.empty());
  }

  TEST_CASE("a --trace or --from path that is missing, a directory or unreadable: exit 2") {
    const std::string directory = std::filesystem::temp_directory_path().string();
    const ScratchFile locked("locked-names.txt", "localhost\n");
    std::filesystem::permissions(locked.path(), std::filesystem::perms::none);
    std::vector<std::pair<std::vector<std::string>, std::string>> refused{
        {{"gather", "--trace", "/nonexistent-dir/trace.json"}, "No such file or directory"},
        {{"gather", "--trace", directory}, "Is a directory"},
        {{"probe", "--from", "/nonexistent-dir/names.txt"}, "No such file or directory"},
        {{"probe", "--from", directory}, "is a directory"},
    };
    for (const auto& [args, problem] : refused) {
      const RunResult result = run_asyncdemo(args);
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(result.err.starts_with("asyncdemo: error: " + args[1]));
      CHECK(contains(result.err, problem));
      CHECK(result.out.empty());
    }
    const std::optional<RunOptions> unprivileged = unprivileged_run();
    if (!unprivileged) {
      MESSAGE("unreadable path: skipped, no user here is refused by its permissions");
      return;
    }
    for (const auto& args : {std::vector<std::string>{"probe", "--from", locked.arg()},
                             std::vector<std::string>{"gather", "--trace", locked.arg()}}) {
      const RunResult result = run_asyncdemo(args, *unprivileged);
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(result.err.starts_with("asyncdemo: error: " + args[1]));
      CHECK(contains(result.err, "Permission denied"));
      CHECK(result.out.empty());
    }
  }
}

namespace {

// A launcher for a private network namespace (nothing reachable; loopback down) in which
// /etc/resolv.conf and /etc/nsswitch.conf are the given files (bind mounts, in a private mount
// namespace), then `then` (e.g. a helper that execs the binary). A user namespace gives the
// rights unprivileged; as root without one, plain namespaces do. Nullopt when neither works.
std::optional<std::vector<std::string>> isolated_network(const ScratchFile& resolv_conf,
                                                         const ScratchFile& nsswitch_conf,
                                                         const std::vector<std::string>& then) {
  const std::string script =
      "mount --bind \"$1\" /etc/resolv.conf && mount --bind \"$2\" /etc/nsswitch.conf && "
      "shift 2 && exec \"$@\"";
  for (const char* flags : {"-rnm", "-nm"}) {
    std::vector<std::string> launcher{
        "unshare",          flags, "--", "/bin/sh", "-c", script, "sh", resolv_conf.arg(),
        nsswitch_conf.arg()};
    launcher.insert(launcher.end(), then.begin(), then.end());
    RunOptions options;
    options.launcher = launcher;
    try {
      if (const RunResult probe = run_asyncdemo({"--version"}, options); probe.exit_code == 0) {
        return launcher;
      }
    } catch (const std::system_error&) {
      return std::nullopt;  // no unshare at all
    }
  }
  return std::nullopt;
}

// Only files and DNS answer, whatever the machine's own configuration (an nss module that
// reaches a resolver through a socket file, such as systemd-resolved's, would escape the
// empty network namespace).
constexpr std::string_view kFilesThenDns = "hosts: files dns\n";

// A resolver that reads every query and answers none (tests/e2e/silent_resolver.py, on
// 127.0.0.1:53 of a private network namespace). A run waits at its end for the lookups it
// abandoned (as asyncio.run waits for its executor), so glibc here gives up on each lookup
// after 2 s rather than its default 2 x 5 s.
struct SilentResolver {
  ScratchFile resolv_conf{"silent-resolv.conf",
                          "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n"};
  ScratchFile nsswitch_conf{"nsswitch.conf", kFilesThenDns};

  /// Options that run the binary behind the resolver; nullopt where no namespace can be made.
  [[nodiscard]] std::optional<RunOptions> options() const {
    const auto launcher = isolated_network(
        resolv_conf, nsswitch_conf,
        {"/usr/bin/python3", (source_dir / "tests/e2e/silent_resolver.py").string()});
    if (!launcher) {
      return std::nullopt;
    }
    RunOptions options;
    options.launcher = *launcher;
    options.timeout = 30s;
    return options;
  }
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE(
      "a resolver that cannot be reached: rows say ERROR (temporary failure), not NOT FOUND") {
    // In an empty network namespace no server can be reached: getaddrinfo says EAI_AGAIN,
    // "try again", which is not "no such name".
    const ScratchFile resolv_conf("unreachable-resolv.conf", "nameserver 192.0.2.53\n");
    const ScratchFile nsswitch_conf("nsswitch.conf", kFilesThenDns);
    const auto launcher = isolated_network(resolv_conf, nsswitch_conf, {});
    if (!launcher) {
      MESSAGE("skipped: cannot make a private network and mount namespace here");
      return;
    }
    RunOptions options;
    options.launcher = *launcher;
    const RunResult result = run_asyncdemo({"probe", "example.com", "python.org", "localhost",
                                            "--json", "--check", "--tolerance", "5s"},
                                           options);
    INFO(result);
    CHECK(result.exit_code == 0);  // the scenario ran and reported each name: its lesson held
    const auto document = nlohmann::json::parse(result.out);
    const auto& rows = document["results"];
    REQUIRE(rows.size() == 3);
    for (const std::size_t i : {0U, 1U}) {
      CHECK(rows[i]["status"] == "ERROR");
      CHECK(contains(rows[i]["detail"].get<std::string>(), "temporary failure"));
      CHECK(contains(rows[i]["detail"].get<std::string>(), "EAI_AGAIN"));
    }
    CHECK(rows[2]["status"] == "FOUND");  // /etc/hosts still answers
  }

  TEST_CASE("a resolver that never answers: each name times out at --timeout, the run ends") {
    const SilentResolver resolver;
    const std::optional<RunOptions> options = resolver.options();
    if (!options) {
      MESSAGE("skipped: cannot make a private network and mount namespace here");
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    const RunResult result = run_asyncdemo({"probe", "--timeout", "200ms", "one.example",
                                            "two.example", "three.example", "--json", "--check"},
                                           *options);
    const auto took = std::chrono::steady_clock::now() - start;
    INFO(result);
    // Timeouts are the lesson, not an error, and the claims judge the probing, which ended
    // at the last row, not the wait for the abandoned lookups after it.
    CHECK(result.exit_code == 0);
    CHECK(took < 10s);
    CHECK(contains(result.err, "silent resolver: read"));
    CHECK_FALSE(contains(result.err, "silent resolver: read 0 queries"));
    const auto document = nlohmann::json::parse(result.out);
    const auto& rows = document["results"];
    REQUIRE(rows.size() == 3);
    for (const auto& row : rows) {
      CHECK(row["status"] == "TIMEOUT");
      CHECK(row["detail"] == "no answer within 200ms");
      // At the deadline, well before the resolver itself gave up.
      CHECK(row["latency_s"].get<double>() >= 0.2);
      CHECK(row["latency_s"].get<double>() < 1.5);
    }
    // The rows were in at about 200 ms; the run ended only when the resolver gave up (2 s),
    // and says why.
    const double answered = document["figures"]["answered_s"].get<double>();
    CHECK(answered < 1.5);
    CHECK(document["elapsed_s"].get<double>() > answered + 0.5);
    const std::string takeaways = document["takeaways"].dump();
    CHECK(contains(takeaways, "waited"));
    CHECK(contains(takeaways, "getaddrinfo cannot be interrupted"));
  }

  TEST_CASE("lookups run on every thread of the pool, as on asyncio's executor") {
    // Four lookups that each stall until the resolver gives up (2 s), on a pool of four threads:
    // all four run at once, so the run ends at about 2 s. libuv's own resolver (uv_getaddrinfo)
    // runs lookups on half the pool at most: two at a time, ending at about 4 s.
    const SilentResolver resolver;
    std::optional<RunOptions> options = resolver.options();
    if (!options) {
      MESSAGE("skipped: cannot make a private network and mount namespace here");
      return;
    }
    options->env = {{"UV_THREADPOOL_SIZE", "4"}};
    const RunResult result =
        run_asyncdemo({"probe", "--timeout", "10s", "--limit", "4", "one.example", "two.example",
                       "three.example", "four.example", "--json"},
                      *options);
    INFO(result);
    CHECK(result.exit_code == 0);
    const auto document = nlohmann::json::parse(result.out);
    const auto& rows = document["results"];
    REQUIRE(rows.size() == 4);
    for (const auto& row : rows) {
      CHECK(row["status"] == "ERROR");  // EAI_AGAIN: the resolver gave up, no answer
      CHECK(row["latency_s"].get<double>() > 1.5);
      CHECK(row["latency_s"].get<double>() < 3.0);  // none waited for a thread to be free
    }
    const double elapsed = document["elapsed_s"].get<double>();
    CHECK(elapsed < 3.0);  // one round of lookups, not two
  }
}

namespace {

constexpr std::string_view kSleepFailed = "clock_nanosleep: Operation not supported";

// ASan refuses to start when a preloaded library comes before its runtime in the list of
// libraries, unless told not to check. The options already set (make test-asan's) stay.
std::string asan_options_allowing_preload() {
  const char* set = std::getenv("ASAN_OPTIONS");  // NOLINT(concurrency-mt-unsafe): no setenv here
  const std::string options = set != nullptr ? set : "";
  return options + (options.empty() ? "" : ":") + "verify_asan_link_order=0";
}

// Runs `args` with every clock_nanosleep in the binary failing with ENOTSUP: the library built
// for the tests (tests/faults/failing_clock_nanosleep.cpp) is preloaded in place of glibc's.
// On the real clock thread_sleep is such a sleep on a pool thread, so all thread work fails.
RunResult run_with_failing_clock_nanosleep(std::vector<std::string> args) {
  RunOptions options;
  options.env = {{"LD_PRELOAD", ASYNCDEMO_FAILING_CLOCK_NANOSLEEP},
                 {"ASAN_OPTIONS", asan_options_allowing_preload()}};
  options.timeout = 30s;
  return run_asyncdemo(std::move(args), options);
}

// The tasks of a --json document whose names start with `prefix`.
std::vector<nlohmann::json> tasks_named(const nlohmann::json& document, std::string_view prefix) {
  std::vector<nlohmann::json> tasks;
  for (const auto& task : document["tasks"]) {
    if (task["name"].get<std::string>().starts_with(prefix)) {
      tasks.push_back(task);
    }
  }
  return tasks;
}

// Whether task `id` noted the error it failed with, and then ended failed.
bool noted_then_failed(const nlohmann::json& document, int id, std::string_view error) {
  bool noted = false;
  for (const auto& event : document["events"]) {
    if (event["task"] != id) {
      continue;
    }
    if (event["kind"] == "note" && event["detail"] == fmt::format("error: {}", error)) {
      noted = true;
    }
    if (event["kind"] == "failed") {
      return noted;
    }
  }
  return false;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("thread work that fails (clock_nanosleep) is a clear error in the report, exit 1") {
    const auto start = std::chrono::steady_clock::now();
    const RunResult result = run_with_failing_clock_nanosleep(
        {"sleep", "--mode", "threads", "--n", "3", "--delay", "20ms", "--color", "never"});
    const auto took = std::chrono::steady_clock::now() - start;
    INFO(result);
    CHECK_FALSE(result.timed_out);
    CHECK(took < 10s);
    CHECK(result.exit_code == 1);
    CHECK(result.err == fmt::format("asyncdemo: error: {}\n", kSleepFailed));
    // In the event log on the failing task's row, then the report: its chart and summary.
    CHECK(contains(result.out, fmt::format("  note    error: {}\n", kSleepFailed)));
    CHECK(contains(result.out, "x failed"));
    CHECK(contains(result.out, fmt::format("  failed: {}; an error, not the lesson, so no claim",
                                           kSleepFailed)));
    CHECK(contains(result.out, "(failed)"));
  }

  TEST_CASE("the same sleeps without the fault, or on the virtual clock, run and exit 0") {
    // The control for the cases around it: the failure is the preloaded clock_nanosleep's. The
    // virtual clock simulates the pool and never sleeps for real, so nothing fails there.
    const std::vector<std::string> args{"sleep", "--mode",  "threads", "--n",
                                        "3",     "--delay", "20ms"};
    const RunResult plain = run_asyncdemo(args);
    INFO(plain);
    CHECK(plain.exit_code == 0);
    CHECK(plain.err.empty());
    std::vector<std::string> virtual_args = args;
    virtual_args.emplace_back("--virtual-time");
    const RunResult simulated = run_with_failing_clock_nanosleep(virtual_args);
    INFO(simulated);
    CHECK(simulated.exit_code == 0);
    CHECK(simulated.err.empty());
  }

  TEST_CASE("a blocking sleep that fails is a clear error too, not a sleep reported as done") {
    // It used to end at once unnoticed ("speedup 8.94x"): the loop thread's sleep ignored
    // every error where the pool thread's reported it.
    const RunResult result = run_with_failing_clock_nanosleep(
        {"sleep", "--mode", "blocking", "--n", "3", "--delay", "20ms", "--color", "never"});
    INFO(result);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == 1);
    CHECK(result.err == fmt::format("asyncdemo: error: {}\n", kSleepFailed));
    CHECK(contains(result.out, fmt::format("  note    error: {}\n", kSleepFailed)));
    CHECK(contains(result.out, fmt::format("  failed: {}; an error, not the lesson, so no claim",
                                           kSleepFailed)));
    CHECK_FALSE(contains(result.out, "faster"));
  }

  TEST_CASE("--json --check of sleeps that fail: one valid document, exit 1") {
    const RunResult result = run_with_failing_clock_nanosleep(
        {"sleep", "--mode", "all", "--n", "2", "--delay", "20ms", "--json", "--check"});
    INFO(result);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == 1);
    CHECK(result.err == fmt::format("asyncdemo: error: {}\n", kSleepFailed));
    const auto document = nlohmann::json::parse(result.out);
    CHECK(asyncdemo::test::valid_against_schema(result.out));
    CHECK(document["error"] == kSleepFailed);
    CHECK(document["interrupted"] == false);
    CHECK(document["checks"].empty());  // the record is partial: no claim is judged on it
    // The first phase, blocking, failed, and main with it: no other phase began.
    CHECK(document["results"].empty());
    CHECK(document["tasks"][0]["outcome"] == "failed");  // main: gather raised the error
    const std::vector<nlohmann::json> blocking = tasks_named(document, "blocking-");
    CHECK(blocking.size() == 2);
    for (const auto& task : blocking) {
      CAPTURE(task);
      CHECK(task["outcome"] == "failed");
      CHECK(noted_then_failed(document, task["id"].get<int>(), kSleepFailed));
    }
    CHECK(tasks_named(document, "async-").empty());
    CHECK(tasks_named(document, "threads-").empty());
  }

  TEST_CASE("cancel --offload whose thread work fails: each worker's error, not cancelled") {
    const std::vector<std::string> args{"cancel", "--n",   "2",         "--after", "50ms",
                                        "--beat", "10ms",  "--cleanup", "10ms",    "--offload",
                                        "--work", "200ms", "--check"};
    const std::string error = fmt::format("worker-1: {} (and 1 more worker failed)", kSleepFailed);

    const RunResult text = run_with_failing_clock_nanosleep(args);
    INFO(text);
    CHECK_FALSE(text.timed_out);
    CHECK(text.exit_code == 1);
    CHECK(text.err == fmt::format("asyncdemo: error: {}\n", error));
    CHECK(contains(text.out, fmt::format("  failed: {};", error)));
    CHECK(contains(text.out, fmt::format("1. error={}\n", kSleepFailed)));
    CHECK(contains(text.out, "0 of 0 claims held"));

    std::vector<std::string> json_args = args;
    json_args.emplace_back("--json");
    const RunResult json = run_with_failing_clock_nanosleep(json_args);
    INFO(json);
    CHECK_FALSE(json.timed_out);
    CHECK(json.exit_code == 1);
    CHECK(json.err == fmt::format("asyncdemo: error: {}\n", error));
    const auto document = nlohmann::json::parse(json.out);
    CHECK(asyncdemo::test::valid_against_schema(json.out));
    CHECK(document["error"] == error);
    const nlohmann::json failed_result = {{"error", kSleepFailed}};
    CHECK(document["results"] == nlohmann::json::array({failed_result, failed_result}));
    const auto workers = tasks_named(document, "worker-");
    REQUIRE(workers.size() == 2);
    for (const auto& worker : workers) {
      CAPTURE(worker);
      CHECK(worker["outcome"] == "failed");
      CHECK(noted_then_failed(document, worker["id"].get<int>(), kSleepFailed));
    }
    CHECK(document["tasks"][0]["outcome"] == "ok");  // main gathered the errors as results

    // Without the fault the lesson holds: every worker cancelled, exit 0.
    const RunResult plain = run_asyncdemo(args);
    INFO(plain);
    CHECK(plain.exit_code == 0);
    CHECK(plain.err.empty());
  }
}
