#include "cli/render_gantt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "cli/render_format.hpp"
#include "cli/render_look.hpp"
#include "cli/render_spans.hpp"
#include "cli/render_ticks.hpp"

namespace asyncdemo {

namespace {

constexpr std::size_t kMaxNameColumns = 16;
constexpr int kMinBarColumns = 10;
constexpr int kMaxBarColumns = 1000;  // a wider chart would only cost memory
constexpr int kColumnsPerTick = 10;

/// One character of a row; an empty look is blank.
using Cell = std::optional<Look>;

/// The shared time axis: `columns` cells over [0, total_ns).
class Axis {
 public:
  Axis(Nanos total_ns, int columns)
      : total_ns_(std::max(total_ns, kShortestAxisNs)), columns_(columns) {}

  [[nodiscard]] int columns() const { return columns_; }
  [[nodiscard]] Nanos total_ns() const { return total_ns_; }
  [[nodiscard]] Nanos column_ns() const { return total_ns_ / columns_; }
  /// Where `t_ns` falls, unclamped: `columns()` is the right edge of the axis.
  [[nodiscard]] int position(Nanos t_ns) const {
    return static_cast<int>(t_ns * columns_ / total_ns_);
  }
  /// The cell holding the instant `t_ns`.
  [[nodiscard]] int column(Nanos t_ns) const { return std::clamp(position(t_ns), 0, columns_ - 1); }
  /// The last cell a stretch [from, to) touches; an instant touches its own.
  [[nodiscard]] int last_column(Nanos from_ns, Nanos to_ns) const {
    return column(to_ns > from_ns ? to_ns - 1 : from_ns);
  }
  [[nodiscard]] Nanos column_start(int column) const { return column * total_ns_ / columns_; }

 private:
  Nanos total_ns_;
  int columns_;
};

// ---- rows ----------------------------------------------------------------------------------

using Coverage = std::vector<std::array<Nanos, kLookCount>>;

// Each column shows the state that filled most of it. The +1 makes an instant
// (a zero-length step, a task failing at once) still claim its column when
// nothing longer is there.
void add_coverage(const Span& span, const Axis& axis, Coverage& coverage) {
  const std::size_t state = look_index(span);
  const int last = axis.last_column(span.from_ns, span.to_ns);
  for (int c = axis.column(span.from_ns); c <= last; ++c) {
    const Nanos from = std::max(span.from_ns, axis.column_start(c));
    const Nanos to = std::min(span.to_ns, axis.column_start(c + 1));
    coverage[c][state] += std::max<Nanos>(to - from, 0) + 1;
  }
}

Cell dominant_state(const std::array<Nanos, kLookCount>& column) {
  const auto* most = std::ranges::max_element(column);
  if (*most == 0) {
    return std::nullopt;
  }
  return look_at(static_cast<std::size_t>(most - column.begin()));
}

std::vector<Cell> task_cells(const std::vector<Span>& spans, const Timeline::TaskSummary& summary,
                             const Axis& axis) {
  Coverage coverage(axis.columns(), std::array<Nanos, kLookCount>{});
  for (const Span& span : spans) {
    add_coverage(span, axis, coverage);
  }
  std::vector<Cell> cells(axis.columns());
  std::ranges::transform(coverage, cells.begin(), dominant_state);
  if (const auto mark = end_mark(summary.outcome); mark && summary.end_ns >= 0) {
    cells[axis.column(summary.end_ns)] = mark;
  }
  return cells;
}

bool same_look(const Cell& a, const Cell& b) {
  return a.has_value() == b.has_value() && (!a || a->glyph == b->glyph);
}

// Runs of one look are painted together: one escape sequence per run, not per cell.
std::string draw(const std::vector<Cell>& cells, bool color) {
  std::string line;
  for (auto run = cells.begin(); run != cells.end();) {
    const auto run_end =
        std::find_if_not(run, cells.end(), [&](const Cell& cell) { return same_look(cell, *run); });
    const auto length = static_cast<std::size_t>(run_end - run);
    if (const Cell& cell = *run; cell.has_value()) {
      line += paint(std::string(length, cell->glyph), cell->colour, color);
    } else {
      line.append(length, ' ');
    }
    run = run_end;
  }
  // Trailing blanks after a task ended carry nothing.
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

// ---- the axis ------------------------------------------------------------------------------

struct AxisLines {
  std::string labels;
  std::string ticks;
};

AxisLines axis_lines(const Axis& axis, int room) {
  const Nanos step = tick_step(axis.total_ns(), axis.columns() / kColumnsPerTick);
  AxisLines lines{std::string(room, ' '), std::string(axis.columns(), '-')};
  int free_from = 0;  // labels never touch: one blank at least between two
  for (Nanos t = 0; t <= axis.total_ns(); t += step) {
    const int at = axis.position(t);
    lines.ticks.resize(std::max<std::size_t>(lines.ticks.size(), at + 1), '-');
    lines.ticks[at] = '|';
    const std::string label = tick_label(t, step);
    const int start = std::min(at, room - static_cast<int>(label.size()));
    if (start >= free_from) {
      lines.labels.replace(start, label.size(), label);
      free_from = start + static_cast<int>(label.size()) + 1;
    }
  }
  lines.labels.erase(lines.labels.find_last_not_of(' ') + 1);
  return lines;
}

// ---- the chart -----------------------------------------------------------------------------

class Chart {
 public:
  Chart(const ScenarioReport& report, const TextStyle& style, std::FILE* out)
      : report_(report),
        style_(style),
        out_(out),
        spans_(report.timeline),
        summaries_(report.timeline.summarize()),
        end_ns_(report_end_ns(report)),
        name_columns_(name_columns()),
        axis_(end_ns_, std::clamp(style.width - static_cast<int>(name_columns_) - 3, kMinBarColumns,
                                  kMaxBarColumns)) {}

  void draw_all() {
    if (report_.timeline.tasks().empty()) {
      return;
    }
    print_heading();
    const std::size_t count = report_.timeline.tasks().size();
    if (count <= kGanttMaxFullRows) {
      print_rows(0, count);
    } else {
      print_rows(0, kGanttHeadRows);
      print_line(pad("...", name_columns_),
                 fmt::format("{} more tasks", count - kGanttHeadRows - kGanttTailRows));
      print_rows(count - kGanttTailRows, count);
      print_density();
    }
    print_legend();
  }

 private:
  [[nodiscard]] std::size_t name_columns() const {
    std::size_t widest = 0;
    const auto& tasks = report_.timeline.tasks();
    const std::size_t count = tasks.size();
    for (std::size_t id = 0; id < count; ++id) {
      if (count <= kGanttMaxFullRows || id < kGanttHeadRows || id >= count - kGanttTailRows) {
        widest = std::max(widest, display_width(printable(tasks[id].name)));
      }
    }
    constexpr std::size_t kDensityLabel = 5;  // "alive"
    return std::clamp(widest, kDensityLabel, kMaxNameColumns);
  }

  void print_heading() {
    fmt::print(out_, "{}  (one column = {})\n", paint("timeline", Ansi::bold, style_.color),
               format_measured(axis_.column_ns()));
    const AxisLines lines = axis_lines(axis_, axis_.columns() + 1);
    print_line(std::string(name_columns_, ' '), lines.labels);
    print_line(std::string(name_columns_, ' '), lines.ticks);
  }

  void print_rows(std::size_t first, std::size_t last) {
    for (auto id = static_cast<TaskId>(first); id < last; ++id) {
      const auto cells = task_cells(spans_.spans(id, end_ns_), summaries_[id], axis_);
      note_used(cells);
      print_line(pad(fit(report_.timeline.tasks()[id].name, name_columns_), name_columns_),
                 draw(cells, style_.color));
    }
  }

  // Digits 1-9 scaled to the busiest column, so a million tasks fit in one row.
  void print_density() {
    const auto alive = alive_per_column(report_.timeline, summaries_, end_ns_, axis_.total_ns(),
                                        static_cast<std::size_t>(axis_.columns()));
    const std::size_t peak = std::max<std::size_t>(*std::ranges::max_element(alive), 1);
    std::string row;
    for (const std::size_t count : alive) {
      constexpr std::size_t kLevels = 9;
      row += count == 0 ? ' ' : static_cast<char>('0' + (count * kLevels + peak - 1) / peak);
    }
    row.erase(row.find_last_not_of(' ') + 1);
    print_line(pad("alive", name_columns_), row);
    print_line(std::string(name_columns_, ' '),
               fmt::format("tasks alive per column, 1-9 of the peak ({} at once)", peak));
  }

  void note_used(const std::vector<Cell>& cells) {
    for (const Cell& cell : cells) {
      if (cell) {
        used_[static_cast<unsigned char>(cell->glyph)] = true;
      }
    }
  }

  // Only the glyphs this chart drew, wrapped to the line width.
  void print_legend() {
    std::vector<Look> looks;
    looks.reserve(kLookCount + 2);
    for (std::size_t index = 0; index < kLookCount; ++index) {
      looks.push_back(look_at(index));
    }
    for (const Look& mark : end_marks()) {
      looks.push_back(mark);
    }
    std::string line = "legend:";
    std::size_t width = line.size();
    for (const Look& look : looks) {
      if (!used_[static_cast<unsigned char>(look.glyph)]) {
        continue;
      }
      const std::size_t item_width = 2 + 2 + look.meaning.size();  // "  # running"
      if (width + item_width > prose_width(style_.width)) {
        fmt::print(out_, "{}\n", line);
        line = "       ";
        width = line.size();
      }
      line += fmt::format("  {} {}", paint(std::string(1, look.glyph), look.colour, style_.color),
                          look.meaning);
      width += item_width;
    }
    fmt::print(out_, "{}\n", line);
  }

  void print_line(const std::string& name, const std::string& rest) {
    fmt::print(out_, "{}  {}\n", name, rest);
  }

  const ScenarioReport& report_;
  const TextStyle& style_;
  std::FILE* out_;
  SpanIndex spans_;
  std::vector<Timeline::TaskSummary> summaries_;
  Nanos end_ns_;
  std::size_t name_columns_;
  Axis axis_;
  std::array<bool, 256> used_{};  // glyphs drawn so far, for the legend
};

}  // namespace

void render_gantt(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  Chart chart(report, style, out);
  chart.draw_all();
}

}  // namespace asyncdemo
