// spawn (asyncio.create_task) and TaskHandle: start, await, cancel (core/spawn.hpp).
#include "core/spawn.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::test::at;
using asyncdemo::test::first_time;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

Task<int> mark_and_return(std::shared_ptr<int> steps, int value) {
  ++*steps;
  co_return value;
}

Task<int> sleep_then_return(Duration delay, int value) {
  co_await asyncdemo::sleep(delay);
  co_return value;
}

Task<int> sleep_then_fail(Duration delay, std::string message) {
  co_await asyncdemo::sleep(delay);
  throw std::runtime_error(message);
}

struct StartObservation {
  int steps_right_after_spawn;
  int steps_after_yield;
  int value;
};

Task<StartObservation> spawn_then_yield() {
  auto steps = std::make_shared<int>(0);
  TaskHandle<int> child = asyncdemo::spawn(mark_and_return(steps, 9), "child");
  const int right_after = *steps;
  co_await asyncdemo::sleep(0s);  // let the loop run what is ready: the child
  const int after_yield = *steps;
  co_return StartObservation{right_after, after_yield, co_await child};
}

TEST_CASE("a spawned task starts on the next loop iteration, not inside spawn") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const StartObservation seen = asyncdemo::run(rt, spawn_then_yield());
  CHECK(seen.steps_right_after_spawn == 0);
  CHECK(seen.steps_after_yield == 1);
  CHECK(seen.value == 9);
  const asyncdemo::Timeline& timeline = rt.timeline();
  const asyncdemo::TaskId child = task_named(timeline, "child");
  REQUIRE(child < timeline.task_count());
  CHECK(timeline.tasks()[child].parent == task_named(timeline, "main"));
  CHECK(asyncdemo::test::kinds_of(timeline, child) ==
        std::vector<EventKind>{EventKind::created, EventKind::started, EventKind::done});
}

Task<std::string> await_value_and_error() {
  TaskHandle<int> ok = asyncdemo::spawn(sleep_then_return(2s, 4));
  TaskHandle<int> bad = asyncdemo::spawn(sleep_then_fail(1s, "bad task"));
  const int value = co_await ok;
  try {
    co_await bad;
  } catch (const std::runtime_error& e) {
    co_return std::to_string(value) + " " + e.what();
  }
  co_return "no error";
}

TEST_CASE("awaiting a spawned task returns its value or rethrows its error") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, await_value_and_error()) == "4 bad task");
  CHECK(rt.now() == at(2s));  // both ran at once: 2 s, not 3 s
}

struct CancelBeforeStart {
  bool cancel_accepted;
  bool awaiter_got_cancelled;
  int body_steps;
};

Task<CancelBeforeStart> cancel_before_first_step() {
  auto steps = std::make_shared<int>(0);
  TaskHandle<int> child = asyncdemo::spawn(mark_and_return(steps, 1), "child");
  const bool accepted = child.cancel();
  bool got_cancelled = false;
  try {
    co_await child;
  } catch (const Cancelled&) {
    got_cancelled = true;
  }
  co_return CancelBeforeStart{accepted, got_cancelled, *steps};
}

TEST_CASE("a task cancelled before its first step never runs its body") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const CancelBeforeStart seen = asyncdemo::run(rt, cancel_before_first_step());
  CHECK(seen.cancel_accepted);
  CHECK(seen.awaiter_got_cancelled);
  CHECK(seen.body_steps == 0);
  const asyncdemo::TaskId child = task_named(rt.timeline(), "child");
  CHECK(asyncdemo::test::kinds_of(rt.timeline(), child) ==
        std::vector<EventKind>{EventKind::created, EventKind::cancelled});
}

// Cleanup that itself awaits, as real cleanup does (closing a connection).
Task<int> sleep_with_cleanup(Duration work, Duration cleanup, std::shared_ptr<bool> cleaned) {
  bool cancelled = false;
  try {
    co_await asyncdemo::sleep(work);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await asyncdemo::sleep(cleanup);
    *cleaned = true;
    throw Cancelled{};
  }
  co_return 1;
}

Task<bool> cancel_while_sleeping(std::shared_ptr<bool> cleaned) {
  TaskHandle<int> child = asyncdemo::spawn(sleep_with_cleanup(1h, 250ms, cleaned), "child");
  co_await asyncdemo::sleep(1s);
  child.cancel();
  try {
    co_await child;
  } catch (const Cancelled&) {
    co_return true;
  }
  co_return false;
}

TEST_CASE("cancel raises Cancelled at the task's current await and its cleanup runs") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  auto cleaned = std::make_shared<bool>(false);
  CHECK(asyncdemo::run(rt, cancel_while_sleeping(cleaned)));
  CHECK(*cleaned);
  const asyncdemo::TaskId child = task_named(rt.timeline(), "child");
  CHECK(first_time(rt.timeline(), child, EventKind::resumed) == at(1s));  // woken at the cancel
  CHECK(summary_of(rt.timeline(), child).outcome == TaskOutcome::cancelled);
  CHECK(summary_of(rt.timeline(), child).end_ns == at(1250ms));  // after its cleanup
}

Task<bool> cancel_after_end() {
  TaskHandle<int> child = asyncdemo::spawn(sleep_then_return(1s, 1));
  co_await asyncdemo::sleep(2s);
  const bool accepted = child.cancel();
  const int value = co_await child;
  co_return !accepted && value == 1;
}

TEST_CASE("cancel of a task that has already ended is refused and changes nothing") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, cancel_after_end()));
}

Task<int> await_child(TaskHandle<int> child) { co_return co_await child; }

Task<bool> cancel_the_awaiter() {
  TaskHandle<int> inner = asyncdemo::spawn(sleep_then_return(1h, 1), "inner");
  TaskHandle<int> outer = asyncdemo::spawn(await_child(inner), "outer");
  co_await asyncdemo::sleep(1s);
  outer.cancel();
  co_await outer.wait();
  co_return inner.done();
}

TEST_CASE("cancelling the task that awaits another task cancels the awaited task too") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, cancel_the_awaiter()));
  const asyncdemo::Timeline& timeline = rt.timeline();
  for (const char* name : {"inner", "outer"}) {
    CAPTURE(name);
    CHECK(summary_of(timeline, task_named(timeline, name)).outcome == TaskOutcome::cancelled);
    CHECK(summary_of(timeline, task_named(timeline, name)).end_ns == at(1s));
  }
}

Task<int> swallow_cancel(Duration work, int value) {
  try {
    co_await asyncdemo::sleep(work);
  } catch (const Cancelled&) {
    // Like Python code that catches CancelledError and returns: allowed, if rude.
    Runtime::current().note("swallowed the cancel");
  }
  co_return value;
}

Task<int> cancel_a_swallower() {
  TaskHandle<int> child = asyncdemo::spawn(swallow_cancel(1h, 7), "child");
  co_await asyncdemo::sleep(1s);
  child.cancel();
  co_return co_await child;
}

TEST_CASE("a task that swallows its cancellation ends normally and its awaiter gets the value") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, cancel_a_swallower()) == 7);
  const asyncdemo::TaskId child = task_named(rt.timeline(), "child");
  CHECK(summary_of(rt.timeline(), child).outcome == TaskOutcome::ok);
  CHECK(summary_of(rt.timeline(), child).end_ns == at(1s));
}

Task<void> spawn_and_forget() {
  static_cast<void>(asyncdemo::spawn(sleep_then_return(2s, 1), "detached"));
  co_await asyncdemo::sleep(3s);
}

TEST_CASE("dropping a TaskHandle detaches the task, which still runs to the end") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  asyncdemo::run(rt, spawn_and_forget());
  const asyncdemo::TaskId detached = task_named(rt.timeline(), "detached");
  CHECK(summary_of(rt.timeline(), detached).outcome == TaskOutcome::ok);
  CHECK(summary_of(rt.timeline(), detached).end_ns == at(2s));
}

struct WaitObservation {
  bool waiter_cancelled;
  bool task_done_after_wait;
  bool task_failed;
};

Task<bool> wait_for_end(TaskHandle<int> task) {
  co_await task.wait();  // raises nothing of the task's outcome
  co_return task.done();
}

Task<WaitObservation> wait_without_raising() {
  TaskHandle<int> failing = asyncdemo::spawn(sleep_then_fail(1s, "ignored"), "failing");
  const bool done_after_wait = co_await asyncdemo::spawn(wait_for_end(failing));

  TaskHandle<int> slow = asyncdemo::spawn(sleep_then_return(10s, 1), "slow");
  TaskHandle<bool> waiter = asyncdemo::spawn(wait_for_end(slow), "waiter");
  co_await asyncdemo::sleep(1s);
  waiter.cancel();
  bool waiter_cancelled = false;
  try {
    co_await waiter;
  } catch (const Cancelled&) {
    waiter_cancelled = true;
  }
  co_await slow;  // still running: cancelling its waiter did not cancel it
  co_return WaitObservation{waiter_cancelled, done_after_wait, failing.take_outcome().failed()};
}

TEST_CASE(
    "wait() waits without raising the task's error, and cancelling it leaves the task "
    "running") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const WaitObservation seen = asyncdemo::run(rt, wait_without_raising());
  CHECK(seen.task_done_after_wait);
  CHECK(seen.task_failed);
  CHECK(seen.waiter_cancelled);
  const asyncdemo::TaskId slow = task_named(rt.timeline(), "slow");
  CHECK(summary_of(rt.timeline(), slow).outcome == TaskOutcome::ok);
  CHECK(summary_of(rt.timeline(), slow).end_ns == at(11s));
}

Task<bool> await_twice_at_once() {
  TaskHandle<int> child = asyncdemo::spawn(sleep_then_return(1s, 1));
  TaskHandle<int> first = asyncdemo::spawn(await_child(child));
  TaskHandle<int> second = asyncdemo::spawn(await_child(child));
  const int value = co_await first;
  try {
    co_await second;
  } catch (const asyncdemo::RuntimeMisuse&) {
    co_return value == 1;
  }
  co_return false;
}

TEST_CASE("a task awaited by two awaiters at once is misuse, reported to the second") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, await_twice_at_once()));
}

Task<bool> spawn_empty() {
  Task<int> empty;
  try {
    static_cast<void>(asyncdemo::spawn(std::move(empty)));
  } catch (const asyncdemo::RuntimeMisuse&) {
    co_return true;
  }
  co_return false;
}

TEST_CASE("spawn of an empty Task is misuse") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, spawn_empty()));
}

}  // namespace
