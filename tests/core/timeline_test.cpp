// Timeline: the record everything asyncdemo prints is derived from — spans, summaries,
// max_in_flight, max_loop_stall, and late events put back in order (core/timeline.hpp).
// Most cases write events by hand, so every figure is known exactly.
#include "core/timeline.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/core/timeline_queries.hpp"

using asyncdemo::Event;
using asyncdemo::EventKind;
using asyncdemo::kNoParent;
using asyncdemo::Nanos;
using asyncdemo::Span;
using asyncdemo::SpanState;
using asyncdemo::TaskId;
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::WaitKind;

namespace {

// doctest compares spans field by field through this.
struct SpanView {
  SpanState state;
  WaitKind wait;
  Nanos from_ns;
  Nanos to_ns;
  bool operator==(const SpanView&) const = default;
};

std::vector<SpanView> view(const std::vector<Span>& spans) {
  std::vector<SpanView> out;
  out.reserve(spans.size());
  for (const Span& s : spans) {
    out.push_back(SpanView{s.state, s.wait, s.from_ns, s.to_ns});
  }
  return out;
}

}  // namespace

namespace doctest {
template <>
struct StringMaker<std::vector<SpanView>> {
  static String convert(const std::vector<SpanView>& spans) {
    std::string text;
    for (const SpanView& s : spans) {
      text += "\n  " + std::string(asyncdemo::to_string(s.state)) + "/" +
              std::string(asyncdemo::to_string(s.wait)) + " [" + std::to_string(s.from_ns) + ", " +
              std::to_string(s.to_ns) + "]";
    }
    return text.c_str();
  }
};
}  // namespace doctest

namespace {

TEST_CASE("add_task names unnamed tasks task-<id> and keeps each parent") {
  Timeline timeline;
  const TaskId main = timeline.add_task("main", kNoParent);
  const TaskId child = timeline.add_task("", main);
  const TaskId named = timeline.add_task("fetch", child);
  REQUIRE(timeline.tasks().size() == 3);
  CHECK(timeline.tasks()[main].name == "main");
  CHECK(timeline.tasks()[child].name == "task-" + std::to_string(child));
  CHECK(timeline.tasks()[child].parent == main);
  CHECK(timeline.tasks()[named].name == "fetch");
  CHECK(timeline.tasks()[named].parent == child);
}

TEST_CASE("spans turn a task's events into ready, running, sleeping and waiting stretches") {
  Timeline timeline;
  const TaskId task = timeline.add_task("t", kNoParent);
  timeline.record(0, task, EventKind::created);
  timeline.record(10, task, EventKind::started);
  timeline.record(20, task, EventKind::suspended, WaitKind::sleep);
  timeline.record(120, task, EventKind::resumed);
  timeline.record(130, task, EventKind::suspended, WaitKind::permit);
  timeline.record(200, task, EventKind::resumed);
  timeline.record(205, task, EventKind::suspended, WaitKind::child);
  timeline.record(300, task, EventKind::resumed);
  timeline.record(310, task, EventKind::done);

  CHECK(view(timeline.spans(task, 1000)) == std::vector<SpanView>{
                                                {SpanState::ready, WaitKind::none, 0, 10},
                                                {SpanState::running, WaitKind::none, 10, 20},
                                                {SpanState::sleeping, WaitKind::sleep, 20, 120},
                                                {SpanState::running, WaitKind::none, 120, 130},
                                                {SpanState::waiting, WaitKind::permit, 130, 200},
                                                {SpanState::running, WaitKind::none, 200, 205},
                                                {SpanState::awaiting, WaitKind::child, 205, 300},
                                                {SpanState::running, WaitKind::none, 300, 310},
                                            });
}

TEST_CASE("a span still open when the record ends is closed at the given end") {
  Timeline timeline;
  const TaskId task = timeline.add_task("t", kNoParent);
  timeline.record(0, task, EventKind::created);
  timeline.record(0, task, EventKind::started);
  timeline.record(5, task, EventKind::suspended, WaitKind::lock);
  CHECK(view(timeline.spans(task, 50)) ==
        std::vector<SpanView>{{SpanState::running, WaitKind::none, 0, 5},
                              {SpanState::waiting, WaitKind::lock, 5, 50}});
}

TEST_CASE("spans show thread work, and work that outlives its cancelled task as abandoned") {
  Timeline timeline;
  const TaskId task = timeline.add_task("t", kNoParent);
  timeline.record(0, task, EventKind::created);
  timeline.record(0, task, EventKind::started);
  timeline.record(5, task, EventKind::suspended, WaitKind::thread);
  timeline.record(10, task, EventKind::thread_started, WaitKind::thread);
  timeline.record(50, task, EventKind::resumed);  // the await was cancelled at 50
  timeline.record(50, task, EventKind::cancelled);
  timeline.record(300, task, EventKind::thread_finished, WaitKind::thread);

  CHECK(view(timeline.spans(task, 1000)) ==
        std::vector<SpanView>{{SpanState::running, WaitKind::none, 0, 5},
                              {SpanState::waiting, WaitKind::thread, 5, 10},
                              {SpanState::thread, WaitKind::thread, 10, 50},
                              {SpanState::thread_abandoned, WaitKind::thread, 50, 300}});
  // Still running on its thread when the record ends: abandoned up to the end.
  Timeline unfinished;
  const TaskId other = unfinished.add_task("u", kNoParent);
  unfinished.record(0, other, EventKind::started);
  unfinished.record(0, other, EventKind::suspended, WaitKind::thread);
  unfinished.record(1, other, EventKind::thread_started, WaitKind::thread);
  unfinished.record(2, other, EventKind::resumed);
  unfinished.record(2, other, EventKind::cancelled);
  const std::vector<Span> spans = unfinished.spans(other, 80);
  REQUIRE_FALSE(spans.empty());
  CHECK(view({spans.back()}) ==
        std::vector<SpanView>{{SpanState::thread_abandoned, WaitKind::thread, 2, 80}});
}

TEST_CASE("thread work that ends normally leaves an awaiting span until the loop resumes") {
  Timeline timeline;
  const TaskId task = timeline.add_task("t", kNoParent);
  timeline.record(0, task, EventKind::started);
  timeline.record(0, task, EventKind::suspended, WaitKind::thread);
  timeline.record(0, task, EventKind::thread_started, WaitKind::thread);
  timeline.record(100, task, EventKind::thread_finished, WaitKind::thread);
  timeline.record(102, task, EventKind::resumed);
  timeline.record(103, task, EventKind::done);
  CHECK(view(timeline.spans(task, 1000)) ==
        std::vector<SpanView>{{SpanState::thread, WaitKind::thread, 0, 100},
                              {SpanState::awaiting, WaitKind::thread, 100, 102},
                              {SpanState::running, WaitKind::none, 102, 103}});
}

TEST_CASE("finish puts events recorded late back in time order, equal times as recorded") {
  Timeline timeline;
  const TaskId a = timeline.add_task("a", kNoParent);
  const TaskId b = timeline.add_task("b", a);
  timeline.record(10, a, EventKind::started);
  timeline.record(30, b, EventKind::started);
  timeline.record(20, b, EventKind::thread_started, WaitKind::thread);  // learnt late
  timeline.record(30, a, EventKind::done);
  timeline.record(5, b, EventKind::created);  // learnt very late
  timeline.finish();

  std::vector<std::pair<Nanos, EventKind>> order;
  for (const Event& e : timeline.events()) {
    order.emplace_back(e.t_ns, e.kind);
  }
  CHECK(order == std::vector<std::pair<Nanos, EventKind>>{{5, EventKind::created},
                                                          {10, EventKind::started},
                                                          {20, EventKind::thread_started},
                                                          {30, EventKind::started},
                                                          {30, EventKind::done}});
  CHECK(timeline.events()[3].task == b);  // b's start was recorded before a's done
  CHECK(timeline.events()[4].task == a);
}

TEST_CASE("summarize reports each task's creation, start, end and outcome") {
  Timeline timeline;
  const TaskId ok = timeline.add_task("ok", kNoParent);
  const TaskId failed = timeline.add_task("failed", ok);
  const TaskId cancelled = timeline.add_task("cancelled", ok);
  const TaskId never_started = timeline.add_task("never", ok);
  const TaskId running = timeline.add_task("running", ok);
  timeline.record(0, ok, EventKind::created);
  timeline.record(1, ok, EventKind::started);
  timeline.record(2, failed, EventKind::created);
  timeline.record(3, failed, EventKind::started);
  timeline.record(4, cancelled, EventKind::created);
  timeline.record(5, never_started, EventKind::created);
  timeline.record(6, running, EventKind::created);
  timeline.record(7, running, EventKind::started);
  timeline.record(8, failed, EventKind::failed);
  timeline.record(9, cancelled, EventKind::cancelled);  // before its first step
  timeline.record(10, ok, EventKind::done);

  const std::vector<Timeline::TaskSummary> s = timeline.summarize();
  REQUIRE(s.size() == 5);
  CHECK(s[ok].created_ns == 0);
  CHECK(s[ok].start_ns == 1);
  CHECK(s[ok].end_ns == 10);
  CHECK(s[ok].outcome == TaskOutcome::ok);
  CHECK(s[failed].end_ns == 8);
  CHECK(s[failed].outcome == TaskOutcome::failed);
  CHECK(s[cancelled].start_ns == -1);
  CHECK(s[cancelled].end_ns == 9);
  CHECK(s[cancelled].outcome == TaskOutcome::cancelled);
  CHECK(s[never_started].start_ns == -1);
  CHECK(s[never_started].end_ns == -1);
  CHECK(s[never_started].outcome == TaskOutcome::running);
  CHECK(s[running].start_ns == 7);
  CHECK(s[running].end_ns == -1);
  CHECK(s[running].outcome == TaskOutcome::running);
}

TEST_CASE("max_in_flight counts started, unfinished tasks, leaving out main") {
  Timeline timeline;
  const TaskId main = timeline.add_task("main", kNoParent);
  const TaskId c1 = timeline.add_task("", main);
  const TaskId c2 = timeline.add_task("", main);
  const TaskId c3 = timeline.add_task("", main);
  const TaskId never = timeline.add_task("", main);
  timeline.record(0, main, EventKind::started);
  timeline.record(0, never, EventKind::created);  // created but never started: not in flight
  timeline.record(0, c1, EventKind::started);
  timeline.record(50, c2, EventKind::started);
  timeline.record(100, c1, EventKind::done);
  timeline.record(120, c3, EventKind::started);
  timeline.record(150, c2, EventKind::failed);
  timeline.record(200, c3, EventKind::cancelled);
  timeline.record(210, never, EventKind::cancelled);
  timeline.record(300, main, EventKind::done);
  CHECK(timeline.max_in_flight() == 2);  // c1 + c2, then c2 + c3; never three
}

TEST_CASE("max_loop_stall is the longest single step, a blocking call inside it included") {
  Timeline timeline;
  const TaskId a = timeline.add_task("a", kNoParent);
  const TaskId b = timeline.add_task("b", a);
  timeline.record(0, a, EventKind::started);
  timeline.record(5, a, EventKind::suspended, WaitKind::sleep);  // a step of 5
  timeline.record(5, b, EventKind::started);
  timeline.record(8, b, EventKind::suspended, WaitKind::sleep);  // 3
  timeline.record(100, a, EventKind::resumed);
  timeline.record(101, a, EventKind::suspended, WaitKind::blocked);  // time.sleep in the step
  timeline.record(141, a, EventKind::resumed);                       // continues the step
  timeline.record(142, a, EventKind::suspended, WaitKind::sleep);    // one step of 42
  timeline.record(150, b, EventKind::resumed);
  timeline.record(170, b, EventKind::done);  // 20
  timeline.record(200, a, EventKind::resumed);
  timeline.record(210, a, EventKind::failed);  // 10
  CHECK(timeline.max_loop_stall() == 42);
  CHECK(timeline.max_loop_stall(b, b + 1) == 20);  // only b's steps
}

TEST_CASE("events written into a large reservation, and past it, are all kept as recorded") {
  // 2 MiB holds 131072 events: the reservation (400000 events, about 6 MiB)
  // is faulted in ahead of the writes in several stretches, and the last
  // 100000 events go past it, into storage the vector moves to.
  Timeline timeline;
  constexpr std::size_t kTasks = 80'000;
  constexpr std::size_t kEvents = 500'000;
  timeline.reserve_tasks(kTasks);
  const TaskId task = timeline.add_task("", kNoParent);
  for (std::size_t i = 0; i < kEvents; ++i) {
    timeline.record(static_cast<Nanos>(i), task,
                    i % 2 == 0 ? EventKind::resumed : EventKind::suspended,
                    i % 2 == 0 ? WaitKind::none : WaitKind::sleep);
  }
  const std::vector<Event>& events = timeline.events();
  REQUIRE(events.size() == kEvents);
  bool all_as_recorded = true;
  for (std::size_t i = 0; i < kEvents; ++i) {
    all_as_recorded = all_as_recorded && events[i].t_ns == static_cast<Nanos>(i) &&
                      events[i].kind == (i % 2 == 0 ? EventKind::resumed : EventKind::suspended);
  }
  CHECK(all_as_recorded);
}

TEST_CASE("notes are stored by index, and index 0 means no note") {
  Timeline timeline;
  const std::uint32_t first = timeline.add_note("first remark");
  const std::uint32_t second = timeline.add_note("second remark");
  CHECK(first != 0);
  CHECK(timeline.note(first) == "first remark");
  CHECK(timeline.note(second) == "second remark");
  CHECK(timeline.note(0).empty());
  CHECK(timeline.note(second + 1).empty());
}

TEST_CASE("the sink sees every event as it is recorded") {
  Timeline timeline;
  std::vector<EventKind> seen;
  timeline.set_sink([&seen](const Event& e, const Timeline&) { seen.push_back(e.kind); });
  const TaskId task = timeline.add_task("t", kNoParent);
  timeline.record(0, task, EventKind::created);
  timeline.record(1, task, EventKind::started);
  timeline.set_sink({});
  timeline.record(2, task, EventKind::done);
  CHECK(seen == std::vector<EventKind>{EventKind::created, EventKind::started});
}

}  // namespace
