#pragma once
// Helpers for the renderer tests: reports built by hand from timelines recorded
// directly (no runtime), and output captured from a memory FILE*.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/render.hpp"
#include "cli/render_capture.hpp"

namespace asyncdemo::testing {

/// What `render` writes to a FILE*.
inline std::string capture(const std::function<void(std::FILE*)>& render) {
  return capture_text(render);
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    lines.push_back(line);
  }
  return lines;
}

inline Nanos seconds(double s) { return std::llround(s * 1e9); }

/// Records one event of `task` at `t_s` seconds.
inline void at(Timeline& timeline, double t_s, TaskId task, EventKind kind,
               WaitKind wait = WaitKind::none) {
  timeline.record(seconds(t_s), task, kind, wait);
}

/// Records what asyncio.gather of tasks sleeping `delays_s` looks like: main
/// creates them all, awaits them, and each sleeps once and returns.
inline void record_gather(Timeline& timeline, const std::vector<double>& delays_s) {
  const TaskId main = timeline.add_task("main", kNoParent);
  at(timeline, 0, main, EventKind::created);
  at(timeline, 0, main, EventKind::started);
  std::vector<TaskId> ids;
  for (std::size_t i = 0; i < delays_s.size(); ++i) {
    ids.push_back(timeline.add_task("", main));
    at(timeline, 0, ids.back(), EventKind::created);
  }
  at(timeline, 0, main, EventKind::suspended, WaitKind::child);
  for (const TaskId id : ids) {
    at(timeline, 0, id, EventKind::started);
    at(timeline, 0, id, EventKind::suspended, WaitKind::sleep);
  }
  double last = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    at(timeline, delays_s[i], ids[i], EventKind::resumed);
    at(timeline, delays_s[i], ids[i], EventKind::done);
    last = std::max(last, delays_s[i]);
  }
  at(timeline, last, main, EventKind::resumed);
  at(timeline, last, main, EventKind::done);
  timeline.finish();  // the ends were recorded out of time order
}

/// A finished gather run as its scenario would report it, on the virtual clock.
inline ScenarioReport gather_report(const std::vector<double>& delays_s) {
  ScenarioReport report;
  report.scenario = "gather";
  report.lesson =
      "Tasks awaited together run at once: the gather takes as long as the slowest task, and "
      "its results come back in submission order whatever order the tasks finish in.";
  report.params = {{"n", delays_s.size()}, {"delay", "1s"}, {"on-error", "propagate"}};
  report.clock = ClockKind::virtual_time;
  record_gather(report.timeline, delays_s);
  double slowest = 0;
  double total = 0;
  for (std::size_t i = 0; i < delays_s.size(); ++i) {
    report.results.push_back(i + 1);
    slowest = std::max(slowest, delays_s[i]);
    total += delays_s[i];
  }
  report.elapsed_s = slowest;
  report.summary = {.sequential_s = total,
                    .ideal_s = slowest,
                    .speedup = total / slowest,
                    .overhead_s = 0,
                    .max_in_flight = delays_s.size(),
                    .max_loop_stall_s = 0,
                    .max_loop_stall_task = {}};
  report.comparisons = {
      fmt::format("gather ran {:.2f}x faster than awaiting one by one", total / slowest)};
  report.takeaways = {"results are in submission order; completion order differs"};
  report.checks = {{"all tasks ran concurrently", true, slowest, "s", "<= 3.100 s"},
                   {"results in submission order", false, 0, "", "1"}};
  return report;
}

/// A run of two tasks with names a picture must escape: the root, `root_name`, with the note
/// `note` at 0 s, and its child "bad\xff\x01 café" (a byte that is not UTF-8 and a control
/// character beside text that is), which runs for 1 s.
inline ScenarioReport odd_names_report(const std::string& root_name, const std::string& note) {
  ScenarioReport report = gather_report({1});
  report.timeline = Timeline();
  Timeline& timeline = report.timeline;
  const TaskId odd = timeline.add_task(root_name, kNoParent);
  const TaskId broken = timeline.add_task("bad\xff\x01 caf\xc3\xa9", odd);
  at(timeline, 0, odd, EventKind::created);
  at(timeline, 0, odd, EventKind::started);
  at(timeline, 0, broken, EventKind::created);
  timeline.record(0, odd, EventKind::note, WaitKind::none, timeline.add_note(note));
  at(timeline, 0, odd, EventKind::suspended, WaitKind::child);
  at(timeline, 0, broken, EventKind::started);
  at(timeline, 1, broken, EventKind::done);
  at(timeline, 1, odd, EventKind::resumed);
  at(timeline, 1, odd, EventKind::done);
  return report;
}

}  // namespace asyncdemo::testing
