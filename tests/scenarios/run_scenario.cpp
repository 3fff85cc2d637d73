#include "tests/scenarios/run_scenario.hpp"

#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <stdexcept>

namespace asyncdemo::testing {

ScenarioReport run_scenario(const std::string& name, std::vector<std::string> arguments,
                            ClockKind clock) {
  for (const ScenarioEntry& entry : scenario_registry()) {
    if (entry.name != name) {
      continue;
    }
    CLI::App app(std::string(entry.name));
    const ScenarioRunner runner = entry.setup(app);
    std::ranges::reverse(arguments);  // CLI11 takes them last first
    app.parse(arguments);
    RunContext context;
    context.runtime.clock = clock;
    context.tolerance = std::chrono::milliseconds(300);
    return runner(context);
  }
  throw std::invalid_argument("no scenario named " + name);
}

const Claim& claim(const ScenarioReport& report, const std::string& name) {
  const auto found = std::ranges::find(report.checks, name, &Claim::name);
  if (found == report.checks.end()) {
    FAIL("no claim named \"" << name << "\" in " << report.scenario);
  }
  return *found;
}

bool all_claims_pass(const ScenarioReport& report) {
  for (const Claim& c : report.checks) {
    if (!c.passed) {
      MESSAGE("claim failed: " << c.name << " measured " << c.measured << " expected "
                               << c.expected);
    }
  }
  return !report.checks.empty() && std::ranges::all_of(report.checks, &Claim::passed);
}

}  // namespace asyncdemo::testing
