// `asyncdemo completion SHELL` and `asyncdemo man` through the real binary: the bash script is
// loaded as a user loads it (`source <(asyncdemo completion bash)`) and its function called as
// bash calls it on <TAB>; each script passes its shell's syntax check, and groff reads the man
// page without a warning. A shell or groff that is not installed is skipped with a message
// (bash always is).

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/cli/run_binary.hpp"

namespace {

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;

bool on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path == nullptr ? "" : path);
  for (std::string directory; std::getline(directories, directory, ':');) {
    const std::string candidate =
        (directory.empty() ? "." : directory) + "/" + std::string(program);
    if (::access(candidate.c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

// Runs `script` in `shell -c` with the binary as $1 and `args` after it.
RunResult run_in_shell(const std::string& shell, const std::string& script,
                       std::vector<std::string> args = {}) {
  RunOptions options;
  options.launcher = {shell, "-c", script, shell};
  return run_asyncdemo(std::move(args), options);
}

// What the bash completion offers for the command line `words`, the last being the word
// under the cursor: COMPREPLY, one per line, as bash would set it on <TAB>.
std::vector<std::string> bash_completes(const std::vector<std::string>& words) {
  const RunResult result = run_in_shell("bash", R"(
    source <("$1" completion bash) || exit 3
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    _asyncdemo || exit 4
    if ((${#COMPREPLY[@]} > 0)); then printf '%s\n' "${COMPREPLY[@]}"; fi
  )",
                                        words);
  INFO(result);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  std::vector<std::string> offered;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    offered.push_back(line);
  }
  return offered;
}

using Words = std::vector<std::string>;

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("the bash completion completes scenario names, options and a choice's values") {
    CHECK(bash_completes({"asyncdemo", "ga"}) == Words{"gather"});
    CHECK(bash_completes({"asyncdemo", "s"}) == Words{"sleep", "semaphore", "server"});
    CHECK(bash_completes({"asyncdemo", "sleep", "--mode", "a"}) == Words{"async", "all"});
    CHECK(bash_completes({"asyncdemo", "sleep", "--mode", ""}) ==
          Words{"blocking", "async", "threads", "all"});
    CHECK(bash_completes({"asyncdemo", "sleep", "--m"}) == Words{"--mode"});
    CHECK(bash_completes({"asyncdemo", "completion", ""}) == Words{"bash", "zsh", "fish"});
    CHECK(bash_completes({"asyncdemo", "gather", "--on-error", "c"}) ==
          Words{"collect", "cancel-siblings"});
  }

  TEST_CASE("the bash completion finds the command past global options and their values") {
    // bash splits --color=always at '=' into three words.
    CHECK(bash_completes({"asyncdemo", "--color", "=", "always", "ga"}) == Words{"gather"});
    CHECK(bash_completes({"asyncdemo", "--color", "never", "lag", "--offload", "p"}) ==
          Words{"process"});
    CHECK(bash_completes({"asyncdemo", "--color", "=", ""}) == Words{"auto", "always", "never"});
    // A global option after the scenario: its value, then the scenario's options again.
    CHECK(bash_completes({"asyncdemo", "retry", "--width", "80", "--ji"}) == Words{"--jitter"});
    CHECK(bash_completes({"asyncdemo", "retry", "--js"}) == Words{"--json"});
    // A value that names nothing (--n's) is not completed as a command.
    CHECK(bash_completes({"asyncdemo", "sleep", "--n", ""}).empty());
    CHECK(bash_completes({"asyncdemo", "--vir"}) == Words{"--virtual-time"});
  }

  TEST_CASE("the bash completion offers file names where a file is expected") {
    // The tests run in the source tree (CMakeLists.txt: WORKING_DIRECTORY).
    CHECK(bash_completes({"asyncdemo", "run", "example"}) == Words{"examples"});
    CHECK(bash_completes({"asyncdemo", "probe", "--hosts", "example"}) == Words{"examples"});
    CHECK(bash_completes({"asyncdemo", "--trace", "example"}) == Words{"examples"});
  }

  TEST_CASE("each completion script passes its shell's syntax check") {
    // bash -n, zsh -n and fish --no-execute parse a script without running it.
    const std::vector<std::pair<std::string, std::string>> shells{
        {"bash", R"("$1" completion bash > "$2" && bash -n "$2")"},
        {"zsh", R"("$1" completion zsh > "$2" && zsh -n "$2")"},
        {"fish", R"("$1" completion fish > "$2" && fish --no-execute "$2")"},
    };
    for (const auto& [shell, check] : shells) {
      if (!on_path(shell)) {
        MESSAGE(shell << " is not installed: its completion's syntax is not checked");
        continue;
      }
      const std::string path =
          "/tmp/asyncdemo-completion-" + std::to_string(::getpid()) + "." + shell;
      const RunResult result =
          run_in_shell("bash", check + R"(; status=$?; rm -f "$2"; exit $status)", {path});
      INFO(result);
      CHECK(result.exit_code == 0);
      CHECK(result.err.empty());
    }
  }

  TEST_CASE("asyncdemo completion takes exactly one of the shells") {
    for (const auto& [args, message] : std::vector<std::pair<Words, std::string>>{
             {{"completion"}, "shell is required"},
             {{"completion", "tcsh"}, "\"tcsh\" is not one of bash, zsh, fish"},
             {{"completion", "bash", "zsh"}, "unexpected argument \"zsh\""}}) {
      const RunResult result = run_asyncdemo(args);
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK(result.err.find(message) != std::string::npos);
    }
    const RunResult fish = run_asyncdemo({"completion", "fish"});
    INFO(fish);
    CHECK(fish.exit_code == 0);
    CHECK(fish.out.starts_with("# fish completion for asyncdemo"));
  }

  TEST_CASE("--help lists the completion command but not the man page, which is for the build") {
    const RunResult help = run_asyncdemo({"--help"});
    INFO(help);
    CHECK(help.out.find("\n  completion ") != std::string::npos);
    CHECK(help.out.find("\n  man ") == std::string::npos);
    const RunResult page = run_asyncdemo({"man"});
    CHECK(page.exit_code == 0);
    CHECK(page.out.find("\n.TH ASYNCDEMO 1 ") != std::string::npos);
  }

  TEST_CASE("groff reads the man page without a warning") {
    if (!on_path("groff")) {
      MESSAGE("groff is not installed: the man page is checked only by its structure");
      return;
    }
    // -ww: every warning; -z: no output, only the diagnostics.
    const RunResult result =
        run_in_shell("bash", R"(set -o pipefail; "$1" man | groff -man -Tutf8 -ww -z)");
    INFO(result);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
  }
}
