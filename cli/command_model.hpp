#pragma once
// What the command line accepts, read back from its CLI11 model: the global options, and every
// command (the scenarios and the others, such as `list`) with its options and operands, and
// what their values may be. The completion scripts (cli/completion.hpp) and the man page
// (cli/man_page.hpp) are written from this, so they offer exactly what the program parses.

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace asyncdemo {

/// The --help group of the scenarios (cli/app.cpp), which tells them from the other commands.
inline constexpr std::string_view kScenarioGroup = "Scenarios";

/// One option (`--mode MODE`, `-q,--quiet`) or operand (probe's names, run's plan).
struct OptionModel {
  /// "--mode"; "-q", "--quiet" (as declared, short names first); empty for an operand.
  std::vector<std::string> names;
  /// An operand's name as --help shows it: "names", "plan".
  std::string operand_name;
  /// What its value is, as --help shows it: "DURATION", "N", "FILE", "blocking|async|all";
  /// empty for a flag, which takes none.
  std::string value_name;
  /// The values a choice accepts (scenarios/options.hpp); empty for any other option.
  std::vector<std::string> choices;
  std::string description;
  /// As --help shows it ("1s", "async"); empty: none shown.
  std::string default_value;
  /// An operand that may be given many times (probe's names).
  bool repeats = false;
  /// An operand that must be given (run's plan).
  bool required = false;

  [[nodiscard]] bool flag() const { return value_name.empty(); }
  [[nodiscard]] bool operand() const { return names.empty(); }
  /// Its value names a file: the shells complete file names for it.
  [[nodiscard]] bool takes_file() const { return value_name == "FILE"; }
};

struct CommandModel {
  std::string name;
  std::string description;
  /// A scenario (it runs and reports) rather than a command such as `list`.
  bool scenario = false;
  /// Its own options, in the order declared, without its --help (the global one answers alike).
  std::vector<OptionModel> options;
  std::vector<OptionModel> operands;
};

struct ProgramModel {
  std::string name;
  std::string description;
  /// --help's closing notes, as written there.
  std::string footer;
  /// The options every command takes, before or after its name; --help and --version included.
  std::vector<OptionModel> global_options;
  /// Every command --help lists, in its order; hidden ones are left out.
  std::vector<CommandModel> commands;
};

/// Reads `app`, the main app of the command line (cli/app.hpp), after it has been declared.
[[nodiscard]] ProgramModel describe_command_line(const CLI::App& app);

/// A description's opening clause: up to its first ':', ';' or '.' outside parentheses
/// ("where answers come from: system (...)" -> "where answers come from"), for a shell's menu.
[[nodiscard]] std::string first_clause(std::string_view description);

}  // namespace asyncdemo
