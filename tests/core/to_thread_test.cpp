// to_thread (asyncio.to_thread) and thread_sleep on libuv's thread pool: results and errors
// come back, and cancellation is only a pretense once the work runs (core/to_thread.hpp).
#include "core/to_thread.hpp"

#include <doctest/doctest.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
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
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::test::at;
using asyncdemo::test::first_time;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

struct ThreadResult {
  int value;
  bool ran_on_another_thread;
};

Task<ThreadResult> compute_on_a_thread() {
  const std::thread::id loop_thread = std::this_thread::get_id();
  auto [value, worker] =
      co_await asyncdemo::to_thread([] { return std::pair{6 * 7, std::this_thread::get_id()}; });
  co_return ThreadResult{value, worker != loop_thread};
}

Task<std::string> fail_on_a_thread() {
  try {
    co_await asyncdemo::to_thread([]() -> int { throw std::domain_error("from the worker"); });
  } catch (const std::domain_error& e) {
    co_return e.what();
  }
  co_return "no error";
}

// TRICKY: a lambda with captures is named before the co_await, never written inside it.
// g++ 12 destroys a capturing lambda temporary of a co_await expression twice, so
// `co_await to_thread([ptr] {...})` frees `ptr` one time too many (ASan: use after free).
Task<bool> void_on_a_thread(std::shared_ptr<std::atomic<bool>> ran) {
  auto set_flag = [ran] { ran->store(true); };
  co_await asyncdemo::to_thread(set_flag);
  co_return ran->load();
}

TEST_SUITE("threads") {
  TEST_CASE("to_thread returns the function's value, computed on a worker thread") {
    Runtime rt;
    const ThreadResult result = asyncdemo::run(rt, compute_on_a_thread());
    CHECK(result.value == 42);
    CHECK(result.ran_on_another_thread);
  }

  TEST_CASE("to_thread carries the function's exception back to the awaiter") {
    Runtime rt;
    CHECK(asyncdemo::run(rt, fail_on_a_thread()) == "from the worker");
  }

  TEST_CASE("to_thread runs a function that returns nothing") {
    Runtime rt;
    CHECK(asyncdemo::run(rt, void_on_a_thread(std::make_shared<std::atomic<bool>>(false))));
  }
}

Task<int> tick(int times, Duration every) {
  for (int i = 0; i < times; ++i) {
    co_await asyncdemo::sleep(every);
  }
  co_return times;
}

Task<void> block_a_worker(Duration length) {
  auto block = [length] { std::this_thread::sleep_for(length); };
  co_await asyncdemo::to_thread(block);
}

Task<void> tick_while_a_thread_works() {
  TaskHandle<void> worker = asyncdemo::spawn(block_a_worker(300ms), "worker");
  TaskHandle<int> ticker = asyncdemo::spawn(tick(5, 10ms), "ticker");
  co_await ticker;
  co_await worker;
}

/// Work for a pool thread that says when it ends, so the test can see run() waited for it.
Task<void> sleep_on_a_thread(Duration length, std::shared_ptr<std::atomic<bool>> finished) {
  auto sleep_then_say_so = [length, finished] {
    std::this_thread::sleep_for(length);
    finished->store(true);
  };
  co_await asyncdemo::to_thread(sleep_then_say_so);
}

struct CancelObservation {
  bool awaiter_cancelled = false;
  bool work_finished_when_resumed = true;
  Nanos resumed_after_ns = -1;  // from the cancel to the awaiter's Cancelled
};

Task<CancelObservation> cancel_thread_work(std::shared_ptr<std::atomic<bool>> finished) {
  // Generous margins for a busy machine: the thread has 100 ms to start, and the awaiter
  // 700 ms to resume before the work ends.
  TaskHandle<void> worker = asyncdemo::spawn(sleep_on_a_thread(800ms, finished), "worker");
  co_await asyncdemo::sleep(100ms);
  CancelObservation seen;
  const std::uint64_t cancelled_at = uv_hrtime();
  worker.cancel();
  try {
    co_await worker;
  } catch (const Cancelled&) {
    seen.awaiter_cancelled = true;
  }
  seen.resumed_after_ns = static_cast<Nanos>(uv_hrtime() - cancelled_at);
  seen.work_finished_when_resumed = finished->load();
  co_return seen;
}

/// Occupies every pool thread, then cancels one more piece of work still in the queue.
Task<void> cancel_queued_work() {
  std::vector<TaskHandle<void>> busy;
  busy.reserve(Runtime::thread_pool_size());
  for (std::size_t i = 0; i < Runtime::thread_pool_size(); ++i) {
    busy.push_back(asyncdemo::spawn(block_a_worker(500ms)));
  }
  TaskHandle<void> queued = asyncdemo::spawn(block_a_worker(500ms), "queued");
  co_await asyncdemo::sleep(50ms);
  queued.cancel();
  co_await queued.wait();
  for (TaskHandle<void>& task : busy) {
    co_await task;
  }
}

Task<Nanos> virtual_clock_during_thread_work() {
  TaskHandle<int> sleeper = asyncdemo::spawn(tick(1, 1s), "sleeper");
  co_await asyncdemo::to_thread([] { std::this_thread::sleep_for(50ms); });
  const Nanos after_thread = Runtime::current().now();
  co_await sleeper;
  co_return after_thread;
}

TEST_SUITE("threads") {
  TEST_CASE("the loop keeps running other tasks while to_thread work runs") {
    Runtime rt;
    asyncdemo::run(rt, tick_while_a_thread_works());
    const Timeline& timeline = rt.timeline();
    // Five 10 ms ticks end long before the 300 ms of thread work.
    CHECK(summary_of(timeline, task_named(timeline, "ticker")).end_ns <
          summary_of(timeline, task_named(timeline, "worker")).end_ns);
    CHECK(summary_of(timeline, task_named(timeline, "worker")).end_ns >= at(300ms));
    CHECK(asyncdemo::test::has_span(timeline, task_named(timeline, "worker"), SpanState::thread,
                                    rt.now()));
  }

  TEST_CASE("a thread's start reaches the event sink as it happens, not when the work ends") {
    Runtime rt;
    std::vector<asyncdemo::Event> delivered;  // in the order the live log would print them
    rt.timeline().set_sink([&delivered](const asyncdemo::Event& event, const Timeline&) {
      delivered.push_back(event);
    });
    asyncdemo::run(rt, tick_while_a_thread_works());
    const auto kind_of = [](const asyncdemo::Event& event) { return event.kind; };
    const auto start = std::ranges::find(delivered, EventKind::thread_started, kind_of);
    REQUIRE(start != delivered.end());
    // The ticker's events, 10 to 50 ms in, came while the thread slept its 300 ms. Had the
    // start been learnt only from the job's completion, they would all come before it. A
    // generous margin for a busy machine: nothing 40 ms later than the start comes first.
    for (auto before = delivered.begin(); before != start; ++before) {
      CHECK(before->t_ns <= start->t_ns + at(40ms));
    }
    const auto finish =
        std::ranges::find(start, delivered.end(), EventKind::thread_finished, kind_of);
    CHECK(finish != delivered.end());  // and the start comes before the end
  }

  TEST_CASE(
      "cancelling a to_thread awaiter resumes it at once, while the work runs on and run waits") {
    Runtime rt;
    auto finished = std::make_shared<std::atomic<bool>>(false);
    const std::uint64_t before = uv_hrtime();
    const CancelObservation seen = asyncdemo::run(rt, cancel_thread_work(finished));
    const auto run_took = static_cast<Nanos>(uv_hrtime() - before);

    CHECK(seen.awaiter_cancelled);
    CHECK_FALSE(seen.work_finished_when_resumed);  // resumed while the thread still ran
    CHECK(seen.resumed_after_ns < at(600ms));      // not when the work ends
    CHECK(finished->load());                       // run() returned only after the work
    CHECK(run_took >= at(800ms));

    const Timeline& timeline = rt.timeline();
    const asyncdemo::TaskId worker = task_named(timeline, "worker");
    CHECK(summary_of(timeline, worker).outcome == TaskOutcome::cancelled);
    const Nanos cancelled = first_time(timeline, worker, EventKind::cancelled);
    const Nanos thread_finished = first_time(timeline, worker, EventKind::thread_finished);
    REQUIRE(thread_finished >= 0);
    CHECK(cancelled < thread_finished);  // both moments are recorded, in this order
    CHECK(first_time(timeline, worker, EventKind::thread_started) < cancelled);
    CHECK(asyncdemo::test::has_span(timeline, worker, SpanState::thread_abandoned, rt.now()));
    CHECK(asyncdemo::test::count_events(timeline, worker, EventKind::thread_dropped) == 0);
  }

  TEST_CASE("thread work still queued when its awaiter is cancelled is removed from the pool") {
    Runtime rt;
    asyncdemo::run(rt, cancel_queued_work());
    const Timeline& timeline = rt.timeline();
    const asyncdemo::TaskId queued = task_named(timeline, "queued");
    CHECK(summary_of(timeline, queued).outcome == TaskOutcome::cancelled);
    CHECK(asyncdemo::test::count_events(timeline, queued, EventKind::thread_dropped) == 1);
    CHECK(asyncdemo::test::count_events(timeline, queued, EventKind::thread_started) == 0);
    CHECK(asyncdemo::test::count_events(timeline, queued, EventKind::thread_finished) == 0);
    CHECK_FALSE(asyncdemo::test::has_span(timeline, queued, SpanState::thread, rt.now()));
  }

  TEST_CASE("on the virtual clock, time stands still while real thread work runs") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const std::uint64_t before = uv_hrtime();
    CHECK(asyncdemo::run(rt, virtual_clock_during_thread_work()) == 0);
    CHECK(static_cast<Nanos>(uv_hrtime() - before) >= at(50ms));  // the work really ran
    // The sleeper's 1 s deadline was not jumped to while the work was in flight.
    CHECK(rt.now() == at(1s));
    CHECK(summary_of(rt.timeline(), task_named(rt.timeline(), "sleeper")).end_ns == at(1s));
  }
}

}  // namespace
