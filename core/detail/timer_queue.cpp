#include "core/detail/timer_queue.hpp"

namespace asyncdemo::detail {

void TimerQueue::place(std::size_t index, const Entry& entry) noexcept {
  heap_[index] = entry;
  entry.target->heap_index_ = index;
}

void TimerQueue::push(TimerTarget& target, Nanos deadline) {
  target.deadline_ = deadline;
  heap_.push_back(Entry{deadline, next_sequence_++, &target});
  target.heap_index_ = heap_.size() - 1;
  sift_up(heap_.size() - 1);
}

void TimerQueue::sift_up(std::size_t index) noexcept {
  const Entry moving = heap_[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (!before(moving, heap_[parent])) {
      break;
    }
    place(index, heap_[parent]);
    index = parent;
  }
  place(index, moving);
}

void TimerQueue::sift_down(std::size_t index) noexcept {
  const Entry moving = heap_[index];
  const std::size_t size = heap_.size();
  while (true) {
    std::size_t child = 2 * index + 1;
    if (child >= size) {
      break;
    }
    if (child + 1 < size && before(heap_[child + 1], heap_[child])) {
      ++child;
    }
    if (!before(heap_[child], moving)) {
      break;
    }
    place(index, heap_[child]);
    index = child;
  }
  place(index, moving);
}

void TimerQueue::erase_at(std::size_t index) noexcept {
  heap_[index].target->heap_index_ = TimerTarget::kNotQueued;
  const std::size_t last = heap_.size() - 1;
  if (index != last) {
    place(index, heap_[last]);
    heap_.pop_back();
    // The moved entry may belong above or below its new place.
    if (index > 0 && before(heap_[index], heap_[(index - 1) / 2])) {
      sift_up(index);
    } else {
      sift_down(index);
    }
  } else {
    heap_.pop_back();
  }
}

void TimerQueue::remove(TimerTarget& target) noexcept {
  if (target.queued()) {
    erase_at(target.heap_index_);
  }
}

TimerTarget* TimerQueue::pop_due(Nanos now) noexcept {
  if (heap_.empty() || heap_.front().deadline > now) {
    return nullptr;
  }
  TimerTarget* target = heap_.front().target;
  erase_at(0);
  return target;
}

}  // namespace asyncdemo::detail
