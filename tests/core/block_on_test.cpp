// block_on: work run on the loop thread inside a task, recorded as that task holding the loop;
// and simulated_work, CPU work on the virtual clock, simulated by its cost on a number of
// simulated cores (core/block_on.hpp, core/simulated_work.hpp).
#include "core/block_on.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/simulated_work.hpp"
#include "core/spawn.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::SpanState;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::WaitKind;
using asyncdemo::test::at;
using asyncdemo::test::first_time;
using asyncdemo::test::has_span;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

Task<std::optional<int>> hold_the_loop(Duration length) {
  auto spin = [length] {
    std::this_thread::sleep_for(length);  // stands for CPU work: the loop thread is busy
    return 7;
  };
  co_return asyncdemo::block_on(spin, length);
}

Task<std::optional<int>> hold_then_let_go() {
  TaskHandle<std::optional<int>> holder = asyncdemo::spawn(hold_the_loop(50ms), "holder");
  co_return co_await holder;
}

Task<int> fail_on_the_loop() {
  auto fail = []() -> int { throw std::runtime_error("from the loop thread"); };
  try {
    static_cast<void>(asyncdemo::block_on(fail, 1s));
  } catch (const std::runtime_error&) {
    co_return 1;
  }
  co_return 0;
}

Task<void> simulated_job(Duration cost, std::size_t width) {
  co_await asyncdemo::simulated_work(cost, width, WaitKind::thread);
}

Task<void> simulated_jobs(std::size_t count, std::size_t width) {
  std::vector<TaskHandle<void>> jobs;
  for (std::size_t i = 1; i <= count; ++i) {
    jobs.push_back(asyncdemo::spawn(simulated_job(1s, width), "job-" + std::to_string(i)));
  }
  co_await asyncdemo::gather(std::move(jobs));
}

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("block_on runs the work on the loop thread and records the task holding the loop") {
    Runtime rt;
    const std::optional<int> value = asyncdemo::run(rt, hold_then_let_go());
    CHECK(value == 7);
    const auto& timeline = rt.timeline();
    const auto holder = task_named(timeline, "holder");
    CHECK(has_span(timeline, holder, SpanState::blocked, rt.now()));
    const auto loop = timeline.loop_figures();
    CHECK(loop.max_loop_stall >= at(50ms));
    CHECK(loop.max_loop_stall_task == holder);
  }

  TEST_CASE("block_on on the virtual clock does not run the work: time moves by its cost") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const std::optional<int> value = asyncdemo::run(rt, hold_then_let_go());
    CHECK_FALSE(value.has_value());
    const auto holder = task_named(rt.timeline(), "holder");
    CHECK(summary_of(rt.timeline(), holder).end_ns == at(50ms));
    CHECK(rt.timeline().loop_figures().max_loop_stall == at(50ms));
  }

  TEST_CASE("what the work throws on the loop thread reaches the task, its span closed") {
    Runtime rt;
    CHECK(asyncdemo::run(rt, fail_on_the_loop()) == 1);
  }

  TEST_CASE("simulated work takes its cost on as many cores as there are, the rest queue") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    asyncdemo::run(rt, simulated_jobs(3, 2));
    const auto& timeline = rt.timeline();
    CHECK(summary_of(timeline, task_named(timeline, "job-1")).end_ns == at(1s));
    CHECK(summary_of(timeline, task_named(timeline, "job-2")).end_ns == at(1s));
    CHECK(summary_of(timeline, task_named(timeline, "job-3")).end_ns == at(2s));
    CHECK(first_time(timeline, task_named(timeline, "job-3"), EventKind::thread_started) == at(1s));
  }

  TEST_CASE("simulated work on one core runs one job after another") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    asyncdemo::run(rt, simulated_jobs(2, 1));
    CHECK(rt.now() == at(2s));
  }

  TEST_CASE("simulated work on the real clock is refused") {
    Runtime rt;
    CHECK_THROWS_AS(asyncdemo::run(rt, simulated_job(1ms, 1)), asyncdemo::RuntimeMisuse);
  }
}
