// The bash script: three lookup functions made from the model (how an option's value
// completes, the options of a command, how its operands complete), and one fixed function that
// finds the command in the words typed so far and asks them.

#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/completion.hpp"

namespace asyncdemo {

namespace {

constexpr std::string_view kHeader =
    R"(# bash completion for asyncdemo, written by `asyncdemo completion bash` from the
# program's own command line: it offers exactly the commands, options and values it parses.
# Load it in a shell with: source <(asyncdemo completion bash)

)";

// REPLY, set by the lookups, says how a word completes: "flag" (an option that takes no
// value), "file", "choices WORD..." or "" (anything: nothing to offer).
constexpr std::string_view kCompletion = R"(
# _asyncdemo_reply HOW WORD: COMPREPLY from HOW (see REPLY above) for the WORD typed so far.
_asyncdemo_reply() {
    COMPREPLY=()
    case $1 in
        file)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$2")
            ;;
        choices\ *)
            mapfile -t COMPREPLY < <(compgen -W "${1#choices }" -- "$2")
            ;;
    esac
}

_asyncdemo() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local command='' option='' word i REPLY
    # The command is the first word that is neither an option nor an option's value
    # (bash splits --color=always into --color, = and always).
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            if [[ $word != *=* ]] && _asyncdemo_value "$command" "$word" && [[ $REPLY != flag ]]; then
                ((i += 1))
                if [[ ${COMP_WORDS[i]} == = ]]; then ((i += 1)); fi
            fi
        elif [[ -z $command ]]; then
            command=$word
        fi
    done
    # Is the word being typed an option's value?
    local prefix=''
    if [[ $cur == -*=* ]]; then
        option=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
    elif [[ $cur == = ]]; then
        option=$prev cur=''
    elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then
        option=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $prev == -* ]]; then
        option=$prev
    fi
    if [[ -n $option ]] && _asyncdemo_value "$command" "$option" && [[ $REPLY != flag ]]; then
        _asyncdemo_reply "$REPLY" "$cur"
        if [[ -n $prefix ]]; then COMPREPLY=("${COMPREPLY[@]/#/$prefix}"); fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        _asyncdemo_options "$command"
        mapfile -t COMPREPLY < <(compgen -W "$REPLY $_asyncdemo_global_options" -- "$cur")
        return 0
    fi
    _asyncdemo_operands "$command"
    _asyncdemo_reply "$REPLY" "$cur"
}

complete -F _asyncdemo asyncdemo
)";

// How an option's value completes, as REPLY holds it.
std::string how_value_completes(const OptionModel& option) {
  if (option.flag()) {
    return "flag";
  }
  if (!option.choices.empty()) {
    std::string how = "choices";
    for (const std::string& choice : option.choices) {
      how += " " + shell_word(choice);
    }
    return how;
  }
  return option.takes_file() ? "file" : "";
}

std::string names_of(const std::vector<OptionModel>& options) {
  std::string names;
  for (const OptionModel& option : options) {
    for (const std::string& name : option.names) {
      names += (names.empty() ? "" : " ") + shell_word(name);
    }
  }
  return names;
}

// `'sleep --mode'` for a command's option (`pattern_start` "'sleep "); `*' --json'` for a
// global one, which follows any command or none (`pattern_start` "*' ").
std::string value_case(const std::string& pattern_start, const OptionModel& option) {
  std::string patterns;
  for (const std::string& name : option.names) {
    patterns +=
        fmt::format("{}{}{}'", patterns.empty() ? "" : " | ", pattern_start, shell_word(name));
  }
  return fmt::format("        {}) REPLY='{}' ;;\n", patterns, how_value_completes(option));
}

std::string value_function(const ProgramModel& program) {
  std::string cases;
  for (const CommandModel& command : program.commands) {
    for (const OptionModel& option : command.options) {
      cases += value_case(fmt::format("'{} ", shell_word(command.name)), option);
    }
  }
  for (const OptionModel& option : program.global_options) {
    cases += value_case("*' ", option);
  }
  return "# _asyncdemo_value COMMAND OPTION: REPLY is how OPTION's value completes after COMMAND\n"
         "# (empty before any); fails for an option that COMMAND does not take.\n"
         "_asyncdemo_value() {\n"
         "    case \"$1 $2\" in\n" +
         cases +
         "        *) return 1 ;;\n"
         "    esac\n"
         "}\n";
}

std::string options_function(const ProgramModel& program) {
  std::string cases;
  for (const CommandModel& command : program.commands) {
    if (!command.options.empty()) {
      cases += fmt::format("        {}) REPLY='{}' ;;\n", shell_word(command.name),
                           names_of(command.options));
    }
  }
  return "# _asyncdemo_options COMMAND: REPLY is the options of COMMAND besides the global ones.\n"
         "_asyncdemo_options() {\n"
         "    case $1 in\n" +
         cases +
         "        *) REPLY='' ;;\n"
         "    esac\n"
         "}\n";
}

std::string operands_function(const ProgramModel& program) {
  std::string command_names;
  for (const CommandModel& command : program.commands) {
    command_names += " " + shell_word(command.name);
  }
  std::string cases = fmt::format("        '') REPLY='choices{}' ;;\n", command_names);
  for (const CommandModel& command : program.commands) {
    for (const OptionModel& operand : command.operands) {
      if (const std::string how = how_value_completes(operand); !how.empty()) {
        cases += fmt::format("        {}) REPLY='{}' ;;\n", shell_word(command.name), how);
      }
    }
  }
  return "# _asyncdemo_operands COMMAND: REPLY is how a word that is not an option completes\n"
         "# after COMMAND; with none yet, it is the command.\n"
         "_asyncdemo_operands() {\n"
         "    case $1 in\n" +
         cases +
         "        *) REPLY='' ;;\n"
         "    esac\n"
         "}\n";
}

}  // namespace

std::string bash_completion(const ProgramModel& program) {
  return std::string(kHeader) + value_function(program) + "\n" + options_function(program) + "\n" +
         operands_function(program) + "\n" +
         fmt::format("_asyncdemo_global_options='{}'\n", names_of(program.global_options)) +
         std::string(kCompletion);
}

}  // namespace asyncdemo
