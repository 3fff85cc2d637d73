#pragma once
// What a plan's run says about itself: its figures, each task's outcome, and the takeaways,
// every one of them read from the record (the timeline and the PlanRecord), never from the
// plan's text. The claims are judged apart (scenarios/plan_claims.hpp).

#include <optional>
#include <string_view>

#include "core/timeline.hpp"
#include "scenarios/plan.hpp"
#include "scenarios/plan_run.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo::plan {

/// How a plan's results and its task claims word a task's end: done, failed, cancelled (the
/// words of asyncio's Task.done(), .exception(), .cancelled()), or "never ended".
[[nodiscard]] std::string_view task_outcome_word(TaskOutcome outcome);

/// Fills report.figures, results and takeaways. After kit::finish and kit::show_work.
void describe_run(ScenarioReport& report, const Plan& plan, const PlanRecord& record);

/// The value of a figure a claim may name (figure_names in plan_parse.hpp), from a report
/// describe_run filled; nothing if the run did not measure it (a speedup of a run with no
/// work).
[[nodiscard]] std::optional<double> figure_value(const ScenarioReport& report,
                                                 std::string_view name);

}  // namespace asyncdemo::plan
