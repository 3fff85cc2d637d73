#pragma once
// Runs a registered scenario in-process, options parsed from arguments as the
// CLI would, on the virtual clock unless asked otherwise.

#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace asyncdemo::testing {

ScenarioReport run_scenario(const std::string& name, std::vector<std::string> arguments,
                            ClockKind clock = ClockKind::virtual_time);

/// The claim of that name; fails the test if there is none.
const Claim& claim(const ScenarioReport& report, const std::string& name);

/// True if every claim passed.
bool all_claims_pass(const ScenarioReport& report);

}  // namespace asyncdemo::testing
