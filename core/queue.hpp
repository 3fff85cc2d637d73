#pragma once
// Queue (asyncio.Queue): items first in, first out, between tasks. With a maxsize, put waits
// while the queue is full (backpressure); get waits while it is empty. task_done and join
// count the items still being worked on. As in asyncio, a waiter woken by a put or a get
// only gets to try again (a task that calls first may take the item or the slot), and one
// cancelled after its wake-up passes the wake-up on to the next in line.
//
//   Queue<int> queue(2);            // asyncio.Queue(maxsize=2)
//   co_await queue.put(item);       // await queue.put(item)
//   int item = co_await queue.get();
//   queue.task_done();
//   co_await queue.join();

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "core/detail/wait_list.hpp"
#include "core/errors.hpp"
#include "core/task.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {

namespace detail {

template <class T>
struct QueueState {
  explicit QueueState(std::size_t size_limit) : maxsize(size_limit) {}

  std::size_t maxsize;  // 0: unbounded
  std::deque<T> items;
  std::size_t unfinished = 0;  // items put and not yet task_done
  std::size_t max_size = 0;    // the most items it held at once
  WaitList getters;
  WaitList putters;
  WaitList joiners;

  [[nodiscard]] bool full() const noexcept { return maxsize > 0 && items.size() >= maxsize; }

  void push(T item) {
    items.push_back(std::move(item));
    ++unfinished;
    max_size = std::max(max_size, items.size());
    getters.wake_first();
  }

  T pop() {
    T item = std::move(items.front());
    items.pop_front();
    putters.wake_first();
    return item;
  }
};

// Free functions taking the state by value, not members: a coroutine's frame keeps what it
// was given, so the queue may go while a put or a get is pending.
template <class T>
Task<void> queue_put(std::shared_ptr<QueueState<T>> state, T item) {
  while (state->full()) {
    Parked parked(state->putters, WaitKind::queue_put);
    try {
      co_await parked;
    } catch (const Cancelled&) {
      if (parked.woken() && !state->full()) {
        state->putters.wake_first();  // the slot it was woken for goes to the next
      }
      throw;
    }
  }
  state->push(std::move(item));
}

template <class T>
Task<T> queue_get(std::shared_ptr<QueueState<T>> state) {
  while (state->items.empty()) {
    Parked parked(state->getters, WaitKind::queue_get);
    try {
      co_await parked;
    } catch (const Cancelled&) {
      if (parked.woken() && !state->items.empty()) {
        state->getters.wake_first();  // the item it was woken for goes to the next
      }
      throw;
    }
  }
  co_return state->pop();
}

template <class T>
Task<void> queue_join(std::shared_ptr<QueueState<T>> state) {
  if (state->unfinished > 0) {
    Parked parked(state->joiners, WaitKind::child);
    co_await parked;
  }
}

}  // namespace detail

/// Loop thread only. Copies share one queue.
template <class T>
class Queue {
 public:
  /// asyncio.Queue(maxsize): 0 is unbounded.
  explicit Queue(std::size_t maxsize = 0)
      : state_(std::make_shared<detail::QueueState<T>>(maxsize)) {}

  /// `await queue.put(item)`: waits while the queue is full (shown as a put wait).
  [[nodiscard]] Task<void> put(T item) const { return detail::queue_put(state_, std::move(item)); }
  /// `await queue.get()`: waits while the queue is empty (shown as a get wait).
  [[nodiscard]] Task<T> get() const { return detail::queue_get(state_); }
  /// put_nowait: false (and nothing put) if the queue is full (asyncio raises QueueFull).
  bool try_put(T item) const {
    if (state_->full()) {
      return false;
    }
    state_->push(std::move(item));
    return true;
  }
  /// get_nowait: nothing if the queue is empty (asyncio raises QueueEmpty).
  std::optional<T> try_get() const {
    if (state_->items.empty()) {
      return std::nullopt;
    }
    return state_->pop();
  }
  /// One item taken by get is done with. RuntimeMisuse if called more times than items were
  /// put (asyncio's ValueError); the last one wakes every join.
  void task_done() const {
    if (state_->unfinished == 0) {
      throw RuntimeMisuse("task_done() called more times than items were put");
    }
    if (--state_->unfinished == 0) {
      state_->joiners.wake_all();
    }
  }
  /// `await queue.join()`: until every item put has had its task_done (shown as awaiting).
  [[nodiscard]] Task<void> join() const { return detail::queue_join(state_); }

  [[nodiscard]] std::size_t size() const noexcept { return state_->items.size(); }
  [[nodiscard]] bool empty() const noexcept { return state_->items.empty(); }
  [[nodiscard]] bool full() const noexcept { return state_->full(); }
  [[nodiscard]] std::size_t maxsize() const noexcept { return state_->maxsize; }
  /// The most items it held at once.
  [[nodiscard]] std::size_t max_size() const noexcept { return state_->max_size; }

 private:
  std::shared_ptr<detail::QueueState<T>> state_;
};

}  // namespace asyncdemo
