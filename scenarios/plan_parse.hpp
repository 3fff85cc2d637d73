#pragma once
// Reading a plan file (scenarios/plan.hpp) strictly: any key, step, task, claim or figure
// the plan format does not have is an error naming the file, the line, the column and the
// nearest valid name, so a typo never silently changes what runs.
//
// TOML, because a plan is written by hand and read back months later: it has comments,
// every value's line is known for messages, and Debian packages a C++ parser for it
// (libtomlplusplus-dev).

#include <string>
#include <string_view>
#include <vector>

#include "scenarios/plan.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo::plan {

/// A plan that cannot be run as written: "PLAN:LINE:COLUMN: message". A usage error: the
/// CLI exits 2 before anything runs.
class PlanError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// Reads and checks a plan from `text`; `source` names it in messages (the file's path).
/// Throws PlanError.
[[nodiscard]] Plan parse_plan(std::string_view text, std::string source);

/// Reads the file at `path` ("-": standard input), then parse_plan. Throws PlanError if it
/// cannot be read, is over kMaxPlanBytes, or is not a valid plan.
[[nodiscard]] Plan read_plan(const std::string& path);

/// The figures a `figure` claim may name in `plan`: the summary's, the counts of outcomes,
/// and max_held.<name> of each semaphore or lock, max_size.<name> of each queue.
[[nodiscard]] std::vector<std::string> figure_names(const Plan& plan);

}  // namespace asyncdemo::plan
