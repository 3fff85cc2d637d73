// wait_for (asyncio.wait_for): a timeout cancels the work and waits for its cleanup before
// raising TimeoutError (core/wait_for.hpp).
#include "core/wait_for.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>

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
using asyncdemo::EventKind;
using asyncdemo::Nanos;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::TimeoutError;
using asyncdemo::test::at;
using asyncdemo::test::first_time;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;
using asyncdemo::test::work;
using asyncdemo::test::work_with_cleanup;

namespace {

/// What main saw: the value (or -1), which error, and when.
struct Seen {
  int value = -1;
  std::string error;
  Nanos at_ns = -1;
};

Task<Seen> guarded_wait(Task<int> job, Duration timeout) {
  Seen seen;
  try {
    seen.value = co_await asyncdemo::wait_for(std::move(job), timeout, "work");
  } catch (const TimeoutError&) {
    seen.error = "timeout";
  } catch (const Cancelled&) {
    seen.error = "cancelled";
  } catch (const std::exception& e) {
    seen.error = e.what();
  }
  seen.at_ns = Runtime::current().now();
  co_return seen;
}

TEST_CASE("wait_for returns the value when the work finishes before the deadline") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Seen seen = asyncdemo::run(rt, guarded_wait(work(1s, 42), 2s));
  CHECK(seen.value == 42);
  CHECK(seen.error.empty());
  CHECK(seen.at_ns == at(1s));
  CHECK(rt.now() == at(1s));  // the unused deadline does not keep the run alive
}

TEST_CASE("wait_for raises TimeoutError only after the cancelled work's cleanup has finished") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Seen seen = asyncdemo::run(rt, guarded_wait(work_with_cleanup(10s, 300ms), 2s));
  CHECK(seen.error == "timeout");
  CHECK(seen.at_ns == at(2s + 300ms));  // the deadline plus the cleanup: the overrun is real

  const Timeline& timeline = rt.timeline();
  const asyncdemo::TaskId work_id = task_named(timeline, "work");
  CHECK(first_time(timeline, work_id, EventKind::resumed) == at(2s));  // cancelled at the deadline
  CHECK(summary_of(timeline, work_id).outcome == TaskOutcome::cancelled);
  CHECK(summary_of(timeline, work_id).end_ns == at(2s + 300ms));
}

Task<int> swallow_cancel(Duration delay, int value) {
  try {
    co_await asyncdemo::sleep(delay);
  } catch (const Cancelled&) {
    // Returns its value anyway: wait_for hands it over rather than raising TimeoutError.
    Runtime::current().note("swallowed the cancel");
  }
  co_return value;
}

TEST_CASE("wait_for returns the value of work that swallows its cancellation") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Seen seen = asyncdemo::run(rt, guarded_wait(swallow_cancel(10s, 7), 2s));
  CHECK(seen.value == 7);
  CHECK(seen.error.empty());
  CHECK(seen.at_ns == at(2s));
  CHECK(summary_of(rt.timeline(), task_named(rt.timeline(), "work")).outcome == TaskOutcome::ok);
}

TEST_CASE("wait_for with a timeout of zero times out before the work's first step") {
  for (const Duration timeout : {Duration::zero(), Duration(-1s)}) {
    CAPTURE(timeout.count());
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const Seen seen = asyncdemo::run(rt, guarded_wait(work(1s, 1), timeout));
    CHECK(seen.error == "timeout");
    CHECK(seen.at_ns == 0);
    const asyncdemo::TaskId work_id = task_named(rt.timeline(), "work");
    CHECK(asyncdemo::test::kinds_of(rt.timeline(), work_id) ==
          std::vector<EventKind>{EventKind::created, EventKind::cancelled});
  }
}

Task<int> fail_after(Duration delay) {
  co_await asyncdemo::sleep(delay);
  throw std::runtime_error("work failed");
}

TEST_CASE("wait_for passes the work's own error through unchanged") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Seen seen = asyncdemo::run(rt, guarded_wait(fail_after(1s), 2s));
  CHECK(seen.error == "work failed");
  CHECK(seen.at_ns == at(1s));
}

Task<bool> cancel_the_waiter() {
  TaskHandle<Seen> waiter =
      asyncdemo::spawn(guarded_wait(work_with_cleanup(10s, 300ms), 5s), "waiter");
  co_await asyncdemo::sleep(1s);
  waiter.cancel();
  const Seen seen = co_await waiter;
  co_return seen.error == "cancelled" && seen.at_ns == at(1300ms);
}

TEST_CASE("cancelling the task that awaits wait_for cancels the work and raises Cancelled") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, cancel_the_waiter()));  // Cancelled, not TimeoutError, after cleanup
  const Timeline& timeline = rt.timeline();
  CHECK(summary_of(timeline, task_named(timeline, "work")).outcome == TaskOutcome::cancelled);
  CHECK(rt.now() == at(1300ms));  // the 5 s deadline was withdrawn
}

Task<Seen> wait_for_ended_handle() {
  TaskHandle<int> handle = asyncdemo::spawn(work(1s, 5), "work");
  co_await asyncdemo::sleep(2s);
  Seen seen;
  seen.value = co_await asyncdemo::wait_for(std::move(handle), 1s);
  seen.at_ns = Runtime::current().now();
  co_return seen;
}

TEST_CASE("wait_for of a task that has already ended returns its value at once") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Seen seen = asyncdemo::run(rt, wait_for_ended_handle());
  CHECK(seen.value == 5);
  CHECK(seen.at_ns == at(2s));
}

}  // namespace
