#include "cli/completion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace asyncdemo {

std::vector<std::pair<std::string, Shell>> shell_choices() {
  return {{"bash", Shell::bash}, {"zsh", Shell::zsh}, {"fish", Shell::fish}};
}

std::string completion_script(const ProgramModel& program, Shell shell) {
  switch (shell) {
    case Shell::bash: return bash_completion(program);
    case Shell::zsh: return zsh_completion(program);
    case Shell::fish: return fish_completion(program);
  }
  throw std::logic_error("completion_script: no such shell");
}

std::string shell_word(const std::string& word) {
  const auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+' || c == ',';
  };
  if (word.empty() || !std::ranges::all_of(word, plain)) {
    throw std::logic_error(
        fmt::format("\"{}\" cannot stand unquoted in a completion script", word));
  }
  return word;
}

}  // namespace asyncdemo
