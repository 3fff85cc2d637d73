// The virtual clock (--virtual-time): time jumps to the next deadline when nothing can run,
// so a run is instant and reproducible, and a simulated pool stands in for the thread pool
// (core/clock.hpp, core/runtime.hpp, core/detail/simulated_pool.hpp).
#include <doctest/doctest.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/semaphore.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/to_thread.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Nanos;
using asyncdemo::OnError;
using asyncdemo::Permit;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Semaphore;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::Timeline;
using asyncdemo::test::at;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

// A scenario in miniature: throttled workers doing thread work and async sleeps, one failing.
Task<int> worker(Semaphore sem, int id) {
  Permit permit = co_await sem.acquire();
  Runtime::current().note("worker " + std::to_string(id) + " has a permit");
  co_await asyncdemo::thread_sleep(id * 100ms);
  co_await asyncdemo::sleep(50ms);
  if (id == 3) {
    throw std::runtime_error("worker 3 failed");
  }
  co_return id;
}

Task<int> scenario() {
  const Semaphore sem(2);
  std::vector<Task<int>> tasks;
  tasks.reserve(6);
  for (int id = 1; id <= 6; ++id) {
    tasks.push_back(worker(sem, id));
  }
  const std::vector<asyncdemo::Outcome<int>> results =
      co_await asyncdemo::gather(std::move(tasks), OnError::collect);
  int sum = 0;
  for (const asyncdemo::Outcome<int>& result : results) {
    sum += result.ok() ? result.value() : 0;
  }
  co_return sum;
}

/// The whole record of a run as text: tasks, every event field, notes, the end time.
std::string run_scenario_and_record() {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const int sum = asyncdemo::run(rt, scenario());
  const Timeline& timeline = rt.timeline();
  std::string record = "sum " + std::to_string(sum) + " end " + std::to_string(rt.now()) + "\n";
  for (asyncdemo::TaskId id = 0; id < timeline.task_count(); ++id) {
    const asyncdemo::TaskInfo task = timeline.task(id);
    record += std::string(task.name) + " parent " + std::to_string(task.parent) + "\n";
  }
  for (const asyncdemo::Event& e : timeline.events()) {
    record += std::to_string(e.t_ns) + " " + std::to_string(e.task) + " " +
              std::string(asyncdemo::to_string(e.kind)) + " " +
              std::string(asyncdemo::to_string(e.wait)) + " " + std::string(timeline.note(e.note)) +
              "\n";
  }
  return record;
}

TEST_CASE("a virtual-time run is reproducible: the same program records identical events") {
  const std::string first = run_scenario_and_record();
  const std::string second = run_scenario_and_record();
  CHECK(first == second);
  // And it is the run we meant: thread work, permits and a failure all happened.
  CHECK(first.find("sum 18 ") == 0);  // 1 + 2 + 4 + 5 + 6
  CHECK(first.find("thread-start") != std::string::npos);
  CHECK(first.find(" await permit ") != std::string::npos);
  CHECK(first.find(" failed ") != std::string::npos);
  CHECK(first.find("worker 6 has a permit") != std::string::npos);
}

Task<Nanos> sleep_an_hour() {
  co_await asyncdemo::sleep(1h);
  co_return Runtime::current().now();
}

TEST_CASE("an hour of virtual sleep takes next to no real time") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const std::uint64_t before = uv_hrtime();
  CHECK(asyncdemo::run(rt, sleep_an_hour()) == at(1h));
  CHECK(static_cast<Nanos>(uv_hrtime() - before) < at(2s));  // generous, for a busy machine
}

Task<void> one_thread_sleep(Duration length) { co_await asyncdemo::thread_sleep(length); }

Task<void> ten_thread_sleeps() {
  std::vector<Task<void>> tasks;
  tasks.reserve(10);
  for (int i = 0; i < 10; ++i) {
    tasks.push_back(one_thread_sleep(1s));
  }
  co_await asyncdemo::gather(std::move(tasks));
}

TEST_CASE("ten one-second thread_sleeps on a pool of four take exactly three virtual seconds") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const std::size_t pool = Runtime::thread_pool_size();
  const std::uint64_t before = uv_hrtime();
  asyncdemo::run(rt, ten_thread_sleeps());
  CHECK(static_cast<Nanos>(uv_hrtime() - before) < at(2s));  // simulated: no real sleeping
  // Rounds of `pool` at a time: 3 s with libuv's default pool of four.
  const auto rounds = static_cast<std::int64_t>((10 + pool - 1) / pool);
  CHECK(rt.now() == at(rounds * 1s));
  if (pool == 4) {
    CHECK(rt.now() == at(3s));
  }
  // The fifth task waited a full second for a free simulated thread.
  const Timeline& timeline = rt.timeline();
  const asyncdemo::TaskId fifth = task_named(timeline, "task-5");
  if (pool == 4) {
    CHECK(asyncdemo::test::first_time(timeline, fifth, EventKind::thread_started) == at(1s));
  }
}

Task<void> cancel_a_queued_thread_sleep() {
  std::vector<TaskHandle<void>> busy;
  busy.reserve(Runtime::thread_pool_size());
  for (std::size_t i = 0; i < Runtime::thread_pool_size(); ++i) {
    busy.push_back(asyncdemo::spawn(one_thread_sleep(1s)));
  }
  TaskHandle<void> queued = asyncdemo::spawn(one_thread_sleep(1s), "queued");
  TaskHandle<void> started = asyncdemo::spawn(one_thread_sleep(1s), "behind");
  co_await asyncdemo::sleep(500ms);
  queued.cancel();
  co_await queued.wait();
  co_await started;
  for (TaskHandle<void>& task : busy) {
    co_await task;
  }
}

TEST_CASE("a queued thread_sleep cancelled on the virtual clock leaves the simulated pool") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  asyncdemo::run(rt, cancel_a_queued_thread_sleep());
  const Timeline& timeline = rt.timeline();
  const asyncdemo::TaskId queued = task_named(timeline, "queued");
  CHECK(summary_of(timeline, queued).outcome == TaskOutcome::cancelled);
  CHECK(summary_of(timeline, queued).end_ns == at(500ms));
  CHECK(asyncdemo::test::first_time(timeline, queued, EventKind::thread_dropped) == at(500ms));
  CHECK(asyncdemo::test::count_events(timeline, queued, EventKind::thread_started) == 0);
  // The next in the queue takes the first free thread, at 1 s, not after the dropped one.
  const asyncdemo::TaskId behind = task_named(timeline, "behind");
  CHECK(asyncdemo::test::first_time(timeline, behind, EventKind::thread_started) == at(1s));
  CHECK(rt.now() == at(2s));
}

Task<Nanos> cancel_a_running_thread_sleep() {
  TaskHandle<void> sleeper = asyncdemo::spawn(one_thread_sleep(2s), "sleeper");
  co_await asyncdemo::sleep(500ms);
  sleeper.cancel();
  co_await sleeper.wait();
  co_return Runtime::current().now();
}

TEST_CASE("a running thread_sleep cancelled on the virtual clock runs on, and the run waits") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  CHECK(asyncdemo::run(rt, cancel_a_running_thread_sleep()) == at(500ms));  // resumed at once
  const Timeline& timeline = rt.timeline();
  const asyncdemo::TaskId sleeper = task_named(timeline, "sleeper");
  CHECK(summary_of(timeline, sleeper).end_ns == at(500ms));
  CHECK(asyncdemo::test::first_time(timeline, sleeper, EventKind::thread_finished) == at(2s));
  CHECK(rt.now() == at(2s));
  CHECK(asyncdemo::test::has_span(timeline, sleeper, asyncdemo::SpanState::thread_abandoned,
                                  rt.now()));
}

}  // namespace
