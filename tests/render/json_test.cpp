// --json: the document's shape, values, escaping, and its agreement with the schema.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "cli/render.hpp"
#include "tests/render/render_kit.hpp"
#include "tests/scratch_file.hpp"

using asyncdemo::test::ScratchFile;

namespace asyncdemo {
namespace {

using testing::at;
using testing::capture;
using testing::gather_report;

std::string json_of(const ScenarioReport& report, bool with_checks = false) {
  return capture([&](std::FILE* out) { render_json(report, with_checks, out); });
}

nlohmann::json parsed(const ScenarioReport& report, bool with_checks = false) {
  return nlohmann::json::parse(json_of(report, with_checks));
}

struct Validation {
  int exit_code;
  std::string messages;
};

// Runs tools/validate_json.py, as CI and users do, with Debian's python3-jsonschema.
Validation validate(const std::string& document) {
  const ScratchFile file("render-document.json", document);
  const ScratchFile messages("render-messages.txt", "");
  const std::string source = ASYNCDEMO_SOURCE_DIR;
  const std::string command = fmt::format(
      "/usr/bin/python3 '{0}/tools/validate_json.py' '{0}/schema/asyncdemo-1.schema.json' "
      "'{1}' > '{2}' 2>&1",
      source, file.path().string(), messages.path().string());
  const int status = std::system(command.c_str());  // NOLINT(*-env33-c): a fixed command
  std::stringstream text;
  text << std::ifstream(messages.path()).rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

// A run that went wrong in every way a document can show: a failure, a
// cancellation, a task never started, one still running, a note.
ScenarioReport eventful_report() {
  ScenarioReport report = gather_report({1, 2});
  Timeline& t = report.timeline;
  const TaskId failing = t.add_task("failing", 0);
  at(t, 2, failing, EventKind::created);
  at(t, 2, failing, EventKind::started);
  t.record(testing::seconds(2), failing, EventKind::note, WaitKind::none, t.add_note("boom"));
  at(t, 2, failing, EventKind::failed);
  const TaskId never = t.add_task("never-started", 0);
  at(t, 2, never, EventKind::created);
  at(t, 2.5, never, EventKind::cancelled);
  const TaskId stuck = t.add_task("still-running", 0);
  at(t, 2, stuck, EventKind::created);
  at(t, 2, stuck, EventKind::started);
  at(t, 2, stuck, EventKind::suspended, WaitKind::dns);
  report.elapsed_s = 3;
  report.interrupted = true;
  report.interrupt_signal = SIGINT;
  report.figures = {{"blocking_s", 3.0}, {"async_s", 1.0}};
  return report;
}

TEST_SUITE("render") {
  TEST_CASE("the JSON document has every key of schema asyncdemo/1 with the run's values") {
    const auto doc = parsed(gather_report({1, 2}), true);
    for (const char* key :
         {"schema", "scenario", "lesson", "params", "clock", "thread_pool", "elapsed_s",
          "interrupted", "interrupted_by", "error", "tasks", "events", "results", "summary",
          "figures", "comparisons", "takeaways", "checks"}) {
      CHECK_MESSAGE(doc.contains(key), key);
    }
    CHECK(doc["schema"] == "asyncdemo/1");
    CHECK(doc["scenario"] == "gather");
    CHECK(doc["params"] == nlohmann::json{{"n", 2}, {"delay", "1s"}, {"on-error", "propagate"}});
    CHECK(doc["clock"] == "virtual");
    CHECK(doc["elapsed_s"] == 2.0);
    CHECK(doc["interrupted"] == false);
    CHECK(doc["interrupted_by"].is_null());
    CHECK(doc["error"].is_null());
    CHECK(doc["results"] == nlohmann::json{1, 2});
    CHECK(doc["summary"] == nlohmann::json{{"sequential_s", 3.0},
                                           {"ideal_s", 2.0},
                                           {"speedup", 1.5},
                                           {"overhead_s", 0.0},
                                           {"max_in_flight", 2},
                                           {"max_loop_stall_s", 0.0},
                                           {"max_loop_stall_task", nullptr}});
    CHECK(doc["comparisons"].size() == 1);
    CHECK(doc["takeaways"].size() == 1);
  }

  TEST_CASE("the summary names the task whose step held the loop longest") {
    ScenarioReport report = gather_report({1});
    report.summary.max_loop_stall_s = 0.5;
    report.summary.max_loop_stall_task = "inline-1";
    const auto summary = parsed(report)["summary"];
    CHECK(summary["max_loop_stall_s"] == 0.5);
    CHECK(summary["max_loop_stall_task"] == "inline-1");
  }

  TEST_CASE("the thread pool's size and where it came from, and the CPU count it came from") {
    ScenarioReport report = gather_report({1});
    report.thread_pool = {6, ThreadPoolSource::asyncio_default, 2};
    CHECK(parsed(report)["thread_pool"] ==
          nlohmann::json{{"threads", 6}, {"source", "asyncio-default"}, {"cpus", 2}});
    report.thread_pool = {8, ThreadPoolSource::environment, 0};
    CHECK(parsed(report)["thread_pool"] ==
          nlohmann::json{{"threads", 8}, {"source", "UV_THREADPOOL_SIZE"}, {"cpus", nullptr}});
    report.thread_pool = {};
    CHECK(parsed(report)["thread_pool"] ==
          nlohmann::json{{"threads", 4}, {"source", "libuv-default"}, {"cpus", nullptr}});
  }

  TEST_CASE("each task has its parent, times in seconds, outcome and spans") {
    const auto tasks = parsed(gather_report({1, 2.5}))["tasks"];
    REQUIRE(tasks.size() == 3);
    CHECK(tasks[0]["name"] == "main");
    CHECK(tasks[0]["parent"].is_null());
    const auto& second = tasks[2];
    CHECK(second["id"] == 2);
    CHECK(second["name"] == "task-2");
    CHECK(second["parent"] == 0);
    CHECK(second["start_s"] == 0.0);
    CHECK(second["end_s"] == 2.5);
    CHECK(second["outcome"] == "ok");
    const auto sleeping =
        std::find_if(second["spans"].begin(), second["spans"].end(),
                     [](const auto& span) { return span["state"] == "sleeping"; });
    REQUIRE(sleeping != second["spans"].end());
    CHECK((*sleeping)["from_s"] == 0.0);
    CHECK((*sleeping)["to_s"] == 2.5);
  }

  TEST_CASE("each event has its time, task and kind, and a detail only when there is one") {
    const auto events = parsed(gather_report({1}))["events"];
    REQUIRE(events.size() == 10);  // main and task-1: created, start, await, resume, done
    CHECK(events[0] == nlohmann::json{{"t_s", 0.0}, {"task", 0}, {"kind", "created"}});
    const auto sleep_await = std::ranges::find_if(
        events, [](const auto& e) { return e["task"] == 1 && e["kind"] == "await"; });
    REQUIRE(sleep_await != events.end());
    CHECK((*sleep_await)["detail"] == "sleep");
    CHECK(events.back() == nlohmann::json{{"t_s", 1.0}, {"task", 0}, {"kind", "done"}});
  }

  TEST_CASE("failed, cancelled, never-started and unfinished tasks are told apart") {
    const auto doc = parsed(eventful_report());
    const auto& tasks = doc["tasks"];
    REQUIRE(tasks.size() == 6);
    CHECK(tasks[3]["outcome"] == "failed");
    CHECK(tasks[4]["outcome"] == "cancelled");
    CHECK(tasks[4]["start_s"].is_null());
    CHECK(tasks[4]["end_s"] == 2.5);
    CHECK(tasks[5]["outcome"] == "running");
    CHECK(tasks[5]["end_s"].is_null());
    CHECK(tasks[5]["spans"].back()["to_s"] == 3.0);  // still open: closed at the report's end
    CHECK(doc["interrupted"] == true);
    CHECK(doc["interrupted_by"] == "SIGINT");
    CHECK(doc["figures"]["blocking_s"] == 3.0);
  }

  TEST_CASE("a run that failed says why in \"error\", and its failed task carries its note") {
    ScenarioReport report = eventful_report();
    report.interrupted = false;
    report.error = "failing: clock_nanosleep: Operation not supported";
    const auto doc = parsed(report);
    CHECK(doc["error"] == "failing: clock_nanosleep: Operation not supported");
    CHECK(doc["tasks"][3]["outcome"] == "failed");
    const auto note = std::ranges::find_if(
        doc["events"], [](const auto& e) { return e["task"] == 3 && e["kind"] == "note"; });
    REQUIRE(note != doc["events"].end());
    CHECK((*note)["detail"] == "boom");
    const Validation result = validate(json_of(report, true));
    CHECK_MESSAGE(result.exit_code == 0, result.messages);
  }

  TEST_CASE("checks are listed only when asked for") {
    CHECK(parsed(gather_report({1}))["checks"].empty());
    const auto checks = parsed(gather_report({1}), true)["checks"];
    REQUIRE(checks.size() == 2);
    CHECK(checks[0] == nlohmann::json{{"name", "all tasks ran concurrently"},
                                      {"passed", true},
                                      {"measured", 1.0},
                                      {"unit", "s"},
                                      {"expected", "<= 3.100 s"}});
  }

  TEST_CASE("task names with quotes, newlines and invalid UTF-8 stay valid JSON") {
    ScenarioReport report = gather_report({1});
    const std::string nasty = "say \"hi\"\n\\tab\t\x01 \xff\xfe end";
    const TaskId task = report.timeline.add_task(nasty, 0);
    at(report.timeline, 1, task, EventKind::started);
    report.timeline.record(testing::seconds(1), task, EventKind::note, WaitKind::none,
                           report.timeline.add_note("a \"quoted\"\nnote"));
    report.scenario = "quote\"s";
    nlohmann::json doc;
    REQUIRE_NOTHROW(doc = parsed(report));
    const std::string name = doc["tasks"][2]["name"];
    CHECK(name.starts_with("say \"hi\"\n\\tab\t\x01 "));
    CHECK(name.ends_with(" end"));
    CHECK(doc["events"].back()["detail"] == "a \"quoted\"\nnote");
    CHECK(doc["scenario"] == "quote\"s");
  }

  TEST_CASE("figures that are not finite are written as null") {
    ScenarioReport report = gather_report({1});
    report.summary.speedup = std::numeric_limits<double>::infinity();
    report.summary.overhead_s = std::numeric_limits<double>::quiet_NaN();
    const auto doc = parsed(report);
    CHECK(doc["summary"]["speedup"].is_null());
    CHECK(doc["summary"]["overhead_s"].is_null());
  }

  TEST_CASE("a large run is streamed one line per task and per event") {
    ScenarioReport report;
    report.scenario = "gather";
    testing::record_gather(report.timeline, std::vector<double>(1000, 1.0));
    const std::string text = json_of(report);
    const std::size_t records = report.timeline.tasks().size() + report.timeline.events().size();
    const std::size_t lines = testing::lines_of(text).size();
    CHECK(lines >= records);
    CHECK(lines <= records + 12);  // the opening, the brackets and the closing keys
    CHECK(nlohmann::json::parse(text)["events"].size() == report.timeline.events().size());
  }

  TEST_CASE("the JSON validates against schema/asyncdemo-1.schema.json") {
    for (const ScenarioReport& report : {gather_report({1, 2, 3}), eventful_report()}) {
      const Validation result = validate(json_of(report, true));
      CHECK_MESSAGE(result.exit_code == 0, result.messages);
    }
  }

  TEST_CASE("the schema rejects a document that breaks it") {
    auto doc = parsed(gather_report({1}));
    doc["tasks"][0]["outcome"] = "maybe";
    doc.erase("summary");
    const Validation result = validate(doc.dump());
    CHECK(result.exit_code == 1);
    CHECK(result.messages.find("'summary' is a required property") != std::string::npos);
    CHECK(result.messages.find("tasks/0/outcome") != std::string::npos);
  }
}

}  // namespace
}  // namespace asyncdemo
