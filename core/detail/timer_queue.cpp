#include "core/detail/timer_queue.hpp"

namespace asyncdemo::detail {

void TimerQueue::push(TimerTarget& target, Nanos deadline) {
  const Entry entry{deadline, next_sequence_++, &target};
  if (fifo_.empty() || fifo_.back().deadline <= deadline) {
    fifo_.push_back(entry);
    target.place_ = TimerTarget::kInFifo | (fifo_popped_ + fifo_.size() - 1);
  } else {
    heap_.push_back(entry);
    target.place_ = heap_.size() - 1;
    sift_up(heap_.size() - 1);
  }
  ++size_;
}

void TimerQueue::remove(TimerTarget& target) noexcept {
  if (!target.queued()) {
    return;
  }
  if ((target.place_ & TimerTarget::kInFifo) != 0) {
    const std::uint64_t position = target.place_ & ~TimerTarget::kInFifo;
    fifo_[position - fifo_popped_].target = nullptr;
    target.place_ = TimerTarget::kNotQueued;
    --size_;
    drop_removed_fifo_front();
  } else {
    erase_heap_at(target.place_);
  }
}

void TimerQueue::drop_removed_fifo_front() noexcept {
  // Keeps the invariant that a non-empty FIFO starts with a live entry, so
  // next_deadline() can read the front directly.
  while (!fifo_.empty() && fifo_.front().target == nullptr) {
    fifo_.pop_front();
    ++fifo_popped_;
  }
}

bool TimerQueue::fifo_first() const noexcept {
  if (fifo_.empty()) {
    return false;
  }
  return heap_.empty() || before(fifo_.front(), heap_.front());
}

Nanos TimerQueue::next_deadline() const noexcept {
  return fifo_first() ? fifo_.front().deadline : heap_.front().deadline;
}

TimerTarget* TimerQueue::pop_due(Nanos now) noexcept {
  if (empty() || next_deadline() > now) {
    return nullptr;
  }
  if (fifo_first()) {
    TimerTarget* target = fifo_.front().target;
    target->place_ = TimerTarget::kNotQueued;
    fifo_.pop_front();
    ++fifo_popped_;
    --size_;
    drop_removed_fifo_front();
    return target;
  }
  TimerTarget* target = heap_.front().target;
  erase_heap_at(0);
  return target;
}

// ---- the heap: deadlines that arrived out of order ----

void TimerQueue::place(std::size_t index, const Entry& entry) noexcept {
  heap_[index] = entry;
  entry.target->place_ = index;
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

void TimerQueue::erase_heap_at(std::size_t index) noexcept {
  heap_[index].target->place_ = TimerTarget::kNotQueued;
  --size_;
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

}  // namespace asyncdemo::detail
