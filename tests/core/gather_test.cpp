// gather (asyncio.gather) and its three error policies (core/gather.hpp).
#include "core/gather.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "tests/core/timeline_queries.hpp"
#include "tests/core/workers.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::Nanos;
using asyncdemo::OnError;
using asyncdemo::Outcome;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::test::at;
using asyncdemo::test::fail_after;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;
using asyncdemo::test::work;
using asyncdemo::test::work_with_cleanup;

namespace {

std::vector<int> values_of(std::vector<Outcome<int>> outcomes) {
  std::vector<int> values;
  values.reserve(outcomes.size());
  for (Outcome<int>& outcome : outcomes) {
    values.push_back(std::move(outcome).take());
  }
  return values;
}

Task<std::vector<int>> gather_out_of_order() {
  std::vector<Task<int>> tasks;
  tasks.push_back(work(3s, 10));
  tasks.push_back(work(1s, 20));
  tasks.push_back(work(2s, 30));
  co_return values_of(co_await asyncdemo::gather(std::move(tasks)));
}

TEST_CASE("gather returns results in submission order, whatever the completion order") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_out_of_order()) == std::vector<int>{10, 20, 30});
  CHECK(rt.now() == at(3s));  // concurrently: the longest, not the sum (6 s)

  // The timeline shows the other order: task-2 ends first, then task-3, then task-1.
  const Timeline& timeline = rt.timeline();
  CHECK(summary_of(timeline, task_named(timeline, "task-1")).end_ns == at(3s));
  CHECK(summary_of(timeline, task_named(timeline, "task-2")).end_ns == at(1s));
  CHECK(summary_of(timeline, task_named(timeline, "task-3")).end_ns == at(2s));
  CHECK(timeline.max_in_flight() == 3);
}

struct PropagateObservation {
  std::string error;
  Nanos raised_at;
};

Task<PropagateObservation> gather_propagate() {
  std::vector<Task<int>> tasks;
  tasks.push_back(work(1s, 1));
  tasks.push_back(fail_after(2s, "second failed"));
  tasks.push_back(work(3s, 3));
  tasks.push_back(fail_after(4s, "fourth failed"));
  tasks.push_back(work(5s, 5));
  PropagateObservation seen{"", -1};
  try {
    co_await asyncdemo::gather(std::move(tasks), OnError::propagate);
  } catch (const std::runtime_error& e) {
    seen = PropagateObservation{e.what(), Runtime::current().now()};
  }
  co_await asyncdemo::sleep(10s);  // main stays alive: the siblings are not cancelled by run
  co_return seen;
}

TEST_CASE("gather with propagate raises the first error at once while the siblings run on") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const PropagateObservation seen = asyncdemo::run(rt, gather_propagate());
  CHECK(seen.error == "second failed");
  CHECK(seen.raised_at == at(2s));  // at the failure, not when the others end

  const Timeline& timeline = rt.timeline();
  const auto outcome = [&](const char* name) {
    return summary_of(timeline, task_named(timeline, name)).outcome;
  };
  const auto end = [&](const char* name) {
    return summary_of(timeline, task_named(timeline, name)).end_ns;
  };
  CHECK(outcome("task-1") == TaskOutcome::ok);
  CHECK(outcome("task-2") == TaskOutcome::failed);
  // Not cancelled: asyncio.gather leaves them running, and they finish on their own.
  CHECK(outcome("task-3") == TaskOutcome::ok);
  CHECK(end("task-3") == at(3s));
  CHECK(outcome("task-4") == TaskOutcome::failed);
  CHECK(end("task-4") == at(4s));
  CHECK(outcome("task-5") == TaskOutcome::ok);
  CHECK(end("task-5") == at(5s));
}

Task<int> cancel_self_after(Duration delay) {
  co_await asyncdemo::sleep(delay);
  throw Cancelled{};
}

Task<std::vector<Outcome<int>>> gather_collect() {
  std::vector<Task<int>> tasks;
  tasks.push_back(work(3s, 1));
  tasks.push_back(fail_after(1s, "broken"));
  tasks.push_back(cancel_self_after(2s));
  tasks.push_back(work(1s, 4));
  co_return co_await asyncdemo::gather(std::move(tasks), OnError::collect);
}

TEST_CASE("gather with collect returns errors as Outcome values, in submission order") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  std::vector<Outcome<int>> outcomes = asyncdemo::run(rt, gather_collect());
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].ok());
  CHECK(outcomes[0].value() == 1);
  CHECK(outcomes[1].failed());
  CHECK(outcomes[1].error_message() == "broken");
  CHECK_THROWS_AS(outcomes[1].rethrow_if_error(), std::runtime_error);
  CHECK(outcomes[2].cancelled());
  CHECK_FALSE(outcomes[2].failed());
  CHECK(outcomes[3].value() == 4);
  CHECK(rt.now() == at(3s));  // waited for every task
}

Task<PropagateObservation> gather_cancel_siblings() {
  std::vector<Task<int>> tasks;
  tasks.push_back(work_with_cleanup(1h, 500ms));  // cleanup after the cancel: 0.5 s more
  tasks.push_back(fail_after(1s, "first failure"));
  tasks.push_back(work(1h, 3));
  tasks.push_back(work(500ms, 4));  // already done when the failure comes
  PropagateObservation seen{"", -1};
  try {
    co_await asyncdemo::gather(std::move(tasks), OnError::cancel_siblings);
  } catch (const std::runtime_error& e) {
    seen = PropagateObservation{e.what(), Runtime::current().now()};
  }
  co_return seen;
}

TEST_CASE("gather with cancel_siblings cancels the rest and waits for them before raising") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const PropagateObservation seen = asyncdemo::run(rt, gather_cancel_siblings());
  CHECK(seen.error == "first failure");  // the failure itself, not a Cancelled
  CHECK(seen.raised_at == at(1500ms));   // after the slowest cleanup

  const Timeline& timeline = rt.timeline();
  const auto summary = [&](const char* name) {
    return summary_of(timeline, task_named(timeline, name));
  };
  CHECK(summary("task-1").outcome == TaskOutcome::cancelled);
  CHECK(summary("task-1").end_ns == at(1500ms));
  CHECK(summary("task-2").outcome == TaskOutcome::failed);
  CHECK(summary("task-3").outcome == TaskOutcome::cancelled);
  CHECK(summary("task-3").end_ns == at(1s));
  CHECK(summary("task-4").outcome == TaskOutcome::ok);
}

Task<std::vector<Outcome<int>>> gather_children(OnError policy) {
  std::vector<Task<int>> tasks;
  tasks.push_back(work(1h, 1));
  tasks.push_back(work_with_cleanup(1h, 200ms));
  tasks.push_back(work(1h, 3));
  co_return co_await asyncdemo::gather(std::move(tasks), policy);
}

Task<bool> cancel_the_gatherer(OnError policy) {
  TaskHandle<std::vector<Outcome<int>>> gatherer =
      asyncdemo::spawn(gather_children(policy), "gatherer");
  co_await asyncdemo::sleep(1s);
  gatherer.cancel();
  bool cancelled = false;
  try {
    co_await gatherer;
  } catch (const Cancelled&) {
    cancelled = true;
  }
  co_await asyncdemo::sleep(10s);  // main stays alive: no child is cancelled by run's end
  co_return cancelled;
}

TEST_CASE("cancelling the task that awaits gather cancels every child") {
  for (const OnError policy : {OnError::propagate, OnError::collect, OnError::cancel_siblings}) {
    CAPTURE(static_cast<int>(policy));
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    CHECK(asyncdemo::run(rt, cancel_the_gatherer(policy)));
    const Timeline& timeline = rt.timeline();
    for (const char* name : {"task-2", "task-3", "task-4"}) {
      CAPTURE(name);
      CHECK(summary_of(timeline, task_named(timeline, name)).outcome == TaskOutcome::cancelled);
    }
    // The child with cleanup ends 200 ms after the cancel.
    CHECK(summary_of(timeline, task_named(timeline, "task-3")).end_ns == at(1200ms));
    // As in asyncio, plain gather raises at the first child's CancelledError; the others
    // (return_exceptions, TaskGroup) wait for every child, cleanup included.
    const Nanos gatherer_end = summary_of(timeline, task_named(timeline, "gatherer")).end_ns;
    CHECK(gatherer_end == (policy == OnError::propagate ? at(1s) : at(1200ms)));
  }
}

Task<std::vector<int>> gather_ended_tasks() {
  std::vector<TaskHandle<int>> handles;
  handles.push_back(asyncdemo::spawn(work(1s, 1)));
  handles.push_back(asyncdemo::spawn(work(3s, 2)));
  handles.push_back(asyncdemo::spawn(work(0s, 3)));
  co_await asyncdemo::sleep(2s);  // the first and last have ended by now
  co_return values_of(co_await asyncdemo::gather(std::move(handles)));
}

TEST_CASE("gather of spawned tasks, some already ended, returns all their results in order") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_ended_tasks()) == std::vector<int>{1, 2, 3});
  CHECK(rt.now() == at(3s));
}

Task<std::size_t> gather_nothing() {
  const std::vector<Outcome<int>> results = co_await asyncdemo::gather(std::vector<Task<int>>{});
  co_return results.size();
}

TEST_CASE("gather of no tasks completes at once with no results") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_nothing()) == 0);
  CHECK(rt.now() == 0);
}

Task<void> void_work(Duration delay) { co_await asyncdemo::sleep(delay); }

Task<void> void_fail(Duration delay) {
  co_await asyncdemo::sleep(delay);
  throw std::invalid_argument("void failure");
}

Task<std::vector<Outcome<void>>> gather_void() {
  std::vector<Task<void>> tasks;
  tasks.push_back(void_work(2s));
  tasks.push_back(void_fail(1s));
  co_return co_await asyncdemo::gather(std::move(tasks), OnError::collect);
}

TEST_CASE("gather works for tasks that return nothing") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const std::vector<Outcome<void>> outcomes = asyncdemo::run(rt, gather_void());
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].ok());
  CHECK(outcomes[1].failed());
  CHECK(outcomes[1].error_message() == "void failure");
}

// Handles given to gather: it frees each frame as its task ends, and after it
// raises, take_remains() hands back what the caller needs to see the rest.
struct RemainsObservation {
  std::size_t frames_freed_by_gather = 0;  // empty handles: their outcome kept by gather
  std::vector<std::string> outcomes;       // of every task, in submission order
};

Task<RemainsObservation> gather_owning_then_remains() {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(1s, 10)));
  tasks.push_back(asyncdemo::spawn(fail_after(2s, "boom")));
  tasks.push_back(asyncdemo::spawn(work(3s, 30)));
  asyncdemo::GatherAwaiter<int> all = asyncdemo::gather(std::move(tasks));
  bool raised = false;
  try {
    co_await all;
  } catch (const std::runtime_error&) {
    raised = true;
  }
  CHECK(raised);
  auto [handles, outcomes] = all.take_remains();
  RemainsObservation seen;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    Outcome<int> outcome;
    if (handles[i].valid()) {
      co_await handles[i].wait();
      outcome = handles[i].take_outcome();
    } else {
      ++seen.frames_freed_by_gather;
      outcome = std::move(outcomes[i]);
    }
    seen.outcomes.push_back(outcome.ok() ? std::to_string(outcome.value())
                                         : outcome.error_message());
  }
  co_return seen;
}

TEST_CASE("gather that owns the handles frees frames as tasks end, and hands the rest back") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const RemainsObservation seen = asyncdemo::run(rt, gather_owning_then_remains());
  // Tasks 1 and 2 had ended when gather raised (at 2 s): gather held their
  // only handle, kept their outcomes and freed their frames. Task 3 ran on.
  CHECK(seen.frames_freed_by_gather == 2);
  CHECK(seen.outcomes == std::vector<std::string>{"10", "boom", "30"});
  CHECK(rt.now() == Nanos{3'000'000'000});
}

// gather_each: gather makes each task through make(i) and listens to it at once.
Task<std::vector<int>> gather_each_out_of_order() {
  const std::vector<Duration> delays{3s, 1s, 2s};
  asyncdemo::GatherAwaiter<int> all =
      asyncdemo::gather_each<int>(delays.size(), [&delays](std::size_t i) {
        return asyncdemo::spawn(work(delays[i], static_cast<int>(i) * 10));
      });
  co_return values_of(co_await all);
}

TEST_CASE("gather_each makes the tasks in order and returns results in that order") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_each_out_of_order()) == std::vector<int>{0, 10, 20});
  CHECK(rt.now() == Nanos{3'000'000'000});  // concurrently: the longest, not the sum
  CHECK(rt.timeline().task_count() == 4);   // main and the three made by gather_each
}

Task<int> gather_each_including_a_task_already_ended() {
  TaskHandle<int> early = asyncdemo::spawn(work(1s, 7));
  co_await asyncdemo::sleep(2s);
  REQUIRE(early.done());
  asyncdemo::GatherAwaiter<int> all = asyncdemo::gather_each<int>(2, [&early](std::size_t i) {
    return i == 0 ? std::move(early) : asyncdemo::spawn(work(1s, 8));
  });
  const std::vector<int> values = values_of(co_await all);
  co_return values.at(0) * 100 + values.at(1);
}

TEST_CASE("gather_each takes the outcome of a task that had already ended when it was made") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_each_including_a_task_already_ended()) == 708);
  CHECK(rt.now() == Nanos{3'000'000'000});
}

Task<std::string> gather_each_whose_make_throws() {
  std::string seen;
  try {
    asyncdemo::GatherAwaiter<int> all =
        asyncdemo::gather_each<int>(3, [](std::size_t i) -> TaskHandle<int> {
          if (i == 2) {
            throw std::runtime_error("cannot make task 3");
          }
          return asyncdemo::spawn(work(1s, static_cast<int>(i)), i == 0 ? "first" : "second");
        });
    seen = "no error";
  } catch (const std::runtime_error& error) {
    seen = error.what();
  }
  // The two tasks made before the error run on, detached: gather no longer
  // listens to them, so they end without touching the gather that is gone.
  co_await asyncdemo::sleep(2s);
  co_return seen;
}

TEST_CASE("gather_each whose make throws: the error goes up, the tasks made run on detached") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, gather_each_whose_make_throws()) == "cannot make task 3");
  const Timeline& timeline = rt.timeline();
  CHECK(summary_of(timeline, task_named(timeline, "first")).outcome == TaskOutcome::ok);
  CHECK(summary_of(timeline, task_named(timeline, "second")).outcome == TaskOutcome::ok);
  CHECK(summary_of(timeline, task_named(timeline, "second")).end_ns == 1'000'000'000);
}

}  // namespace

namespace {

struct GroupObservation {
  bool raised = false;
  std::vector<Outcome<int>> outcomes;
};

// A failure and two siblings due at the same moment: all three wake in one loop iteration.
Task<GroupObservation> equal_delays_one_fails(OnError policy) {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(1s, 1)));
  tasks.push_back(asyncdemo::spawn(fail_after(1s, "boom")));
  tasks.push_back(asyncdemo::spawn(work(1s, 3)));
  asyncdemo::GatherAwaiter<int> all = asyncdemo::gather(tasks, policy);
  GroupObservation seen;
  try {
    static_cast<void>(co_await all);
  } catch (const std::runtime_error&) {
    seen.raised = true;
  }
  for (TaskHandle<int>& task : tasks) {
    co_await task.wait();
    seen.outcomes.push_back(task.take_outcome());
  }
  co_return seen;
}

}  // namespace

TEST_CASE("a TaskGroup hears of a failure one iteration later, as asyncio's call_soon") {
  // asyncio runs a task's done-callbacks through call_soon: task-3, whose wake-up was due in
  // the failure's iteration, has returned before the group cancels anything ([1, error, 3]).
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const GroupObservation seen =
      asyncdemo::run(rt, equal_delays_one_fails(OnError::cancel_siblings));
  CHECK(seen.raised);
  const std::vector<Outcome<int>>& outcomes = seen.outcomes;
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].ok());
  CHECK(outcomes[1].failed());
  CHECK(outcomes[2].ok());
  CHECK(outcomes[2].value() == 3);
}

TEST_CASE("a task awaiting another resumes in the iteration after it ended") {
  // `await task`: Task.__wakeup steps the awaiting task directly from the done-callback, one
  // iteration after the end; a task woken by a timer in that same iteration as the end runs
  // before it, one woken in the next runs after.
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  auto order = std::make_shared<std::vector<std::string>>();
  auto awaiting = [](std::shared_ptr<std::vector<std::string>> seen) -> Task<void> {
    TaskHandle<int> child = asyncdemo::spawn(work(1s, 1), "child");
    TaskHandle<void> other = asyncdemo::spawn(
        [](std::shared_ptr<std::vector<std::string>> log) -> Task<void> {
          co_await asyncdemo::sleep(1s);
          log->emplace_back("other");  // due with the child: runs in the child's iteration
        }(seen),
        "other");
    static_cast<void>(co_await child);
    seen->emplace_back("main");
    co_await other.wait();
  };
  asyncdemo::run(rt, awaiting(order));
  CHECK(*order == std::vector<std::string>{"other", "main"});
}
