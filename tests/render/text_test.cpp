// The text report: header, live log, Gantt chart, summary and checks.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/render.hpp"
#include "cli/render_summary.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

using testing::at;
using testing::capture;
using testing::gather_report;
using testing::lines_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every line of the log for a timeline recorded through it, as a run would.
std::vector<std::string> live_log_of(const std::vector<double>& delays_s, TextStyle style = {}) {
  return lines_of(capture([&](std::FILE* out) {
    LiveLog log(style, out);
    Timeline timeline;
    timeline.set_sink(log.sink());
    testing::record_gather(timeline, delays_s);
    log.finish();
  }));
}

// The chart rows of a report, by task name (the first word of a row).
std::string row_of(const std::string& text, const std::string& name) {
  for (const std::string& line : lines_of(text)) {
    if (line.starts_with(name + " ")) {
      return line.substr(line.find_first_not_of(' ', name.size()));
    }
  }
  return "(no row)";
}

std::string body_of(const ScenarioReport& report, TextStyle style = {}, bool with_checks = false) {
  return capture([&](std::FILE* out) { render_body(report, style, with_checks, out); });
}

// A chart 10 columns wide over 10 s: column k is the second [k, k+1).
TextStyle ten_columns() {
  TextStyle style;
  style.width = 5 + 3 + 10;  // names take 5 columns at least ("alive"), then 2 blanks + 1 slack
  return style;
}

// One task going through every state the chart draws, one second each.
ScenarioReport every_state_report() {
  ScenarioReport report;
  report.scenario = "states";
  report.elapsed_s = 10;
  Timeline& t = report.timeline;
  const TaskId a = t.add_task("a", kNoParent);
  at(t, 0, a, EventKind::created);
  at(t, 0, a, EventKind::started);                     // 0-1 running
  at(t, 1, a, EventKind::suspended, WaitKind::sleep);  // 1-3 sleeping
  at(t, 3, a, EventKind::resumed);
  at(t, 3, a, EventKind::suspended, WaitKind::child);  // 3-4 awaiting
  at(t, 4, a, EventKind::resumed);
  at(t, 4, a, EventKind::suspended, WaitKind::permit);  // 4-5 waiting
  at(t, 5, a, EventKind::resumed);
  at(t, 5, a, EventKind::suspended, WaitKind::blocked);  // 5-6 blocked
  at(t, 6, a, EventKind::resumed);
  at(t, 6, a, EventKind::suspended, WaitKind::thread);  // 6-7 on a thread
  at(t, 6, a, EventKind::thread_started);
  at(t, 7, a, EventKind::thread_finished);
  at(t, 7, a, EventKind::resumed);  // 7-8 running
  at(t, 8, a, EventKind::done);
  return report;
}

TEST_SUITE("render") {
  TEST_CASE("the header shows the scenario, its parameters, the lesson and a virtual clock") {
    const std::string header =
        capture([](std::FILE* out) { render_header(gather_report({1, 1, 1}), TextStyle{}, out); });
    const auto lines = lines_of(header);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0] == "gather  n=3 delay=1s on-error=propagate");
    CHECK(lines[1].starts_with("  Tasks awaited together run at once"));
    CHECK(contains(header, "clock: virtual"));
    CHECK(std::ranges::all_of(lines, [](const std::string& line) { return line.size() <= 80; }));
  }

  TEST_CASE("the header says nothing of the clock when it is real, and nothing at all when quiet") {
    ScenarioReport report = gather_report({1});
    report.clock = ClockKind::real;
    CHECK_FALSE(
        contains(capture([&](std::FILE* out) { render_header(report, {}, out); }), "clock"));
    TextStyle quiet;
    quiet.quiet = true;
    CHECK(capture([&](std::FILE* out) { render_header(report, quiet, out); }).empty());
  }

  TEST_CASE("the live log prints one aligned line per event, without the created events") {
    const auto lines = live_log_of({1, 2});
    const std::vector<std::string> expected{
        "[+0.000s] main    start",  "[+0.000s] main    await   child",
        "[+0.000s] task-1  start",  "[+0.000s] task-1  await   sleep",
        "[+0.000s] task-2  start",  "[+0.000s] task-2  await   sleep",
        "[+1.000s] task-1  resume", "[+1.000s] task-1  done",
        "[+2.000s] task-2  resume", "[+2.000s] task-2  done",
        "[+2.000s] main    resume", "[+2.000s] main    done",
    };
    CHECK(lines == expected);
  }

  TEST_CASE("told the longest name ahead, the live log aligns its first lines with the rest") {
    const auto lines = lines_of(capture([](std::FILE* out) {
      LiveLog log(TextStyle{}, out);
      log.expect_name("task-10");
      Timeline timeline;
      timeline.set_sink(log.sink());
      testing::record_gather(timeline, std::vector<double>(10, 1.0));
    }));
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0] == "[+0.000s] main     start");  // before task-10 exists
    CHECK(lines[2] == "[+0.000s] task-1   start");
  }

  TEST_CASE("the live log shows a note's text and the end of a failed task") {
    const std::string log = capture([](std::FILE* out) {
      LiveLog live(TextStyle{}, out);
      Timeline timeline;
      timeline.set_sink(live.sink());
      const TaskId task = timeline.add_task("fetch", kNoParent);
      at(timeline, 0, task, EventKind::started);
      timeline.record(testing::seconds(0.5), task, EventKind::note, WaitKind::none,
                      timeline.add_note("cleanup ran"));
      at(timeline, 0.5, task, EventKind::failed);
    });
    CHECK(lines_of(log) == std::vector<std::string>{"[+0.000s] fetch   start",
                                                    "[+0.500s] fetch   note    cleanup ran",
                                                    "[+0.500s] fetch   failed"});
  }

  TEST_CASE("the live log stops after its cap and finish counts the events held back") {
    const std::vector<double> delays(100, 1.0);  // 2 + 100 x 4 + 2 events worth printing
    const auto lines = live_log_of(delays);
    REQUIRE(lines.size() == LiveLog::kMaxLines + 1);
    CHECK(lines.back() == "... 364 more events (use --json or --trace for all)");
  }

  TEST_CASE("with the scenario's lesson events, the live log shows those and counts the rest") {
    // As probe's: each name's answer, a note of its task.
    const LessonEvents answers = [](const Event& event, const Timeline& timeline) {
      return event.kind == EventKind::note && timeline.parent(event.task) != kNoParent;
    };
    const std::string log = capture([&](std::FILE* out) {
      LiveLog live(TextStyle{}, out, answers);
      Timeline timeline;
      timeline.set_sink(live.sink());
      const TaskId main = timeline.add_task("main", kNoParent);
      at(timeline, 0, main, EventKind::started);
      at(timeline, 0, main, EventKind::suspended, WaitKind::child);
      const TaskId found = timeline.add_task("localhost", main);
      const TaskId reserved = timeline.add_task("nosuch.invalid", main);
      for (const TaskId task : {found, reserved}) {
        at(timeline, 0, task, EventKind::created);
        at(timeline, 0, task, EventKind::started);
        at(timeline, 0, task, EventKind::suspended, WaitKind::dns);
      }
      at(timeline, 0.001, reserved, EventKind::resumed);
      timeline.record(testing::seconds(0.001), reserved, EventKind::note, WaitKind::none,
                      timeline.add_note("NOT FOUND, not asked"));
      at(timeline, 0.001, reserved, EventKind::done);
      at(timeline, 0.002, found, EventKind::resumed);
      timeline.record(testing::seconds(0.002), found, EventKind::note, WaitKind::none,
                      timeline.add_note("FOUND in 2ms: 127.0.0.1"));
      at(timeline, 0.002, found, EventKind::done);
      at(timeline, 0.002, main, EventKind::resumed);
      at(timeline, 0.002, main, EventKind::done);
      live.finish();
    });
    CHECK(lines_of(log) ==
          std::vector<std::string>{"[+0.001s] nosuch.invalid  NOT FOUND, not asked",
                                   "[+0.002s] localhost       FOUND in 2ms: 127.0.0.1",
                                   "... and 12 other events (use --json or --trace for all)"});
  }

  TEST_CASE("with an opening, the live log shows every event first, then the lesson's only") {
    const LessonEvents ends = [](const Event& event, const Timeline&) {
      return ends_task(event.kind);
    };
    const auto lines = lines_of(capture([&](std::FILE* out) {
      LiveLog log(TextStyle{}, out, ends, 4);
      Timeline timeline;
      timeline.set_sink(log.sink());
      testing::record_gather(timeline, {1, 2});
      log.finish();
    }));
    const std::vector<std::string> expected{
        "[+0.000s] main    start", "[+0.000s] main    await   child",
        "[+0.000s] task-1  start", "[+0.000s] task-1  await   sleep",
        "[+1.000s] task-1  done",  "[+2.000s] task-2  done",
        "[+2.000s] main    done",  "... and 5 other events (use --json or --trace for all)",
    };
    CHECK(lines == expected);
  }

  TEST_CASE("a log of lesson events stops at its cap too, and counts both kinds held back") {
    const LessonEvents ends = [](const Event& event, const Timeline&) {
      return event.kind == EventKind::done;
    };
    const std::vector<double> delays(50, 1.0);
    const auto lines = lines_of(capture([&](std::FILE* out) {
      LiveLog log(TextStyle{}, out, ends);
      Timeline timeline;
      timeline.set_sink(log.sink());
      testing::record_gather(timeline, delays);
      log.finish();
    }));
    REQUIRE(lines.size() == LiveLog::kMaxLines + 1);
    CHECK(lines.front() == "[+1.000s] task-1   done");  // padded to "task-50"
    // 51 ends (main's too), 40 shown; 2 + 50 x 3 + 1 other events worth printing.
    CHECK(lines.back() ==
          "... 11 more like these and 153 other events (use --json or --trace "
          "for all)");
  }

  TEST_CASE("the header shows the thread pool for a run whose work goes to threads") {
    ScenarioReport report = gather_report({1});
    report.thread_pool = {6, ThreadPoolSource::asyncio_default, 2};
    const auto header_of = [](const ScenarioReport& r) {
      return capture([&](std::FILE* out) { render_header(r, TextStyle{}, out); });
    };
    CHECK_FALSE(contains(header_of(report), "thread pool:"));  // gather: no thread work
    report.scenario = "sleep";
    report.params = {{"n", 3}, {"mode", "threads"}};
    CHECK(contains(header_of(report),
                   "\n  thread pool: 6 threads (asyncio's default executor, "
                   "min(32, cpus + 4) with 2 cpus)\n"));
    report.params["mode"] = "async";
    CHECK_FALSE(contains(header_of(report), "thread pool:"));
    report.scenario = "cancel";
    report.params = {{"n", 3}, {"offload", true}};
    report.thread_pool = {1, ThreadPoolSource::environment, 0};
    CHECK(contains(header_of(report), "\n  thread pool: 1 thread (UV_THREADPOOL_SIZE)\n"));
    report.scenario = "probe";
    report.params = {{"names", 1}};
    CHECK(contains(header_of(report), "thread pool: 1 thread"));
  }

  TEST_CASE("a quiet live log prints nothing") {
    TextStyle quiet;
    quiet.quiet = true;
    CHECK(live_log_of({1, 2}, quiet).empty());
  }

  TEST_CASE("the chart draws each state with its own glyph in the columns of its time") {
    const std::string body = body_of(every_state_report(), ten_columns());
    CHECK(row_of(body, "a") == "#~~.-B=#");
    CHECK(contains(body, "legend:  # running"));  // wrapped to the width, item by item
    for (const char* item : {"~ sleeping", ". awaiting", "- waiting (permit, lock, pool)",
                             "B blocking the loop", "= on a thread"}) {
      CHECK_MESSAGE(contains(body, item), item);
    }
  }

  TEST_CASE("the chart marks failed and cancelled ends, and thread work left running") {
    ScenarioReport report;
    report.elapsed_s = 10;
    Timeline& t = report.timeline;
    const TaskId failing = t.add_task("f", kNoParent);
    at(t, 0, failing, EventKind::started);
    at(t, 0, failing, EventKind::suspended, WaitKind::sleep);
    at(t, 2.5, failing, EventKind::resumed);
    at(t, 2.5, failing, EventKind::failed);
    const TaskId offloaded = t.add_task("c", kNoParent);
    at(t, 0, offloaded, EventKind::started);
    at(t, 0, offloaded, EventKind::suspended, WaitKind::thread);
    at(t, 0, offloaded, EventKind::thread_started);
    at(t, 2.5, offloaded, EventKind::resumed);  // the cancel arrives; the thread runs on
    at(t, 2.5, offloaded, EventKind::cancelled);
    at(t, 5, offloaded, EventKind::thread_finished);
    t.finish();
    const std::string body = body_of(report, ten_columns());
    CHECK(row_of(body, "f") == "~~x");
    CHECK(row_of(body, "c") == "==c!!");
    CHECK(contains(body, "x failed"));
    CHECK(contains(body, "c cancelled"));
    CHECK(contains(body, "! thread left running"));
  }

  TEST_CASE("the chart's axis is labelled from zero to the end of the run") {
    const auto lines = lines_of(body_of(every_state_report(), ten_columns()));
    REQUIRE(lines.size() > 3);
    CHECK(lines[1] == "timeline  (one column = 1s)");
    CHECK(lines[2] == "       0s      10s");
    CHECK(lines[3] == "       |---------|");
  }

  TEST_CASE("ten thousand tasks collapse into a few rows and a density row") {
    ScenarioReport report;
    report.elapsed_s = 2;
    constexpr int kTasks = 10'000;
    std::vector<double> delays;
    delays.reserve(kTasks);
    for (int i = 0; i < kTasks; ++i) {
      delays.push_back(1.0 + i * 0.0001);
    }
    testing::record_gather(report.timeline, delays);
    const std::string body = body_of(report);
    CHECK(lines_of(body).size() < 30);
    CHECK(contains(body, "...         9992 more tasks"));
    CHECK(row_of(body, "task-10000").starts_with("~~~~"));
    CHECK(row_of(body, "alive").starts_with("9999"));
    CHECK(contains(body, "1-9 of the peak (10000 at once)"));
  }

  TEST_CASE("the summary gives the timing figures, the lessons and both orders") {
    const std::string body = body_of(gather_report({2, 1, 3}));
    for (const std::string expected : {
             "  elapsed           3.000s",
             "  sequential        6.000s (the same work, one task after another)",
             "  speedup           2.00x",
             "  ideal             3.000s (overhead 0.000s)",
             "  max in flight     3 tasks",
             "  worst loop stall  0.000s",
             "  gather ran 2.00x faster than awaiting one by one",
             "  - results are in submission order; completion order differs",
             "  results           1, 2, 3 (in submission order)",
             "  completion order  task-2, task-1, task-3",
         }) {
      CHECK_MESSAGE(contains(body, expected), expected);
    }
  }

  TEST_CASE("structured results are listed one per line, numbered in submission order") {
    ScenarioReport report = gather_report({1, 2});
    report.results =
        asyncdemo::ResultList(Json::array({{{"name", "python.org"}, {"status", "FOUND"}},
                                           {{"name", "nope.dev"}, {"status", "NOT FOUND"}}}));
    const std::string body = body_of(report);
    CHECK(contains(body,
                   "  results           1. name=python.org status=FOUND\n"
                   "                    2. name=nope.dev status=NOT FOUND\n"));
  }

  TEST_CASE("a result's seconds read as a duration and its empty fields are left out") {
    ScenarioReport report = gather_report({1});
    report.results = asyncdemo::ResultList(Json::array(
        {{{"name", "nope.dev"}, {"latency_s", 0.001353577}, {"addresses", Json::array()}}}));
    CHECK(contains(body_of(report), "  results           1. name=nope.dev latency=1.35ms\n"));
  }

  TEST_CASE("results up to a screenful are all listed, past it the first and the last") {
    const auto results_of = [](std::size_t count) {
      ScenarioReport report = gather_report({1});
      report.results = asyncdemo::ResultList::made_on_read(
          count, [](std::size_t i) { return Json{{"task", fmt::format("task-{}", i + 1)}}; });
      const auto lines = lines_of(body_of(report));
      const auto first = std::ranges::find_if(
          lines, [](const std::string& line) { return line.starts_with("  results"); });
      REQUIRE(first != lines.end());
      const auto end = std::find_if(first, lines.end(), [](const std::string& line) {
        return !line.starts_with("  results") && !line.starts_with("    ");
      });
      return std::vector<std::string>(first, end);
    };
    const auto screenful = results_of(asyncdemo::kResultsScreenful);
    REQUIRE(screenful.size() == asyncdemo::kResultsScreenful);
    CHECK(screenful.back() == "                    20. task=task-20");

    const auto many = results_of(1'000'000);
    REQUIRE(many.size() == asyncdemo::kResultsHead + 1 + asyncdemo::kResultsTail);
    CHECK(many.front() == "  results           1. task=task-1");
    CHECK(many[asyncdemo::kResultsHead - 1] == "                    10. task=task-10");
    CHECK(many[asyncdemo::kResultsHead] ==
          "                    ... 999985 more (every one in --json) ...");
    CHECK(many[asyncdemo::kResultsHead + 1] == "                    999996. task=task-999996");
    CHECK(many.back() == "                    1000000. task=task-1000000");
  }

  TEST_CASE("a single plain result claims no order") {
    ScenarioReport report = gather_report({1});
    report.results = asyncdemo::ResultList(Json::array({"ok"}));
    const std::string body = body_of(report);
    CHECK(contains(body, "  results           ok\n"));
    CHECK_FALSE(contains(body, "ok (in submission order)"));
  }

  TEST_CASE("plain results past a screenful show the first and the last on one line") {
    ScenarioReport report = gather_report({1});
    report.results = asyncdemo::ResultList::made_on_read(
        100, [](std::size_t i) { return Json(static_cast<int>(i) + 1); });
    // One sentence, however the width wraps it.
    std::string sentence;
    for (const std::string& line : lines_of(body_of(report))) {
      if (line.starts_with("  results") || (!sentence.empty() && line.starts_with("    "))) {
        sentence += (sentence.empty() ? "" : " ") + line.substr(line.find_first_not_of(' '));
      }
    }
    CHECK(sentence ==
          "results           1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 85 more (every one in --json) "
          "..., 96, 97, "
          "98, 99, 100 (in submission order)");
  }

  TEST_CASE("the summary leaves out figures a scenario does not have") {
    ScenarioReport report = gather_report({1});
    report.summary.sequential_s = asyncdemo::Summary::kUnset;
    report.summary.ideal_s = asyncdemo::Summary::kUnset;
    report.summary.speedup = asyncdemo::Summary::kUnset;
    const std::string body = body_of(report);
    CHECK_FALSE(contains(body, "sequential"));
    CHECK_FALSE(contains(body, "speedup"));
    CHECK_FALSE(contains(body, "ideal"));
  }

  TEST_CASE("a takeaway naming every task of a large run is cut to a few lines") {
    ScenarioReport report = gather_report({1});
    std::string every_task = "completion order:";
    for (int i = 1; i <= 10'000; ++i) {
      every_task += fmt::format(" task-{},", i);
    }
    report.takeaways = {every_task};
    const auto lines = lines_of(body_of(report));
    const auto first = std::ranges::find_if(
        lines, [](const std::string& line) { return line.starts_with("  - completion order:"); });
    REQUIRE(first != lines.end());
    CHECK(first[3].ends_with(" ..."));
    CHECK(first[4].empty());
  }

  TEST_CASE("with checks each claim shows PASS or FAIL with its measured figure") {
    const auto lines = lines_of(body_of(gather_report({1, 1, 1}), {}, true));
    const auto checks = std::ranges::find(lines, "checks");
    REQUIRE(checks != lines.end());
    const std::vector<std::string> expected{
        "checks",
        "  PASS  all tasks ran concurrently   measured 1.000s (expected <= 3.100 s)",
        "  FAIL  results in submission order  measured 0 (expected 1)",
        "  1 of 2 claims held",
    };
    CHECK(std::vector<std::string>(checks, lines.end()) == expected);
  }

  TEST_CASE("plain output is ASCII without escapes, and colour output has escapes") {
    TextStyle color;
    color.color = true;
    const ScenarioReport report = every_state_report();
    const std::string plain = body_of(report, {}, true);
    CHECK(std::ranges::all_of(plain, [](char c) { return c == '\n' || (c >= ' ' && c <= '~'); }));
    CHECK(contains(body_of(report, color, true), "\x1b["));
  }

  TEST_CASE("a run that failed says so first in the summary, with the whole error") {
    ScenarioReport report = gather_report({1});
    report.error = "task-1: clock_nanosleep: Operation not supported";
    const auto lines = lines_of(body_of(report));
    const auto summary = std::ranges::find(lines, "summary");
    REQUIRE(summary != lines.end());
    REQUIRE(lines.end() - summary > 1);
    CHECK(summary[1].starts_with("  failed: task-1: clock_nanosleep: Operation not supported;"));
    CHECK(contains(body_of(report), " so no claim is judged\n  elapsed "));
    CHECK_FALSE(contains(body_of(gather_report({1})), "failed:"));
  }

  TEST_CASE("a quiet body has the summary but no chart") {
    TextStyle quiet;
    quiet.quiet = true;
    const std::string body = body_of(gather_report({1}), quiet);
    CHECK(body.starts_with("summary\n"));
    CHECK_FALSE(contains(body, "timeline"));
  }

  TEST_CASE("a task name with control characters cannot break a line of text") {
    ScenarioReport report = gather_report({1});
    report.timeline = Timeline{};
    const TaskId task = report.timeline.add_task("evil\nname\x1b[31m", kNoParent);
    at(report.timeline, 0, task, EventKind::started);
    at(report.timeline, 1, task, EventKind::done);
    const std::string body = body_of(report);
    CHECK(contains(body, "evil?name?[31m"));
    CHECK_FALSE(contains(body, "\x1b"));
    const std::string log = capture([&](std::FILE* out) {
      LiveLog live(TextStyle{}, out);
      report.timeline.set_sink(live.sink());
      report.timeline.record(testing::seconds(1), task, EventKind::note, WaitKind::none,
                             report.timeline.add_note("two\nlines"));
      report.timeline.set_sink({});  // `live` ends here
    });
    CHECK(log == "[+1.000s] evil?name?[31m  note    two?lines\n");
  }
}

}  // namespace
}  // namespace asyncdemo
