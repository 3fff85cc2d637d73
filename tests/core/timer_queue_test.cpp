// TimerQueue: deadlines in order, ties in the order they were set, and removal
// from either store (core/detail/timer_queue.hpp). In-order deadlines take the
// FIFO and out-of-order ones the heap; these cases mix the two on purpose.
#include "core/detail/timer_queue.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <vector>

using asyncdemo::Nanos;
using asyncdemo::detail::TimerQueue;
using asyncdemo::detail::TimerTarget;

namespace {

// A target that notes the order it fired in.
class Probe final : public TimerTarget {
 public:
  Probe() = default;
  Probe(int label, std::vector<int>* fired) : label_(label), fired_(fired) {}
  void on_timer() noexcept override { fired_->push_back(label_); }

 private:
  int label_ = 0;
  std::vector<int>* fired_ = nullptr;
};

// Pops everything due at `now`, firing each target.
void fire_due(TimerQueue& queue, Nanos now) {
  while (TimerTarget* target = queue.pop_due(now)) {
    CHECK_FALSE(target->queued());
    target->on_timer();
  }
}

}  // namespace

TEST_CASE("timer queue: deadlines set in order fire in order, and only once due") {
  std::vector<int> fired;
  std::array<Probe, 4> probes{Probe(0, &fired), Probe(1, &fired), Probe(2, &fired),
                              Probe(3, &fired)};
  TimerQueue queue;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    queue.push(probes[i], static_cast<Nanos>(10 * (i + 1)));
  }
  CHECK(queue.size() == 4);
  CHECK(queue.next_deadline() == 10);
  fire_due(queue, 25);
  CHECK(fired == std::vector<int>{0, 1});
  CHECK(queue.next_deadline() == 30);
  fire_due(queue, 40);
  CHECK(fired == std::vector<int>{0, 1, 2, 3});
  CHECK(queue.empty());
}

TEST_CASE("timer queue: an earlier deadline set late still fires first") {
  std::vector<int> fired;
  std::array<Probe, 5> probes{Probe(0, &fired), Probe(1, &fired), Probe(2, &fired),
                              Probe(3, &fired), Probe(4, &fired)};
  TimerQueue queue;
  queue.push(probes[0], 50);
  queue.push(probes[1], 100);
  queue.push(probes[2], 20);  // out of order: behind the 100 it must not wait
  queue.push(probes[3], 70);
  queue.push(probes[4], 200);
  CHECK(queue.next_deadline() == 20);
  fire_due(queue, 1000);
  CHECK(fired == std::vector<int>{2, 0, 3, 1, 4});
}

TEST_CASE("timer queue: equal deadlines fire in the order they were set, across both stores") {
  std::vector<int> fired;
  std::array<Probe, 5> probes{Probe(0, &fired), Probe(1, &fired), Probe(2, &fired),
                              Probe(3, &fired), Probe(4, &fired)};
  TimerQueue queue;
  queue.push(probes[0], 30);
  queue.push(probes[1], 50);
  queue.push(probes[2], 30);  // equal to the first, set after it (goes to the heap)
  queue.push(probes[3], 50);
  queue.push(probes[4], 30);
  fire_due(queue, 30);
  CHECK(fired == std::vector<int>{0, 2, 4});
  fire_due(queue, 50);
  CHECK(fired == std::vector<int>{0, 2, 4, 1, 3});
}

TEST_CASE("timer queue: removed targets never fire, wherever they were") {
  std::vector<int> fired;
  std::array<Probe, 6> probes{Probe(0, &fired), Probe(1, &fired), Probe(2, &fired),
                              Probe(3, &fired), Probe(4, &fired), Probe(5, &fired)};
  TimerQueue queue;
  queue.push(probes[0], 10);
  queue.push(probes[1], 20);
  queue.push(probes[2], 30);
  queue.push(probes[3], 15);  // heap
  queue.push(probes[4], 5);   // heap
  queue.push(probes[5], 40);

  queue.remove(probes[0]);  // the FIFO's front
  queue.remove(probes[2]);  // the FIFO's middle
  queue.remove(probes[4]);  // the heap's top
  CHECK_FALSE(probes[0].queued());
  CHECK(queue.size() == 3);
  CHECK(queue.next_deadline() == 15);
  queue.remove(probes[4]);  // a second removal is a no-op
  CHECK(queue.size() == 3);

  fire_due(queue, 100);
  CHECK(fired == std::vector<int>{3, 1, 5});
  CHECK(queue.empty());
}

TEST_CASE("timer queue: a queue emptied by removals takes new deadlines from scratch") {
  std::vector<int> fired;
  std::array<Probe, 3> probes{Probe(0, &fired), Probe(1, &fired), Probe(2, &fired)};
  TimerQueue queue;
  queue.push(probes[0], 100);
  queue.push(probes[1], 200);
  queue.remove(probes[1]);
  queue.remove(probes[0]);
  CHECK(queue.empty());
  CHECK(queue.pop_due(1000) == nullptr);
  queue.push(probes[2], 50);  // earlier than anything before: fine on an empty queue
  queue.push(probes[0], 60);
  fire_due(queue, 1000);
  CHECK(fired == std::vector<int>{2, 0});
}

TEST_CASE("timer queue: many interleaved pushes, removals and pops keep deadline order") {
  // A deterministic shuffle of deadlines, some in order and some not, with
  // every third target removed: what fires must be sorted by (deadline, set order).
  constexpr std::size_t kCount = 300;
  std::vector<int> fired;
  std::vector<Probe> probes;
  probes.reserve(kCount);
  for (std::size_t i = 0; i < kCount; ++i) {
    probes.emplace_back(static_cast<int>(i), &fired);
  }
  TimerQueue queue;
  std::vector<Nanos> deadline(kCount);
  for (std::size_t i = 0; i < kCount; ++i) {
    deadline[i] = static_cast<Nanos>((i * 37) % 101);  // repeats and goes back
    queue.push(probes[i], deadline[i]);
  }
  for (std::size_t i = 0; i < kCount; i += 3) {
    queue.remove(probes[i]);
  }
  fire_due(queue, 1000);
  REQUIRE(fired.size() == kCount - (kCount + 2) / 3);
  for (std::size_t k = 1; k < fired.size(); ++k) {
    const auto before = static_cast<std::size_t>(fired[k - 1]);
    const auto after = static_cast<std::size_t>(fired[k]);
    const bool ordered = deadline[before] < deadline[after] ||
                         (deadline[before] == deadline[after] && before < after);
    CHECK(ordered);
  }
}
