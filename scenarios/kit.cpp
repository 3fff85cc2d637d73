#include "scenarios/kit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <utility>
#include <vector>

namespace asyncdemo::kit {

double seconds(Nanos ns) { return static_cast<double>(ns) / 1e9; }
double seconds(Duration d) { return seconds(to_nanos(d)); }
Nanos nanos(double seconds) { return static_cast<Nanos>(std::llround(seconds * 1e9)); }

std::string count_of(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string count_of(std::size_t count, std::string_view noun, std::string_view verb_one,
                     std::string_view verb_many) {
  return fmt::format("{} {}", count_of(count, noun), count == 1 ? verb_one : verb_many);
}

std::size_t work_at_once(const Timeline& timeline, TaskId first, TaskId last) {
  std::size_t running = 0;
  std::size_t most = 0;
  for (const Event& event : timeline.events()) {
    if (event.task < first || event.task >= last) {
      continue;
    }
    if (event.kind == EventKind::thread_started) {
      most = std::max(most, ++running);
    } else if (event.kind == EventKind::thread_finished && running > 0) {
      --running;
    }
  }
  return most;
}

WaitTimes wait_times(const Timeline& timeline, WaitKind wait) {
  std::vector<Nanos> since(timeline.tasks().size(), -1);
  WaitTimes times;
  times.by_task_ns.assign(timeline.tasks().size(), 0);
  for (const Event& event : timeline.events()) {
    if (event.kind == EventKind::suspended && event.wait == wait) {
      ++times.count;
      since[event.task] = event.t_ns;
    } else if (since[event.task] >= 0 &&
               (event.kind == EventKind::resumed || ends_task(event.kind))) {
      const Nanos waited = event.t_ns - since[event.task];
      times.by_task_ns[event.task] += waited;
      times.total_ns += waited;
      since[event.task] = -1;
    }
  }
  return times;
}

std::string numbered_name(std::string_view prefix, std::size_t number) {
  return fmt::format("{}-{}", prefix, number);
}

ScenarioReport begin(std::string_view scenario, std::string_view lesson, Json params,
                     const RunContext& context, Runtime& runtime, std::string longest_task_name) {
  ScenarioReport report;
  report.scenario = scenario;
  report.lesson = lesson;
  report.params = std::move(params);
  report.longest_task_name = std::move(longest_task_name);
  report.clock = runtime.clock();
  if (context.on_event) {
    runtime.timeline().set_sink(context.on_event);
  }
  if (context.on_start) {
    context.on_start(report);
  }
  return report;
}

void finish(ScenarioReport& report, Runtime& runtime) {
  Timeline& timeline = runtime.timeline();
  timeline.set_sink({});
  report.elapsed_s = seconds(runtime.now());
  report.timeline = std::move(timeline);
  Summary& summary = report.summary;
  const Timeline::LoopFigures loop = report.timeline.loop_figures();
  summary.max_in_flight = loop.max_in_flight;
  summary.max_loop_stall_s = seconds(loop.max_loop_stall);
  if (loop.max_loop_stall_task != kNoParent) {
    summary.max_loop_stall_task = report.timeline.task(loop.max_loop_stall_task).name;
  }
  summary.sequential_s = summary.ideal_s = summary.speedup = summary.overhead_s = Summary::kUnset;
}

void finish(ScenarioReport& report, Runtime& runtime, double sequential_s, double ideal_s) {
  finish(report, runtime);
  set_work(report, sequential_s, ideal_s);
}

void set_work(ScenarioReport& report, double sequential_s, double ideal_s, bool with_speedup) {
  if (report.partial()) {
    return;  // the work of a run cut short compares with nothing
  }
  Summary& summary = report.summary;
  if (sequential_s > 0) {
    summary.sequential_s = sequential_s;
    if (with_speedup && report.elapsed_s > 0) {
      summary.speedup = sequential_s / report.elapsed_s;
    }
  }
  if (ideal_s > 0) {
    summary.ideal_s = ideal_s;
    summary.overhead_s = std::max(0.0, report.elapsed_s - ideal_s);
  }
}

namespace {

// Each task's own work (see show_work), in one pass over the events: a task
// works while it runs or waits on something that is its work (a timer, a
// thread, a DNS answer), not while it queues or awaits another task.
std::vector<Nanos> own_work(const Timeline& timeline) {
  const std::size_t tasks = timeline.task_count();
  std::vector<Nanos> work(tasks, 0);
  std::vector<Nanos> working_since(tasks, -1);  // -1: not working
  for (const Event& event : timeline.events()) {
    const bool changes_state =
        event.kind != EventKind::note && event.kind != EventKind::thread_started &&
        event.kind != EventKind::thread_finished && event.kind != EventKind::thread_dropped &&
        event.kind != EventKind::created;
    if (!changes_state) {
      continue;
    }
    Nanos& since = working_since[event.task];
    if (since >= 0) {
      work[event.task] += event.t_ns - since;
    }
    const bool queues = event.kind == EventKind::suspended &&
                        (event.wait == WaitKind::permit || event.wait == WaitKind::lock ||
                         event.wait == WaitKind::queue_put || event.wait == WaitKind::queue_get ||
                         event.wait == WaitKind::child);
    const bool working = event.kind == EventKind::started || event.kind == EventKind::resumed ||
                         (event.kind == EventKind::suspended && !queues);
    since = working ? event.t_ns : -1;
  }
  return work;
}

}  // namespace

Nanos shortest_run(const std::vector<Nanos>& pieces, std::size_t at_a_time) {
  if (at_a_time >= pieces.size()) {
    return pieces.empty() ? 0 : *std::ranges::max_element(pieces);
  }
  if (at_a_time <= 1) {
    return std::accumulate(pieces.begin(), pieces.end(), Nanos{0});
  }
  // Min-heap of the times the slots free up.
  std::priority_queue<Nanos, std::vector<Nanos>, std::greater<>> frees;
  for (std::size_t i = 0; i < at_a_time; ++i) {
    frees.push(0);
  }
  Nanos last = 0;
  for (const Nanos piece : pieces) {
    const Nanos end = frees.top() + piece;
    frees.pop();
    frees.push(end);
    last = std::max(last, end);
  }
  return last;
}

void show_work(ScenarioReport& report, std::size_t at_a_time, bool with_speedup) {
  const Timeline& timeline = report.timeline;
  std::vector<Nanos> work = own_work(timeline);
  std::vector<Nanos> pieces;
  pieces.reserve(work.size());
  for (TaskId id = 0; id < work.size(); ++id) {
    if (timeline.parent(id) != kNoParent) {
      pieces.push_back(work[id]);
    }
  }
  work = {};
  const Nanos sequential = std::accumulate(pieces.begin(), pieces.end(), Nanos{0});
  set_work(report, seconds(sequential), seconds(shortest_run(pieces, at_a_time)), with_speedup);
}

double slack(const RunContext& context) {
  return context.runtime.clock == ClockKind::virtual_time ? 0.0 : seconds(context.tolerance);
}

namespace {

// Limits are printed and compared at the same (µs) precision, so a claim
// never reads "1.000 s <= 1.000 s: FAIL".
constexpr double kMicro = 1e-6;

std::string bound(std::string_view relation, double limit, std::string_view unit) {
  if (unit == "s") {
    return fmt::format("{} {}", relation, format_seconds(limit));
  }
  if (unit == "x") {
    return fmt::format("{} {:.2f}x", relation, limit);
  }
  return fmt::format("{} {:g}", relation, limit);
}

Claim make(std::string name, bool passed, double measured, std::string unit, std::string expected) {
  return Claim{std::move(name), passed, measured, std::move(unit), std::move(expected)};
}

}  // namespace

Claim at_most(std::string name, double measured, double limit, std::string unit) {
  std::string expected = bound("<=", limit, unit);
  return make(std::move(name), measured <= limit + kMicro, measured, std::move(unit),
              std::move(expected));
}

Claim at_least(std::string name, double measured, double limit, std::string unit) {
  std::string expected = bound(">=", limit, unit);
  return make(std::move(name), measured >= limit - kMicro, measured, std::move(unit),
              std::move(expected));
}

Claim between(std::string name, double measured, double low, double high, std::string unit) {
  std::string expected = unit == "s"
                             ? fmt::format("{} .. {}", format_seconds(low), format_seconds(high))
                             : fmt::format("{:g} .. {:g}", low, high);
  const bool passed = measured >= low - kMicro && measured <= high + kMicro;
  return make(std::move(name), passed, measured, std::move(unit), std::move(expected));
}

Claim equals(std::string name, double measured, double expected, std::string unit) {
  std::string text = bound("==", expected, unit);
  return make(std::move(name), std::abs(measured - expected) <= kMicro, measured, std::move(unit),
              std::move(text));
}

Nanos nearest_rank(std::vector<Nanos> values, double share) {
  if (values.empty()) {
    return 0;
  }
  std::ranges::sort(values);
  const auto rank = static_cast<std::size_t>(std::ceil(share * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

std::string faster(std::string_view fast, double fast_s, std::string_view slow, double slow_s) {
  const double ratio = fast_s > 0 ? slow_s / fast_s : 0;
  return fmt::format("{} ran {:.2f}x faster than {}", fast, ratio, slow);
}

}  // namespace asyncdemo::kit
