// Queue (asyncio.Queue): FIFO, backpressure with a maxsize, waiting gets, cancelled waiters,
// task_done and join (core/queue.hpp).
#include "core/queue.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
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
using asyncdemo::Nanos;
using asyncdemo::Queue;
using asyncdemo::Runtime;
using asyncdemo::RuntimeMisuse;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::WaitKind;
using asyncdemo::test::at;

namespace {

struct Seen {
  std::vector<int> got;
  std::vector<Nanos> got_at;
  std::vector<Nanos> put_at;  // when each put returned
};

Task<void> produce(Queue<int> queue, int count, std::shared_ptr<Seen> seen) {
  for (int i = 1; i <= count; ++i) {
    co_await queue.put(i);
    seen->put_at.push_back(Runtime::current().now());
  }
}

Task<void> consume(Queue<int> queue, int count, Duration each, std::shared_ptr<Seen> seen) {
  for (int i = 0; i < count; ++i) {
    const int item = co_await queue.get();
    seen->got.push_back(item);
    seen->got_at.push_back(Runtime::current().now());
    co_await asyncdemo::sleep(each);
    queue.task_done();
  }
}

Task<void> producer_and_consumer(Queue<int> queue, int count, Duration each,
                                 std::shared_ptr<Seen> seen) {
  TaskHandle<void> consumer = asyncdemo::spawn(consume(queue, count, each, seen), "consumer");
  TaskHandle<void> producer = asyncdemo::spawn(produce(queue, count, seen), "producer");
  co_await producer;
  co_await queue.join();  // every item taken and done with
  co_await consumer;
}

std::size_t waits_on(const asyncdemo::Timeline& timeline, WaitKind wait) {
  std::size_t count = 0;
  for (const asyncdemo::Event& event : timeline.events()) {
    count += event.kind == asyncdemo::EventKind::suspended && event.wait == wait ? 1 : 0;
  }
  return count;
}

}  // namespace

TEST_SUITE("queue") {
  TEST_CASE("items come out first in, first out, and a get waits while the queue is empty") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const Queue<int> queue;  // unbounded: the producer never waits
    auto seen = std::make_shared<Seen>();
    asyncdemo::run(rt, producer_and_consumer(queue, 4, 10ms, seen));
    CHECK(seen->got == std::vector<int>{1, 2, 3, 4});
    CHECK(seen->put_at == std::vector<Nanos>(4, 0));  // all at once
    // A put that has room never suspends, so all four are in before the woken consumer runs
    // (asyncio 3.11: the same, put times [0, 0, 0, 0] and qsize 4).
    CHECK(queue.max_size() == 4);
    CHECK(waits_on(rt.timeline(), WaitKind::queue_get) == 1);  // the consumer, before any put
    CHECK(waits_on(rt.timeline(), WaitKind::queue_put) == 0);
    CHECK(rt.now() == at(40ms));
  }

  TEST_CASE("with a maxsize, put waits while the queue is full: backpressure") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const Queue<int> queue(1);
    auto seen = std::make_shared<Seen>();
    asyncdemo::run(rt, producer_and_consumer(queue, 4, 10ms, seen));
    CHECK(seen->got == std::vector<int>{1, 2, 3, 4});
    CHECK(queue.max_size() == 1);
    // Item 1 fills the queue; item 2 waits for the consumer to take it, and so on. asyncio
    // 3.11 gives the same put times: 0, 0, 10 ms, 20 ms.
    CHECK(waits_on(rt.timeline(), WaitKind::queue_put) == 3);
    CHECK(seen->put_at == std::vector<Nanos>{0, 0, at(10ms), at(20ms)});
    CHECK(rt.now() == at(40ms));
  }

  TEST_CASE("try_put and try_get do not wait, and task_done cannot outnumber the puts") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    const Queue<int> queue(1);
    CHECK(queue.try_put(7));
    CHECK(queue.full());
    CHECK_FALSE(queue.try_put(8));
    CHECK(queue.try_get() == 7);
    CHECK_FALSE(queue.try_get().has_value());
    queue.task_done();
    CHECK_THROWS_AS(queue.task_done(), RuntimeMisuse);
  }
}

namespace {

Task<int> get_one(Queue<int> queue) { co_return co_await queue.get(); }

struct Handover {
  bool first_cancelled = false;
  int second_got = 0;
};

// Two getters wait; the first is cancelled while still in line, or just after a put woke it
// and before it ran. Either way the item goes to the second.
Task<void> cancel_a_getter(Queue<int> queue, bool after_wake, std::shared_ptr<Handover> seen) {
  TaskHandle<int> first = asyncdemo::spawn(get_one(queue), "first");
  TaskHandle<int> second = asyncdemo::spawn(get_one(queue), "second");
  co_await asyncdemo::sleep(10ms);  // both wait now
  if (after_wake) {
    co_await queue.put(1);  // wakes the first...
    first.cancel();         // ...which is cancelled before it runs
  } else {
    first.cancel();
    co_await asyncdemo::sleep(10ms);
    co_await queue.put(1);
  }
  try {
    co_await first;
  } catch (const Cancelled&) {
    seen->first_cancelled = true;
  }
  seen->second_got = co_await second;
}

}  // namespace

TEST_SUITE("queue") {
  TEST_CASE("a getter cancelled in line leaves it, and the item goes to the next") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    auto seen = std::make_shared<Handover>();
    asyncdemo::run(rt, cancel_a_getter(Queue<int>(), false, seen));
    CHECK(seen->first_cancelled);
    CHECK(seen->second_got == 1);
  }

  TEST_CASE("a getter cancelled after a put woke it passes the wake-up on, as asyncio does") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    auto seen = std::make_shared<Handover>();
    asyncdemo::run(rt, cancel_a_getter(Queue<int>(), true, seen));
    CHECK(seen->first_cancelled);
    CHECK(seen->second_got == 1);  // without the hand-over, the second would wait forever
  }
}
