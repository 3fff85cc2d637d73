// `--svg FILE` (README, issue 18): the report as one static picture, for a slide or a README.
// The terminal Gantt drawn in vectors, readable at 1280 px wide: a lane per task in the same
// states and colours (cli/render_look.hpp), the scenario's notes as marks on their lanes (the
// root's, such as a deadline passing or a cancel, as guides across the chart), the legend of
// what was drawn, then the summary and the checks in the text report's own words. Every span
// carries its state and times as a tooltip, which browsers show on hover.
//
// Like the terminal, a run of more than kGanttMaxFullRows tasks shows its first and last lanes
// and, for the rest, how many tasks were alive over time: a million lanes fit no page.

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
#include "cli/render_look.hpp"
#include "cli/render_spans.hpp"
#include "cli/render_summary.hpp"
#include "cli/render_ticks.hpp"

namespace asyncdemo {

namespace {

constexpr int kWidth = 1280;
constexpr int kMargin = 24;
constexpr int kFontSize = 13;
constexpr double kCharWidth = 7.9;  // of the monospace font at kFontSize, DejaVu Sans Mono's
constexpr int kLineHeight = 18;
constexpr int kLaneHeight = 22;
constexpr int kBarHeight = 14;
constexpr int kDensityHeight = 44;
constexpr int kTicks = 12;
constexpr int kLastLabelRoom = 16;  // past the chart's right edge: half the widest tick label
constexpr std::size_t kMaxNameChars = 24;
constexpr std::size_t kTextColumns = 150;  // the summary's lines: what fits between the margins
constexpr std::size_t kMaxGuides = 12;     // root notes drawn across the chart; the rest as marks
constexpr std::string_view kFont = "DejaVu Sans Mono, Menlo, Consolas, monospace";

// An SVG renderer collapses runs of spaces, which the text report aligns its columns with: each
// space of a run, or at the start of a line, becomes a no-break space (U+00A0), which none
// collapses. A single space between words stays what it is.
std::string keep_spaces(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool in_run = (i + 1 < line.size() && line[i + 1] == ' ') || i == 0 || line[i - 1] == ' ';
    if (line[i] == ' ' && in_run) {
      out += "\u00a0";
    } else {
      out += line[i];
    }
  }
  return out;
}

std::string seconds_text(Nanos t_ns) { return fmt::format("{:.3f} s", to_seconds(t_ns)); }

using Bar = LookBar;

class Picture {
 public:
  explicit Picture(const ScenarioReport& report)
      : report_(report),
        spans_(report.timeline),
        summaries_(report.timeline.summarize()),
        end_ns_(report_end_ns(report)),
        total_ns_(std::max(end_ns_, kShortestAxisNs)),
        rows_(shown_lanes(report.timeline.tasks().size())),
        notes_(lane_notes(report.timeline)) {
    std::size_t widest = 5;  // "alive"
    for (const std::optional<TaskId> row : rows_) {
      if (row) {
        widest = std::max(widest, display_width(printable(task_name(*row))));
      }
    }
    chart_x_ = kMargin + static_cast<double>(std::min(widest, kMaxNameChars) + 2) * kCharWidth;
    chart_width_ = kWidth - kMargin - kLastLabelRoom - chart_x_;
  }

  std::string draw() {
    draw_title();
    if (!report_.timeline.tasks().empty()) {
      draw_chart();
      draw_legend();
    }
    draw_text_report();
    return fmt::format(
               R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
               R"(viewBox="0 0 {0} {1}" font-family="{2}" font-size="{3}">)"
               "\n<title>{4}</title>\n"
               R"(<rect class="background" width="{0}" height="{1}" fill="#ffffff"/>)"
               "\n",
               kWidth, y_ + kMargin, kFont, kFontSize,
               xml_text(fmt::format("asyncdemo {}: {}", report_.scenario, report_.lesson))) +
           body_ + "</svg>\n";
  }

 private:
  [[nodiscard]] std::string_view task_name(TaskId id) const {
    return report_.timeline.tasks()[id].name;
  }

  [[nodiscard]] double x_of(Nanos t_ns) const {
    return chart_x_ + chart_width_ * static_cast<double>(std::clamp<Nanos>(t_ns, 0, total_ns_)) /
                          static_cast<double>(total_ns_);
  }

  void text(double x, int y, std::string_view words, std::string_view attributes = "") {
    body_ += fmt::format(R"(<text x="{:.1f}" y="{}"{}{}>{}</text>)"
                         "\n",
                         x, y, attributes.empty() ? "" : " ", attributes, xml_text(words));
  }

  void draw_title() {
    y_ = kMargin + kLineHeight;
    text(kMargin, y_, fmt::format("asyncdemo {}", report_.scenario),
         R"(font-size="18" font-weight="bold")");
    for (const std::string& line : wrap(report_.lesson, kTextColumns, "")) {
      y_ += kLineHeight;
      text(kMargin, y_, line, R"(fill="#333333")");
    }
    if (!report_.params.empty()) {
      y_ += kLineHeight;
      text(kMargin, y_, format_params(report_.params), R"(fill="#666666")");
    }
    y_ += kLineHeight;
  }

  void draw_chart() {
    const Nanos step = tick_step(total_ns_, kTicks);
    const int axis_y = y_ + kLineHeight;
    const int lanes_top = axis_y + 8;
    const int lanes_bottom = lanes_top + static_cast<int>(rows_.size()) * kLaneHeight +
                             (rows_.size() < report_.timeline.tasks().size() ? kDensityHeight : 0);
    body_ += R"(<g class="axis" fill="#555555">)"
             "\n";
    for (Nanos t = 0; t <= total_ns_; t += step) {
      const double x = x_of(t);
      body_ += fmt::format(
          R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#e3e3e3" stroke-width="1"/>)"
          "\n",
          x, lanes_top, lanes_bottom);
      text(x, axis_y, tick_label(t, step), R"(text-anchor="middle")");
    }
    body_ += "</g>\n";
    y_ = lanes_top;
    std::size_t noted = 0;
    for (const std::optional<TaskId> row : rows_) {
      if (row) {
        draw_lane(*row, notes_[noted++]);
      } else {
        draw_left_out();
      }
    }
    if (rows_.size() < report_.timeline.tasks().size()) {
      draw_density();
    }
    draw_guides(lanes_top - 8, y_);
    y_ += kLineHeight;
  }

  void draw_lane(TaskId id, const std::vector<LaneNote>& notes) {
    const std::string name(task_name(id));
    const int bar_top = y_ + (kLaneHeight - kBarHeight) / 2;
    body_ += fmt::format(R"(<g class="lane" data-task="{}">)"
                         "\n",
                         xml_text(name));
    text(kMargin, bar_top + kBarHeight - 3, fit(name, kMaxNameChars));
    const std::vector<Bar> bars = look_bars(spans_.spans(id, end_ns_));
    if (bars.size() <= static_cast<std::size_t>(chart_width_)) {
      for (const Bar& bar : bars) {
        draw_bar(name, bar, bar_top);
      }
    } else {
      draw_dense_bars(name, bars, bar_top);
    }
    const auto& summary = summaries_[id];
    if (const auto mark = end_mark(summary.outcome); mark && summary.end_ns >= 0) {
      draw_end_mark(*mark, name, summary.end_ns, bar_top);
    }
    draw_notes(notes, bar_top);
    body_ += "</g>\n";
    y_ += kLaneHeight;
  }

  void draw_bar(const std::string& name, const Bar& bar, int top) {
    const Look look = look_at(bar.look);
    used_[bar.look] = true;
    const double x = x_of(bar.from_ns);
    const double width = std::max(x_of(bar.to_ns) - x, 1.0);  // an instant is still seen
    std::string what(look.meaning);
    if (bar.wait != WaitKind::none && bar.wait != WaitKind::blocked) {
      what += fmt::format(" ({})", to_string(bar.wait));
    }
    body_ += fmt::format(
        R"(<rect class="span" x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="{}">)"
        R"(<title>{}: {}, {} to {} ({})</title></rect>)"
        "\n",
        x, top, width, kBarHeight, look.fill, xml_text(name), xml_text(what),
        seconds_text(bar.from_ns), seconds_text(bar.to_ns), seconds_text(bar.to_ns - bar.from_ns));
  }

  // More bars than pixels: each pixel column shows the look that covered most of it, as the
  // terminal's cells do.
  void draw_dense_bars(const std::string& name, const std::vector<Bar>& bars, int top) {
    for (const Bar& bar :
         look_bars_by_column(bars, total_ns_, static_cast<std::size_t>(chart_width_))) {
      draw_bar(name, bar, top);
    }
  }

  void draw_end_mark(const Look& mark, const std::string& name, Nanos t_ns, int top) {
    used_marks_[mark.glyph == 'x' ? 0 : 1] = true;
    const double x = x_of(t_ns);
    body_ += fmt::format(
        R"(<path class="end" d="M{0:.1f} {1} l-5 -5 m0 10 l10 -10 m-10 0 l10 10" )"
        R"(stroke="{2}" stroke-width="2.5" fill="none"><title>{3}: {4} at {5}</title></path>)"
        "\n",
        x, top + kBarHeight / 2, mark.fill, xml_text(name), mark.meaning, seconds_text(t_ns));
  }

  // One mark per pixel at most: a heartbeat's ten thousand notes are one row of marks, each
  // saying on hover the first note it stands for and how many more it holds.
  void draw_notes(const std::vector<LaneNote>& notes, int top) {
    for (std::size_t first = 0; first < notes.size();) {
      const auto pixel = static_cast<long>(x_of(notes[first].t_ns));
      std::size_t end = first + 1;
      while (end < notes.size() && static_cast<long>(x_of(notes[end].t_ns)) == pixel) {
        ++end;
      }
      std::string words =
          fmt::format("{} at {}", notes[first].text, seconds_text(notes[first].t_ns));
      if (end - first > 1) {
        words +=
            fmt::format(", and {} more {} to {}", end - first - 1,
                        end - first == 2 ? "note" : "notes", seconds_text(notes[end - 1].t_ns));
      }
      draw_note(x_of(notes[first].t_ns), top, words);
      first = end;
    }
  }

  void draw_note(double x, int top, const std::string& words) {
    used_note_ = true;
    body_ += fmt::format(R"(<path class="note" d="M{0:.1f} {1} l-4 -6 h8 z" fill="#343a40">)"
                         R"(<title>{2}</title></path>)"
                         "\n",
                         x, top, xml_text(words));
  }

  void draw_left_out() {
    const std::size_t count = report_.timeline.tasks().size();
    text(kMargin, y_ + kLaneHeight - 6,
         fmt::format("... {} more tasks", count - kGanttHeadRows - kGanttTailRows),
         R"(fill="#666666")");
    y_ += kLaneHeight;
  }

  // How many tasks (the root aside, as in max_in_flight) were alive in each pixel column, as a
  // filled profile scaled to the peak.
  void draw_density() {
    const auto columns = static_cast<std::size_t>(chart_width_);
    const std::vector<std::size_t> alive =
        alive_per_column(report_.timeline, summaries_, end_ns_, total_ns_, columns);
    const std::size_t peak = std::max<std::size_t>(*std::ranges::max_element(alive), 1);
    const int base = y_ + kDensityHeight - 6;
    const int room = kDensityHeight - 10;
    std::string points = fmt::format("{:.1f},{}", chart_x_, base);
    for (std::size_t c = 0; c < columns; ++c) {
      const double height =
          static_cast<double>(room) * static_cast<double>(alive[c]) / static_cast<double>(peak);
      points += fmt::format(" {:.1f},{:.1f} {:.1f},{:.1f}", chart_x_ + static_cast<double>(c),
                            base - height, chart_x_ + static_cast<double>(c + 1), base - height);
    }
    points += fmt::format(" {:.1f},{}", chart_x_ + static_cast<double>(columns), base);
    body_ += fmt::format(R"(<g class="density"><polygon points="{}" fill="#adb5bd">)"
                         R"(<title>tasks alive, at most {} at once</title></polygon>)"
                         "\n",
                         points, peak);
    text(kMargin, base - 4, "alive");
    text(kMargin, base + 8, fmt::format("peak {}", peak), R"(font-size="10" fill="#666666")");
    body_ += "</g>\n";
    y_ += kDensityHeight;
  }

  // The root's notes (a deadline passing, a cancel, the gather's end) are moments of the whole
  // run: a dashed line across every lane, its words on hover.
  void draw_guides(int top, int bottom) {
    if (rows_.empty() || notes_.empty()) {
      return;
    }
    const std::optional<TaskId> first = rows_.front();
    if (!first.has_value() || report_.timeline.tasks()[*first].parent != kNoParent) {
      return;
    }
    const auto& root_notes = notes_.front();
    for (std::size_t i = 0; i < std::min(root_notes.size(), kMaxGuides); ++i) {
      body_ += fmt::format(
          R"(<line class="guide" x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#343a40" )"
          R"(stroke-width="1" stroke-dasharray="4 3"><title>{3} at {4}</title></line>)"
          "\n",
          x_of(root_notes[i].t_ns), top, bottom, xml_text(root_notes[i].text),
          seconds_text(root_notes[i].t_ns));
    }
  }

  // Only what the chart drew, in rows that fit the width.
  void draw_legend() {
    struct Item {
      std::string fill;
      std::string_view meaning;
      std::string_view shape;
    };
    std::vector<Item> items;
    for (std::size_t index = 0; index < kLookCount; ++index) {
      if (used_[index]) {
        items.push_back({std::string(look_at(index).fill), look_at(index).meaning, "rect"});
      }
    }
    const auto marks = end_marks();
    for (std::size_t i = 0; i < marks.size(); ++i) {
      if (used_marks_[i]) {
        items.push_back({std::string(marks[i].fill), marks[i].meaning, "cross"});
      }
    }
    if (used_note_) {
      items.push_back({"#343a40", "a note of the scenario (hover)", "note"});
    }
    body_ += R"(<g class="legend">)"
             "\n";
    double x = kMargin;
    for (const Item& item : items) {
      const double item_width = 22 + static_cast<double>(item.meaning.size()) * kCharWidth + 18;
      if (x + item_width > kWidth - kMargin) {
        x = kMargin;
        y_ += kLineHeight;
      }
      if (item.shape == "rect") {
        body_ += fmt::format(R"(<rect x="{:.1f}" y="{}" width="14" height="12" fill="{}"/>)"
                             "\n",
                             x, y_ - 11, item.fill);
      } else if (item.shape == "cross") {
        body_ += fmt::format(
            R"(<path d="M{:.1f} {} l10 -10 m-10 0 l10 10" stroke="{}" stroke-width="2.5"/>)"
            "\n",
            x + 2, y_ - 1, item.fill);
      } else {
        body_ += fmt::format(R"(<path d="M{:.1f} {} l-4 -6 h8 z" fill="{}"/>)"
                             "\n",
                             x + 7, y_ - 2, item.fill);
      }
      text(x + 22, y_, item.meaning);
      x += item_width;
    }
    body_ += "</g>\n";
    y_ += kLineHeight;
  }

  // The summary and the checks, as the text report words them (without colour).
  void draw_text_report() {
    TextStyle style;
    style.width = static_cast<int>(kTextColumns);
    std::string words = capture_text([&](std::FILE* out) { render_summary(report_, style, out); });
    if (!report_.checks.empty()) {
      words += capture_text([&](std::FILE* out) { render_checks(report_, style, out); });
    }
    body_ += R"(<g class="report">)"
             "\n";
    std::size_t from = 0;
    while (from < words.size()) {
      std::size_t end = words.find('\n', from);
      if (end == std::string::npos) {
        end = words.size();
      }
      y_ += kLineHeight;
      const std::string_view line = std::string_view(words).substr(from, end - from);
      const bool failed =
          line.substr(std::min(line.find_first_not_of(' '), line.size())).starts_with("FAIL");
      text(kMargin, y_, keep_spaces(line), failed ? R"(fill="#c92a2a")" : "");
      from = end + 1;
    }
    body_ += "</g>\n";
  }

  const ScenarioReport& report_;
  SpanIndex spans_;
  std::vector<Timeline::TaskSummary> summaries_;
  Nanos end_ns_;
  Nanos total_ns_;
  std::vector<std::optional<TaskId>> rows_;
  std::vector<std::vector<LaneNote>> notes_;  // of each lane, in the order of the lanes
  double chart_x_ = 0;
  double chart_width_ = 0;
  int y_ = 0;  // the baseline of what was drawn last
  std::string body_;
  std::array<bool, kLookCount> used_{};
  std::array<bool, 2> used_marks_{};
  bool used_note_ = false;
};

}  // namespace

void render_svg(const ScenarioReport& report, std::FILE* out) {
  fmt::print(out, "{}", Picture(report).draw());
}

}  // namespace asyncdemo
