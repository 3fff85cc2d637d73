// `--html FILE` (README, issue 18): the report as one interactive page, opened from disk with
// nothing else: no network, no script, font or image from elsewhere. The timeline is drawn by
// the page's own script on a canvas (cli/render_html_page.cpp) from data embedded here as JSON:
// a lane per task in the states and colours of the Gantt and the SVG (the table of looks itself
// is in the data, cli/render_look.hpp), the notes, the end marks; hover for a span's state and
// times, wheel or +/- to zoom, drag to pan. The summary and checks follow in the text report's
// words.
//
// A million tasks make no million lanes: as in the terminal and the SVG, the first and last
// lanes and, for the rest, how many tasks were alive over time, counted here, so that the page
// stays small and opens at once whatever the run's size.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/render.hpp"
#include "cli/render_capture.hpp"
#include "cli/render_format.hpp"
#include "cli/render_gantt.hpp"
#include "cli/render_html_page.hpp"
#include "cli/render_look.hpp"
#include "cli/render_spans.hpp"
#include "cli/render_summary.hpp"

namespace asyncdemo {

namespace {

constexpr std::size_t kAliveColumns = 2000;     // the density row's resolution, zoomed or not
constexpr std::size_t kMaxBarsPerLane = 4000;   // past this, a lane is drawn per column
constexpr std::size_t kMaxNotesPerLane = 1000;  // a page is for reading; the rest are counted
constexpr std::size_t kMaxGuides = 12;          // root notes drawn across the chart
constexpr std::size_t kTextColumns = 120;       // the summary's lines
constexpr std::size_t kWaitKinds = static_cast<std::size_t>(WaitKind::write) + 1;

// How many tasks (the root aside, as in max_in_flight) were alive in each column of the axis.
Json alive_json(const Timeline& timeline, const std::vector<Timeline::TaskSummary>& summaries,
                Nanos end_ns, Nanos total_ns) {
  const std::vector<std::size_t> counts =
      alive_per_column(timeline, summaries, end_ns, total_ns, kAliveColumns);
  const std::size_t peak = counts.empty() ? 0 : *std::ranges::max_element(counts);
  return Json{{"counts", counts}, {"peak", peak}};
}

class PageData {
 public:
  explicit PageData(const ScenarioReport& report)
      : report_(report),
        spans_(report.timeline),
        summaries_(report.timeline.summarize()),
        end_ns_(report_end_ns(report)),
        total_ns_(std::max(end_ns_, kShortestAxisNs)) {}

  Json build() {
    Json data{{"scenario", report_.scenario},
              {"lesson", report_.lesson},
              {"params", format_params(report_.params)},
              {"end", total_ns_},
              {"looks", looks()},
              {"marks", marks()},
              {"waits", waits()}};
    data["lanes"] = lanes();
    data["guides"] = guides();
    data["alive"] =
        collapsed() ? alive_json(report_.timeline, summaries_, end_ns_, total_ns_) : Json();
    data["used"] = Json{{"looks", used_looks()},
                        {"marks", Json::array({used_marks_[0], used_marks_[1]})},
                        {"notes", used_note_}};
    return data;
  }

 private:
  [[nodiscard]] bool collapsed() const {
    return report_.timeline.tasks().size() > kGanttMaxFullRows;
  }

  // The table of looks itself, [fill, meaning] by look index: the page has no colours of its own.
  static Json looks() {
    Json looks = Json::array();
    for (std::size_t index = 0; index < kLookCount; ++index) {
      looks.push_back(Json::array({look_at(index).fill, look_at(index).meaning}));
    }
    return looks;
  }

  static Json marks() {
    Json marks = Json::array();
    for (const Look& mark : end_marks()) {
      marks.push_back(Json::array({mark.fill, mark.meaning}));
    }
    return marks;
  }

  static Json waits() {
    Json waits = Json::array();
    for (std::size_t kind = 0; kind < kWaitKinds; ++kind) {
      waits.push_back(to_string(static_cast<WaitKind>(kind)));
    }
    return waits;
  }

  Json lanes() {
    std::vector<Json> notes;
    for (const std::vector<LaneNote>& of_lane : lane_notes(report_.timeline, kMaxNotesPerLane)) {
      Json pairs = Json::array();  // [t_ns, text] each
      for (const LaneNote& note : of_lane) {
        pairs.push_back(Json::array({note.t_ns, note.text}));
      }
      notes.push_back(std::move(pairs));
    }
    const std::size_t count = report_.timeline.tasks().size();
    Json lanes = Json::array();
    std::size_t shown = 0;
    for (const std::optional<TaskId> row : shown_lanes(count)) {
      if (!row) {
        lanes.push_back(Json{{"left_out", count - kGanttHeadRows - kGanttTailRows}});
        continue;
      }
      if (!notes[shown].empty()) {
        used_note_ = true;
      }
      lanes.push_back(lane(*row, std::move(notes[shown])));
      if (shown == 0 && report_.timeline.tasks()[*row].parent == kNoParent) {
        root_notes_ = lanes.back()["notes"];
      }
      ++shown;
    }
    return lanes;
  }

  // One lane: its spans flat, [look, wait, from_ns, to_ns] after one another.
  Json lane(TaskId id, Json notes) {
    std::vector<LookBar> bars = look_bars(spans_.spans(id, end_ns_));
    if (bars.size() > kMaxBarsPerLane) {
      bars = look_bars_by_column(bars, total_ns_, kAliveColumns);
    }
    Json spans = Json::array();
    for (const LookBar& bar : bars) {
      used_[bar.look] = true;
      spans.push_back(bar.look);
      spans.push_back(static_cast<int>(bar.wait));
      spans.push_back(bar.from_ns);
      spans.push_back(bar.to_ns);
    }
    const auto& summary = summaries_[id];
    int mark = -1;
    if (end_mark(summary.outcome) && summary.end_ns >= 0) {
      mark = summary.outcome == TaskOutcome::failed ? 0 : 1;
      used_marks_[static_cast<std::size_t>(mark)] = true;
    }
    return Json{{"name", report_.timeline.tasks()[id].name},
                {"spans", std::move(spans)},
                {"end", summary.end_ns},
                {"mark", mark},
                {"notes", std::move(notes)}};
  }

  // The root's notes (a deadline passing, a cancel) are moments of the whole run: guides.
  Json guides() const {
    Json guides = Json::array();
    for (std::size_t i = 0; i < std::min(root_notes_.size(), kMaxGuides); ++i) {
      guides.push_back(root_notes_[i]);
    }
    return guides;
  }

  Json used_looks() const {
    Json used = Json::array();
    for (std::size_t index = 0; index < kLookCount; ++index) {
      if (used_[index]) {
        used.push_back(index);
      }
    }
    return used;
  }

  const ScenarioReport& report_;
  SpanIndex spans_;
  std::vector<Timeline::TaskSummary> summaries_;
  Nanos end_ns_;
  Nanos total_ns_;
  Json root_notes_ = Json::array();
  std::array<bool, kLookCount> used_{};
  std::array<bool, 2> used_marks_{};
  bool used_note_ = false;
};

// JSON that can stand inside <script>: text that is not UTF-8 replaced, and every '<' written
// as \u003c (only strings can hold one), so no name or note ends the script or opens a comment.
std::string script_json(const Json& data) {
  const std::string dumped = data.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string safe;
  safe.reserve(dumped.size());
  for (const char c : dumped) {
    if (c == '<') {
      safe += R"(\u003c)";
    } else {
      safe += c;
    }
  }
  return safe;
}

// The summary and the checks as the text report words them (without colour), failed claims
// marked so the page can show them in red.
std::string report_text(const ScenarioReport& report) {
  TextStyle style;
  style.width = static_cast<int>(kTextColumns);
  std::string words = capture_text([&](std::FILE* out) { render_summary(report, style, out); });
  if (!report.checks.empty()) {
    words += capture_text([&](std::FILE* out) { render_checks(report, style, out); });
  }
  std::string html;
  std::size_t from = 0;
  while (from < words.size()) {
    const std::size_t end = std::min(words.find('\n', from), words.size());
    const std::string_view line = std::string_view(words).substr(from, end - from);
    const bool failed =
        line.substr(std::min(line.find_first_not_of(' '), line.size())).starts_with("FAIL");
    html += failed ? fmt::format("<span class=\"fail\">{}</span>\n", xml_text(line))
                   : xml_text(line) + "\n";
    from = end + 1;
  }
  return html;
}

}  // namespace

void render_html(const ScenarioReport& report, std::FILE* out) {
  const std::string title = fmt::format("asyncdemo {}", report.scenario);
  fmt::print(out, "{}", html_page_head(xml_text(fmt::format("{}: {}", title, report.lesson))));
  fmt::print(out,
             "<header><h1>{}</h1>\n<p class=\"lesson\">{}</p>\n<p class=\"params\">{}</p>"
             "</header>\n",
             xml_text(title), xml_text(report.lesson), xml_text(format_params(report.params)));
  fmt::print(out, "{}", html_page_chart());
  fmt::print(out, "<pre id=\"report\">{}</pre>\n", report_text(report));
  fmt::print(out, "{}{}{}", kHtmlDataStart, script_json(PageData(report).build()), kHtmlDataEnd);
  fmt::print(out, "{}", html_page_script());
}

}  // namespace asyncdemo
