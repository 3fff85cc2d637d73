#pragma once
// The renderers: each turns the same ScenarioReport into one output format.
// Renderers never run tasks; scenarios never print.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/run_series.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

struct TextStyle {
  bool color = false;  // ANSI colour; only when stdout is a terminal (or --color always)
  int width = 80;      // total line width for the timeline
  bool quiet = false;  // -q: no header and no live log; the summary (and checks) only
};

/// Text report, part 1 (DESIGN.md §2.1): the header, printed before the run.
void render_header(const ScenarioReport& report, const TextStyle& style, std::FILE* out);

/// Text report, part 2 (§2.2): the event log, printed as events happen.
/// Keeps its own state (how many lines printed; large runs are capped with a
/// closing "... N more events" line printed by finish()).
class LiveLog {
 public:
  /// Events printed before the rest are only counted: a log is for reading.
  static constexpr std::size_t kMaxLines = 40;

  /// With `lesson_events` (a scenario's ScenarioEntry::lesson_events), only the events
  /// that carry the lesson are printed, a note among them as its text alone, once the
  /// first `lesson_context` lines have shown every event; the rest are counted.
  LiveLog(const TextStyle& style, std::FILE* out, LessonEvents lesson_events = nullptr,
          std::size_t lesson_context = 0);
  /// A sink for Timeline::set_sink / RunContext::on_event. It refers to this
  /// LiveLog, which must outlive the run.
  EventSink sink();
  /// Makes the name column as wide as `longest_task_name` (ScenarioReport::longest_task_name)
  /// from the first line, rather than widening as tasks appear. Call before the run.
  void expect_name(std::string_view longest_task_name);
  /// Prints what the cap held back, if anything.
  void finish();

 private:
  void on_event(const Event& event, const Timeline& timeline);
  void widen_names(const Timeline& timeline);

  TextStyle style_;
  std::FILE* out_;
  std::size_t printed_ = 0;
  LessonEvents lesson_events_;
  std::size_t lesson_context_;
  std::size_t held_back_ = 0;
  std::size_t others_ = 0;      // events left out because they do not carry the lesson
  std::size_t name_width_ = 0;  // names pad to the longest seen so far, so columns align
  std::size_t names_seen_ = 0;  // tasks whose names name_width_ already counts
};

/// Text report, parts 3-5 (§2.3-2.5): timeline (Gantt), summary, and the
/// checks when `with_checks` (--check).
void render_body(const ScenarioReport& report, const TextStyle& style, bool with_checks,
                 std::FILE* out);

/// `--json` (§3): one JSON document, schema "asyncdemo/1". Writes to `out`
/// as it goes (a million-task run is never held as one JSON tree in memory).
void render_json(const ScenarioReport& report, bool with_checks, std::FILE* out);

/// `--json --repeat N`: the last run's document, as above, with one more member, "repeat":
/// every run's figures and claims and what they add up to (cli/run_series.hpp). A single
/// run (no --repeat) gets the document above, unchanged.
void render_json(const RunSeries& runs, bool with_checks, std::FILE* out);

/// `--trace FILE` (§3): Chrome Trace Event Format, one lane (tid) per task.
void render_trace(const ScenarioReport& report, std::FILE* out);

/// `--svg FILE`: the timeline as a picture (a lane per task in the Gantt's states and colours,
/// the notes, the legend, then the summary and checks), 1280 px wide (cli/render_svg.cpp).
void render_svg(const ScenarioReport& report, std::FILE* out);

/// `--html FILE`: the timeline as one self-contained interactive page (a lane per task drawn on
/// a canvas from embedded JSON; hover, zoom and pan), then the summary and checks
/// (cli/render_html.cpp).
void render_html(const ScenarioReport& report, std::FILE* out);

/// `--junit FILE`: JUnit XML, one testcase per claim per run (named "<claim> (run K)" in a
/// series), a failed claim's measured and expected values in its <failure>; a run cut short
/// (Ctrl-C, an error) is one testcase in <error>. Written whether or not --check was given:
/// the claims are always judged, --check only decides the exit code.
void render_junit(const RunSeries& runs, std::FILE* out);

}  // namespace asyncdemo
