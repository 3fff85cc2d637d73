// --trace FILE (DESIGN.md §3): Chrome Trace Event Format, for Perfetto UI or
// chrome://tracing. Tasks share one real thread, so each task gets its own
// lane (tid = task id + 1) named by a thread_name metadata event.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/render.hpp"
#include "cli/render_json_text.hpp"
#include "cli/render_spans.hpp"

namespace asyncdemo {

namespace {

constexpr int kProcessId = 1;

// Trace times are microseconds; fractions keep nanosecond detail.
std::string micros(Nanos t_ns) { return json_number(static_cast<double>(t_ns) / 1e3); }

class TraceWriter {
 public:
  TraceWriter(const ScenarioReport& report, std::FILE* out)
      : report_(report), out_(out), abandoned_lane_base_(report.timeline.tasks().size() + 1) {}

  void write_all() {
    fmt::print(out_, R"({{"displayTimeUnit":"ms","traceEvents":[)");
    write_metadata(0, "process_name", json_string("asyncdemo " + report_.scenario));
    write_lanes();
    write_instants();
    fmt::print(out_, "\n]}}\n");
    std::fflush(out_);
  }

 private:
  void write_lanes() {
    const SpanIndex index(report_.timeline);
    const Nanos end_ns = report_end_ns(report_);
    const auto& tasks = report_.timeline.tasks();
    for (TaskId id = 0; id < tasks.size(); ++id) {
      name_lane(lane_of(id), tasks[id].name, id);
      bool named_abandoned_lane = false;
      for (const Span& span : index.spans(id, end_ns)) {
        // A cancelled task's thread (or child process) work runs on past the
        // task's own spans and overlaps them; slices in one lane must nest, so
        // that work gets a lane of its own, named after the task.
        const bool abandoned = span.state == SpanState::thread_abandoned;
        if (abandoned && !named_abandoned_lane) {
          const std::string_view where = span.wait == WaitKind::process ? "process" : "thread";
          name_lane(abandoned_lane_of(id), fmt::format("{} ({})", tasks[id].name, where), id);
          named_abandoned_lane = true;
        }
        write_span(span, abandoned ? abandoned_lane_of(id) : lane_of(id));
      }
    }
  }

  // Endings and notes as instant markers on their task's lane.
  void write_instants() {
    const Timeline& timeline = report_.timeline;
    for (const Event& event : timeline.events()) {
      if (ends_task(event.kind)) {
        write_instant(event, "{}");
      } else if (event.kind == EventKind::note) {
        write_instant(event,
                      fmt::format(R"({{"text":{}}})", json_string(timeline.note(event.note))));
      }
    }
  }

  void name_lane(std::size_t lane, std::string_view name, TaskId id) {
    write_metadata(lane, "thread_name", json_string(name));
    write_metadata(lane, "thread_sort_index", std::to_string(id), "sort_index");
  }

  void write_metadata(std::size_t lane, std::string_view what, const std::string& value,
                      std::string_view key = "name") {
    next();
    fmt::print(out_, R"({{"ph":"M","name":"{}","pid":{},"tid":{},"args":{{"{}":{}}}}})", what,
               kProcessId, lane, key, value);
  }

  void write_span(const Span& span, std::size_t lane) {
    next();
    fmt::print(out_, R"({{"ph":"X","name":"{}","cat":"{}","pid":{},"tid":{},"ts":{},"dur":{}}})",
               span_name(span), to_string(span.wait), kProcessId, lane, micros(span.from_ns),
               micros(span.to_ns - span.from_ns));
  }

  void write_instant(const Event& event, const std::string& args) {
    next();
    fmt::print(out_, R"({{"ph":"i","s":"t","name":"{}","pid":{},"tid":{},"ts":{},"args":{}}})",
               event_name(event), kProcessId, lane_of(event.task), micros(event.t_ns), args);
  }

  // One trace event per line, comma-separated.
  void next() {
    fmt::print(out_, "{}", first_ ? "\n" : ",\n");
    first_ = false;
  }

  static std::size_t lane_of(TaskId id) { return std::size_t{id} + 1; }
  [[nodiscard]] std::size_t abandoned_lane_of(TaskId id) const { return abandoned_lane_base_ + id; }

  const ScenarioReport& report_;
  std::FILE* out_;
  std::size_t abandoned_lane_base_;  // lanes past every task's own
  bool first_ = true;
};

}  // namespace

void render_trace(const ScenarioReport& report, std::FILE* out) {
  TraceWriter writer(report, out);
  writer.write_all();
}

}  // namespace asyncdemo
