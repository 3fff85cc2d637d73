// Semaphore (asyncio.Semaphore) and its RAII Permit (core/semaphore.hpp).
#include "core/semaphore.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Nanos;
using asyncdemo::Permit;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Semaphore;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TaskOutcome;
using asyncdemo::WaitKind;
using asyncdemo::test::at;
using asyncdemo::test::summary_of;
using asyncdemo::test::task_named;

namespace {

/// Shared by the tasks of one run: how many hold the semaphore now, and the most at once.
struct Occupancy {
  std::size_t holding = 0;
  std::size_t most = 0;
  std::size_t finished = 0;
};

// A Semaphore is a handle to shared state, so a copy passed by value is the same semaphore.
Task<void> hold_for(Semaphore sem, Duration hold, std::shared_ptr<Occupancy> occupancy) {
  Permit permit = co_await sem.acquire();
  occupancy->most = std::max(occupancy->most, ++occupancy->holding);
  co_await asyncdemo::sleep(hold);
  --occupancy->holding;
  ++occupancy->finished;
}

Task<void> many_tasks(Semaphore sem, std::size_t count, std::shared_ptr<Occupancy> occupancy) {
  std::vector<Task<void>> tasks;
  tasks.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    tasks.push_back(hold_for(sem, 10ms, occupancy));
  }
  co_await asyncdemo::gather(std::move(tasks));
}

TEST_CASE("a semaphore never lets more than its limit hold it, even with thousands of tasks") {
  constexpr std::size_t kTasks = 3000;
  constexpr std::size_t kLimit = 7;
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(kLimit);
  auto occupancy = std::make_shared<Occupancy>();
  asyncdemo::run(rt, many_tasks(sem, kTasks, occupancy));
  CHECK(occupancy->finished == kTasks);
  CHECK(occupancy->most == kLimit);  // reached, never exceeded
  CHECK(sem.max_held() == kLimit);
  CHECK(sem.available() == kLimit);  // every permit came back
  CHECK(sem.waiting() == 0);
  // Always full while work remains: ceil(3000 / 7) = 429 rounds of 10 ms.
  CHECK(rt.now() == at(429 * 10ms));
}

/// When each task was granted the semaphore, in grant order.
struct Grant {
  int id;
  Nanos at_ns;
};
using Grants = std::vector<Grant>;

Task<void> arrive_then_hold(Semaphore sem, int id, Duration arrive, Duration hold,
                            std::shared_ptr<Grants> grants) {
  co_await asyncdemo::sleep(arrive);
  Permit permit = co_await sem.acquire();
  grants->push_back(Grant{id, Runtime::current().now()});
  co_await asyncdemo::sleep(hold);
}

Task<void> arrivals_out_of_spawn_order(Semaphore sem, std::shared_ptr<Grants> grants) {
  Permit mine = co_await sem.acquire();  // hold the only permit while they queue
  const std::vector<Duration> arrive = {50ms, 10ms, 40ms, 20ms, 30ms};
  std::vector<TaskHandle<void>> waiters;
  waiters.reserve(5);
  for (int id = 0; id < 5; ++id) {
    waiters.push_back(asyncdemo::spawn(arrive_then_hold(sem, id, arrive[id], 100ms, grants)));
  }
  co_await asyncdemo::sleep(1s);
  mine.release();
  co_await asyncdemo::gather(std::move(waiters));
}

TEST_CASE("a semaphore grants permits in the order the waiters arrived") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(1);
  auto grants = std::make_shared<Grants>();
  asyncdemo::run(rt, arrivals_out_of_spawn_order(sem, grants));
  REQUIRE(grants->size() == 5);
  const std::vector<int> expected_order = {1, 3, 4, 2, 0};  // by arrival time, not spawn order
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK((*grants)[i].id == expected_order[i]);
    CHECK((*grants)[i].at_ns ==
          at(1s + static_cast<int>(i) * 100ms));  // each as soon as the previous releases
  }
}

Task<void> release_then_reacquire(Semaphore sem, std::shared_ptr<Grants> grants) {
  Permit mine = co_await sem.acquire();
  TaskHandle<void> waiter = asyncdemo::spawn(arrive_then_hold(sem, 1, 0s, 100ms, grants));
  co_await asyncdemo::sleep(1s);  // the waiter is queued by now
  mine.release();
  // Same step, permit just released: it already belongs to the waiter, so this queues.
  mine = co_await sem.acquire();
  grants->push_back(Grant{0, Runtime::current().now()});
  co_await waiter;
}

TEST_CASE("a released permit goes to the first waiter: a newcomer cannot barge in") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(1);
  auto grants = std::make_shared<Grants>();
  asyncdemo::run(rt, release_then_reacquire(sem, grants));
  REQUIRE(grants->size() == 2);
  CHECK((*grants)[0].id == 1);
  CHECK((*grants)[0].at_ns == at(1s));
  CHECK((*grants)[1].id == 0);
  CHECK((*grants)[1].at_ns == at(1100ms));
}

struct QueueObservation {
  std::size_t waiting_before_cancel = 0;
  std::size_t waiting_after_cancel = 0;
};

Task<QueueObservation> cancel_queued_waiters(Semaphore sem, std::shared_ptr<Grants> grants) {
  Permit mine = co_await sem.acquire();
  std::vector<TaskHandle<void>> waiters;
  waiters.reserve(5);
  for (int id = 0; id < 5; ++id) {
    waiters.push_back(asyncdemo::spawn(arrive_then_hold(sem, id, 0s, 100ms, grants)));
  }
  co_await asyncdemo::sleep(1s);
  QueueObservation seen;
  seen.waiting_before_cancel = sem.waiting();
  // The head, one in the middle and the tail leave the queue.
  for (const int id : {0, 2, 4}) {
    waiters[id].cancel();
  }
  seen.waiting_after_cancel = sem.waiting();
  mine.release();
  co_await asyncdemo::gather(std::move(waiters), asyncdemo::OnError::collect);
  co_return seen;
}

TEST_CASE("a cancelled waiter leaves the queue and the queue stays consistent") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(1);
  auto grants = std::make_shared<Grants>();
  const QueueObservation seen = asyncdemo::run(rt, cancel_queued_waiters(sem, grants));
  CHECK(seen.waiting_before_cancel == 5);
  CHECK(seen.waiting_after_cancel == 2);
  REQUIRE(grants->size() == 2);
  CHECK((*grants)[0].id == 1);
  CHECK((*grants)[0].at_ns == at(1s));
  CHECK((*grants)[1].id == 3);
  CHECK((*grants)[1].at_ns == at(1100ms));
  CHECK(sem.available() == 1);
  CHECK(sem.waiting() == 0);
  const asyncdemo::Timeline& timeline = rt.timeline();
  for (const char* name : {"task-1", "task-3", "task-5"}) {  // ids 0, 2 and 4
    CAPTURE(name);
    CHECK(summary_of(timeline, task_named(timeline, name)).outcome == TaskOutcome::cancelled);
    CHECK(summary_of(timeline, task_named(timeline, name)).end_ns == at(1s));
  }
}

Task<void> cancel_after_grant(Semaphore sem, std::shared_ptr<Grants> grants) {
  Permit mine = co_await sem.acquire();
  TaskHandle<void> first = asyncdemo::spawn(arrive_then_hold(sem, 1, 0s, 100ms, grants), "first");
  TaskHandle<void> second = asyncdemo::spawn(arrive_then_hold(sem, 2, 0s, 100ms, grants), "second");
  co_await asyncdemo::sleep(1s);
  mine.release();  // granted to `first`, which is now scheduled to resume...
  first.cancel();  // ...but is cancelled before it runs: the permit must move on to `second`
  co_await first.wait();
  co_await second;
}

TEST_CASE("a waiter cancelled after being granted the permit passes it on") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(1);
  auto grants = std::make_shared<Grants>();
  asyncdemo::run(rt, cancel_after_grant(sem, grants));
  REQUIRE(grants->size() == 1);
  CHECK((*grants)[0].id == 2);
  CHECK((*grants)[0].at_ns == at(1s));
  CHECK(sem.available() == 1);  // no permit lost with the cancelled task
  const asyncdemo::Timeline& timeline = rt.timeline();
  CHECK(summary_of(timeline, task_named(timeline, "first")).outcome == TaskOutcome::cancelled);
}

Task<void> hold_then_fail(Semaphore sem, Duration hold) {
  Permit permit = co_await sem.acquire();
  co_await asyncdemo::sleep(hold);
  throw std::runtime_error("failed while holding the permit");
}

Task<std::size_t> holders_that_fail_or_are_cancelled(Semaphore sem,
                                                     std::shared_ptr<Grants> grants) {
  TaskHandle<void> failing = asyncdemo::spawn(hold_then_fail(sem, 1s));
  TaskHandle<void> cancelled = asyncdemo::spawn(arrive_then_hold(sem, 1, 0s, 1h, grants));
  TaskHandle<void> last = asyncdemo::spawn(arrive_then_hold(sem, 2, 0s, 1s, grants));
  co_await failing.wait();  // failed at 1 s: its permit went to the next in line
  co_await asyncdemo::sleep(500ms);
  cancelled.cancel();  // cancelled while holding: its permit goes to the last
  co_await cancelled.wait();
  co_await last;
  co_return sem.available();
}

TEST_CASE("a permit is given back when its holder fails or is cancelled") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(1);
  auto grants = std::make_shared<Grants>();
  CHECK(asyncdemo::run(rt, holders_that_fail_or_are_cancelled(sem, grants)) == 1);
  REQUIRE(grants->size() == 2);
  CHECK((*grants)[0].id == 1);
  CHECK((*grants)[0].at_ns == at(1s));
  CHECK((*grants)[1].id == 2);
  CHECK((*grants)[1].at_ns == at(1500ms));
}

Task<void> take_two_free_permits(Semaphore sem) {
  Permit a = co_await sem.acquire();
  Permit b = co_await sem.acquire();
  co_await asyncdemo::sleep(1s);
}

TEST_CASE("acquiring a free permit does not suspend, and the timeline shows only real waits") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(2);
  asyncdemo::run(rt, take_two_free_permits(sem));
  const asyncdemo::TaskId main = task_named(rt.timeline(), "main");
  for (const asyncdemo::Event& e : rt.timeline().events()) {
    if (e.task == main && e.kind == EventKind::suspended) {
      CHECK(e.wait == WaitKind::sleep);  // never WaitKind::permit
    }
  }
  CHECK(asyncdemo::test::count_events(rt.timeline(), main, EventKind::suspended) == 1);
}

Task<void> wait_for_busy_permit(Semaphore sem) {
  TaskHandle<void> holder = asyncdemo::spawn(take_two_free_permits(sem), "holder");
  co_await asyncdemo::sleep(0s);
  Permit permit = co_await sem.acquire();
}

TEST_CASE("waiting for a permit shows as a permit wait in the timeline") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Semaphore sem(2);
  asyncdemo::run(rt, wait_for_busy_permit(sem));
  const asyncdemo::TaskId main = task_named(rt.timeline(), "main");
  bool found = false;
  for (const asyncdemo::Span& span : rt.timeline().spans(main, rt.now())) {
    if (span.state == asyncdemo::SpanState::waiting && span.wait == WaitKind::permit) {
      found = true;
      CHECK(span.from_ns == 0);
      CHECK(span.to_ns == at(1s));
    }
  }
  CHECK(found);
}

TEST_CASE("a semaphore needs at least one permit") {
  CHECK_THROWS_AS(Semaphore(0), asyncdemo::RuntimeMisuse);
}

// The only Semaphore, which main destroys while tasks hold and await it.
using SemaphoreOwner = std::shared_ptr<std::unique_ptr<Semaphore>>;

Task<void> acquire_from(SemaphoreOwner owner, int id, Duration hold,
                        std::shared_ptr<Grants> grants) {
  auto acquiring = (*owner)->acquire();  // while the Semaphore still exists
  Permit permit = co_await acquiring;
  grants->push_back(Grant{id, Runtime::current().now()});
  co_await asyncdemo::sleep(hold);
}

Task<std::size_t> destroy_while_awaited(std::shared_ptr<Grants> grants) {
  auto owner = std::make_shared<std::unique_ptr<Semaphore>>(std::make_unique<Semaphore>(1));
  std::vector<TaskHandle<void>> tasks;
  tasks.reserve(4);
  for (int id = 0; id < 4; ++id) {
    tasks.push_back(asyncdemo::spawn(acquire_from(owner, id, 100ms, grants)));
  }
  co_await asyncdemo::sleep(10ms);  // task 0 holds the permit; 1, 2 and 3 queue
  const std::size_t waiting = (*owner)->waiting();
  owner->reset();     // the Semaphore is gone; its holder and its waiters are not
  tasks[2].cancel();  // a waiter leaves the queue of a destroyed Semaphore
  co_await asyncdemo::gather(std::move(tasks), asyncdemo::OnError::collect);
  co_return waiting;
}

TEST_CASE("a semaphore destroyed while tasks hold and await it still serves them in order") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  auto grants = std::make_shared<Grants>();
  CHECK(asyncdemo::run(rt, destroy_while_awaited(grants)) == 3);
  REQUIRE(grants->size() == 3);
  CHECK((*grants)[0].id == 0);
  CHECK((*grants)[0].at_ns == at(0s));
  CHECK((*grants)[1].id == 1);  // the releases of a destroyed Semaphore still hand on
  CHECK((*grants)[1].at_ns == at(100ms));
  CHECK((*grants)[2].id == 3);  // 2 was cancelled while it waited
  CHECK((*grants)[2].at_ns == at(200ms));
}

}  // namespace
