// Waits on the network (TCP: accept, connect, read, write) as the renderers show them: their
// own look in the chart, their names in the live log, the JSON document and the trace.
#include <doctest/doctest.h>

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

// Over 10 s: "server" accepts until 2 s, reads until 5 s, writes until 6 s; "client"
// connects until 1 s, then sleeps until 4 s.
ScenarioReport network_report() {
  ScenarioReport report;
  report.scenario = "network";
  report.elapsed_s = 10;
  Timeline& t = report.timeline;
  const TaskId server = t.add_task("server", kNoParent);
  at(t, 0, server, EventKind::started);
  at(t, 0, server, EventKind::suspended, WaitKind::accept);
  at(t, 2, server, EventKind::resumed);
  at(t, 2, server, EventKind::suspended, WaitKind::read);
  at(t, 5, server, EventKind::resumed);
  at(t, 5, server, EventKind::suspended, WaitKind::write);
  at(t, 6, server, EventKind::resumed);
  at(t, 6, server, EventKind::done);
  const TaskId client = t.add_task("client", kNoParent);
  at(t, 0, client, EventKind::started);
  at(t, 0, client, EventKind::suspended, WaitKind::connect);
  at(t, 1, client, EventKind::resumed);
  at(t, 1, client, EventKind::suspended, WaitKind::sleep);
  at(t, 4, client, EventKind::resumed);
  at(t, 4, client, EventKind::done);
  t.finish();
  return report;
}

TEST_SUITE("render") {
  TEST_CASE("the chart draws waits on the network apart from other awaits, with its legend") {
    TextStyle style;
    style.width = 6 + 3 + 10;  // 10 chart columns over 10 s
    const std::string body =
        capture([&](std::FILE* out) { render_body(network_report(), style, false, out); });
    CHECK(contains(body, ": awaiting the network"));
    bool server_row = false;
    for (const std::string& line : lines_of(body)) {
      if (line.starts_with("server ")) {
        server_row = true;
        CHECK(contains(line, "::::::"));
      }
    }
    CHECK(server_row);
  }

  TEST_CASE("the live log, the JSON document and the trace name every network wait") {
    const std::string document =
        capture([](std::FILE* out) { render_json(network_report(), false, out); });
    for (const char* kind : {"\"accept\"", "\"connect\"", "\"read\"", "\"write\""}) {
      CAPTURE(kind);
      CHECK(contains(document, kind));
    }
    CHECK(test::valid_against_schema(document));
    const std::string trace = capture([](std::FILE* out) { render_trace(network_report(), out); });
    CHECK(contains(trace, "\"read\""));
    const std::vector<std::string> log = lines_of(capture([](std::FILE* out) {
      LiveLog live(TextStyle{}, out);
      Timeline timeline;
      timeline.set_sink(live.sink());
      ScenarioReport report = network_report();
      for (const Event& e : report.timeline.events()) {
        if (timeline.tasks().size() <= e.task) {
          static_cast<void>(timeline.add_task(report.timeline.tasks()[e.task].name, kNoParent));
        }
        timeline.record(e.t_ns, e.task, e.kind, e.wait);
      }
      live.finish();
    }));
    bool read_line = false;
    for (const std::string& line : log) {
      read_line = read_line ||
                  (contains(line, "server") && contains(line, "await") && contains(line, "read"));
    }
    CHECK(read_line);
  }
}

}  // namespace
}  // namespace asyncdemo
