#pragma once
// The command line (DESIGN.md §1), built from scenario_registry():
//
//   asyncdemo [GLOBAL OPTIONS] <scenario> [SCENARIO OPTIONS]
//   asyncdemo list
//   asyncdemo completion bash|zsh|fish
//   asyncdemo <scenario> --help
//
// and, hidden from --help, `asyncdemo man`: the manual page, which the build installs.
//
// Global options may also stand after the scenario name: every subcommand
// falls through to the main app for an option it does not know itself.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_model.hpp"
#include "cli/completion.hpp"
#include "cli/render.hpp"
#include "core/clock.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

/// Exit codes (DESIGN.md §1).
inline constexpr int kExitOk = 0;
/// A --check claim failed, or the scenario failed unexpectedly.
inline constexpr int kExitFailed = 1;
/// The command line was wrong: nothing ran.
inline constexpr int kExitUsage = 2;
/// Interrupted by signal N (Ctrl-C's SIGINT, SIGTERM): 128 + N, as a shell
/// reports a process that a signal ended: 130 and 143.
inline constexpr int kExitSignalBase = 128;

enum class ColorMode : std::uint8_t { automatic, always, never };

/// The options every scenario takes.
struct GlobalOptions {
  bool json = false;
  std::optional<std::string> trace_path;  // --trace FILE (an empty one is refused at run time)
  std::optional<std::string> svg_path;    // --svg FILE
  std::optional<std::string> html_path;   // --html FILE
  bool check = false;
  Duration tolerance = RunContext{}.tolerance;
  bool virtual_time = false;
  ColorMode color = ColorMode::automatic;
  std::size_t width = 0;  // --width; 0 when not given (then the terminal's)
  bool quiet = false;
  std::size_t repeat = 1;                 // --repeat N: runs on the real clock (cli/run_series.hpp)
  std::optional<std::string> junit_path;  // --junit FILE
};

/// A usage error best answered with the list of scenarios: none was given,
/// or the one given does not exist.
class ScenarioError : public CLI::ParseError {
 public:
  explicit ScenarioError(std::string message)
      : CLI::ParseError("ScenarioError", std::move(message), CLI::ExitCodes::ExtrasError) {}
};

/// The parsed command line. Not copyable or movable (CLI::App is neither):
/// build it in place, parse once, then read what was asked for.
class CommandLine {
 public:
  /// Declares the global options, the commands (`list`, `completion`, `man`), and one
  /// subcommand per scenario (calling each scenario's setup). Throws std::logic_error if a
  /// scenario is named like a command or declares an option that a global one already uses.
  explicit CommandLine(const std::vector<ScenarioEntry>& scenarios);
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;
  CommandLine(CommandLine&&) = delete;
  CommandLine& operator=(CommandLine&&) = delete;
  ~CommandLine() = default;

  /// Throws CLI::ParseError for everything that is not a run or a command:
  /// help and version requests included (see report()).
  void parse(int argc, const char* const* argv);

  /// Answers a parse error: help and version on stdout (returns kExitOk);
  /// anything else on stderr with a hint where to look (returns kExitUsage).
  [[nodiscard]] int report(const CLI::ParseError& error) const;
  /// Answers a usage problem found after parsing (a scenario's UsageError):
  /// the message and the same hint on stderr; returns kExitUsage.
  [[nodiscard]] int report_usage(std::string_view message) const;

  [[nodiscard]] const GlobalOptions& globals() const { return globals_; }
  [[nodiscard]] bool list_requested() const;
  /// After parse: the shell of `asyncdemo completion SHELL`, if that was asked for.
  [[nodiscard]] std::optional<Shell> completion_requested() const;
  /// After parse: whether `asyncdemo man` was asked for.
  [[nodiscard]] bool man_requested() const;
  /// After parse: the chosen scenario, or nullptr for a command.
  [[nodiscard]] const ScenarioEntry* scenario() const;
  /// After parse: the chosen scenario's runner, bound to its parsed options.
  [[nodiscard]] const ScenarioRunner& runner() const;

  /// After parse: the files the chosen scenario reads, as given (its options
  /// of type FILE; "-" for stdin is not a file and is left out).
  [[nodiscard]] std::vector<std::string> input_paths() const;

  /// `asyncdemo list`: one line per scenario, its lesson aligned, wrapped to
  /// the width of the terminal on `fd` (the descriptor behind `out`).
  void print_list(std::FILE* out, int fd, std::string_view indent = "") const;
  /// `asyncdemo list --json`: {"scenarios": [{"name": ..., "lesson": ...}]}.
  void print_list_json(std::FILE* out) const;

  /// What this command line accepts, for the completion scripts and the man page.
  [[nodiscard]] ProgramModel model() const { return describe_command_line(app_); }

 private:
  struct Command {
    ScenarioEntry entry;
    CLI::App* app;
    ScenarioRunner runner;
  };

  void add_global_options();
  void add_commands();
  void add_scenario(const ScenarioEntry& entry);
  [[nodiscard]] bool command_requested() const;
  void reject_global_names(const CLI::App& scenario) const;
  [[nodiscard]] const Command* chosen() const;
  [[noreturn]] void reject_extra(const std::string& argument) const;
  [[nodiscard]] std::string hint() const;
  [[nodiscard]] std::size_t list_width(int fd) const;

  CLI::App app_;
  GlobalOptions globals_;
  CLI::App* list_ = nullptr;
  CLI::App* completion_ = nullptr;
  Shell completion_shell_ = Shell::bash;
  CLI::App* man_ = nullptr;
  std::vector<Command> commands_;
};

/// The text style the global options and the terminal ask for: colour per
/// --color (auto: only when stdout is a terminal, NO_COLOR is unset or empty
/// and TERM is not "dumb"); width per --width, else the terminal's, else
/// COLUMNS, else 100.
[[nodiscard]] TextStyle text_style(const GlobalOptions& globals);

/// What --version prints: "asyncdemo 0.1.0".
[[nodiscard]] std::string_view version_line();

}  // namespace asyncdemo
