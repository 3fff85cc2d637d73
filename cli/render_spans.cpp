#include "cli/render_spans.hpp"

#include <algorithm>

#include "cli/render_format.hpp"

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

}  // namespace asyncdemo
