#pragma once
// Every task's spans and end, read from a finished Timeline in one pass.

#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "core/timeline.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

/// Where the time axis of a report ends: its elapsed time, or its last event
/// if that came later. Spans still open are closed here.
Nanos report_end_ns(const ScenarioReport& report);

/// The events of each task, grouped once. Timeline::spans(task) reads every
/// event of the run, so asking it for each of a million tasks would be
/// quadratic; this groups the events by task first and derives each task's
/// spans from its own events only, with the Timeline's own rules.
class SpanIndex {
 public:
  /// `timeline` must outlive the index and not change while it is used.
  explicit SpanIndex(const Timeline& timeline);

  /// The spans of `task` in time order (as Timeline::spans), open ones closed at `end_ns`.
  [[nodiscard]] std::vector<Span> spans(TaskId task, Nanos end_ns) const;

 private:
  const Timeline& timeline_;
  std::vector<std::size_t> first_event_;  // per task, into by_task_; one more entry at the end
  std::vector<std::size_t> by_task_;      // indices into timeline_.events(), grouped by task
};

/// The lanes a chart of `count` tasks shows, the terminal Gantt's rule (render_gantt.hpp): every
/// task up to kGanttMaxFullRows; past that the first kGanttHeadRows and the last kGanttTailRows,
/// with one nullopt where the others are left out.
std::vector<std::optional<TaskId>> shown_lanes(std::size_t count);

/// The shortest time axis a chart draws: an instant run still gets 1 ms.
inline constexpr Nanos kShortestAxisNs = 1'000'000;

/// A note of a task, as a chart marks it on the task's lane.
struct LaneNote {
  Nanos t_ns;
  std::string_view text;  // the timeline's storage: valid while the timeline is
};

/// The notes of each task with a lane (shown_lanes), in the order of those lanes (the gap left
/// out), at most `max_per_lane` each, read in one pass over the events.
std::vector<std::vector<LaneNote>> lane_notes(
    const Timeline& timeline, std::size_t max_per_lane = std::numeric_limits<std::size_t>::max());

/// How many tasks (the root aside, as in max_in_flight) were alive in each of `columns` equal
/// columns of [0, total_ns): a task counts in every column from its start's to the one its end
/// falls in (`end_ns` for a task still running). `summaries` are timeline.summarize()'s.
std::vector<std::size_t> alive_per_column(const Timeline& timeline,
                                          const std::vector<Timeline::TaskSummary>& summaries,
                                          Nanos end_ns, Nanos total_ns, std::size_t columns);

/// The tasks that ended, in the order they ended (ties keep recording order).
std::vector<TaskId> completion_order(const Timeline& timeline);

}  // namespace asyncdemo
