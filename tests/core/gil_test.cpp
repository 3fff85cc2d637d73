// Gil: CPython's global interpreter lock as a model — one thread computes at a time, and the
// turns go first come, first served (core/gil.hpp).
#include "core/gil.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using asyncdemo::Gil;
using asyncdemo::GilHold;

namespace {

// Spins until `gil` has `count` threads waiting for it.
void await_waiting(Gil& gil, std::size_t count) {
  while (gil.waiting() < count) {
    std::this_thread::yield();
  }
}

}  // namespace

TEST_SUITE("threads") {
  TEST_CASE("the Gil goes to the waiting threads in the order they asked for it") {
    Gil gil;
    std::mutex order_mutex;
    std::vector<int> order;
    gil.acquire();  // held here, so each thread below queues
    std::vector<std::thread> threads;
    for (int id = 1; id <= 3; ++id) {
      threads.emplace_back([&gil, &order_mutex, &order, id] {
        const GilHold hold(&gil);
        const std::lock_guard lock(order_mutex);
        order.push_back(id);
      });
      await_waiting(gil, static_cast<std::size_t>(id));  // id threads in line now
    }
    CHECK(gil.waiting() == 3);
    gil.release();
    for (std::thread& thread : threads) {
      thread.join();
    }
    CHECK(order == std::vector<int>{1, 2, 3});
    CHECK(gil.waiting() == 0);
  }

  TEST_CASE("under the Gil no two threads are ever inside at once") {
    Gil gil;
    std::atomic<int> inside{0};
    std::atomic<int> most_inside{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int turn = 0; turn < 200; ++turn) {
          const GilHold hold(&gil);
          const int now = ++inside;
          int most = most_inside.load();
          while (now > most && !most_inside.compare_exchange_weak(most, now)) {
          }
          --inside;
        }
      });
    }
    for (std::thread& thread : threads) {
      thread.join();
    }
    CHECK(most_inside.load() == 1);
  }

  TEST_CASE("a null Gil holds nothing") {
    const GilHold hold(nullptr);  // must neither block nor crash
    CHECK(true);
  }
}
