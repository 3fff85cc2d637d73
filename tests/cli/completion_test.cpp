// The completion scripts (cli/completion.hpp), written from the real command line in process:
// what each offers is what the program parses. Running them in a shell is
// tests/e2e/completion_e2e_test.cpp.

#include "cli/completion.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app.hpp"
#include "cli/command_model.hpp"
#include "scenarios/scenario.hpp"

namespace {

using asyncdemo::CommandLine;
using asyncdemo::completion_script;
using asyncdemo::ProgramModel;
using asyncdemo::scenario_registry;
using asyncdemo::Shell;

ProgramModel real_model() {
  const CommandLine command_line(scenario_registry());
  return command_line.model();
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The words of the script's first line that holds `start`, from just after it to the next
// single quote: `'') REPLY='choices ` -> the command names.
std::vector<std::string> words_after(const std::string& script, std::string_view start) {
  const std::size_t from = script.find(start);
  REQUIRE_MESSAGE(from != std::string::npos, "no line holds " << start);
  const std::size_t begin = from + start.size();
  std::istringstream in(script.substr(begin, script.find('\'', begin) - begin));
  std::vector<std::string> words;
  for (std::string word; in >> word;) {
    words.push_back(word);
  }
  return words;
}

const asyncdemo::CommandModel& command_named(const ProgramModel& model, std::string_view name) {
  const auto found = std::ranges::find(model.commands, name, &asyncdemo::CommandModel::name);
  REQUIRE(found != model.commands.end());
  return *found;
}

}  // namespace

TEST_CASE("the bash completion offers every scenario of the registry, and the commands") {
  const std::string script = completion_script(real_model(), Shell::bash);
  const std::vector<std::string> offered = words_after(script, "'') REPLY='choices ");
  std::vector<std::string> expected{"list", "completion"};
  for (const auto& entry : scenario_registry()) {
    expected.emplace_back(entry.name);
  }
  CHECK(offered == expected);
  // `man` is for the build: hidden from --help, and so from completion.
  CHECK(std::ranges::find(offered, "man") == offered.end());
}

TEST_CASE(
    "the bash completion offers a choice's values: sleep --mode, --color, completion's shell") {
  const std::string script = completion_script(real_model(), Shell::bash);
  CHECK(words_after(script, "'sleep --mode') REPLY='choices ") ==
        std::vector<std::string>{"blocking", "async", "threads", "all"});
  CHECK(words_after(script, "*' --color') REPLY='choices ") ==
        std::vector<std::string>{"auto", "always", "never"});
  CHECK(words_after(script, "completion) REPLY='choices ") ==
        std::vector<std::string>{"bash", "zsh", "fish"});
}

TEST_CASE("the bash completion knows which options take a value, and which a file") {
  const std::string script = completion_script(real_model(), Shell::bash);
  CHECK(contains(script, "'sleep --n') REPLY='' ;;"));  // a value, nothing to offer
  CHECK(contains(script, "'gather --sequential') REPLY='flag' ;;"));
  CHECK(contains(script, "'probe --from') REPLY='file' ;;"));
  CHECK(contains(script, "*' --trace') REPLY='file' ;;"));
  CHECK(contains(script, "*' -q' | *' --quiet') REPLY='flag' ;;"));
  CHECK(contains(script, "run) REPLY='file' ;;"));  // the plan
}

TEST_CASE("every command's options are offered after its name, its --help among the global ones") {
  const ProgramModel model = real_model();
  const std::string script = completion_script(model, Shell::bash);
  for (const auto& command : model.commands) {
    CAPTURE(command.name);
    if (command.options.empty()) {
      continue;
    }
    std::vector<std::string> expected;
    for (const auto& option : command.options) {
      expected.insert(expected.end(), option.names.begin(), option.names.end());
    }
    CHECK(words_after(script, "        " + command.name + ") REPLY='") == expected);
  }
  const std::vector<std::string> globals = words_after(script, "_asyncdemo_global_options='");
  for (const std::string_view name :
       {"--help", "-h", "--json", "--check", "--virtual-time", "--color", "--version", "-q"}) {
    CHECK(std::ranges::find(globals, name) != globals.end());
  }
  CHECK(command_named(model, "sleep").options.size() == 3);  // --n --delay --mode, not --help
}

TEST_CASE("the zsh and fish completions offer every scenario and sleep's --mode values") {
  const ProgramModel model = real_model();
  const std::string zsh = completion_script(model, Shell::zsh);
  const std::string fish = completion_script(model, Shell::fish);
  CHECK(zsh.starts_with("#compdef asyncdemo\n"));
  for (const auto& entry : scenario_registry()) {
    const std::string name(entry.name);
    CAPTURE(name);
    CHECK(contains(zsh, "\n                '" + name + ":"));  // in the commands menu
    CHECK(contains(zsh, "\n            " + name + ")\n"));     // its own options
    CHECK(contains(fish, "-a " + name + " -d "));
  }
  CHECK(contains(zsh, ":(blocking async threads all)'"));
  CHECK(contains(zsh, "'--color=[colour the text output]:auto|always|never:(auto always never)'"));
  CHECK(contains(fish,
                 "'__fish_seen_subcommand_from sleep' -l mode -x -a 'blocking async "
                 "threads all'"));
  CHECK(contains(fish, "complete -c asyncdemo -s q -l quiet -d "));
  CHECK(contains(fish, "'__fish_seen_subcommand_from completion' -x -a 'bash zsh fish'"));
}

TEST_CASE("quotes in a description are escaped for each shell") {
  ProgramModel model = real_model();
  model.global_options.front().description = "it's [really] \\ quoted";
  CHECK(contains(completion_script(model, Shell::zsh), R"('-h[it'\''s \[really\] \\ quoted]')"));
  CHECK(contains(completion_script(model, Shell::fish), R"(-d 'it\'s [really] \\ quoted')"));
}

TEST_CASE("a name that a shell word cannot hold unquoted is refused, not written") {
  ProgramModel model = real_model();
  model.commands.front().name = "two words";
  for (const Shell shell : {Shell::bash, Shell::zsh, Shell::fish}) {
    CHECK_THROWS_AS(static_cast<void>(completion_script(model, shell)), std::logic_error);
  }
  CHECK(asyncdemo::shell_word("cancel-siblings") == "cancel-siblings");
  CHECK_THROWS_AS(static_cast<void>(asyncdemo::shell_word("a'b")), std::logic_error);
  CHECK_THROWS_AS(static_cast<void>(asyncdemo::shell_word("$(x)")), std::logic_error);
}

TEST_CASE("first_clause keeps a description's opening clause for a shell's menu") {
  using asyncdemo::first_clause;
  CHECK(first_clause("where answers come from: system (a: b) or fake") ==
        "where answers come from");
  CHECK(first_clause("verify the lesson's claims; exit 1 if one fails") ==
        "verify the lesson's claims");
  CHECK(first_clause("one delay per task, e.g. 2s,1s,3s (sets --n)") ==
        "one delay per task, e.g. 2s,1s,3s (sets --n)");
  CHECK(first_clause("host names (default: the keywords, and localhost)") ==
        "host names (default: the keywords, and localhost)");
  CHECK(first_clause("First sentence. Second one.") == "First sentence");
  CHECK(first_clause("").empty());
}

TEST_CASE("a scenario named like a command is refused when the command line is built") {
  const asyncdemo::ScenarioEntry entry{"completion", "a lesson", "asyncdemo completion",
                                       [](CLI::App&) -> asyncdemo::ScenarioRunner { return {}; }};
  CHECK_THROWS_AS(CommandLine({entry}), std::logic_error);
}
