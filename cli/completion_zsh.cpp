// The zsh script: _arguments specs made from the model, the global options in every state (they
// may stand before or after the command), then one set of specs per command.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/completion.hpp"

namespace asyncdemo {

namespace {

constexpr std::string_view kHeader = R"(#compdef asyncdemo
# zsh completion for asyncdemo, written by `asyncdemo completion zsh` from the program's own
# command line: it offers exactly the commands, options and values it parses.
# Install it as _asyncdemo in a directory of $fpath.

_asyncdemo() {
    local curcontext=$curcontext state state_descr line ret=1
    typeset -A opt_args
)";

constexpr std::string_view kFooter = R"(
_asyncdemo "$@"
)";

// `text` inside a single-quoted zsh word.
std::string single_quoted(std::string_view text) {
  std::string quoted;
  for (const char c : text) {
    quoted += c == '\'' ? std::string(R"('\'')") : std::string(1, c);
  }
  return quoted;
}

// An _arguments explanation, in [brackets]: a bracket or backslash in it is escaped.
std::string explanation(std::string_view description) {
  std::string escaped;
  for (const char c : first_clause(description)) {
    if (c == '[' || c == ']' || c == '\\') {
      escaped += '\\';
    }
    escaped += c;
  }
  return single_quoted(escaped);
}

// The part after the message: the choices, file names, or nothing to offer (a space).
std::string action(const OptionModel& option) {
  if (!option.choices.empty()) {
    std::string words;
    for (const std::string& choice : option.choices) {
      words += (words.empty() ? "" : " ") + shell_word(choice);
    }
    return "(" + words + ")";
  }
  return option.takes_file() ? "_files" : " ";
}

// A message names the value; a colon in it would end it.
std::string message(const OptionModel& option) {
  std::string text = option.operand() ? option.operand_name : option.value_name;
  for (char& c : text) {
    c = c == ':' ? ' ' : c;
  }
  return single_quoted(text);
}

// '--mode=[how to run the sleeps]:blocking|async|all:(blocking async all)': `=` lets the value
// follow in the same word or the next one.
std::string option_specs(const OptionModel& option, std::string_view indent) {
  std::string specs;
  for (const std::string& name : option.names) {
    specs += fmt::format("{}'{}{}[{}]", indent, shell_word(name), option.flag() ? "" : "=",
                         explanation(option.description));
    if (!option.flag()) {
      specs += fmt::format(":{}:{}", message(option), action(option));
    }
    specs += "'\n";
  }
  return specs;
}

std::string operand_spec(const OptionModel& operand, std::string_view indent) {
  return fmt::format("{}'{}:{}:{}'\n", indent, operand.repeats ? "*" : "", message(operand),
                     action(operand));
}

std::string with_line_ends(const std::string& specs) {
  // Each spec is a line of one command that goes on after it: each ends in a backslash.
  std::string joined;
  std::size_t from = 0;
  for (std::size_t end = specs.find('\n'); end != std::string::npos; end = specs.find('\n', from)) {
    joined += specs.substr(from, end - from) + " \\\n";
    from = end + 1;
  }
  return joined;
}

}  // namespace

std::string zsh_completion(const ProgramModel& program) {
  std::string globals;
  for (const OptionModel& option : program.global_options) {
    globals += option_specs(option, "        ");
  }
  std::string commands;
  std::string cases;
  for (const CommandModel& command : program.commands) {
    commands += fmt::format("                '{}:{}'\n", shell_word(command.name),
                            single_quoted(first_clause(command.description)));
    std::string specs;
    for (const OptionModel& option : command.options) {
      specs += option_specs(option, "                    ");
    }
    for (const OptionModel& operand : command.operands) {
      specs += operand_spec(operand, "                    ");
    }
    cases += fmt::format(
        "            {})\n                _arguments -s $globals \\\n{}"
        "                    && ret=0\n                ;;\n",
        shell_word(command.name), with_line_ends(specs));
  }
  return std::string(kHeader) + "    local -a globals=(\n" + globals + "    )\n" +
         "    _arguments -C -s $globals ': :->command' '*:: :->operands' && ret=0\n"
         "    case $state in\n"
         "        command)\n"
         "            local -a commands=(\n" +
         commands +
         "            )\n"
         "            _describe -t commands 'asyncdemo command' commands && ret=0\n"
         "            ;;\n"
         "        operands)\n"
         "            curcontext=${curcontext%:*:*}:asyncdemo-$words[1]:\n"
         "            case $words[1] in\n" +
         cases +
         "                *) _arguments -s $globals && ret=0 ;;\n"
         "            esac\n"
         "            ;;\n"
         "    esac\n"
         "    return ret\n"
         "}\n" +
         std::string(kFooter);
}

}  // namespace asyncdemo
