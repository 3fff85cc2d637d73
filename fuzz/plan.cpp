// Fuzz target: reading a plan file (`asyncdemo run PLAN`, parse_plan in
// scenarios/plan_parse.hpp). The input is the file, any bytes. A plan is either read — and
// then holds what the runner relies on — or refused with a PlanError that names the file
// and a line; nothing else may come out of it.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "scenarios/plan_parse.hpp"

namespace {

using asyncdemo::fuzz::require;
namespace plan = asyncdemo::plan;

// Every name a step refers to is declared, as the runner looks each up without checking.
bool references_resolve(const plan::Plan& read, const std::vector<plan::Step>& steps,
                        std::size_t depth) {
  if (depth > plan::kMaxNesting + 1 || steps.size() > plan::kMaxSteps) {
    return false;
  }
  return std::ranges::all_of(steps, [&](const plan::Step& step) {
    switch (step.kind) {
      case plan::StepKind::acquire:
      case plan::StepKind::release:
      case plan::StepKind::hold:
        if (read.limit(step.target) == nullptr) {
          return false;
        }
        break;
      case plan::StepKind::put:
      case plan::StepKind::get:
        if (read.queue(step.target) == nullptr) {
          return false;
        }
        break;
      case plan::StepKind::spawn:
      case plan::StepKind::await_tasks:
        if (read.task(step.target) == nullptr) {
          return false;
        }
        break;
      default: break;
    }
    const bool children_known = std::ranges::all_of(
        step.tasks, [&](const std::string& name) { return read.task(name) != nullptr; });
    return children_known && references_resolve(read, step.body, depth + 1) &&
           references_resolve(read, step.cleanup, depth + 1);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = asyncdemo::fuzz::as_text(data, size);
  try {
    const plan::Plan read = plan::parse_plan(text, "fuzz.toml");
    require(!read.tasks.empty(), "a plan read has at least one task", text);
    require(read.instances <= plan::kMaxTaskInstances, "a plan read makes at most the limit", text);
    require(std::ranges::any_of(read.tasks,
                                [](const plan::TaskTemplate& task) { return task.top_level; }),
            "some task of a plan read is started by main", text);
    for (const plan::TaskTemplate& task : read.tasks) {
      require(task.name != "main" && !task.name.empty(), "task names are valid", text);
      require(plan::copy_count(task) >= 1, "a task has at least one copy", text);
      require(references_resolve(read, task.steps, 1), "every step's names are declared", text);
    }
  } catch (const plan::PlanError& error) {
    require(std::string_view(error.what()).starts_with("fuzz.toml:"),
            "a refused plan is reported under its file's name and a line", text);
  }
  return 0;
}
