// The fish script: one `complete` line per command, option and operand, made from the model;
// a command's options and operands are offered once its name has been typed.

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "cli/completion.hpp"

namespace asyncdemo {

namespace {

constexpr std::string_view kHeader =
    R"(# fish completion for asyncdemo, written by `asyncdemo completion fish` from the program's
# own command line: it offers exactly the commands, options and values it parses.
# Install it as asyncdemo.fish in a directory of $fish_complete_path.

)";

// `text` as one single-quoted fish word.
std::string fish_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

// -x: a value is required and is not a file name; -r -F: it is one.
std::string value_arguments(const OptionModel& option) {
  if (option.flag()) {
    return "";
  }
  if (option.takes_file()) {
    return " -r -F";
  }
  std::string choices;
  for (const std::string& choice : option.choices) {
    choices += (choices.empty() ? "" : " ") + shell_word(choice);
  }
  return choices.empty() ? " -x" : fmt::format(" -x -a '{}'", choices);
}

std::string option_line(std::string_view condition, const OptionModel& option) {
  std::string names;
  for (const std::string& name : option.names) {
    const bool long_name = name.starts_with("--");
    names += fmt::format(" -{} {}",
                         long_name          ? 'l'
                         : name.size() == 2 ? 's'
                                            : 'o',
                         shell_word(name.substr(long_name ? 2 : 1)));
  }
  return fmt::format("complete -c asyncdemo{}{}{} -d {}\n", condition, names,
                     value_arguments(option), fish_quoted(first_clause(option.description)));
}

std::string operand_line(std::string_view condition, const OptionModel& operand) {
  if (operand.takes_file()) {
    return fmt::format("complete -c asyncdemo{} -F\n", condition);
  }
  return operand.choices.empty()
             ? ""
             : fmt::format("complete -c asyncdemo{}{}\n", condition, value_arguments(operand));
}

}  // namespace

std::string fish_completion(const ProgramModel& program) {
  std::string commands;
  for (const CommandModel& command : program.commands) {
    commands += " " + shell_word(command.name);
  }
  std::string script =
      std::string(kHeader) + "set -l commands" + commands + "\n" + "complete -c asyncdemo -f\n";
  for (const CommandModel& command : program.commands) {
    script += fmt::format(
        "complete -c asyncdemo -n \"not __fish_seen_subcommand_from $commands\" -a {} -d {}\n",
        shell_word(command.name), fish_quoted(first_clause(command.description)));
  }
  for (const OptionModel& option : program.global_options) {
    script += option_line("", option);
  }
  for (const CommandModel& command : program.commands) {
    const std::string condition =
        fmt::format(" -n '__fish_seen_subcommand_from {}'", shell_word(command.name));
    for (const OptionModel& option : command.options) {
      script += option_line(condition, option);
    }
    for (const OptionModel& operand : command.operands) {
      script += operand_line(condition, operand);
    }
  }
  return script;
}

}  // namespace asyncdemo
