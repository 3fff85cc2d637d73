// sleep (asyncio.sleep) and block_sleep (time.sleep on the loop thread) (core/sleep.hpp).
#include "core/sleep.hpp"

#include <doctest/doctest.h>
#include <uv.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/spawn.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Nanos;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::SpanState;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::test::at;
using asyncdemo::test::first_time;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

// Delays around libuv's 1 ms timer resolution: below it, between two ticks, and well above.
constexpr std::array<Duration, 8> kRealDelays = {300us, 1ms,  1500us, 2500us,
                                                 10ms,  10ms, 10ms,   10ms};

Task<std::vector<Nanos>> measure_real_sleeps() {
  std::vector<Nanos> elapsed;
  elapsed.reserve(kRealDelays.size());
  for (const Duration delay : kRealDelays) {
    const std::uint64_t before = uv_hrtime();
    co_await asyncdemo::sleep(delay);
    elapsed.push_back(static_cast<Nanos>(uv_hrtime() - before));
  }
  co_return elapsed;
}

TEST_CASE("sleep never wakes early on the real clock") {
  Runtime rt;
  const std::vector<Nanos> elapsed = asyncdemo::run(rt, measure_real_sleeps());
  REQUIRE(elapsed.size() == kRealDelays.size());
  for (std::size_t i = 0; i < elapsed.size(); ++i) {
    CAPTURE(i);
    CHECK(elapsed[i] >= at(kRealDelays[i]));
    CHECK(elapsed[i] < at(kRealDelays[i] + 1s));  // woke at all, on a busy machine
  }
}

Task<Nanos> sleep_and_read_clock(Duration delay) {
  co_await asyncdemo::sleep(delay);
  co_return Runtime::current().now();
}

// The sleeper sets its timer first; then, in the same batch of ready tasks, a
// sibling holds the loop for less than the sleep lasts. libuv computes its
// poll timeout from the loop time it cached before the batch, so unless the
// runtime refreshes that time after a batch, the sleeper wakes a whole
// batch late: at a million tasks, the first ones overslept by 90 ms.
Task<void> hold_the_loop(Duration hold) {
  asyncdemo::block_sleep(hold);
  co_return;
}

Task<Nanos> sleep_while_a_sibling_holds_the_loop(Duration sleep_for, Duration hold_for) {
  TaskHandle<Nanos> sleeper = asyncdemo::spawn(sleep_and_read_clock(sleep_for), "sleeper");
  TaskHandle<void> holder = asyncdemo::spawn(hold_the_loop(hold_for), "holder");
  const Nanos woke_ns = co_await sleeper;
  co_await holder;
  co_return woke_ns;
}

TEST_CASE("a sleep set before a long batch of other steps still wakes on time (real clock)") {
  Runtime rt;
  // The holder ends 400 ms before the deadline; a wake-up computed from the
  // stale loop time would come 400 ms late. 200 ms covers a busy machine.
  const Nanos woke_ns = asyncdemo::run(rt, sleep_while_a_sibling_holds_the_loop(800ms, 400ms));
  const Nanos slept = woke_ns - first_time(rt.timeline(), task_named(rt.timeline(), "sleeper"),
                                           EventKind::suspended);
  CHECK(slept >= at(800ms));
  CHECK(slept < at(800ms + 200ms));
}

Task<void> sleep_for(Duration delay) { co_await asyncdemo::sleep(delay); }

// Deadlines 0.5 ms apart, closer than libuv's 1 ms timer resolution, as a
// million sleeps set within 0.1 s are. If waking one sleeper arms a 0 ms uv
// timer for the next, libuv before 1.48 runs it again at once, and the loop
// spins through every deadline before any sleeper runs: the first of 401
// would run 200 ms late.
Task<void> sleeps_half_a_millisecond_apart(std::size_t count) {
  std::vector<TaskHandle<void>> sleepers;
  sleepers.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    sleepers.push_back(asyncdemo::spawn(sleep_for(100ms + i * 500us)));
  }
  for (TaskHandle<void>& sleeper : sleepers) {
    co_await sleeper;
  }
}

TEST_CASE("sleepers with deadlines closer than a millisecond each run at their own (real clock)") {
  Runtime rt;
  constexpr std::size_t kCount = 401;
  asyncdemo::run(rt, sleeps_half_a_millisecond_apart(kCount));
  const asyncdemo::Timeline& timeline = rt.timeline();
  for (asyncdemo::TaskId id = 1; id <= kCount; ++id) {
    CAPTURE(id);
    const Nanos asleep = first_time(timeline, id, EventKind::suspended);
    const Nanos awake = first_time(timeline, id, EventKind::resumed);
    const Duration delay = 100ms + (id - 1) * 500us;
    CHECK(awake - asleep >= at(delay));
    CHECK(awake - asleep < at(delay + 100ms));  // the spin made the first ones 200 ms late
  }
}

TEST_CASE("sleep wakes exactly at its deadline on the virtual clock") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, sleep_and_read_clock(1500ms)) == at(1500ms));
}

TEST_CASE("a negative sleep counts as zero") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, sleep_and_read_clock(-5s)) == 0);
}

Task<void> append_after(Duration delay, std::shared_ptr<std::vector<int>> order, int id) {
  co_await asyncdemo::sleep(delay);
  order->push_back(id);
}

Task<std::vector<int>> equal_deadlines() {
  auto order = std::make_shared<std::vector<int>>();
  std::vector<TaskHandle<void>> tasks;
  tasks.reserve(6);
  // Spawned in this order, each sets a 1 s timer when it starts, so all share one deadline.
  for (int id = 0; id < 6; ++id) {
    tasks.push_back(asyncdemo::spawn(append_after(1s, order, id)));
  }
  for (TaskHandle<void>& task : tasks) {
    co_await task;
  }
  co_return *order;
}

TEST_CASE("sleeps with equal deadlines wake in the order they were set") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, equal_deadlines()) == std::vector<int>{0, 1, 2, 3, 4, 5});
}

Task<void> alternate(std::shared_ptr<std::string> trace, char mark) {
  for (int i = 0; i < 3; ++i) {
    *trace += mark;
    co_await asyncdemo::sleep(0s);
  }
}

Task<std::string> two_yielding_tasks() {
  auto trace = std::make_shared<std::string>();
  TaskHandle<void> a = asyncdemo::spawn(alternate(trace, 'a'));
  TaskHandle<void> b = asyncdemo::spawn(alternate(trace, 'b'));
  co_await a;
  co_await b;
  co_return *trace;
}

TEST_CASE("sleep(0) yields to the other ready tasks") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, two_yielding_tasks()) == "ababab");
  CHECK(rt.now() == 0);
}

Task<void> block_while_sibling_sleeps(Duration block) {
  TaskHandle<Nanos> sibling = asyncdemo::spawn(sleep_and_read_clock(10ms), "sibling");
  co_await asyncdemo::sleep(0s);  // the sibling starts and sets its 10 ms timer
  asyncdemo::block_sleep(block);  // time.sleep: nothing else can run meanwhile
  co_await sibling;
}

// A sleeper whose deadline passes while another task blocks the loop, beside main, which a
// gather wakes when that task ends. In asyncio (3.11: ['main', 'sleeper']) the gather's
// done-callback is already queued when the next iteration finds the timer due, so it runs
// first and main's wake-up is queued before the sleeper's.
Task<void> sleep_then_say(Duration delay, std::shared_ptr<std::vector<std::string>> said) {
  co_await asyncdemo::sleep(delay);
  said->emplace_back("sleeper");
}

Task<int> block_for(Duration length) {
  asyncdemo::block_sleep(length);
  co_return 1;
}

Task<std::vector<std::string>> gather_while_a_sleep_runs_out() {
  auto said = std::make_shared<std::vector<std::string>>();
  TaskHandle<void> sleeper = asyncdemo::spawn(sleep_then_say(50ms, said), "sleeper");
  co_await asyncdemo::sleep(0s);  // the sleeper sets its timer
  std::vector<TaskHandle<int>> blockers;
  blockers.push_back(asyncdemo::spawn(block_for(100ms), "blocker"));
  co_await asyncdemo::gather(std::move(blockers));
  said->emplace_back("main");
  co_await sleeper;
  co_return *said;
}

TEST_CASE("a task whose sleep ran out during a block resumes after the one a gather woke") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_while_a_sleep_runs_out()) ==
        std::vector<std::string>{"main", "sleeper"});
}

TEST_CASE("on the real clock too, a due timer's task resumes behind what was already due") {
  Runtime rt;
  CHECK(asyncdemo::run(rt, gather_while_a_sleep_runs_out()) ==
        std::vector<std::string>{"main", "sleeper"});
}

TEST_CASE("block_sleep holds the loop: a blocked span, the max loop stall, a late sibling") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  asyncdemo::run(rt, block_while_sibling_sleeps(50ms));
  const asyncdemo::Timeline& timeline = rt.timeline();
  const asyncdemo::TaskId main = task_named(timeline, "main");

  bool found_blocked = false;
  for (const asyncdemo::Span& span : timeline.spans(main, rt.now())) {
    if (span.state == SpanState::blocked) {
      found_blocked = true;
      CHECK(span.from_ns == 0);
      CHECK(span.to_ns == at(50ms));
    }
  }
  CHECK(found_blocked);
  CHECK(timeline.max_loop_stall() == at(50ms));
  // The sibling's 10 ms sleep could only end once the loop was free again.
  const asyncdemo::TaskId sibling = task_named(timeline, "sibling");
  CHECK(first_time(timeline, sibling, EventKind::resumed) == at(50ms));
}

TEST_CASE("block_sleep on the real clock stalls the loop for at least its duration") {
  Runtime rt;
  asyncdemo::run(rt, block_while_sibling_sleeps(30ms));
  const asyncdemo::Timeline& timeline = rt.timeline();
  CHECK(timeline.max_loop_stall() >= at(30ms));
  CHECK(first_time(timeline, task_named(timeline, "sibling"), EventKind::resumed) >= at(30ms));
  CHECK(asyncdemo::test::has_span(timeline, task_named(timeline, "main"), SpanState::blocked,
                                  rt.now()));
}

Task<Nanos> sleep_long(Duration delay) {
  co_await asyncdemo::sleep(delay);
  co_return 0;
}

Task<bool> cancel_a_long_sleep() {
  TaskHandle<Nanos> sleeper = asyncdemo::spawn(sleep_long(1h), "sleeper");
  co_await asyncdemo::sleep(10ms);
  sleeper.cancel();
  try {
    co_await sleeper;
  } catch (const Cancelled&) {
    co_return true;
  }
  co_return false;
}

TEST_CASE("a cancelled sleep leaves the timer queue: the run does not wait for its deadline") {
  SUBCASE("on the real clock") {
    Runtime rt;
    const std::uint64_t before = uv_hrtime();
    CHECK(asyncdemo::run(rt, cancel_a_long_sleep()));
    CHECK(static_cast<Nanos>(uv_hrtime() - before) < at(5s));
  }
  SUBCASE("on the virtual clock") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    CHECK(asyncdemo::run(rt, cancel_a_long_sleep()));
    CHECK(rt.now() == at(10ms));
    const asyncdemo::TaskId sleeper = task_named(rt.timeline(), "sleeper");
    CHECK(summary_of(rt.timeline(), sleeper).end_ns == at(10ms));
  }
}

}  // namespace
