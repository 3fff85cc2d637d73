#include "scenarios/plan_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "scenarios/durations.hpp"
#include "scenarios/kit.hpp"

namespace asyncdemo::plan {

namespace {

struct Outcomes {
  std::size_t tasks = 0;
  std::size_t done = 0;
  std::size_t failed = 0;
  std::size_t cancelled = 0;
  Nanos last_end_ns = 0;
};

// Every task but main: the plan's and their wait_for blocks'.
Outcomes count_outcomes(const Timeline& timeline,
                        const std::vector<Timeline::TaskSummary>& summaries) {
  Outcomes outcomes;
  for (TaskId id = 0; id < summaries.size(); ++id) {
    if (timeline.parent(id) == kNoParent) {
      continue;
    }
    ++outcomes.tasks;
    const Timeline::TaskSummary& summary = summaries[id];
    outcomes.done += summary.outcome == TaskOutcome::ok ? 1 : 0;
    outcomes.failed += summary.outcome == TaskOutcome::failed ? 1 : 0;
    outcomes.cancelled += summary.outcome == TaskOutcome::cancelled ? 1 : 0;
    outcomes.last_end_ns = std::max(outcomes.last_end_ns, summary.end_ns);
  }
  return outcomes;
}

// Each task but main, in the order they were created: the plan's and their wait_for blocks.
void add_results(ScenarioReport& report, const std::vector<Timeline::TaskSummary>& summaries) {
  const Timeline& timeline = report.timeline;
  for (TaskId id = 0; id < summaries.size(); ++id) {
    if (timeline.parent(id) == kNoParent) {
      continue;
    }
    Json result = {{"task", timeline.task(id).name},
                   {"outcome", task_outcome_word(summaries[id].outcome)}};
    result["ended_s"] =
        summaries[id].end_ns < 0 ? Json(nullptr) : Json(kit::seconds(summaries[id].end_ns));
    report.results.push_back(std::move(result));
  }
}

void add_takeaways(ScenarioReport& report, const Plan& plan, const PlanRecord& record,
                   const Outcomes& outcomes) {
  std::vector<std::string> ends;
  for (const auto& [count, word] :
       {std::pair{outcomes.done, "done"}, std::pair{outcomes.failed, "failed"},
        std::pair{outcomes.cancelled, "cancelled"}}) {
    if (count > 0) {
      ends.push_back(fmt::format("{} {}", count, word));
    }
  }
  report.takeaways.push_back(fmt::format(
      "{} ran: {}{}", kit::count_of(outcomes.tasks, "task"),
      ends.empty() ? std::string("none ended") : fmt::format("{}", fmt::join(ends, ", ")),
      outcomes.tasks == 0 ? ""
                          : fmt::format("; the last ended at {}",
                                        format_seconds(kit::seconds(outcomes.last_end_ns)))));
  for (std::size_t i = 0; i < plan.limits.size(); ++i) {
    const SharedLimit& limit = plan.limits[i];
    report.takeaways.push_back(
        limit.is_lock
            ? fmt::format("lock {}: {}", limit.name,
                          record.max_held[i] == 0 ? "never taken" : "one task at a time held it")
            : fmt::format("semaphore {}: at most {} of its {} held at once", limit.name,
                          kit::count_of(record.max_held[i], "permit"), limit.permits));
  }
  for (std::size_t i = 0; i < plan.queues.size(); ++i) {
    report.takeaways.push_back(fmt::format("queue {}: at most {} waiting in it at once",
                                           plan.queues[i].name,
                                           kit::count_of(record.max_size[i], "item")));
  }
  if (record.timeouts > 0) {
    report.takeaways.push_back(
        fmt::format("{} passed: wait_for cancelled the block and raised "
                    "TimeoutError",
                    kit::count_of(record.timeouts, "wait_for deadline")));
  }
  if (!record.failures.empty()) {
    constexpr std::size_t kShown = 3;
    const std::size_t shown = std::min(record.failures.size(), kShown);
    report.takeaways.push_back(
        fmt::format("{} raised: {}{}", kit::count_of(record.failures.size(), "task"),
                    fmt::join(record.failures.begin(),
                              record.failures.begin() + static_cast<long>(shown), "; "),
                    record.failures.size() > shown
                        ? fmt::format("; and {} more", record.failures.size() - shown)
                        : ""));
  }
  if (!record.kept_permits.empty()) {
    report.takeaways.push_back(fmt::format(
        "{} ended holding a permit, never released: {}; an acquire without its release keeps "
        "the permit taken for good (async with, a hold step, gives it back on every way out)",
        kit::count_of(record.kept_permits.size(), "task"), fmt::join(record.kept_permits, ", ")));
  }
  if (record.deadlocked) {
    report.takeaways.push_back(fmt::format(
        "deadlock at {}: nothing could run again ({}); asyncio would hang here, asyncdemo "
        "cancelled every task to end the run",
        format_seconds(kit::seconds(record.deadlocked_at)),
        fmt::join(record.deadlock_waits, "; ")));
  }
}

}  // namespace

std::string_view task_outcome_word(TaskOutcome outcome) {
  switch (outcome) {
    case TaskOutcome::ok: return "done";
    case TaskOutcome::failed: return "failed";
    case TaskOutcome::cancelled: return "cancelled";
    case TaskOutcome::running: break;
  }
  return "never ended";
}

void describe_run(ScenarioReport& report, const Plan& plan, const PlanRecord& record) {
  const std::vector<Timeline::TaskSummary> summaries = report.timeline.summarize();
  const Outcomes outcomes = count_outcomes(report.timeline, summaries);
  report.figures["tasks"] = outcomes.tasks;
  report.figures["done"] = outcomes.done;
  report.figures["failed"] = outcomes.failed;
  report.figures["cancelled"] = outcomes.cancelled;
  report.figures["timeouts"] = record.timeouts;
  report.figures["deadlocked_at_s"] =
      record.deadlocked ? Json(kit::seconds(record.deadlocked_at)) : Json(nullptr);
  Json held = Json::object();
  for (std::size_t i = 0; i < plan.limits.size(); ++i) {
    held[plan.limits[i].name] = record.max_held[i];
  }
  report.figures["max_held"] = std::move(held);
  Json sizes = Json::object();
  for (std::size_t i = 0; i < plan.queues.size(); ++i) {
    sizes[plan.queues[i].name] = record.max_size[i];
  }
  report.figures["max_size"] = std::move(sizes);
  add_results(report, summaries);
  if (!report.partial()) {
    add_takeaways(report, plan, record, outcomes);
  }
}

std::optional<double> figure_value(const ScenarioReport& report, std::string_view name) {
  const Summary& summary = report.summary;
  const auto measured = [](double value) {
    return std::isnan(value) ? std::nullopt : std::optional<double>(value);
  };
  if (name == "elapsed_s") {
    return report.elapsed_s;
  }
  if (name == "sequential_s") {
    return measured(summary.sequential_s);
  }
  if (name == "speedup") {
    return measured(summary.speedup);
  }
  if (name == "max_in_flight") {
    return static_cast<double>(summary.max_in_flight);
  }
  if (name == "max_loop_stall_s") {
    return summary.max_loop_stall_s;
  }
  for (const std::string_view group : {"max_held.", "max_size."}) {
    if (name.starts_with(group)) {
      const Json& values = report.figures.at(std::string(group.substr(0, group.size() - 1)));
      const std::string key(name.substr(group.size()));
      return values.contains(key) ? std::optional<double>(values.at(key).get<double>())
                                  : std::nullopt;
    }
  }
  const std::string key(name);
  if (report.figures.contains(key) && report.figures.at(key).is_number()) {
    return report.figures.at(key).get<double>();
  }
  return std::nullopt;
}

}  // namespace asyncdemo::plan
