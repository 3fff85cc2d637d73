#pragma once
// asyncdemo.1, the manual page, written in troff (man macros) from the same text --help shows:
// the command line's model (cli/command_model.hpp) and the scenario registry for each
// scenario's lesson and examples. The build writes it with the hidden `asyncdemo man`.

#include <string>
#include <string_view>
#include <vector>

#include "cli/command_model.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

/// The whole page. `version` is what --version prints ("asyncdemo 0.1.0").
[[nodiscard]] std::string man_page(const ProgramModel& program,
                                   const std::vector<ScenarioEntry>& scenarios,
                                   std::string_view version);

/// `text` as troff prints it literally: backslashes as \e, hyphens as \- (so that options
/// can be searched for and copied), characters beyond ASCII as \[uXXXX], and a line that would
/// start with '.' or '\'' (a request) guarded by \&.
[[nodiscard]] std::string troff_text(std::string_view text);

}  // namespace asyncdemo
