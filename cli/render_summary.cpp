#include "cli/render_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cli/render_format.hpp"
#include "cli/render_spans.hpp"
#include "scenarios/kit.hpp"

namespace asyncdemo {

namespace {

constexpr std::size_t kLabelColumns = 16;  // the longest label: "completion order"
constexpr std::size_t kMaxClaimColumns = 48;

// A sentence about a large run can list every task; the text keeps its start.
std::vector<std::string> wrapped_prose(std::string_view text, const TextStyle& style,
                                       std::string_view indent) {
  constexpr std::size_t kMaxLines = 4;
  auto lines = wrap(text, prose_width(style.width), indent);
  if (lines.size() > kMaxLines) {
    lines.resize(kMaxLines);
    lines.back() += " ...";
  }
  return lines;
}

// `  label             value`, the value wrapped under itself when long (its
// later lines `hang` columns further in, under the text of a numbered item).
void print_figure(std::FILE* out, std::string_view label, std::string_view value,
                  const TextStyle& style, std::size_t hang = 0) {
  const std::string indent(2 + kLabelColumns + 2 + hang, ' ');
  auto lines = wrapped_prose(value, style, indent);
  lines.front().replace(0, indent.size(), fmt::format("  {:<{}}  ", label, kLabelColumns));
  for (const std::string& line : lines) {
    fmt::print(out, "{}\n", line);
  }
}

void print_timing(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  const Summary& s = report.summary;
  print_figure(out, "elapsed", format_fixed_seconds(report.elapsed_s), style);
  // A figure that does not apply to the run is NaN (see Summary).
  if (std::isfinite(s.sequential_s)) {
    print_figure(out, "sequential",
                 format_fixed_seconds(s.sequential_s) + "  (the same work, one task after another)",
                 style);
  }
  if (std::isfinite(s.speedup)) {
    print_figure(out, "speedup", format_ratio(s.speedup), style);
  }
  if (std::isfinite(s.ideal_s)) {
    print_figure(out, "ideal",
                 fmt::format("{}  (overhead {})", format_fixed_seconds(s.ideal_s),
                             format_fixed_seconds(s.overhead_s)),
                 style);
  }
  print_figure(out, "max in flight", kit::count_of(s.max_in_flight, "task"), style);
  const std::string by =
      s.max_loop_stall_task.empty() ? std::string() : ", " + s.max_loop_stall_task + "'s";
  print_figure(out, "worst loop stall",
               fmt::format("{}  (the longest one step held the loop{})",
                           format_fixed_seconds(s.max_loop_stall_s), by),
               style);
}

void print_lessons(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  if (!report.comparisons.empty() || !report.takeaways.empty()) {
    fmt::print(out, "\n");
  }
  for (const std::string& comparison : report.comparisons) {
    for (const std::string& line : wrapped_prose(comparison, style, "  ")) {
      fmt::print(out, "{}\n", paint(line, Ansi::bold, style.color));
    }
  }
  for (const std::string& takeaway : report.takeaways) {
    auto lines = wrapped_prose(takeaway, style, "    ");
    lines.front().replace(0, 4, "  - ");
    for (const std::string& line : lines) {
      fmt::print(out, "{}\n", line);
    }
  }
}

bool is_compound(const Json& value) { return value.is_object() || value.is_array(); }

// A figure named `*_s` holds seconds; shown as a duration under its plain name
// (`latency=1.35ms`, not `latency_s=0.001353577`).
bool holds_seconds(std::string_view key, const Json& value) {
  return key.size() > 2 && key.ends_with("_s") && value.is_number();
}

bool is_blank(const Json& value) {
  return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
         (value.is_array() && value.empty());
}

// A structured result reads like the parameters in the header, `name=localhost status=FOUND
// latency=1.35ms`; fields with nothing in them are left out.
std::string result_text(const Json& result) {
  if (!result.is_object()) {
    return format_param_value(result);
  }
  std::string text;
  for (const auto& [key, value] : result.items()) {
    if (is_blank(value)) {
      continue;
    }
    const std::string field = holds_seconds(key, value)
                                  ? fmt::format("{}={}", printable(key.substr(0, key.size() - 2)),
                                                format_measured(kit::nanos(value.get<double>())))
                                  : fmt::format("{}={}", printable(key), format_param_value(value));
    text += (text.empty() ? "" : " ") + field;
  }
  return text;
}

// Which rows of `count` are shown: all of a screenful, else the first ones and the last ones
// (with a count of those between them), so that the start and the end of a big run both show.
struct ShownRows {
  std::size_t head;  // rows 0 .. head-1
  std::size_t tail;  // rows count-tail .. count-1
  [[nodiscard]] std::size_t hidden(std::size_t count) const { return count - head - tail; }
};

ShownRows shown_rows(std::size_t count) {
  if (count <= kResultsScreenful) {
    return {count, 0};
  }
  return {kResultsHead, kResultsTail};
}

std::string hidden_text(std::size_t hidden) {
  return fmt::format("... {} more (every one in --json) ...", hidden);
}

// Plain values on one line, structured ones one per line, numbered in submission order.
void print_results(const ResultList& list, const TextStyle& style, std::FILE* out) {
  const ShownRows rows = shown_rows(list.size());
  std::vector<std::size_t> indices;
  indices.reserve(rows.head + rows.tail);
  for (std::size_t i = 0; i < rows.head; ++i) {
    indices.push_back(i);
  }
  for (std::size_t i = list.size() - rows.tail; i < list.size(); ++i) {
    indices.push_back(i);
  }
  std::vector<Json> shown;
  shown.reserve(indices.size());
  for (const std::size_t i : indices) {
    shown.push_back(list[i]);
  }
  if (std::ranges::any_of(shown, is_compound)) {
    for (std::size_t k = 0; k < shown.size(); ++k) {
      if (k == rows.head && rows.tail > 0) {
        print_figure(out, "", hidden_text(rows.hidden(list.size())), style);
      }
      const std::string number = fmt::format("{}. ", indices[k] + 1);
      print_figure(out, k == 0 ? "results" : "", number + result_text(shown[k]), style,
                   number.size());
    }
    return;
  }
  std::string listed;
  for (std::size_t k = 0; k < shown.size(); ++k) {
    if (k == rows.head && rows.tail > 0) {
      listed += ", " + hidden_text(rows.hidden(list.size()));
    }
    listed += (listed.empty() ? "" : ", ") + result_text(shown[k]);
  }
  // One value has no order to speak of.
  print_figure(out, "results", list.size() == 1 ? listed : listed + " (in submission order)",
               style);
}

// The tasks the root started, in the order they ended; empty when there are many.
std::string listed_completions(const Timeline& timeline) {
  // Counted first: at a million tasks the list is not shown, and building it
  // (a summary pass and a string of every name) cost more than the run's end.
  std::size_t children = 0;
  for (TaskId id = 0; id < timeline.task_count() && children <= kSummaryMaxListed; ++id) {
    children += timeline.parent(id) != kNoParent ? 1 : 0;
  }
  if (children > kSummaryMaxListed) {
    return {};
  }
  std::string names;
  std::size_t count = 0;
  const auto summaries = timeline.summarize();
  for (const TaskId id : completion_order(timeline)) {
    const TaskInfo& task = timeline.tasks()[id];
    if (task.parent == kNoParent) {
      continue;
    }
    const TaskOutcome outcome = summaries[id].outcome;
    const std::string how =
        outcome == TaskOutcome::ok ? "" : fmt::format(" ({})", to_string(outcome));
    names += (names.empty() ? "" : ", ") + printable(task.name) + how;
    ++count;
  }
  return count <= kSummaryMaxListed ? names : std::string();
}

void print_orders(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  const bool has_results = !report.results.empty();
  const std::string completions = listed_completions(report.timeline);
  if (has_results || !completions.empty()) {
    fmt::print(out, "\n");
  }
  if (has_results) {
    print_results(report.results, style, out);
  }
  if (!completions.empty()) {
    print_figure(out, "completion order", completions, style);
  }
}

}  // namespace

std::string measured_text(const Claim& claim) {
  if (claim.unit == "s") {
    return format_fixed_seconds(claim.measured);
  }
  if (claim.unit == "x") {
    return format_ratio(claim.measured);
  }
  return claim.unit.empty() ? fmt::format("{:g}", claim.measured)
                            : fmt::format("{:g} {}", claim.measured, printable(claim.unit));
}

void render_summary(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  fmt::print(out, "{}\n", paint("summary", Ansi::bold, style.color));
  if (report.interrupted) {
    fmt::print(out, "  {}\n",
               paint(fmt::format("interrupted ({}): the run was cut short, so the record is "
                                 "partial",
                                 interruption_name(report.interrupt_signal)),
                     Ansi::yellow, style.color));
  }
  if (!report.error.empty()) {
    // The run's own failure, not its lesson: first, and whole (wrapped, never cut short).
    const std::string text =
        fmt::format("failed: {}; an error, not the lesson, so no claim is judged", report.error);
    for (const std::string& line : wrap(text, prose_width(style.width), "  ")) {
      fmt::print(out, "{}\n", paint(line, Ansi::red, style.color));
    }
  }
  print_timing(report, style, out);
  print_lessons(report, style, out);
  print_orders(report, style, out);
}

void render_checks(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  fmt::print(out, "{}\n", paint("checks", Ansi::bold, style.color));
  std::size_t name_columns = 0;
  for (const Claim& claim : report.checks) {
    name_columns = std::max(name_columns, std::min(display_width(claim.name), kMaxClaimColumns));
  }
  for (const Claim& claim : report.checks) {
    const std::string verdict = claim.passed ? paint("PASS", Ansi::green, style.color)
                                             : paint("FAIL", Ansi::red, style.color);
    fmt::print(out, "  {}  {}  measured {} (expected {})\n", verdict,
               pad(printable(claim.name), name_columns), measured_text(claim),
               printable(claim.expected));
  }
  const auto held = std::count_if(report.checks.begin(), report.checks.end(),
                                  [](const Claim& claim) { return claim.passed; });
  fmt::print(out, "  {} of {} held\n", held, kit::count_of(report.checks.size(), "claim"));
}

}  // namespace asyncdemo
