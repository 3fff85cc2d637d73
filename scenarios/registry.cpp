#include "scenarios/all.hpp"

namespace asyncdemo {

const std::vector<ScenarioEntry>& scenario_registry() {
  static const std::vector<ScenarioEntry> entries{
      sleep_scenario(),     gather_scenario(), timeout_scenario(), cancel_scenario(),
      semaphore_scenario(), lock_scenario(),   queue_scenario(),   lag_scenario(),
      retry_scenario(),     server_scenario(), probe_scenario(),   run_scenario(),
  };
  return entries;
}

}  // namespace asyncdemo
