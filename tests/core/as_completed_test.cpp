// as_completed (asyncio.as_completed): results in completion order (core/as_completed.hpp).
#include "core/as_completed.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
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
using asyncdemo::AsCompleted;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::Completed;
using asyncdemo::Duration;
using asyncdemo::Nanos;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::test::at;
using asyncdemo::test::fail_after;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;
using asyncdemo::test::work;

namespace {

/// One result as the consumer saw it.
struct Arrival {
  std::size_t index;
  std::string result;  // the value, or "error: <message>"
  Nanos at_ns;
};

Task<std::vector<Arrival>> consume(std::vector<TaskHandle<int>> tasks) {
  AsCompleted<int> pending = asyncdemo::as_completed(std::move(tasks));
  std::vector<Arrival> arrivals;
  while (pending.remaining() > 0) {
    Completed<int> next = co_await pending.next();
    const std::string result = next.outcome.ok() ? std::to_string(next.outcome.value())
                                                 : "error: " + next.outcome.error_message();
    arrivals.push_back(Arrival{next.index, result, Runtime::current().now()});
  }
  co_return arrivals;
}

Task<std::vector<Arrival>> spawn_and_consume() {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(3s, 30)));
  tasks.push_back(asyncdemo::spawn(work(1s, 10)));
  tasks.push_back(asyncdemo::spawn(fail_after(2500ms, "no such name")));
  tasks.push_back(asyncdemo::spawn(work(2s, 20)));
  co_return co_await consume(std::move(tasks));
}

TEST_CASE("as_completed yields results in completion order, each with its submission index") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const std::vector<Arrival> arrivals = asyncdemo::run(rt, spawn_and_consume());
  REQUIRE(arrivals.size() == 4);
  CHECK(arrivals[0].index == 1);
  CHECK(arrivals[0].result == "10");
  CHECK(arrivals[0].at_ns == at(1s));  // each result as soon as its task ends
  CHECK(arrivals[1].index == 3);
  CHECK(arrivals[1].result == "20");
  CHECK(arrivals[1].at_ns == at(2s));
  CHECK(arrivals[2].index == 2);
  CHECK(arrivals[2].result == "error: no such name");  // errors come back as outcomes
  CHECK(arrivals[2].at_ns == at(2500ms));
  CHECK(arrivals[3].index == 0);
  CHECK(arrivals[3].result == "30");
  CHECK(arrivals[3].at_ns == at(3s));
}

Task<std::vector<Arrival>> consume_after_some_ended() {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(5s, 50)));
  tasks.push_back(asyncdemo::spawn(work(2s, 20)));
  tasks.push_back(asyncdemo::spawn(work(1s, 10)));
  co_await asyncdemo::sleep(3s);
  co_return co_await consume(std::move(tasks));
}

TEST_CASE("as_completed yields tasks that ended before it was created first, at once") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const std::vector<Arrival> arrivals = asyncdemo::run(rt, consume_after_some_ended());
  REQUIRE(arrivals.size() == 3);
  // Already ended ones come in submission order (their completion order is not observed).
  CHECK(arrivals[0].index == 1);
  CHECK(arrivals[0].at_ns == at(3s));
  CHECK(arrivals[1].index == 2);
  CHECK(arrivals[1].at_ns == at(3s));
  CHECK(arrivals[2].index == 0);
  CHECK(arrivals[2].at_ns == at(5s));
}

Task<bool> next_with_nothing_left() {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(1s, 1)));
  AsCompleted<int> pending = asyncdemo::as_completed(std::move(tasks));
  static_cast<void>(co_await pending.next());
  try {
    static_cast<void>(pending.next());
  } catch (const asyncdemo::RuntimeMisuse&) {
    co_return pending.remaining() == 0;
  }
  co_return false;
}

TEST_CASE("as_completed's next() with no result remaining is misuse") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, next_with_nothing_left()));
}

Task<bool> cancel_the_consumer() {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(2s, 1), "first"));
  tasks.push_back(asyncdemo::spawn(work(3s, 2), "second"));
  TaskHandle<std::vector<Arrival>> consumer =
      asyncdemo::spawn(consume(std::move(tasks)), "consumer");
  co_await asyncdemo::sleep(1s);
  consumer.cancel();
  bool cancelled = false;
  try {
    co_await consumer;
  } catch (const Cancelled&) {
    cancelled = true;
  }
  co_await asyncdemo::sleep(5s);
  co_return cancelled;
}

TEST_CASE("cancelling the consumer of as_completed stops its wait, and the tasks run on") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, cancel_the_consumer()));
  const asyncdemo::Timeline& timeline = rt.timeline();
  CHECK(summary_of(timeline, task_named(timeline, "consumer")).end_ns == at(1s));
  CHECK(summary_of(timeline, task_named(timeline, "first")).outcome == TaskOutcome::ok);
  CHECK(summary_of(timeline, task_named(timeline, "first")).end_ns == at(2s));
  CHECK(summary_of(timeline, task_named(timeline, "second")).outcome == TaskOutcome::ok);
  CHECK(summary_of(timeline, task_named(timeline, "second")).end_ns == at(3s));
}

/// An as_completed that one task owns and another consumes.
using SharedAsCompleted = std::shared_ptr<std::unique_ptr<AsCompleted<int>>>;

Task<std::string> await_next(SharedAsCompleted pending) {
  try {
    Completed<int> next = co_await (*pending)->next();
    co_return "got " + std::to_string(next.index);
  } catch (const asyncdemo::RuntimeMisuse& e) {
    co_return e.what();
  }
}

Task<std::string> destroy_while_awaited() {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(asyncdemo::spawn(work(2s, 1), "watched"));
  auto pending = std::make_shared<std::unique_ptr<AsCompleted<int>>>(
      std::make_unique<AsCompleted<int>>(std::move(tasks)));
  TaskHandle<std::string> consumer = asyncdemo::spawn(await_next(pending), "consumer");
  co_await asyncdemo::sleep(1s);
  pending->reset();  // the consumer is still suspended in next()
  std::string seen = co_await consumer;
  co_await asyncdemo::sleep(5s);  // for the watched task to end on its own
  co_return seen;
}

// Before, the consumer was never woken (a deadlock) and its awaiter, when its frame was
// freed, wrote into the destroyed as_completed (ASan: heap-use-after-free).
TEST_CASE("an as_completed destroyed while its next() is awaited raises misuse at that await") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, destroy_while_awaited()) ==
        "as_completed: destroyed while next() was awaited");
  const asyncdemo::Timeline& timeline = rt.timeline();
  CHECK(summary_of(timeline, task_named(timeline, "consumer")).end_ns == at(1s));
  // The task it watched was detached, not cancelled: it runs on.
  CHECK(summary_of(timeline, task_named(timeline, "watched")).outcome == TaskOutcome::ok);
  CHECK(summary_of(timeline, task_named(timeline, "watched")).end_ns == at(2s));
}

}  // namespace
