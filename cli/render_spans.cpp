#include "cli/render_spans.hpp"

#include <algorithm>

#include "cli/render_format.hpp"
#include "cli/render_gantt.hpp"

namespace asyncdemo {

Nanos report_end_ns(const ScenarioReport& report) {
  const auto& events = report.timeline.events();
  const Nanos elapsed_ns = seconds_to_nanos(report.elapsed_s);
  return events.empty() ? elapsed_ns : std::max(elapsed_ns, events.back().t_ns);
}

SpanIndex::SpanIndex(const Timeline& timeline)
    : timeline_(timeline), first_event_(timeline.tasks().size() + 1, 0) {
  const auto& events = timeline.events();
  for (const Event& e : events) {
    ++first_event_[e.task + 1];
  }
  for (std::size_t task = 1; task < first_event_.size(); ++task) {
    first_event_[task] += first_event_[task - 1];
  }
  // A counting sort: `next` is where each task's next event index goes.
  std::vector<std::size_t> next(first_event_.begin(), first_event_.end() - 1);
  by_task_.resize(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    by_task_[next[events[i].task]++] = i;
  }
}

std::vector<Span> SpanIndex::spans(TaskId task, Nanos end_ns) const {
  // A one-task Timeline holding only this task's events gives exactly the
  // spans the full Timeline would, without scanning anyone else's events.
  Timeline own;
  const TaskId id = own.add_task({}, kNoParent);
  const auto& events = timeline_.events();
  for (std::size_t i = first_event_[task]; i < first_event_[task + 1]; ++i) {
    const Event& e = events[by_task_[i]];
    own.record(e.t_ns, id, e.kind, e.wait);
  }
  return own.spans(id, end_ns);
}

std::vector<TaskId> completion_order(const Timeline& timeline) {
  std::vector<TaskId> order;
  for (const Event& e : timeline.events()) {
    if (ends_task(e.kind)) {
      order.push_back(e.task);
    }
  }
  return order;
}

std::vector<std::optional<TaskId>> shown_lanes(std::size_t count) {
  std::vector<std::optional<TaskId>> lanes;
  if (count <= kGanttMaxFullRows) {
    for (std::size_t id = 0; id < count; ++id) {
      lanes.emplace_back(static_cast<TaskId>(id));
    }
    return lanes;
  }
  for (std::size_t id = 0; id < kGanttHeadRows; ++id) {
    lanes.emplace_back(static_cast<TaskId>(id));
  }
  lanes.emplace_back(std::nullopt);
  for (std::size_t id = count - kGanttTailRows; id < count; ++id) {
    lanes.emplace_back(static_cast<TaskId>(id));
  }
  return lanes;
}

std::vector<std::vector<LaneNote>> lane_notes(const Timeline& timeline, std::size_t max_per_lane) {
  const std::size_t count = timeline.tasks().size();
  const bool collapsed = count > kGanttMaxFullRows;
  std::vector<std::vector<LaneNote>> notes(collapsed ? kGanttHeadRows + kGanttTailRows : count);
  for (const Event& event : timeline.events()) {
    if (event.kind != EventKind::note || event.note == 0) {
      continue;
    }
    std::size_t lane = event.task;  // the task's place among the lanes: shown_lanes' order
    if (collapsed && lane >= kGanttHeadRows) {
      if (lane < count - kGanttTailRows) {
        continue;  // a task left out
      }
      lane = kGanttHeadRows + (lane - (count - kGanttTailRows));
    }
    if (notes[lane].size() < max_per_lane) {
      notes[lane].push_back({event.t_ns, timeline.note(event.note)});
    }
  }
  return notes;
}

std::vector<std::size_t> alive_per_column(const Timeline& timeline,
                                          const std::vector<Timeline::TaskSummary>& summaries,
                                          Nanos end_ns, Nanos total_ns, std::size_t columns) {
  const auto last = static_cast<Nanos>(columns) - 1;
  const auto column = [&](Nanos t_ns) {
    return static_cast<std::size_t>(
        std::clamp<Nanos>(t_ns * static_cast<Nanos>(columns) / total_ns, 0, last));
  };
  std::vector<long> change(columns + 1, 0);
  const auto& tasks = timeline.tasks();
  for (std::size_t id = 0; id < summaries.size(); ++id) {
    const auto& summary = summaries[id];
    if (summary.start_ns < 0 || tasks[id].parent == kNoParent) {
      continue;
    }
    const Nanos end = summary.end_ns >= 0 ? summary.end_ns : end_ns;
    // A stretch [start, end) touches the column of its last instant; an instant its own.
    ++change[column(summary.start_ns)];
    --change[column(end > summary.start_ns ? end - 1 : summary.start_ns) + 1];
  }
  std::vector<std::size_t> alive(columns);
  long running_total = 0;
  for (std::size_t c = 0; c < columns; ++c) {
    running_total += change[c];
    alive[c] = static_cast<std::size_t>(running_total);
  }
  return alive;
}

}  // namespace asyncdemo
