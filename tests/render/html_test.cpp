// --html: the timeline as one self-contained page. Its embedded data is read back as JSON here;
// tests/browser/check_html.py opens pages in a real browser.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/render.hpp"
#include "cli/render_html_page.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

using testing::at;
using testing::capture;
using testing::gather_report;

std::string html_of(const ScenarioReport& report) {
  return capture([&](std::FILE* out) { render_html(report, out); });
}

// The JSON between the page's data markers, as the text it is embedded as.
std::string data_text(const std::string& html) {
  const std::size_t start = html.find(kHtmlDataStart);
  REQUIRE(start != std::string::npos);
  const std::size_t from = start + kHtmlDataStart.size();
  const std::size_t end = html.find(kHtmlDataEnd, from);
  REQUIRE(end != std::string::npos);
  return html.substr(from, end - from);
}

nlohmann::json data_of(const std::string& html) { return nlohmann::json::parse(data_text(html)); }

std::vector<std::string> lane_names(const nlohmann::json& data) {
  std::vector<std::string> names;
  for (const auto& lane : data.at("lanes")) {
    names.push_back(lane.contains("name") ? lane.at("name").get<std::string>() : "...");
  }
  return names;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST_SUITE("render") {
  TEST_CASE("the page is self-contained: no address elsewhere, no script from a file") {
    const std::string html = html_of(gather_report({1, 2, 3}));
    CHECK(html.starts_with("<!DOCTYPE html>\n"));
    CHECK(html.ends_with("</html>\n"));
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<script src") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("<title>asyncdemo gather: Tasks awaited together") != std::string::npos);
  }

  TEST_CASE("the page's data is JSON with one lane per task, in task order, and the looks") {
    const nlohmann::json data = data_of(html_of(gather_report({1, 2.5})));
    CHECK(lane_names(data) == std::vector<std::string>{"main", "task-1", "task-2"});
    CHECK(data.at("scenario") == "gather");
    CHECK(data.at("alive").is_null());
    // task-2 sleeps from 0 to 2.5 s: [look, wait, from_ns, to_ns], its look's words "sleeping".
    const auto& spans = data.at("lanes").at(2).at("spans");
    REQUIRE(spans.size() == 4);
    CHECK(data.at("looks").at(spans.at(0).get<std::size_t>()).at(1) == "sleeping");
    CHECK(data.at("waits").at(spans.at(1).get<std::size_t>()) == "sleep");
    CHECK(spans.at(2) == 0);
    CHECK(spans.at(3) == 2'500'000'000);
    CHECK(data.at("end") == 2'500'000'000);
  }

  TEST_CASE("names and notes cannot end the script, and what is not UTF-8 text is replaced") {
    const ScenarioReport report =
        testing::odd_names_report(R"(</script><b>"x")", "<!-- </script> & more");
    const std::string html = html_of(report);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK(html.find("<!--") == std::string::npos);
    CHECK(html.find('\xff') == std::string::npos);
    CHECK(html.find('\x01') == std::string::npos);
    // the page has exactly its own two scripts
    CHECK(count_of(html, "</script>") == 2);
    const nlohmann::json data = data_of(html);
    CHECK(lane_names(data) ==
          std::vector<std::string>{R"(</script><b>"x")", "bad\xef\xbf\xbd\x01 caf\xc3\xa9"});
    CHECK(data.at("guides").at(0).at(1) == "<!-- </script> & more");
  }

  TEST_CASE("failed and cancelled ends are marked, and only the looks drawn are listed") {
    ScenarioReport report = gather_report({1, 2});
    report.timeline = Timeline();
    Timeline& timeline = report.timeline;
    const TaskId main = timeline.add_task("main", kNoParent);
    const TaskId failing = timeline.add_task("failing", main);
    at(timeline, 0, main, EventKind::created);
    at(timeline, 0, main, EventKind::started);
    at(timeline, 0, failing, EventKind::created);
    at(timeline, 0, main, EventKind::suspended, WaitKind::child);
    at(timeline, 0, failing, EventKind::started);
    at(timeline, 0, failing, EventKind::suspended, WaitKind::sleep);
    at(timeline, 1, failing, EventKind::resumed);
    at(timeline, 1, failing, EventKind::failed);
    at(timeline, 1, main, EventKind::resumed);
    at(timeline, 1, main, EventKind::done);
    const nlohmann::json data = data_of(html_of(report));
    const auto& lane = data.at("lanes").at(1);
    CHECK(data.at("marks").at(lane.at("mark").get<std::size_t>()).at(1) == "failed");
    CHECK(lane.at("end") == 1'000'000'000);
    CHECK(data.at("lanes").at(0).at("mark") == -1);
    std::vector<std::string> used;
    for (const auto& index : data.at("used").at("looks")) {
      used.push_back(data.at("looks").at(index.get<std::size_t>()).at(1).get<std::string>());
    }
    CHECK(used == std::vector<std::string>{"sleeping", "awaiting"});  // no blocking, no thread
    CHECK(data.at("used").at("marks") == nlohmann::json::array({true, false}));
  }

  TEST_CASE("past 20 tasks: the first and last lanes, how many are left out, and how many lived") {
    const std::vector<double> delays(30, 1.0);
    const nlohmann::json data = data_of(html_of(gather_report(delays)));
    CHECK(lane_names(data) == std::vector<std::string>{"main", "task-1", "task-2", "task-3",
                                                       "task-4", "task-5", "...", "task-28",
                                                       "task-29", "task-30"});
    CHECK(data.at("lanes").at(6).at("left_out") == 22);
    CHECK(data.at("alive").at("peak") == 30);
    CHECK(data.at("alive").at("counts").size() == 2000);
  }

  TEST_CASE("the summary and the checks are the text report's lines") {
    const std::string html = html_of(gather_report({1, 2, 3}));
    const std::size_t report = html.find(R"(<pre id="report">)");
    REQUIRE(report != std::string::npos);
    CHECK(html.find("gather ran 2.00x faster than awaiting one by one", report) !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace asyncdemo
