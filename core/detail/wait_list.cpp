#include "core/detail/wait_list.hpp"

#include "core/errors.hpp"

namespace asyncdemo::detail {

WaitList::~WaitList() {
  // A primitive dropped while tasks wait on it: they stay parked (nothing will wake them,
  // which the runtime reports as a deadlock), but no longer point into freed memory.
  for (Parked* parked = head_; parked != nullptr;) {
    Parked* next = parked->next_;
    parked->listed_ = false;
    parked->list_ = nullptr;
    parked->prev_ = parked->next_ = nullptr;
    parked = next;
  }
}

bool WaitList::wake_first() noexcept {
  if (head_ == nullptr) {
    return false;
  }
  head_->wake_up();
  return true;
}

void WaitList::wake_all() noexcept {
  while (wake_first()) {
  }
}

void WaitList::push_back(Parked& parked) noexcept {
  parked.prev_ = tail_;
  parked.next_ = nullptr;
  (tail_ != nullptr ? tail_->next_ : head_) = &parked;
  tail_ = &parked;
  parked.listed_ = true;
}

void WaitList::unlink(Parked& parked) noexcept {
  (parked.prev_ != nullptr ? parked.prev_->next_ : head_) = parked.next_;
  (parked.next_ != nullptr ? parked.next_->prev_ : tail_) = parked.prev_;
  parked.prev_ = parked.next_ = nullptr;
  parked.listed_ = false;
}

Parked::~Parked() {
  if (listed_ && list_ != nullptr) {
    list_->unlink(*this);  // a frame freed while parked (a run torn down) leaves the line
  }
}

bool Parked::await_suspend(std::coroutine_handle<> handle) {
  if (list_ == nullptr) {
    throw RuntimeMisuse("parked on a wait list that no longer exists");
  }
  if (!begin_wait(handle, wait_)) {
    return false;
  }
  list_->push_back(*this);
  return true;
}

void Parked::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
}

bool Parked::cancel() noexcept {
  if (listed_ && list_ != nullptr) {
    list_->unlink(*this);
  }
  wake();
  return false;
}

void Parked::wake_up() noexcept {
  list_->unlink(*this);
  woken_ = true;
  wake();
}

}  // namespace asyncdemo::detail
