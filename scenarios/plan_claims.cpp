#include "scenarios/plan_claims.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "scenarios/durations.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/plan_report.hpp"

namespace asyncdemo::plan {

namespace {

std::string value_text(double value, bool in_seconds) {
  return in_seconds ? format_seconds(value) : fmt::format("{:g}", value);
}

// "between 1s and 1.1s", "at most 3", "exactly 2".
std::string range_text(const Range& range, bool in_seconds) {
  if (range.min && range.max) {
    return *range.min == *range.max
               ? fmt::format("exactly {}", value_text(*range.min, in_seconds))
               : fmt::format("between {} and {}", value_text(*range.min, in_seconds),
                             value_text(*range.max, in_seconds));
  }
  return range.min ? fmt::format("at least {}", value_text(*range.min, in_seconds))
                   : fmt::format("at most {}", value_text(range.max.value_or(0), in_seconds));
}

// The claim that `measured` is in `range`; a time's upper bound allows `slack`.
Claim in_range(std::string name, double measured, const Range& range, bool in_seconds,
               double slack) {
  const std::string unit = in_seconds ? "s" : "";
  const double allowance = in_seconds ? slack : 0;
  if (range.min && range.max) {
    if (*range.min == *range.max && allowance == 0) {
      return kit::equals(std::move(name), measured, *range.min, unit);
    }
    return kit::between(std::move(name), measured, *range.min, *range.max + allowance, unit);
  }
  if (range.min) {
    return kit::at_least(std::move(name), measured, *range.min, unit);
  }
  // A range has at least one end (plan_parse.cpp): here, its max.
  return kit::at_most(std::move(name), measured, range.max.value_or(0) + allowance, unit);
}

// A claim about something the run did not measure (a speedup with no work, a task that
// never started): it fails, saying so.
Claim unmeasured(std::string name, std::string expected) {
  return Claim{std::move(name), false, 0, "", std::move(expected) + " (not measured)"};
}

bool matches(const Timeline& timeline, const PlanRecord& record, TaskId id,
             const std::string& name) {
  return timeline.task(id).name == name ||
         (id < record.template_of.size() && record.template_of[id] == name);
}

Claim task_claim(const ScenarioReport& report, const PlanRecord& record, const ClaimSpec& spec,
                 double slack) {
  const Timeline& timeline = report.timeline;
  const std::vector<Timeline::TaskSummary> summaries = timeline.summarize();
  std::string name = spec.label;
  if (name.empty()) {
    name = fmt::format("{} ended{}{}", spec.subject,
                       spec.outcome.empty() ? "" : fmt::format(" {}", spec.outcome),
                       spec.has_range ? fmt::format(", {}", range_text(spec.range, true)) : "");
  }
  std::vector<TaskId> tasks;
  for (TaskId id = 0; id < summaries.size(); ++id) {
    if (timeline.parent(id) != kNoParent && matches(timeline, record, id, spec.subject)) {
      tasks.push_back(id);
    }
  }
  if (tasks.empty()) {
    return unmeasured(std::move(name), fmt::format("a task named {} ran", spec.subject));
  }
  const auto outcome_held = [&](TaskId id) {
    return spec.outcome.empty() || task_outcome_word(summaries[id].outcome) == spec.outcome;
  };
  if (tasks.size() == 1 && spec.has_range) {
    const Timeline::TaskSummary& only = summaries[tasks.front()];
    if (only.end_ns < 0) {
      return unmeasured(std::move(name), "an end");
    }
    Claim claim = in_range(std::move(name), kit::seconds(only.end_ns), spec.range, true, slack);
    if (!outcome_held(tasks.front())) {
      claim.passed = false;
      claim.expected += fmt::format("; it ended {}", task_outcome_word(only.outcome));
    }
    return claim;
  }
  // Several copies: each must hold (judged as one copy's claim would be); the figure is how
  // many did.
  std::size_t held = 0;
  for (const TaskId id : tasks) {
    const bool in_time =
        !spec.has_range ||
        (summaries[id].end_ns >= 0 &&
         in_range("", kit::seconds(summaries[id].end_ns), spec.range, true, slack).passed);
    held += outcome_held(id) && in_time ? 1 : 0;
  }
  return kit::equals(std::move(name), static_cast<double>(held), static_cast<double>(tasks.size()),
                     "");
}

Claim order_claim(const ScenarioReport& report, const ClaimSpec& spec) {
  const Timeline& timeline = report.timeline;
  std::string name = spec.label.empty()
                         ? fmt::format("{} ended in that order", fmt::join(spec.order, ", "))
                         : spec.label;
  // The order the loop ended them in: its record, in which ties keep their true order.
  std::vector<std::string> ended;
  for (const Event& event : timeline.events()) {
    if (!ends_task(event.kind)) {
      continue;
    }
    const std::string task(timeline.task(event.task).name);
    if (std::ranges::find(spec.order, task) != spec.order.end() &&
        std::ranges::find(ended, task) == ended.end()) {
      ended.push_back(task);
    }
  }
  std::size_t in_place = 0;
  for (std::size_t i = 0; i < std::min(ended.size(), spec.order.size()); ++i) {
    in_place += ended[i] == spec.order[i] ? 1 : 0;
  }
  Claim claim = kit::equals(std::move(name), static_cast<double>(in_place),
                            static_cast<double>(spec.order.size()), "");
  claim.expected += fmt::format(
      " in place; they ended {}",
      ended.empty() ? std::string("none of them") : fmt::format("{}", fmt::join(ended, ", ")));
  return claim;
}

Claim one_claim(const ScenarioReport& report, const PlanRecord& record, const ClaimSpec& spec,
                double slack) {
  switch (spec.kind) {
    case ClaimKind::elapsed:
      return in_range(spec.label.empty()
                          ? fmt::format("the run took {}", range_text(spec.range, true))
                          : spec.label,
                      report.elapsed_s, spec.range, true, slack);
    case ClaimKind::max_in_flight:
      return in_range(spec.label.empty() ? fmt::format("tasks in flight at once: {}",
                                                       range_text(spec.range, false))
                                         : spec.label,
                      static_cast<double>(report.summary.max_in_flight), spec.range, false, 0);
    case ClaimKind::figure: {
      const bool in_seconds = spec.subject.ends_with("_s");
      std::string name = spec.label.empty() ? fmt::format("{} {}", spec.subject,
                                                          range_text(spec.range, in_seconds))
                                            : spec.label;
      const std::optional<double> value = figure_value(report, spec.subject);
      if (!value) {
        return unmeasured(std::move(name), range_text(spec.range, in_seconds));
      }
      return in_range(std::move(name), *value, spec.range, in_seconds, slack);
    }
    case ClaimKind::task: return task_claim(report, record, spec, slack);
    case ClaimKind::order: return order_claim(report, spec);
    case ClaimKind::deadlock: break;
  }
  return kit::equals(spec.label.empty()
                         ? (spec.deadlock ? std::string("the run deadlocked")
                                          : std::string("no deadlock: the plan ran to its end"))
                         : spec.label,
                     record.deadlocked ? 1 : 0, spec.deadlock ? 1 : 0, "");
}

}  // namespace

void judge_claims(ScenarioReport& report, const Plan& plan, const PlanRecord& record,
                  double slack) {
  const bool says_deadlock = std::ranges::any_of(
      plan.claims, [](const ClaimSpec& claim) { return claim.kind == ClaimKind::deadlock; });
  if (!says_deadlock) {
    report.checks.push_back(
        kit::equals("no deadlock: the plan ran to its end", record.deadlocked ? 1 : 0, 0, ""));
  }
  for (const ClaimSpec& spec : plan.claims) {
    report.checks.push_back(one_claim(report, record, spec, slack));
  }
}

}  // namespace asyncdemo::plan
