// Task<T>: lazy, move-only, owns its frame, symmetric transfer, exceptions rethrown at the
// awaiter (core/task.hpp).
#include "core/task.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::test::at;

namespace {

static_assert(!std::is_copy_constructible_v<Task<int>>);
static_assert(!std::is_copy_assignable_v<Task<int>>);
static_assert(std::is_nothrow_move_constructible_v<Task<int>>);
static_assert(std::is_nothrow_move_assignable_v<Task<int>>);

Task<int> count_and_return(std::shared_ptr<int> runs, int value) {
  ++*runs;
  co_return value;
}

Task<int> throw_runtime_error(std::string message) {
  throw std::runtime_error(message);
  co_return 0;
}

Task<void> throw_logic_error() {
  throw std::logic_error("void task failed");
  co_return;
}

Task<void> set_flag(std::shared_ptr<bool> flag) {
  *flag = true;
  co_return;
}

struct LazyObservation {
  int runs_before_await;
  int value;
  int runs_after_await;
};

Task<LazyObservation> await_later() {
  auto runs = std::make_shared<int>(0);
  Task<int> task = count_and_return(runs, 7);
  const int before = *runs;
  co_await asyncdemo::sleep(1ms);  // other work happens; the task still has not run
  const int value = co_await std::move(task);
  co_return LazyObservation{before, value, *runs};
}

TEST_CASE("a Task does not run until it is awaited") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const LazyObservation seen = asyncdemo::run(rt, await_later());
  CHECK(seen.runs_before_await == 0);
  CHECK(seen.value == 7);
  CHECK(seen.runs_after_await == 1);
}

Task<int> drop_unawaited(std::shared_ptr<int> runs) {
  {
    Task<int> never_awaited = count_and_return(runs, 1);
  }
  co_await asyncdemo::sleep(1ms);
  co_return *runs;
}

TEST_CASE("a Task destroyed without being awaited never runs and frees its frame") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  auto runs = std::make_shared<int>(0);
  CHECK(asyncdemo::run(rt, drop_unawaited(runs)) == 0);
  CHECK(*runs == 0);
  CHECK(runs.use_count() == 1);  // the dropped frame released its copy of the pointer
}

Task<std::string> catch_runtime_error() {
  try {
    co_await throw_runtime_error("boom");
  } catch (const std::runtime_error& e) {
    co_return std::string("caught ") + e.what();
  }
  co_return "not thrown";
}

TEST_CASE("awaiting a Task rethrows its exception at the awaiter") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, catch_runtime_error()) == "caught boom");
}

Task<bool> await_void_tasks() {
  auto flag = std::make_shared<bool>(false);
  co_await set_flag(flag);
  bool threw = false;
  try {
    co_await throw_logic_error();
  } catch (const std::logic_error&) {
    threw = true;
  }
  co_return *flag&& threw;
}

TEST_CASE("Task<void> runs to completion and rethrows like Task<T>") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, await_void_tasks()));
}

Task<int> ready_value(int value) { co_return value; }

// Without symmetric transfer each await of a task that completes at once would resume the
// awaiter from inside the task's final suspend, one native frame deeper per iteration: a
// million of them overflow the stack.
Task<long long> sum_a_million_immediate_awaits() {
  constexpr int kAwaits = 1'000'000;
  long long sum = 0;
  for (int i = 0; i < kAwaits; ++i) {
    sum += co_await ready_value(i % 3);
  }
  co_return sum;
}

TEST_CASE("a million awaits of tasks that complete at once do not grow the stack") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, sum_a_million_immediate_awaits()) == 999'999);
}

// Each level adds 1 to the level below; the innermost suspends, then fails; the failure
// passes through every level up to `catcher`, which returns 0 instead.
Task<int> nest(int depth, int catcher) {
  if (depth == 0) {
    co_await asyncdemo::sleep(1s);
    throw std::runtime_error("from the bottom");
  }
  if (depth != catcher) {
    co_return 1 + co_await nest(depth - 1, catcher);
  }
  try {
    co_return 1 + co_await nest(depth - 1, catcher);
  } catch (const std::runtime_error&) {
    co_return 0;
  }
}

// Each nesting level is a native frame until the innermost task suspends, so depth (unlike
// a loop of awaits) is bounded by the stack: a thousand is far more than any scenario needs.
TEST_CASE("a value and an exception travel through tasks nested a thousand deep") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, nest(1000, 500)) == 500);
  CHECK(rt.now() == at(1s));
}

Task<int> sleep_then_return(int value) {
  co_await asyncdemo::sleep(2s);
  co_return value;
}

Task<int> await_moved_task() {
  Task<int> first = sleep_then_return(5);
  Task<int> second = std::move(first);
  const bool moved_from_is_empty = !first.valid();  // NOLINT(bugprone-use-after-move)
  const int value = co_await std::move(second);
  co_return moved_from_is_empty ? value : -1;
}

TEST_CASE("a moved Task leaves its source empty and runs from its new owner") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, await_moved_task()) == 5);
}

Task<int> await_nested() { co_return co_await sleep_then_return(3); }

TEST_CASE("an awaited Task runs inside the awaiting task and records no task of its own") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, await_nested()) == 3);
  const asyncdemo::Timeline& timeline = rt.timeline();
  REQUIRE(timeline.tasks().size() == 1);
  const asyncdemo::TaskId main = asyncdemo::test::task_named(timeline, "main");
  // The nested sleep is main's own suspension, and main resumes when it ends.
  CHECK(asyncdemo::test::first_time(timeline, main, asyncdemo::EventKind::resumed) == at(2s));
  CHECK(asyncdemo::test::summary_of(timeline, main).end_ns == at(2s));
}

}  // namespace
