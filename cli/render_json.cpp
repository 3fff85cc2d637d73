// --json (DESIGN.md §3): one document, schema "asyncdemo/1", described by
// schema/asyncdemo-1.schema.json. Streamed: one line per task and per event,
// so a million-task run is never held as one JSON tree.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/render.hpp"
#include "cli/render_format.hpp"
#include "cli/render_json_text.hpp"
#include "cli/render_spans.hpp"
#include "core/thread_pool.hpp"

namespace asyncdemo {

namespace {

std::string_view clock_name(ClockKind clock) {
  return clock == ClockKind::virtual_time ? "virtual" : "real";
}

std::string seconds(Nanos t_ns) { return json_number(to_seconds(t_ns)); }

// Summaries mark a time that never came (a task never started or never ended) as -1.
std::string seconds_or_null(Nanos t_ns) { return t_ns < 0 ? "null" : seconds(t_ns); }

std::string parent_json(TaskId parent) {
  return parent == kNoParent ? "null" : std::to_string(parent);
}

std::string spans_json(const std::vector<Span>& spans) {
  std::string text = "[";
  for (const Span& span : spans) {
    text += fmt::format(R"({}{{"state":"{}","from_s":{},"to_s":{}}})", text.size() > 1 ? "," : "",
                        span_name(span), seconds(span.from_ns), seconds(span.to_ns));
  }
  return text + "]";
}

// {"threads":6,"source":"asyncio-default","cpus":2}; cpus is null unless the size came from it.
std::string thread_pool_json(const ThreadPoolSize& pool) {
  return fmt::format(
      R"({{"threads":{},"source":"{}","cpus":{}}})", pool.threads, to_string(pool.source),
      pool.source == ThreadPoolSource::asyncio_default ? std::to_string(pool.cpus) : "null");
}

void write_opening(const ScenarioReport& report, std::FILE* out) {
  fmt::print(out,
             R"({{"schema":"asyncdemo/1","scenario":{},"lesson":{},"params":{},"clock":"{}",)"
             R"("thread_pool":{},)"
             R"("elapsed_s":{},"interrupted":{},"interrupted_by":{},"error":{},)"
             "\n",
             json_string(report.scenario), json_string(report.lesson), json_text(report.params),
             clock_name(report.clock), thread_pool_json(report.thread_pool),
             json_number(report.elapsed_s), report.interrupted,
             report.interrupted ? json_string(signal_name(report.interrupt_signal)) : "null",
             report.error.empty() ? "null" : json_string(report.error));
}

void write_tasks(const ScenarioReport& report, std::FILE* out) {
  const Timeline& timeline = report.timeline;
  const SpanIndex index(timeline);
  const auto summaries = timeline.summarize();
  const Nanos end_ns = report_end_ns(report);
  fmt::print(out, R"("tasks":[)");
  for (TaskId id = 0; id < timeline.tasks().size(); ++id) {
    const TaskInfo& task = timeline.tasks()[id];
    const Timeline::TaskSummary& summary = summaries[id];
    fmt::print(out,
               R"({}{{"id":{},"name":{},"parent":{},"start_s":{},"end_s":{},"outcome":"{}",)"
               R"("spans":{}}})",
               id == 0 ? "\n" : ",\n", id, json_string(task.name), parent_json(task.parent),
               seconds_or_null(summary.start_ns), seconds_or_null(summary.end_ns),
               to_string(summary.outcome), spans_json(index.spans(id, end_ns)));
  }
  fmt::print(out, "\n],\n");
}

void write_events(const Timeline& timeline, std::FILE* out) {
  fmt::print(out, R"("events":[)");
  bool first = true;
  for (const Event& event : timeline.events()) {
    const std::string detail = event_detail(event, timeline);
    fmt::print(out, R"({}{{"t_s":{},"task":{},"kind":"{}"{}}})", first ? "\n" : ",\n",
               seconds(event.t_ns), event.task, event_name(event),
               detail.empty() ? "" : R"(,"detail":)" + json_string(detail));
    first = false;
  }
  fmt::print(out, "\n],\n");
}

std::string summary_json(const Summary& s) {
  return fmt::format(
      R"({{"sequential_s":{},"ideal_s":{},"speedup":{},"overhead_s":{},"max_in_flight":{},)"
      R"("max_loop_stall_s":{},"max_loop_stall_task":{}}})",
      json_number(s.sequential_s), json_number(s.ideal_s), json_number(s.speedup),
      json_number(s.overhead_s), s.max_in_flight, json_number(s.max_loop_stall_s),
      s.max_loop_stall_task.empty() ? "null" : json_string(s.max_loop_stall_task));
}

// Claims are few, so nlohmann builds them.
std::string checks_json(const std::vector<Claim>& checks) {
  Json array = Json::array();
  for (const Claim& claim : checks) {
    array.push_back({{"name", claim.name},
                     {"passed", claim.passed},
                     {"measured", claim.measured},  // NaN and infinity become null
                     {"unit", claim.unit},
                     {"expected", claim.expected}});
  }
  return json_text(array);
}

// One value at a time: a million results never become one string.
void write_results(const ResultList& results, std::FILE* out) {
  fmt::print(out, "\"results\":[");
  for (std::size_t i = 0; i < results.size(); ++i) {
    fmt::print(out, "{}{}", i == 0 ? "" : ",", json_text(results[i]));
  }
  fmt::print(out, "],\n");
}

// `repeat`: the document's last member, or nothing (a single run's document).
void write_closing(const ScenarioReport& report, bool with_checks, std::string_view repeat,
                   std::FILE* out) {
  write_results(report.results, out);
  fmt::print(out, "\"summary\":{},\n\"figures\":{},\n", summary_json(report.summary),
             json_text(report.figures));
  fmt::print(out, "\"comparisons\":{},\n\"takeaways\":{},\n\"checks\":{}{}}}\n",
             json_text(Json(report.comparisons)), json_text(Json(report.takeaways)),
             checks_json(with_checks ? report.checks : std::vector<Claim>{}), repeat);
}

// {"elapsed_s":{"count":5,"median":0.051,...},...}
Json stats_json(const std::vector<FigureStats>& all) {
  Json object = Json::object();
  for (const FigureStats& stats : all) {
    object[stats.name] = {{"count", stats.count},
                          {"median", stats.median},
                          {"min", stats.min},
                          {"max", stats.max},
                          {"spread", stats.spread}};
  }
  return object;
}

Json claims_json(const std::vector<ClaimTally>& tallies) {
  Json array = Json::array();
  for (const ClaimTally& tally : tallies) {
    array.push_back({{"name", tally.name},
                     {"held", tally.held},
                     {"judged", tally.judged},
                     {"failed_runs", tally.failed_runs},
                     {"worst_measured", tally.worst_measured},
                     {"worst_run", tally.worst_run},
                     {"unit", tally.unit},
                     {"expected", tally.expected}});
  }
  return array;
}

// One run of the series: its figures and claims, as the top level has them for the last.
std::string run_json(const RunRecord& run, bool with_checks) {
  return fmt::format(R"({{"run":{},"elapsed_s":{},"interrupted":{},"interrupted_by":{},"error":{},)"
                     R"("summary":{},"figures":{},"checks":{}}})",
                     run.number, json_number(run.elapsed_s), run.interrupted,
                     run.interrupted ? json_string(signal_name(run.interrupt_signal)) : "null",
                     run.error.empty() ? "null" : json_string(run.error), summary_json(run.summary),
                     json_text(run.figures),
                     checks_json(with_checks ? run.checks : std::vector<Claim>{}));
}

// `,\n"repeat":{...}` for --repeat N (N > 1), else nothing.
std::string repeat_json(const RunSeries& runs, bool with_checks) {
  if (!runs.repeated()) {
    return {};
  }
  std::string each;
  for (const RunRecord& run : runs.runs()) {
    each += fmt::format("{}{}", each.empty() ? "\n" : ",\n", run_json(run, with_checks));
  }
  return fmt::format(
      ",\n\"repeat\":{{\"requested\":{},\"ran\":{},\"completed\":{},\"note\":{},"
      "\n\"summary\":{},\n\"figures\":{},\n\"claims\":{},\n\"runs\":[{}\n]}}",
      runs.requested(), runs.runs().size(), runs.completed(),
      runs.ran_once_on_virtual_clock() ? json_string(kVirtualRanOnce) : "null",
      json_text(stats_json(runs.summary_stats())),
      json_text(stats_json(runs.scenario_figure_stats())),
      json_text(with_checks ? claims_json(runs.claim_tallies()) : Json::array()), each);
}

void write_document(const ScenarioReport& report, bool with_checks, std::string_view repeat,
                    std::FILE* out) {
  write_opening(report, out);
  write_tasks(report, out);
  write_events(report.timeline, out);
  write_closing(report, with_checks, repeat, out);
  std::fflush(out);
}

}  // namespace

void render_json(const ScenarioReport& report, bool with_checks, std::FILE* out) {
  write_document(report, with_checks, "", out);
}

void render_json(const RunSeries& runs, bool with_checks, std::FILE* out) {
  write_document(runs.last(), with_checks, repeat_json(runs, with_checks), out);
}

}  // namespace asyncdemo
