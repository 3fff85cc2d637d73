// to_process (run_in_executor with a ProcessPoolExecutor) on libuv's process API: the child's
// stdout comes back, its failures are raised, the pool holds at most process_pool_size()
// children, and cancellation is only a pretense once the child runs (core/to_process.hpp).
#include "core/to_process.hpp"

#include <doctest/doctest.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
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
using asyncdemo::Event;
using asyncdemo::EventKind;
using asyncdemo::Nanos;
using asyncdemo::ProcessFailed;
using asyncdemo::ProcessOutputTooLarge;
using asyncdemo::ProcessResult;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::SpanState;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskId;
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::UvError;
using asyncdemo::WaitKind;
using asyncdemo::test::at;
using asyncdemo::test::count_events;
using asyncdemo::test::first_time;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

using Argv = std::vector<std::string>;

// TRICKY: the argv is a named local, moved into to_process, never a braced list written
// inside the co_await: g++ 12 may destroy a temporary of a co_await expression twice.
Task<ProcessResult> run_child(Argv argv) {
  co_return co_await asyncdemo::to_process(std::move(argv));
}

/// What an await of `argv` raised: its what(), or "" if it returned.
template <class Error>
Task<std::string> failure_of(Argv argv) {
  try {
    co_await asyncdemo::to_process(std::move(argv));
  } catch (const Error& e) {
    co_return e.what();
  }
  co_return "";
}

/// Every work event (thread_started, thread_finished, thread_dropped) of the run, in order.
std::vector<Event> work_events(const Timeline& timeline) {
  std::vector<Event> events;
  for (const Event& e : timeline.events()) {
    if (e.kind == EventKind::thread_started || e.kind == EventKind::thread_finished ||
        e.kind == EventKind::thread_dropped) {
      events.push_back(e);
    }
  }
  return events;
}

/// `task`'s events as (kind, wait) pairs, without the created and started ones.
std::vector<std::pair<EventKind, WaitKind>> waits_of(const Timeline& timeline, TaskId task) {
  std::vector<std::pair<EventKind, WaitKind>> seen;
  for (const Event& e : timeline.events()) {
    if (e.task == task && e.kind != EventKind::created && e.kind != EventKind::started) {
      seen.emplace_back(e.kind, e.wait);
    }
  }
  return seen;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_SUITE("process") {
  TEST_CASE("to_process returns what the child wrote on its stdout, and its pid") {
    Runtime rt;
    const ProcessResult result = asyncdemo::run(rt, run_child({"/bin/echo", "hello"}));
    CHECK(result.output == "hello\n");
    CHECK(result.pid > 0);

    const Timeline& timeline = rt.timeline();
    const TaskId main_task = 0;  // run() runs the coroutine as the first task
    using Step = std::pair<EventKind, WaitKind>;
    CHECK(waits_of(timeline, main_task) ==
          std::vector<Step>{{EventKind::suspended, WaitKind::process},
                            {EventKind::thread_started, WaitKind::process},
                            {EventKind::thread_finished, WaitKind::process},
                            {EventKind::resumed, WaitKind::none},
                            {EventKind::done, WaitKind::none}});
    bool in_process = false;
    for (const asyncdemo::Span& span : timeline.spans(main_task, rt.now())) {
      if (span.state == SpanState::thread) {
        CHECK(span.wait == WaitKind::process);
        in_process = true;
      }
    }
    CHECK(in_process);
  }

  TEST_CASE("a child's large output is captured whole") {
    Runtime rt;
    const ProcessResult result =
        asyncdemo::run(rt, run_child({"/bin/sh", "-c", "head -c 200000 /dev/zero"}));
    CHECK(result.output.size() == 200000);
    CHECK(std::ranges::all_of(result.output, [](char c) { return c == '\0'; }));
  }

  TEST_CASE("a child writing more than 1 MiB fails the await instead of growing without bound") {
    Runtime rt;
    const std::string what =
        asyncdemo::run(rt, failure_of<ProcessOutputTooLarge>(
                               {"/bin/sh", "-c", "head -c 3000000 /dev/zero 2>/dev/null"}));
    CHECK(contains(what, "wrote more than 1048576 bytes"));
  }

  TEST_CASE("a child that exits with a non-zero status fails the await, naming the status") {
    Runtime rt;
    const std::string what =
        asyncdemo::run(rt, failure_of<ProcessFailed>({"/bin/sh", "-c", "exit 3"}));
    CHECK(contains(what, "worker process "));
    CHECK(contains(what, " exited with status 3"));
  }

  TEST_CASE("a child killed by a signal fails the await, naming the signal") {
    Runtime rt;
    const std::string what =
        asyncdemo::run(rt, failure_of<ProcessFailed>({"/bin/sh", "-c", "kill -9 $$"}));
    CHECK(contains(what, " was killed by SIGKILL"));
  }

  TEST_CASE("a missing program raises UvError from uv_spawn, and the loop still closes") {
    Runtime rt;
    // run() checks uv_loop_close: a handle left open would make it throw UvError instead.
    const std::string what =
        asyncdemo::run(rt, failure_of<UvError>({"/nonexistent/asyncdemo-no-such-program"}));
    CHECK(what.starts_with("uv_spawn: ENOENT"));
    CHECK(count_events(rt.timeline(), 0, EventKind::thread_started) == 0);
    CHECK(rt.processes_running() == 0);
  }

  TEST_CASE("an empty argv raises invalid_argument at the await") {
    Runtime rt;
    CHECK(contains(asyncdemo::run(rt, failure_of<std::invalid_argument>({})), "empty argv"));
  }
}

Task<void> sleep_in_a_child(std::string seconds) {
  Argv argv{"/bin/sleep", std::move(seconds)};
  co_await asyncdemo::to_process(std::move(argv));
}

/// One more `sleep 0.1` child than the pool has places, in the order they were spawned.
Task<void> overfill_the_pool() {
  std::vector<TaskHandle<void>> jobs;
  const std::size_t count = asyncdemo::process_pool_size() + 1;
  jobs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    jobs.push_back(asyncdemo::spawn(sleep_in_a_child("0.1"), "job-" + std::to_string(i)));
  }
  for (TaskHandle<void>& job : jobs) {
    co_await job;
  }
}

struct CancelObservation {
  bool awaiter_cancelled = false;
  Nanos resumed_after_ns = -1;  // from the cancel to the awaiter's Cancelled
};

Task<CancelObservation> cancel_a_running_child() {
  TaskHandle<void> worker = asyncdemo::spawn(sleep_in_a_child("0.3"), "worker");
  co_await asyncdemo::sleep(50ms);
  CancelObservation seen;
  const std::uint64_t cancelled_at = uv_hrtime();
  worker.cancel();
  try {
    co_await worker;
  } catch (const Cancelled&) {
    seen.awaiter_cancelled = true;
  }
  seen.resumed_after_ns = static_cast<Nanos>(uv_hrtime() - cancelled_at);
  co_return seen;
}

/// Fills every place of the pool, then cancels one more child still queued.
Task<void> cancel_a_queued_child() {
  std::vector<TaskHandle<void>> busy;
  busy.reserve(asyncdemo::process_pool_size());
  for (std::size_t i = 0; i < asyncdemo::process_pool_size(); ++i) {
    busy.push_back(asyncdemo::spawn(sleep_in_a_child("0.3")));
  }
  TaskHandle<void> queued = asyncdemo::spawn(sleep_in_a_child("0.3"), "queued");
  co_await asyncdemo::sleep(50ms);
  queued.cancel();
  co_await queued.wait();
  for (TaskHandle<void>& task : busy) {
    co_await task;
  }
}

/// Returns the virtual time right after a real 50 ms child, while a 1 s sleeper waits.
Task<Nanos> virtual_clock_during_a_child() {
  TaskHandle<int> sleeper = asyncdemo::spawn(asyncdemo::test::work(1s, 0), "sleeper");
  Argv argv{"/bin/sleep", "0.05"};
  co_await asyncdemo::to_process(std::move(argv));
  const Nanos after_child = Runtime::current().now();
  co_await sleeper;
  co_return after_child;
}

TEST_SUITE("process") {
  TEST_CASE(
      "no more children than process_pool_size run at once, and the rest start in FIFO order") {
    Runtime rt;
    asyncdemo::run(rt, overfill_the_pool());
    const Timeline& timeline = rt.timeline();
    const std::size_t size = asyncdemo::process_pool_size();

    std::size_t running = 0;
    std::size_t most = 0;
    std::vector<TaskId> start_order;
    for (const Event& e : work_events(timeline)) {
      CHECK(e.wait == WaitKind::process);
      if (e.kind == EventKind::thread_started) {
        most = std::max(most, ++running);
        start_order.push_back(e.task);
      } else if (e.kind == EventKind::thread_finished) {
        REQUIRE(running > 0);
        --running;
      }
    }
    CHECK(most == size);  // the pool was full, and never more than full
    CHECK(running == 0);
    REQUIRE(start_order.size() == size + 1);
    for (std::size_t i = 0; i < start_order.size(); ++i) {
      const TaskId job = task_named(timeline, "job-" + std::to_string(i));
      CHECK(start_order[i] == job);
      CHECK(summary_of(timeline, job).outcome == TaskOutcome::ok);
      CHECK(count_events(timeline, job, EventKind::thread_finished) == 1);
    }
    // The last one waited for a place: it started only once a child had exited.
    const TaskId last = task_named(timeline, "job-" + std::to_string(size));
    const auto events = work_events(timeline);
    const auto first_exit = std::ranges::find_if(
        events, [](const Event& e) { return e.kind == EventKind::thread_finished; });
    REQUIRE(first_exit != events.end());
    CHECK(first_time(timeline, last, EventKind::thread_started) >= first_exit->t_ns);
    CHECK(first_time(timeline, last, EventKind::thread_started) >= at(50ms));
    CHECK(asyncdemo::test::has_span(timeline, last, SpanState::waiting, rt.now()));
  }

  TEST_CASE(
      "cancelling a task awaiting a running child resumes it at once, while the child runs on "
      "and run waits") {
    Runtime rt;
    const std::uint64_t before = uv_hrtime();
    const CancelObservation seen = asyncdemo::run(rt, cancel_a_running_child());
    const auto run_took = static_cast<Nanos>(uv_hrtime() - before);

    CHECK(seen.awaiter_cancelled);
    CHECK(seen.resumed_after_ns < at(200ms));  // at once, not when the child ends
    CHECK(run_took >= at(300ms));              // run() returned only after the child exited

    const Timeline& timeline = rt.timeline();
    const TaskId worker = task_named(timeline, "worker");
    CHECK(summary_of(timeline, worker).outcome == TaskOutcome::cancelled);
    const Nanos started = first_time(timeline, worker, EventKind::thread_started);
    const Nanos cancelled = first_time(timeline, worker, EventKind::cancelled);
    const Nanos finished = first_time(timeline, worker, EventKind::thread_finished);
    REQUIRE(started >= 0);
    REQUIRE(finished >= 0);
    CHECK(started < cancelled);   // the child ran before the cancel
    CHECK(cancelled < finished);  // and after it: both moments are recorded, in this order
    CHECK(cancelled < at(250ms));
    CHECK(finished - started >= at(250ms));
    bool abandoned = false;
    for (const asyncdemo::Span& span : timeline.spans(worker, rt.now())) {
      if (span.state == SpanState::thread_abandoned) {
        CHECK(span.wait == WaitKind::process);
        abandoned = true;
      }
    }
    CHECK(abandoned);
    CHECK(count_events(timeline, worker, EventKind::thread_dropped) == 0);
    CHECK(rt.processes_running() == 0);
  }

  TEST_CASE("a child still queued when its awaiter is cancelled is removed and never starts") {
    Runtime rt;
    asyncdemo::run(rt, cancel_a_queued_child());
    const Timeline& timeline = rt.timeline();
    const TaskId queued = task_named(timeline, "queued");
    CHECK(summary_of(timeline, queued).outcome == TaskOutcome::cancelled);
    CHECK(count_events(timeline, queued, EventKind::thread_dropped) == 1);
    CHECK(count_events(timeline, queued, EventKind::thread_started) == 0);
    CHECK(count_events(timeline, queued, EventKind::thread_finished) == 0);
    for (const Event& e : timeline.events()) {
      if (e.task == queued && e.kind == EventKind::thread_dropped) {
        CHECK(e.wait == WaitKind::process);
      }
    }
    // Every other child ran to its end.
    const std::size_t size = asyncdemo::process_pool_size();
    std::size_t finished = 0;
    for (const Event& e : work_events(timeline)) {
      finished += e.kind == EventKind::thread_finished ? 1 : 0;
    }
    CHECK(finished == size);
  }

  TEST_CASE("on the virtual clock, time stands still while a child runs") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const std::uint64_t before = uv_hrtime();
    CHECK(asyncdemo::run(rt, virtual_clock_during_a_child()) == 0);
    CHECK(static_cast<Nanos>(uv_hrtime() - before) >= at(50ms));  // the child really ran
    CHECK(rt.now() == at(1s));  // the sleeper's deadline was not jumped to meanwhile
  }

  TEST_CASE("a child's work is named process in the event and span names the renderers use") {
    Timeline timeline;
    const TaskId task = timeline.add_task("t", asyncdemo::kNoParent);
    timeline.record(0, task, EventKind::started);
    timeline.record(0, task, EventKind::suspended, WaitKind::process);
    timeline.record(10, task, EventKind::thread_started, WaitKind::process);
    timeline.record(50, task, EventKind::resumed);  // the await was cancelled at 50
    timeline.record(50, task, EventKind::cancelled);
    timeline.record(300, task, EventKind::thread_finished, WaitKind::process);
    std::vector<std::string> names;
    for (const Event& e : timeline.events()) {
      names.emplace_back(asyncdemo::event_name(e));
    }
    CHECK(names == std::vector<std::string>{"start", "await", "process-start", "resume",
                                            "cancelled", "process-end"});
    CHECK(asyncdemo::event_name(Event{0, task, EventKind::thread_dropped, WaitKind::process, 0}) ==
          "process-drop");
    CHECK(asyncdemo::event_name(Event{0, task, EventKind::thread_started, WaitKind::thread, 0}) ==
          "thread-start");
    std::vector<std::string> spans;
    for (const asyncdemo::Span& span : timeline.spans(task, 1000)) {
      spans.emplace_back(asyncdemo::span_name(span));
    }
    CHECK(spans == std::vector<std::string>{"waiting", "process", "process_abandoned"});
  }
}

}  // namespace
