#pragma once
// The contract between scenarios and the CLI: a scenario declares its
// options, runs on the core runtime, and returns a ScenarioReport. It never
// prints; the renderers in cli/ turn the report into text, JSON or a trace.

#include <cstddef>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/runtime.hpp"
#include "core/thread_pool.hpp"
#include "core/timeline.hpp"
#include "scenarios/result_list.hpp"

// Declared, not included: CLI11 is header-only and among the heaviest headers to compile and
// lint, and most of what includes this file (renderers, tests) never declares an option. A
// scenario's setup function includes <CLI/CLI.hpp> when it uses CLI::App itself.
namespace CLI {  // NOLINT(readability-identifier-naming): CLI11 names it
class App;
}  // namespace CLI

namespace asyncdemo {

/// The figures every scenario reports (DESIGN.md §2.4, JSON "summary"). A work figure that does not
/// apply to a run (a speedup of a timeout, anything of a run cut short) is NaN: not shown, null in
/// JSON (see kit::finish).
struct Summary {
  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  double sequential_s = kUnset;  // the tasks' own work, one after another
  double ideal_s = kUnset;       // the shortest run doing that same work
  double speedup = kUnset;       // sequential_s / elapsed_s
  double overhead_s = kUnset;    // elapsed_s - ideal_s, never negative
  std::size_t max_in_flight = 0;
  double max_loop_stall_s = 0;      // the longest the loop thread was held by one step
  std::string max_loop_stall_task;  // whose step that was; empty if no step took any time
};

/// One claim of the lesson, checked against what was measured (--check).
struct Claim {
  std::string name;  // e.g. "all 3 tasks ran concurrently"
  bool passed = false;
  double measured = 0;   // the figure, in `unit`
  std::string unit;      // "s", "x" (a ratio) or "" (a count)
  std::string expected;  // e.g. "<= 1.050 s"
};

struct ScenarioReport {
  std::string scenario;
  std::string lesson;
  Json params = Json::object();  // the parameters the run used, defaults included
  ClockKind clock = ClockKind::real;
  double elapsed_s = 0;
  Timeline timeline;
  ResultList results;  // what the work returned, in submission order
  Summary summary;
  Json figures = Json::object();         // scenario-specific figures (e.g. each sleep mode)
  std::vector<std::string> comparisons;  // "async ran 2.99x faster than blocking"
  std::vector<std::string> takeaways;    // what happened, said plainly
  std::vector<Claim> checks;
  /// The process's thread pool: how many threads, and where that number came from
  /// (asyncio's default executor or UV_THREADPOOL_SIZE). The text header shows it for runs
  /// whose work goes to threads; JSON "thread_pool".
  ThreadPoolSize thread_pool = asyncdemo::thread_pool();
  /// The longest name a task of the run will have, as the scenario plans it before anything
  /// runs: the live log's name column is that wide from its first line, so main's first
  /// lines align with the tasks' that follow. Layout only; empty if not known.
  std::string longest_task_name;
  bool interrupted = false;  // Ctrl-C or SIGTERM: the record is partial
  int interrupt_signal = 0;  // which one (SIGINT, SIGTERM) when interrupted
  /// The scenario itself failed: an error nobody asked for (a failed uv_*
  /// call, thread work that threw) ended the run or one of its tasks. Says
  /// what failed, e.g. "worker-1: clock_nanosleep: Operation not supported";
  /// empty if the run did its work. The record is partial; the CLI exits 1.
  std::string error;

  /// Whether the record stops short of the scenario's work (Ctrl-C or an
  /// error): claims and takeaways about it would prove nothing either way.
  [[nodiscard]] bool partial() const noexcept { return interrupted || !error.empty(); }
};

/// What the CLI hands a scenario for one run.
struct RunContext {
  RuntimeOptions runtime;                               // which clock
  Duration tolerance = std::chrono::milliseconds(100);  // slack for real-clock timing claims
  /// Called once, before any task runs, with scenario, lesson and params
  /// filled in (the text header is printed from it). May be empty.
  std::function<void(const ScenarioReport&)> on_start;
  EventSink on_event;  // the live event log; may be empty
};

using ScenarioRunner = std::function<ScenarioReport(const RunContext&)>;

/// Options that parse one by one but do not fit together (e.g. --fail 5 with
/// --n 3). Raised by a runner before anything runs; the CLI exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Whether an event carries a scenario's lesson (see ScenarioEntry::lesson_events).
using LessonEvents = bool (*)(const Event& event, const Timeline& timeline);

/// The usual ScenarioEntry::lesson_context: half of the live log's 40 lines for the opening,
/// the rest for the lesson's events.
inline constexpr std::size_t kLogOpeningLines = 20;

struct ScenarioEntry {
  std::string_view name;
  std::string_view lesson;    // one sentence: header, --help and `asyncdemo list`
  std::string_view examples;  // lines for --help, each a full command that runs as written
  /// Declares the scenario's options on its subcommand and returns the runner
  /// bound to the parsed values.
  ScenarioRunner (*setup)(CLI::App& subcommand);
  /// The events that carry the lesson, for the live log; nullptr: every event does. When
  /// set, the log shows these, one line each as they happen, and only counts the others
  /// (the starts and awaits around them), which --json and --trace still hold. probe's are
  /// its answers, one note per name; gather's, each task's end.
  LessonEvents lesson_events = nullptr;
  /// With lesson_events: how many lines at the start of the log show every event, the run's
  /// opening (who started, what each awaits), before it keeps to the lesson's. A small run
  /// fits there whole. 0: the lesson's events from the first line.
  std::size_t lesson_context = 0;
};

/// Every scenario, in the order `asyncdemo list` shows them. One explicit list
/// (no static self-registration: a static library may drop unreferenced objects).
const std::vector<ScenarioEntry>& scenario_registry();

}  // namespace asyncdemo
