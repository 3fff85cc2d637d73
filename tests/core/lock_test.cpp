// Lock (asyncio.Lock): a semaphore of one, shown as a lock wait (core/lock.hpp).
#include "core/lock.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
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
using asyncdemo::Lock;
using asyncdemo::Nanos;
using asyncdemo::Permit;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::WaitKind;
using asyncdemo::test::at;
using asyncdemo::test::task_named;

namespace {

/// A counter updated by read, await, write: the classic lost update without a lock.
struct Account {
  int balance = 0;
  std::vector<std::pair<Nanos, Nanos>> critical_sections;
};

// A Lock is a handle to shared state, so a copy passed by value is the same lock.
Task<void> deposit(Lock lock, std::shared_ptr<Account> account, Duration think) {
  Permit held = co_await lock.acquire();
  const Nanos entered = Runtime::current().now();
  const int read = account->balance;
  co_await asyncdemo::sleep(think);  // another task would read the same balance here
  account->balance = read + 1;
  account->critical_sections.emplace_back(entered, Runtime::current().now());
}

Task<void> four_deposits(Lock lock, std::shared_ptr<Account> account) {
  std::vector<Task<void>> tasks;
  tasks.reserve(4);
  for (int i = 0; i < 4; ++i) {
    tasks.push_back(deposit(lock, account, 10ms));
  }
  co_await asyncdemo::gather(std::move(tasks));
}

TEST_CASE("a lock admits one holder at a time, so no update is lost") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Lock lock;
  auto account = std::make_shared<Account>();
  asyncdemo::run(rt, four_deposits(lock, account));
  CHECK(account->balance == 4);
  REQUIRE(account->critical_sections.size() == 4);
  for (std::size_t i = 1; i < 4; ++i) {
    CAPTURE(i);
    CHECK(account->critical_sections[i].first >= account->critical_sections[i - 1].second);
  }
  CHECK(rt.now() == at(40ms));  // one after the other
  CHECK_FALSE(lock.locked());
}

struct LockState {
  bool locked_while_held;
  std::size_t waiting_while_held;
  bool locked_after;
};

Task<LockState> observe_lock(Lock lock) {
  auto account = std::make_shared<Account>();
  LockState seen{};
  {
    Permit held = co_await lock.acquire();
    TaskHandle<void> waiter = asyncdemo::spawn(deposit(lock, account, 0s), "waiter");
    co_await asyncdemo::sleep(1s);
    seen.locked_while_held = lock.locked();
    seen.waiting_while_held = lock.waiting();
    held.release();
    co_await waiter;
  }
  seen.locked_after = lock.locked();
  co_return seen;
}

TEST_CASE("locked() and waiting() report the lock's state, and waiting shows as a lock wait") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Lock lock;
  const LockState seen = asyncdemo::run(rt, observe_lock(lock));
  CHECK(seen.locked_while_held);
  CHECK(seen.waiting_while_held == 1);
  CHECK_FALSE(seen.locked_after);

  const asyncdemo::TaskId waiter = task_named(rt.timeline(), "waiter");
  bool found = false;
  for (const asyncdemo::Span& span : rt.timeline().spans(waiter, rt.now())) {
    if (span.state == asyncdemo::SpanState::waiting) {
      found = true;
      CHECK(span.wait == WaitKind::lock);
      CHECK(span.from_ns == 0);
      CHECK(span.to_ns == at(1s));
    }
  }
  CHECK(found);
}

Task<bool> cancel_the_holder(Lock lock) {
  auto account = std::make_shared<Account>();
  TaskHandle<void> holder = asyncdemo::spawn(deposit(lock, account, 1h));
  TaskHandle<void> next = asyncdemo::spawn(deposit(lock, account, 0s));
  co_await asyncdemo::sleep(1s);
  holder.cancel();
  co_await next;  // would never end if the cancelled holder kept the lock
  co_return account->balance == 1 && !lock.locked();
}

TEST_CASE("a lock is released when its holder is cancelled") {
  Runtime rt(RuntimeOptions{ClockKind::virtual_time});
  const Lock lock;
  CHECK(asyncdemo::run(rt, cancel_the_holder(lock)));
  CHECK(rt.now() == at(1s));
}

}  // namespace
