// End to end: no crash, no destroyed file and no half-written output, at any
// moment. A closed standard stream, an output file named like an input, an
// empty value, Ctrl-C or SIGTERM before, during and after the run, a reader
// that leaves early, a width to fit.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/cli/run_binary.hpp"
#include "tests/e2e/valid_against_schema.hpp"

using asyncdemo::testing::interrupt_when_idle;
using asyncdemo::testing::interrupt_when_threads_sleep;
using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;
using asyncdemo::testing::signal_when_output;
using asyncdemo::testing::signal_when_waiting;

namespace {

using namespace std::chrono_literals;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A fresh directory for one test, removed with everything in it: what a run
// leaves behind (a temporary file, say) is whatever it holds besides the
// files the test made.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(std::string_view name)
      : path_(std::filesystem::temp_directory_path() /
              fmt::format("asyncdemo-{}-{}", ::getpid(), name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directory(path_);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ScratchDirectory(ScratchDirectory&&) = delete;
  ScratchDirectory& operator=(ScratchDirectory&&) = delete;
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }
  [[nodiscard]] std::string write(std::string_view name, std::string_view contents) const {
    std::ofstream(path_ / name, std::ios::binary) << contents;
    return file(name);
  }
  /// The names of everything in it, hidden files included.
  [[nodiscard]] std::set<std::string> names() const {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return lines;
}

// Columns as a terminal counts them: UTF-8 code points (the output is plain, no colour).
std::size_t columns(std::string_view line) {
  std::size_t count = 0;
  for (const char c : line) {
    count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  }
  return count;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("a closed stdin, stdout or stderr is no crash: the run behaves as if redirected") {
    for (const int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
      CAPTURE(fd);
      RunOptions options;
      options.closed = {fd};
      const RunResult result = run_asyncdemo({"gather", "--n", "2", "--delay", "300ms"}, options);
      INFO(result);
      CHECK(result.exit_code == 0);  // was 134: libuv's assertion on closing a descriptor < 3
      if (fd != STDOUT_FILENO) {
        CHECK(contains(result.out, "summary"));
      }
      if (fd != STDERR_FILENO) {
        CHECK(result.err.empty());
      }
    }
    // The JSON still arrives whole with stdin closed, and a closed stdin reads as empty.
    RunOptions stdin_closed;
    stdin_closed.closed = {STDIN_FILENO};
    const RunResult json =
        run_asyncdemo({"gather", "--n", "2", "--virtual-time", "--json"}, stdin_closed);
    INFO(json);
    CHECK(json.exit_code == 0);
    CHECK(nlohmann::json::parse(json.out)["tasks"].size() == 3);
    const RunResult probe = run_asyncdemo({"probe", "--from", "-"}, stdin_closed);
    INFO(probe);
    CHECK(probe.exit_code == 2);
    CHECK(contains(probe.err, "--from -: no names in it"));
  }

  TEST_CASE("a refused run leaves the --trace file as it was, and no temporary beside it") {
    const ScratchDirectory directory("refused-trace");
    const std::string keep = directory.write("keep.json", "precious\n");
    const RunResult result = run_asyncdemo({"gather", "--fail", "9", "--trace", keep});
    INFO(result);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "--fail 9"));
    CHECK(read_file(keep) == "precious\n");  // was emptied before the options were checked
    CHECK(directory.names() == std::set<std::string>{"keep.json"});
  }

  TEST_CASE("--trace never names the file the scenario reads: exit 2, the file untouched") {
    const ScratchDirectory directory("trace-is-input");
    const std::string names = directory.write("names.txt", "localhost\n");
    const std::string link = directory.file("link.txt");
    std::filesystem::create_symlink(names, link);
    for (const std::string& trace : {names, link}) {
      const RunResult result =
          run_asyncdemo({"probe", "--from", names, "--trace", trace, "--virtual-time"});
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(contains(result.err,
                     fmt::format("--trace {}: that is a file this scenario reads", trace)));
      CHECK(result.out.empty());
      CHECK(read_file(names) == "localhost\n");
    }
    CHECK(directory.names() == std::set<std::string>{"link.txt", "names.txt"});
  }

  TEST_CASE("a complete --trace replaces the old file whole, through a symbolic link too") {
    const ScratchDirectory directory("trace-replaced");
    const std::string target = directory.write("trace.json", "old\n");
    const std::string link = directory.file("latest.json");
    std::filesystem::create_symlink(target, link);
    std::filesystem::permissions(target, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::owner_write |
                                             std::filesystem::perms::group_read);
    const RunResult result =
        run_asyncdemo({"gather", "--n", "2", "--virtual-time", "-q", "--trace", link});
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(std::filesystem::is_symlink(link));  // the link stays a link
    const auto trace = nlohmann::json::parse(read_file(target));
    CHECK(trace.contains("traceEvents"));
    CHECK(std::filesystem::status(target).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
           std::filesystem::perms::group_read));
    CHECK(directory.names() == std::set<std::string>{"latest.json", "trace.json"});
    // A device is written in place, not replaced.
    const RunResult to_null =
        run_asyncdemo({"gather", "--n", "1", "--virtual-time", "-q", "--trace", "/dev/null"});
    INFO(to_null);
    CHECK(to_null.exit_code == 0);
    CHECK(std::filesystem::is_character_file("/dev/null"));
  }

  TEST_CASE("a --trace that runs out of room leaves the old file, no partial one, and exits 1") {
    // A full disk, as an unprivileged test can make one: a limit on the size of any file the
    // process writes (`ulimit -f`), far below the trace's size.
    const ScratchDirectory directory("trace-out-of-room");
    const std::string trace = directory.write("t.json", "precious\n");
    RunOptions options;
    options.launcher = {"prlimit", "--fsize=65536", "--"};
    const RunResult result =
        run_asyncdemo({"gather", "--n", "2000", "--virtual-time", "-q", "--trace", trace}, options);
    INFO(result);
    CHECK(result.exit_code == 1);
    CHECK(
        contains(result.err, fmt::format("--trace: writing \"{}\" failed: File too large", trace)));
    CHECK(read_file(trace) == "precious\n");
    CHECK(directory.names() == std::set<std::string>{"t.json"});
  }

  TEST_CASE("empty values are usage errors that name the option") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> refused{
        {{"gather", "--trace", ""}, "--trace: needs a file name"},
        {{"gather", "--trace", "-"}, "--trace -: stdout carries the report"},
        {{"probe", "--from", ""}, "--from needs a value"},
        {{"probe", "--tld", ""}, "--tld needs a value"},
    };
    for (const auto& [args, message] : refused) {
      const RunResult result = run_asyncdemo(args);
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(contains(result.err, message));
      CHECK(result.out.empty());
    }
  }

  TEST_CASE("SIGTERM interrupts like Ctrl-C, but exits 143 and is named as what it was") {
    RunOptions options;
    options.signals = {interrupt_when_idle(SIGTERM)};
    const RunResult text = run_asyncdemo(
        {"cancel", "--n", "2", "--after", "10s", "--cleanup", "100ms", "--color", "never"},
        options);
    INFO(text);
    CHECK(text.exit_code == 143);
    CHECK(contains(text.out, "interrupted (SIGTERM): the run was cut short"));
    CHECK_FALSE(contains(text.out, "Ctrl-C"));

    const RunResult json =
        run_asyncdemo({"gather", "--n", "3", "--delay", "10s", "--json"}, options);
    INFO(json);
    CHECK(json.exit_code == 143);
    const auto document = nlohmann::json::parse(json.out);
    CHECK(document["interrupted"] == true);
    CHECK(document["interrupted_by"] == "SIGTERM");
    CHECK(asyncdemo::test::valid_against_schema(json.out));
  }

  TEST_CASE("a signal while --from - is still read: nothing ran, exit 128 + the signal") {
    for (const int signal : {SIGINT, SIGTERM}) {
      CAPTURE(signal);
      RunOptions options;
      options.input = "localhost\n";
      options.keep_stdin_open = true;  // a terminal, with nobody typing the rest
      options.signals = {signal_when_waiting(asyncdemo::testing::kReadingPipe, signal)};
      options.timeout = 30s;
      const RunResult result = run_asyncdemo({"probe", "--from", "-"}, options);
      INFO(result);
      CHECK_FALSE(result.timed_out);
      CHECK(result.exit_code == 128 + signal);
      CHECK(contains(result.err, "before the run began: nothing ran"));
      CHECK(result.out.empty());
    }
  }

  TEST_CASE("Ctrl-C while the report is written: it is finished first, then exit 130") {
    const ScratchDirectory directory("interrupted-output");
    const std::string trace = directory.file("t.json");
    RunOptions options;
    // The run is over once the JSON document begins: the signal lands while it is written.
    options.signals = {signal_when_output(R"({"schema":"asyncdemo/1")")};
    const RunResult result = run_asyncdemo(
        {"gather", "--n", "50000", "--virtual-time", "--json", "--trace", trace}, options);
    INFO(result.exit_code);
    INFO(result.err);
    CHECK(result.exit_code == 130);
    const auto document = nlohmann::json::parse(result.out);  // whole, not cut short
    CHECK(document["tasks"].size() == 50001);
    CHECK(document["interrupted"] == false);  // the run itself was not
    CHECK(contains(result.err, "finishing the report"));
    CHECK(nlohmann::json::parse(read_file(trace)).contains("traceEvents"));
    CHECK(directory.names() == std::set<std::string>{"t.json"});
  }

  TEST_CASE("a second signal while the report is written exits at once, leaving no partial file") {
    const ScratchDirectory directory("twice-interrupted-output");
    const std::string trace = directory.write("t.json", "precious\n");
    RunOptions options;
    // The second comes once stdout is complete, when the trace is being written (or done).
    options.signals = {signal_when_output(R"({"schema":"asyncdemo/1")"),
                       signal_when_output("\"checks\":[]}\n")};
    const RunResult result = run_asyncdemo(
        {"gather", "--n", "50000", "--virtual-time", "--json", "--trace", trace}, options);
    INFO(result.exit_code);
    INFO(result.err);
    CHECK(result.exit_code == 130);
    // The old trace, or a complete new one: never a partial file, never a temporary left.
    const std::string contents = read_file(trace);
    if (contents != "precious\n") {
      CHECK(nlohmann::json::parse(contents).contains("traceEvents"));
    }
    CHECK(directory.names() == std::set<std::string>{"t.json"});
  }

  TEST_CASE("after Ctrl-C, a run that must wait for thread work says so at once") {
    RunOptions options;
    // Once the three jobs run on pool threads: jobs still queued are dropped, not waited for.
    options.signals = {interrupt_when_threads_sleep(3)};
    const auto start = std::chrono::steady_clock::now();
    const RunResult result = run_asyncdemo(
        {"cancel", "--n", "3", "--offload", "--work", "3s", "--after", "10s", "-q"}, options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(contains(result.err,
                   "asyncdemo: interrupted (SIGINT): waiting for 3 threads still "
                   "running (they cannot be cancelled); Ctrl-C again to quit\n"));
    CHECK(std::chrono::steady_clock::now() - start >= 3s);  // it did wait for them

    // And the second Ctrl-C, sent when that message is read, quits without waiting.
    options.signals.push_back(signal_when_output("Ctrl-C again to quit"));
    const auto again = std::chrono::steady_clock::now();
    const RunResult quit = run_asyncdemo(
        {"cancel", "--n", "3", "--offload", "--work", "20s", "--after", "10s", "-q"}, options);
    INFO(quit);
    CHECK(quit.exit_code == 130);
    CHECK(std::chrono::steady_clock::now() - again < 15s);
  }

  TEST_CASE("after Ctrl-C, a run that must wait for a child process says so, and waits") {
    // The signal goes to asyncdemo alone (not its process group, as a terminal's would), so the
    // child counts on: a ProcessPoolExecutor cannot stop running work either.
    RunOptions options;
    options.signals = {signal_when_output("process-start")};
    const auto start = std::chrono::steady_clock::now();
    const RunResult result = run_asyncdemo(
        {"lag", "--offload", "process", "--jobs", "1", "--cost", "1s", "--color", "never"},
        options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(contains(result.err,
                   "asyncdemo: interrupted (SIGINT): waiting for 1 child process still "
                   "running (they cannot be cancelled); Ctrl-C again to quit\n"));
    CHECK(std::chrono::steady_clock::now() - start >= 1s);  // the child's second of CPU
    CHECK(contains(result.out, "process-1 (cancelled)"));
  }

  TEST_CASE("a reader that leaves early ends a long --json report at once, not at its end") {
    // The same run twice: its whole document to a reader that takes it all, then to one that
    // leaves after 100 bytes (`| head -c 100`). Rendering the document is most of the first
    // run's time; the second must not spend it for nobody.
    const std::vector<std::string> args{"gather", "--n", "200000", "--virtual-time", "--json"};
    RunOptions to_null;
    to_null.stdout_path = "/dev/null";
    const auto full_start = std::chrono::steady_clock::now();
    const RunResult full = run_asyncdemo(args, to_null);
    const auto full_time = std::chrono::steady_clock::now() - full_start;
    RunOptions head;
    head.close_stdout_after = 100;
    const auto head_start = std::chrono::steady_clock::now();
    const RunResult early = run_asyncdemo(args, head);
    const auto head_time = std::chrono::steady_clock::now() - head_start;
    INFO(early);
    CHECK(full.exit_code == 0);
    CHECK(early.exit_code == 0);
    CHECK(early.err.empty());
    const double ratio = std::chrono::duration<double>(head_time).count() /
                         std::chrono::duration<double>(full_time).count();
    CAPTURE(ratio);
    CHECK(ratio < 0.8);
  }

  TEST_CASE("every line of text output fits --width, in every scenario") {
    const std::vector<std::vector<std::string>> commands{
        {"sleep", "--mode", "all", "--n", "3", "--delay", "100ms"},
        {"gather", "--n", "3", "--fail", "2"},
        {"gather", "--n", "300", "--delay", "10ms"},
        {"timeout"},
        {"cancel", "--offload"},
        {"semaphore"},
        {"probe", "localhost", "nosuch.invalid"},
        {"list"},
    };
    for (const std::size_t width : {40, 57, 80}) {
      for (std::vector<std::string> args : commands) {
        args.insert(args.end(), {"--width", std::to_string(width), "--virtual-time", "--check"});
        if (args.front() == "list") {
          args.resize(3);
        }
        const RunResult result = run_asyncdemo(args);
        INFO(result);
        CHECK(result.exit_code == 0);
        for (const std::string& line : lines_of(result.out)) {
          CAPTURE(line);
          CHECK(columns(line) <= width);
        }
      }
    }
  }
}
