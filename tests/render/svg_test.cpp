// --svg: the timeline as a picture. Its structure is read back here with regular expressions;
// tests/pictures/check_svg.py parses every scenario's picture as XML.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/render.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

using testing::at;
using testing::capture;
using testing::gather_report;

std::string svg_of(const ScenarioReport& report) {
  return capture([&](std::FILE* out) { render_svg(report, out); });
}

// The value of `attribute` in every element of `text` that starts with `element_start`, in
// order. (Plain scanning: std::regex trips g++ 12's -Wmaybe-uninitialized under ASan at -O1.)
std::vector<std::string> attribute_of_each(const std::string& text,
                                           const std::string& element_start,
                                           const std::string& attribute) {
  std::vector<std::string> values;
  const std::string key = " " + attribute + "=\"";
  for (std::size_t at = text.find(element_start); at != std::string::npos;
       at = text.find(element_start, at + 1)) {
    const std::size_t element_end = text.find('>', at);
    const std::size_t value = text.find(key, at);
    if (value == std::string::npos || value > element_end) {
      continue;
    }
    const std::size_t from = value + key.size();
    values.push_back(text.substr(from, text.find('"', from) - from));
  }
  return values;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

// A run of one task that fails at 1 s and one that is cancelled at 2 s, under main.
ScenarioReport ended_badly_report() {
  ScenarioReport report = gather_report({1, 2});
  report.timeline = Timeline();
  Timeline& timeline = report.timeline;
  const TaskId main = timeline.add_task("main", kNoParent);
  const TaskId failing = timeline.add_task("failing", main);
  const TaskId cancelled = timeline.add_task("cancelled", main);
  at(timeline, 0, main, EventKind::created);
  at(timeline, 0, main, EventKind::started);
  at(timeline, 0, failing, EventKind::created);
  at(timeline, 0, cancelled, EventKind::created);
  at(timeline, 0, main, EventKind::suspended, WaitKind::child);
  at(timeline, 0, failing, EventKind::started);
  at(timeline, 0, failing, EventKind::suspended, WaitKind::sleep);
  at(timeline, 0, cancelled, EventKind::started);
  at(timeline, 0, cancelled, EventKind::suspended, WaitKind::sleep);
  at(timeline, 1, failing, EventKind::resumed);
  at(timeline, 1, failing, EventKind::failed);
  at(timeline, 2, cancelled, EventKind::cancelled);
  at(timeline, 2, main, EventKind::resumed);
  at(timeline, 2, main, EventKind::done);
  report.elapsed_s = 2;
  return report;
}

TEST_SUITE("render") {
  TEST_CASE("the picture is one SVG 1280 px wide with a lane per task, in task order") {
    const std::string svg = svg_of(gather_report({1, 2, 3}));
    CHECK(svg.starts_with(R"(<svg xmlns="http://www.w3.org/2000/svg" width="1280" )"));
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(attribute_of_each(svg, R"(<g class="lane")", "data-task") ==
          std::vector<std::string>{"main", "task-1", "task-2", "task-3"});
    CHECK(svg.find("<title>asyncdemo gather: Tasks awaited together") != std::string::npos);
  }

  TEST_CASE("a bar spans its times, and says its state and times on hover") {
    const std::string svg = svg_of(gather_report({1, 2.5}));
    CHECK(svg.find("<title>task-2: sleeping (sleep), 0.000 s to 2.500 s (2.500 s)</title>") !=
          std::string::npos);
    CHECK(svg.find("<title>main: awaiting (child), 0.000 s to 2.500 s (2.500 s)</title>") !=
          std::string::npos);
    // Widths are to scale: task-2 slept 2.5 times as long as task-1.
    const auto widths = attribute_of_each(svg, R"(<rect class="span")", "width");
    REQUIRE(widths.size() == 3);  // main, task-1, task-2
    CHECK(std::stod(widths[2]) == doctest::Approx(2.5 * std::stod(widths[1])).epsilon(0.01));
    CHECK(std::stod(widths[0]) == doctest::Approx(std::stod(widths[2])).epsilon(0.01));
  }

  TEST_CASE("names and notes are escaped, and what is not UTF-8 text is replaced") {
    const ScenarioReport report = testing::odd_names_report(R"(<b>&"it's")", "<deadline> & more");
    const std::string svg = svg_of(report);
    CHECK(svg.find(R"(data-task="&lt;b&gt;&amp;&quot;it&apos;s&quot;")") != std::string::npos);
    CHECK(svg.find("<b>") == std::string::npos);
    CHECK(svg.find("bad?? caf\xc3\xa9") != std::string::npos);  // é is text, kept
    CHECK(svg.find("<title>&lt;deadline&gt; &amp; more at 0.000 s</title>") != std::string::npos);
    CHECK(svg.find('\xff') == std::string::npos);
    CHECK(svg.find('\x01') == std::string::npos);
  }

  TEST_CASE("a root note is a guide across the chart, a task's note a mark on its lane") {
    ScenarioReport report = gather_report({1, 2});
    Timeline& timeline = report.timeline;
    timeline.record(testing::seconds(1.5), 0, EventKind::note, WaitKind::none,
                    timeline.add_note("cancel() all"));
    timeline.record(testing::seconds(0.5), 2, EventKind::note, WaitKind::none,
                    timeline.add_note("heartbeat 1"));
    timeline.finish();
    const std::string svg = svg_of(report);
    CHECK(count_of(svg, R"(<line class="guide")") == 1);
    CHECK(svg.find("<title>cancel() all at 1.500 s</title></line>") != std::string::npos);
    CHECK(svg.find("<title>heartbeat 1 at 0.500 s</title></path>") != std::string::npos);
    CHECK(svg.find("a note of the scenario") != std::string::npos);  // in the legend
  }

  TEST_CASE("notes closer than a pixel are one mark, which says how many it stands for") {
    ScenarioReport report = gather_report({1, 2});
    Timeline& timeline = report.timeline;
    for (Nanos tick = 0; tick < 1000; ++tick) {  // 1000 notes in the first millisecond
      timeline.record(tick * 1000, 1, EventKind::note, WaitKind::none,
                      timeline.add_note(fmt::format("tick {}", tick)));
    }
    timeline.finish();
    const std::string svg = svg_of(report);
    CHECK(count_of(svg, R"(<path class="note")") == 1);
    CHECK(svg.find("<title>tick 0 at 0.000 s, and 999 more notes to 0.001 s</title>") !=
          std::string::npos);
  }

  TEST_CASE("failed and cancelled ends are marked, and the legend lists only what was drawn") {
    const std::string svg = svg_of(ended_badly_report());
    CHECK(svg.find("<title>failing: failed at 1.000 s</title>") != std::string::npos);
    CHECK(svg.find("<title>cancelled: cancelled at 2.000 s</title>") != std::string::npos);
    const auto legend = svg.substr(svg.find(R"(<g class="legend">)"));
    CHECK(legend.find(">sleeping<") != std::string::npos);
    CHECK(legend.find(">awaiting<") != std::string::npos);
    CHECK(legend.find(">failed<") != std::string::npos);
    CHECK(legend.find(">cancelled<") != std::string::npos);
    CHECK(legend.find(">blocking the loop<") == std::string::npos);
    CHECK(legend.find(">on a thread<") == std::string::npos);
  }

  TEST_CASE("past 20 tasks: the first and last lanes, how many are left out, and how many lived") {
    const std::vector<double> delays(30, 1.0);
    const std::string svg = svg_of(gather_report(delays));
    CHECK(attribute_of_each(svg, R"(<g class="lane")", "data-task") ==
          std::vector<std::string>{"main", "task-1", "task-2", "task-3", "task-4", "task-5",
                                   "task-28", "task-29", "task-30"});
    CHECK(svg.find(">... 22 more tasks<") != std::string::npos);
    CHECK(svg.find("<title>tasks alive, at most 30 at once</title>") != std::string::npos);
  }

  TEST_CASE("the summary and the checks are the text report's lines, their columns kept") {
    const std::string svg = svg_of(gather_report({1, 2, 3}));
    const std::string nbsp = "\xc2\xa0";
    CHECK(svg.find(">summary<") != std::string::npos);
    CHECK(svg.find("speedup" + nbsp + nbsp) != std::string::npos);  // aligned as on a terminal
    CHECK(svg.find("gather ran 2.00x faster than awaiting one by one") != std::string::npos);
    CHECK(svg.find("PASS" + nbsp + nbsp + "all tasks ran concurrently") != std::string::npos);
    CHECK(svg.find(R"(fill="#c92a2a">)" + nbsp + nbsp + "FAIL") != std::string::npos);
  }
}

}  // namespace
}  // namespace asyncdemo
