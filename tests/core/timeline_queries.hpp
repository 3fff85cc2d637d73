#pragma once
// Small queries over a Timeline for the core tests: find a task by name, the time of one of
// its events, its outcome. Tests assert on what the runtime recorded, as the renderers read it.

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/timeline.hpp"

namespace asyncdemo::test {

/// Nanoseconds on the run's time axis, from a chrono duration: `at(1500ms)`.
constexpr Nanos at(Duration d) { return to_nanos(d); }

/// The id of the task called `name`; fails the test case if there is none.
inline TaskId task_named(const Timeline& timeline, std::string_view name) {
  const TaskList tasks = timeline.tasks();
  for (std::size_t id = 0; id < tasks.size(); ++id) {
    if (tasks[id].name == name) {
      return static_cast<TaskId>(id);
    }
  }
  FAIL("the timeline has no task named " << std::string(name));
  return kNoParent;
}

/// The time of the first event of `kind` for `task`, or -1 if it has none.
inline Nanos first_time(const Timeline& timeline, TaskId task, EventKind kind) {
  for (const Event& e : timeline.events()) {
    if (e.task == task && e.kind == kind) {
      return e.t_ns;
    }
  }
  return -1;
}

/// How many events of `kind` `task` has.
inline std::size_t count_events(const Timeline& timeline, TaskId task, EventKind kind) {
  std::size_t count = 0;
  for (const Event& e : timeline.events()) {
    count += e.task == task && e.kind == kind ? 1 : 0;
  }
  return count;
}

/// The kinds of `task`'s events, in recorded order.
inline std::vector<EventKind> kinds_of(const Timeline& timeline, TaskId task) {
  std::vector<EventKind> kinds;
  for (const Event& e : timeline.events()) {
    if (e.task == task) {
      kinds.push_back(e.kind);
    }
  }
  return kinds;
}

inline Timeline::TaskSummary summary_of(const Timeline& timeline, TaskId task) {
  return timeline.summarize().at(task);
}

/// Whether `task` has a span in `state` (any wait kind).
inline bool has_span(const Timeline& timeline, TaskId task, SpanState state, Nanos end_ns) {
  for (const Span& span : timeline.spans(task, end_ns)) {
    if (span.state == state) {
      return true;
    }
  }
  return false;
}

}  // namespace asyncdemo::test

// doctest prints an enum as its number; these make a failure read "cancelled == ok".
// doctest finds them by argument-dependent lookup, under the name it calls.
namespace asyncdemo {
// NOLINTBEGIN(readability-identifier-naming)
inline doctest::String toString(TaskOutcome outcome) {
  return std::string(to_string(outcome)).c_str();
}
inline doctest::String toString(EventKind kind) { return std::string(to_string(kind)).c_str(); }
inline doctest::String toString(SpanState state) { return std::string(to_string(state)).c_str(); }
inline doctest::String toString(WaitKind kind) { return std::string(to_string(kind)).c_str(); }
// NOLINTEND(readability-identifier-naming)
}  // namespace asyncdemo
