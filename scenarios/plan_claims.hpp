#pragma once
// A plan's claims (its [[claim]] tables) judged against what its run recorded, as a
// built-in scenario's lesson is: each becomes a Claim with its measured and expected values,
// in the report's checks (--check, --json, --junit).

#include "scenarios/plan.hpp"
#include "scenarios/plan_run.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo::plan {

/// Adds a check for each of the plan's claims, in the file's order, and one that the run
/// did not deadlock unless the plan makes its own claim about that. Timing claims on the
/// real clock allow `slack` (--tolerance) above their upper bound; on the virtual clock
/// slack is 0 and the figures are exact. After describe_run.
void judge_claims(ScenarioReport& report, const Plan& plan, const PlanRecord& record, double slack);

}  // namespace asyncdemo::plan
