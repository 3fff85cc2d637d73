// Runtime and run() (asyncio.run): main's result, the end of a run, deadlocks, the record
// of every state change, and a loop that always closes (core/runtime.hpp, core/run.hpp).
#include "core/runtime.hpp"

#include <doctest/doctest.h>
#include <uv.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/lock.hpp"
#include "core/run.hpp"
#include "core/semaphore.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/to_thread.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Lock;
using asyncdemo::Nanos;
using asyncdemo::Permit;
using asyncdemo::Runtime;
using asyncdemo::RuntimeMisuse;
using asyncdemo::RuntimeOptions;
using asyncdemo::Semaphore;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::WaitKind;
using asyncdemo::test::at;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

Task<std::string> answer(Duration delay) {
  co_await asyncdemo::sleep(delay);
  co_return "forty-two";
}

Task<int> fail_with_out_of_range() {
  co_await asyncdemo::sleep(1s);
  throw std::out_of_range("main failed");
}

TEST_CASE("run returns main's value") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, answer(1s)) == "forty-two");
  CHECK(summary_of(rt.timeline(), task_named(rt.timeline(), "main")).outcome == TaskOutcome::ok);
}

TEST_CASE("run rethrows main's error with its type") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK_THROWS_WITH_AS(asyncdemo::run(rt, fail_with_out_of_range()), "main failed",
                       std::out_of_range);
  CHECK(summary_of(rt.timeline(), task_named(rt.timeline(), "main")).outcome ==
        TaskOutcome::failed);
}

// Cleanup that awaits, as in the other tests: catch, await outside the handler, re-raise.
Task<void> sleep_with_cleanup(Duration work, Duration cleanup) {
  bool cancelled = false;
  try {
    co_await asyncdemo::sleep(work);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await asyncdemo::sleep(cleanup);
    Runtime::current().note("cleaned up");
    throw Cancelled{};
  }
}

Task<void> swallow_then_finish(Duration work, Duration more) {
  try {
    co_await asyncdemo::sleep(work);
  } catch (const Cancelled&) {
    Runtime::current().note("swallowed the cancel");
  }
  co_await asyncdemo::sleep(more);  // refuses to stop: asyncio.run waits for it too
}

Task<int> leave_tasks_running() {
  static_cast<void>(asyncdemo::spawn(sleep_with_cleanup(1h, 100ms), "with-cleanup"));
  static_cast<void>(asyncdemo::spawn(sleep_with_cleanup(1h, 0s), "no-cleanup"));
  static_cast<void>(asyncdemo::spawn(swallow_then_finish(1h, 2s), "stubborn"));
  co_await asyncdemo::sleep(1s);
  co_return 1;
}

TEST_CASE("run cancels the tasks main left running, waits for their cleanup, then returns") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, leave_tasks_running()) == 1);
  const Timeline& timeline = rt.timeline();
  const auto summary = [&](const char* name) {
    return summary_of(timeline, task_named(timeline, name));
  };
  CHECK(summary("main").end_ns == at(1s));
  CHECK(summary("with-cleanup").outcome == TaskOutcome::cancelled);
  CHECK(summary("with-cleanup").end_ns == at(1100ms));
  CHECK(summary("no-cleanup").outcome == TaskOutcome::cancelled);
  CHECK(summary("no-cleanup").end_ns == at(1s));
  CHECK(summary("stubborn").outcome == TaskOutcome::ok);
  CHECK(summary("stubborn").end_ns == at(3s));
  CHECK(rt.now() == at(3s));  // not the hour the tasks were sleeping for
  CHECK(asyncdemo::test::count_events(timeline, task_named(timeline, "with-cleanup"),
                                      EventKind::note) == 1);
}

/// Passed into every frame of a run: once all frames are gone, only the test holds it.
using Witness = std::shared_ptr<int>;

Task<void> acquire_twice(Semaphore sem, Witness witness) {
  ++*witness;
  Permit first = co_await sem.acquire();
  Permit second = co_await sem.acquire();  // nobody will ever release the first
}

TEST_CASE("a deadlock throws RuntimeMisuse and frees every frame") {
  auto witness = std::make_shared<int>(0);
  {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const Semaphore sem(1);
    CHECK_THROWS_AS(asyncdemo::run(rt, acquire_twice(sem, witness)), RuntimeMisuse);
    CHECK(*witness == 1);  // main ran
    CHECK(witness.use_count() == 1);
    CHECK(sem.available() == 1);  // the frame's permit was given back when it was freed
    CHECK(sem.waiting() == 0);
  }
  CHECK(witness.use_count() == 1);
}

Task<void> wait_for_permit(Semaphore sem, Witness witness) {
  ++*witness;
  Permit permit = co_await sem.acquire();
}

// main spawns a task, then takes the only permit and waits for that task, which waits for
// the permit: each waits for the other. When main's frame is freed, its permit goes to the
// task's queued acquire, whose frame main's handle still keeps.
Task<void> wait_for_each_other(Semaphore sem, Witness witness) {
  ++*witness;
  TaskHandle<void> child = asyncdemo::spawn(wait_for_permit(sem, witness), "child");
  Permit permit = co_await sem.acquire();
  co_await child;
}

TEST_CASE("a deadlock of two tasks waiting for each other throws and frees both frames") {
  auto witness = std::make_shared<int>(0);
  {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const Semaphore sem(1);
    CHECK_THROWS_AS(asyncdemo::run(rt, wait_for_each_other(sem, witness)), RuntimeMisuse);
    CHECK(*witness == 2);  // both ran
    CHECK(witness.use_count() == 1);
    CHECK(sem.waiting() == 0);
  }
  CHECK(witness.use_count() == 1);
}

// Two tasks each take one lock, then ask for the other's. main awaits them in turn.
Task<void> take_in_order(Lock first, Lock second) {
  const Permit outer = co_await first.acquire();
  co_await asyncdemo::sleep(std::chrono::milliseconds(10));
  const Permit inner = co_await second.acquire();
}

struct DeadlockSeen {
  int calls = 0;
  std::optional<asyncdemo::TaskId> holder_a;
  std::vector<asyncdemo::TaskId> waiting_for_a;
  Nanos at = -1;
};

Task<void> break_a_deadlock(Lock a, Lock b, std::shared_ptr<DeadlockSeen> seen) {
  Runtime& runtime = Runtime::current();
  TaskHandle<void> one = asyncdemo::spawn(take_in_order(a, b), "one");
  TaskHandle<void> two = asyncdemo::spawn(take_in_order(b, a), "two");
  runtime.on_deadlock([&] {
    ++seen->calls;
    seen->holder_a = a.holder();
    seen->waiting_for_a = a.waiters();
    seen->at = runtime.now();
    one.cancel();
  });
  co_await one.wait();  // one is cancelled: its lock-a goes to two, which then ends
  co_await two;
}

TEST_CASE("the deadlock handler runs once the loop is stuck, sees the locks, and can end it") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Lock a;
  const Lock b;
  auto seen = std::make_shared<DeadlockSeen>();
  asyncdemo::run(rt, break_a_deadlock(a, b, seen));
  CHECK(seen->calls == 1);
  CHECK(seen->at == at(std::chrono::milliseconds(10)));  // as soon as both wait, not later
  const Timeline& timeline = rt.timeline();
  CHECK(seen->holder_a == std::optional(task_named(timeline, "one")));
  CHECK(seen->waiting_for_a == std::vector<asyncdemo::TaskId>{task_named(timeline, "two")});
  CHECK(summary_of(timeline, task_named(timeline, "one")).outcome == TaskOutcome::cancelled);
  CHECK(summary_of(timeline, task_named(timeline, "two")).outcome == TaskOutcome::ok);
  CHECK_FALSE(a.locked());
  CHECK_FALSE(b.locked());
}

Task<void> stay_stuck(Lock a, Lock b, std::shared_ptr<DeadlockSeen> seen) {
  Runtime::current().on_deadlock([seen] { ++seen->calls; });  // does nothing about it
  TaskHandle<void> one = asyncdemo::spawn(take_in_order(a, b), "one");
  TaskHandle<void> two = asyncdemo::spawn(take_in_order(b, a), "two");
  co_await one;
  co_await two;
}

TEST_CASE("a deadlock its handler leaves in place still throws, after one call") {
  auto seen = std::make_shared<DeadlockSeen>();
  {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    CHECK_THROWS_AS(asyncdemo::run(rt, stay_stuck(Lock(), Lock(), seen)), RuntimeMisuse);
  }
  CHECK(seen->calls == 1);
}

Task<void> sleep_for(Duration delay, Witness witness) {
  ++*witness;
  co_await asyncdemo::sleep(delay);
}

Task<void> sleep_beside_a_child(Witness witness) {
  TaskHandle<void> child = asyncdemo::spawn(sleep_for(10ms, witness), "child");
  co_await asyncdemo::sleep(1h);  // still in the timer queue when the loop stops
  co_await child;
}

TEST_CASE(
    "an error escaping the loop from the event sink is rethrown by run, and frames are freed") {
  auto witness = std::make_shared<int>(0);
  {
    Runtime rt;  // the real clock: a libuv timer is armed for main's hour
    rt.timeline().set_sink([](const asyncdemo::Event& e, const Timeline& timeline) {
      // Like a live log writing to a closed pipe: the sink throws, inside a loop callback.
      if (e.kind == EventKind::resumed && timeline.tasks()[e.task].name == "child") {
        throw std::runtime_error("sink failed");
      }
    });
    CHECK_THROWS_WITH_AS(asyncdemo::run(rt, sleep_beside_a_child(witness)), "sink failed",
                         std::runtime_error);
    CHECK(*witness == 1);
    CHECK(witness.use_count() == 1);
  }
  CHECK(witness.use_count() == 1);
}

Task<void> note_and_sleep() {
  Runtime::current().note("hello");
  co_await asyncdemo::sleep(1s);
}

TEST_CASE("the runtime records each state change of a task with its time, and its notes") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  asyncdemo::run(rt, note_and_sleep());
  const Timeline& timeline = rt.timeline();
  REQUIRE(timeline.tasks().size() == 1);
  CHECK(timeline.tasks()[0].name == "main");
  CHECK(timeline.tasks()[0].parent == asyncdemo::kNoParent);

  struct Expected {
    Nanos t_ns;
    EventKind kind;
    WaitKind wait;
  };
  const std::vector<Expected> expected = {
      {0, EventKind::created, WaitKind::none},      {0, EventKind::started, WaitKind::none},
      {0, EventKind::note, WaitKind::none},         {0, EventKind::suspended, WaitKind::sleep},
      {at(1s), EventKind::resumed, WaitKind::none}, {at(1s), EventKind::done, WaitKind::none},
  };
  REQUIRE(timeline.events().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    const asyncdemo::Event& e = timeline.events()[i];
    CHECK(e.task == 0);
    CHECK(e.t_ns == expected[i].t_ns);
    CHECK(e.kind == expected[i].kind);
    CHECK(e.wait == expected[i].wait);
  }
  CHECK(timeline.note(timeline.events()[2].note) == "hello");
}

TEST_CASE("note outside a task is misuse") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK_THROWS_AS(rt.note("nobody is running"), RuntimeMisuse);
}

Task<void> nothing() { co_return; }

TEST_CASE("one Runtime at a time per thread, and none outside it") {
  CHECK_THROWS_AS(Runtime::current(), RuntimeMisuse);
  CHECK_THROWS_AS(static_cast<void>(asyncdemo::spawn(nothing())), RuntimeMisuse);
  {
    Runtime rt;
    CHECK(&Runtime::current() == &rt);
    CHECK_THROWS_AS(Runtime(RuntimeOptions{ClockKind::virtual_time}), RuntimeMisuse);
    CHECK(&Runtime::current() == &rt);  // the refused second one did not unseat the first
  }
  CHECK_THROWS_AS(Runtime::current(), RuntimeMisuse);
  Runtime again;  // the first one is gone, so a new one may exist (and is never run)
  CHECK(&Runtime::current() == &again);
}

Task<void> one_thread_sleep(Duration length) { co_await asyncdemo::thread_sleep(length); }

Task<void> abandon_thread_work() {
  TaskHandle<void> worker = asyncdemo::spawn(one_thread_sleep(200ms));
  TaskHandle<void> sleeper = asyncdemo::spawn(sleep_with_cleanup(1h, 10ms));
  // Cancelled once its job runs on a pool thread (a job still queued would be dropped, not
  // waited for), which on a loaded machine can take longer than any fixed wait.
  do {
    co_await asyncdemo::sleep(1ms);
  } while (Runtime::current().threads_running() == 0);
  worker.cancel();
  co_await worker.wait();
}

TEST_SUITE("threads") {
  TEST_CASE("run returns normally, the loop closed, after timers, cancels and abandoned work") {
    Runtime rt;
    const std::uint64_t before = uv_hrtime();
    // run() throws UvError if uv_loop_close fails: a handle or request left behind.
    CHECK_NOTHROW(asyncdemo::run(rt, abandon_thread_work()));
    CHECK(static_cast<Nanos>(uv_hrtime() - before) >= at(200ms));  // waited for the thread
    CHECK(static_cast<Nanos>(uv_hrtime() - before) < at(10s));     // but not for the hour
  }
}

}  // namespace
