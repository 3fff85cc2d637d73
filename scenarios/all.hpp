#pragma once
// Each scenario file exposes one function returning its registry entry;
// registry.cpp lists them in one explicit list.

#include "scenarios/scenario.hpp"

namespace asyncdemo {

ScenarioEntry sleep_scenario();
ScenarioEntry gather_scenario();
ScenarioEntry timeout_scenario();
ScenarioEntry cancel_scenario();
ScenarioEntry semaphore_scenario();
ScenarioEntry lock_scenario();
ScenarioEntry queue_scenario();
ScenarioEntry lag_scenario();
ScenarioEntry retry_scenario();
ScenarioEntry server_scenario();
ScenarioEntry probe_scenario();
ScenarioEntry run_scenario();

}  // namespace asyncdemo
