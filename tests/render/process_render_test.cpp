// Work in a child process (to_process) as every renderer shows it: "process" where thread
// work would say "thread", in the chart, the live log, the JSON document and the trace.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/render.hpp"
#include "tests/e2e/valid_against_schema.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

using testing::at;
using testing::capture;
using testing::lines_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Over 10 s: "child" runs 1-4 s in a child process and gets its result; "left" is cancelled
// at 2 s while its child runs on to 6 s; "queued" is cancelled at 1 s before its child started.
void record_process_work(Timeline& t) {
  const TaskId child = t.add_task("child", kNoParent);
  at(t, 0, child, EventKind::started);
  at(t, 0, child, EventKind::suspended, WaitKind::process);
  at(t, 1, child, EventKind::thread_started, WaitKind::process);
  at(t, 4, child, EventKind::thread_finished, WaitKind::process);
  at(t, 4, child, EventKind::resumed);
  at(t, 5, child, EventKind::done);
  const TaskId left = t.add_task("left", kNoParent);
  at(t, 0, left, EventKind::started);
  at(t, 0, left, EventKind::suspended, WaitKind::process);
  at(t, 0, left, EventKind::thread_started, WaitKind::process);
  at(t, 2, left, EventKind::resumed);  // the cancel arrives; the child runs on
  at(t, 2, left, EventKind::cancelled);
  at(t, 6, left, EventKind::thread_finished, WaitKind::process);
  const TaskId queued = t.add_task("queued", kNoParent);
  at(t, 0, queued, EventKind::started);
  at(t, 0, queued, EventKind::suspended, WaitKind::process);
  at(t, 1, queued, EventKind::thread_dropped, WaitKind::process);
  at(t, 1, queued, EventKind::resumed);
  at(t, 1, queued, EventKind::cancelled);
  t.finish();
}

ScenarioReport process_report() {
  ScenarioReport report;
  report.scenario = "processes";
  report.elapsed_s = 10;
  record_process_work(report.timeline);
  return report;
}

// The chart row of the task called `name` (the first word of a row), without the name.
std::string row_of(const std::string& text, const std::string& name) {
  for (const std::string& line : lines_of(text)) {
    if (line.starts_with(name + " ")) {
      return line.substr(line.find_first_not_of(' ', name.size()));
    }
  }
  return "(no row)";
}

std::vector<nlohmann::json> trace_events(const nlohmann::json& trace, const std::string& ph,
                                         const std::string& name) {
  std::vector<nlohmann::json> found;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] == ph && event["name"] == name) {
      found.push_back(event);
    }
  }
  return found;
}

TEST_SUITE("render") {
  TEST_CASE("the chart draws work in a child process apart from thread work, with its legend") {
    TextStyle style;
    style.width = 6 + 3 + 10;  // 10 chart columns over 10 s: column k is the second [k, k+1)
    const std::string body =
        capture([&](std::FILE* out) { render_body(process_report(), style, false, out); });
    CHECK(row_of(body, "child") == "-PPP#");
    CHECK(row_of(body, "left") == "PPc%%%");
    CHECK(row_of(body, "queued") == "-c");
    CHECK(contains(body, "P in a child process"));
    CHECK(contains(body, "% child process left running"));
    CHECK_FALSE(contains(body, "on a thread"));
  }

  TEST_CASE("the live log says process-start, process-end and process-drop for a child's work") {
    const auto lines = lines_of(capture([](std::FILE* out) {
      LiveLog log(TextStyle{}, out);
      Timeline timeline;
      timeline.set_sink(log.sink());
      record_process_work(timeline);
      log.finish();
    }));
    std::vector<std::string> work;
    for (const std::string& line : lines) {
      if (contains(line, "process-") || contains(line, "thread-")) {
        work.push_back(line);
      }
    }
    CHECK(work == std::vector<std::string>{
                      "[+1.000s] child   process-start", "[+4.000s] child   process-end",
                      "[+0.000s] left    process-start", "[+6.000s] left    process-end",
                      "[+1.000s] queued  process-drop"});
  }

  TEST_CASE("the JSON document names a child's spans and events process, and fits the schema") {
    const std::string document =
        capture([](std::FILE* out) { render_json(process_report(), false, out); });
    const auto json = nlohmann::json::parse(document);
    std::vector<std::string> left_states;
    for (const auto& span : json["tasks"][1]["spans"]) {
      left_states.push_back(span["state"]);
    }
    CHECK(left_states == std::vector<std::string>{"process", "process_abandoned"});
    std::vector<std::string> kinds;
    for (const auto& event : json["events"]) {
      kinds.push_back(event["kind"]);
    }
    CHECK(std::count(kinds.begin(), kinds.end(), "process-start") == 2);
    CHECK(std::count(kinds.begin(), kinds.end(), "process-end") == 2);
    CHECK(std::count(kinds.begin(), kinds.end(), "process-drop") == 1);
    CHECK(std::count(kinds.begin(), kinds.end(), "thread-start") == 0);
    CHECK(json["events"][1]["detail"] == "process");  // child's await
    CHECK(test::valid_against_schema(document));
  }

  TEST_CASE("the trace names a child's slices process, and its abandoned lane after the task") {
    const auto trace =
        nlohmann::json::parse(capture([](std::FILE* out) { render_trace(process_report(), out); }));
    const auto slices = trace_events(trace, "X", "process");
    REQUIRE(slices.size() == 2);
    CHECK(slices[0]["cat"] == "process");
    const auto abandoned = trace_events(trace, "X", "process_abandoned");
    REQUIRE(abandoned.size() == 1);
    bool lane_named = false;
    for (const auto& name : trace_events(trace, "M", "thread_name")) {
      if (name["args"]["name"] == "left (process)") {
        lane_named = true;
        CHECK(name["tid"] == abandoned[0]["tid"]);
      }
    }
    CHECK(lane_named);
    CHECK(trace_events(trace, "X", "thread").empty());
  }
}

}  // namespace
}  // namespace asyncdemo
