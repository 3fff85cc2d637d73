// --trace: Chrome Trace Event Format, one named lane per task.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/render.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

using testing::at;
using testing::capture;
using testing::gather_report;

nlohmann::json trace_of(const ScenarioReport& report) {
  return nlohmann::json::parse(capture([&](std::FILE* out) { render_trace(report, out); }));
}

std::vector<nlohmann::json> events_where(const nlohmann::json& trace, const std::string& ph,
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
  TEST_CASE("the trace names one lane per task, its tid the task id plus one") {
    const auto trace = trace_of(gather_report({1, 2, 3}));
    CHECK(trace["displayTimeUnit"] == "ms");
    const auto names = events_where(trace, "M", "thread_name");
    REQUIRE(names.size() == 4);
    for (std::size_t id = 0; id < names.size(); ++id) {
      CHECK(names[id]["pid"] == 1);
      CHECK(names[id]["tid"] == id + 1);
    }
    CHECK(names[0]["args"]["name"] == "main");
    CHECK(names[3]["args"]["name"] == "task-3");
  }

  TEST_CASE("spans are complete events with ts and dur in microseconds") {
    const auto trace = trace_of(gather_report({1, 2.5}));
    const auto sleeps = events_where(trace, "X", "sleeping");
    REQUIRE(sleeps.size() == 2);
    CHECK(sleeps[1]["tid"] == 3);
    CHECK(sleeps[1]["cat"] == "sleep");
    CHECK(sleeps[1]["ts"] == 0);
    CHECK(sleeps[1]["dur"] == 2'500'000);
    CHECK(events_where(trace, "X", "awaiting").at(0)["cat"] == "child");
  }

  TEST_CASE("endings are instant events on their task's lane") {
    const auto trace = trace_of(gather_report({1, 2}));
    const auto done = events_where(trace, "i", "done");
    REQUIRE(done.size() == 3);
    CHECK(done[0]["tid"] == 2);
    CHECK(done[0]["ts"] == 1'000'000);
    CHECK(done[0]["s"] == "t");
  }

  TEST_CASE("thread work left running after a cancel gets a lane of its own") {
    ScenarioReport report;
    report.elapsed_s = 5;
    Timeline& t = report.timeline;
    const TaskId task = t.add_task("crunch", kNoParent);
    at(t, 0, task, EventKind::started);
    at(t, 0, task, EventKind::suspended, WaitKind::thread);
    at(t, 0, task, EventKind::thread_started);
    at(t, 1, task, EventKind::resumed);
    at(t, 1, task, EventKind::cancelled);
    at(t, 5, task, EventKind::thread_finished);
    const auto trace = trace_of(report);
    const auto names = events_where(trace, "M", "thread_name");
    REQUIRE(names.size() == 2);
    CHECK(names[1]["args"]["name"] == "crunch (thread)");
    const auto abandoned = events_where(trace, "X", "thread_abandoned");
    REQUIRE(abandoned.size() == 1);
    CHECK(abandoned[0]["tid"] == names[1]["tid"]);
    CHECK(abandoned[0]["ts"] == 1'000'000);
    CHECK(abandoned[0]["dur"] == 4'000'000);
    CHECK(events_where(trace, "X", "thread").at(0)["tid"] == 1);
  }

  TEST_CASE("a task name with quotes and newlines stays valid in the trace") {
    ScenarioReport report = gather_report({1});
    report.timeline.add_task("a \"b\"\nc", 0);
    const auto names = events_where(trace_of(report), "M", "thread_name");
    REQUIRE(names.size() == 3);
    CHECK(names[2]["args"]["name"] == "a \"b\"\nc");
  }
}

}  // namespace
}  // namespace asyncdemo
