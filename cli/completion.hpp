#pragma once
// `asyncdemo completion bash|zsh|fish`: a completion script for the shell, written from the
// command line's own model (cli/command_model.hpp) when asked for, so that it cannot drift from
// what the program parses. It completes the command and scenario names, the options of the
// command being typed and the global ones, the values of a choice (`sleep --mode a<TAB>`:
// async, all) and file names where a file is expected.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli/command_model.hpp"

namespace asyncdemo {

enum class Shell : std::uint8_t { bash, zsh, fish };

/// The shells, by the names `asyncdemo completion` takes, in the order its --help lists them.
[[nodiscard]] std::vector<std::pair<std::string, Shell>> shell_choices();

/// The script for `shell`: to be sourced (bash), or installed where the shell looks for
/// completions (zsh's _asyncdemo in $fpath, fish's asyncdemo.fish). Throws std::logic_error
/// for a name that a shell word cannot hold as it is (none of ours has a space or a quote).
[[nodiscard]] std::string completion_script(const ProgramModel& program, Shell shell);

// One generator per shell (cli/completion_<shell>.cpp).
[[nodiscard]] std::string bash_completion(const ProgramModel& program);
[[nodiscard]] std::string zsh_completion(const ProgramModel& program);
[[nodiscard]] std::string fish_completion(const ProgramModel& program);

/// `word` itself, checked to need no quoting in any shell: letters, digits and `-_.+,`.
[[nodiscard]] std::string shell_word(const std::string& word);

}  // namespace asyncdemo
