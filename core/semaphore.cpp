#include "core/semaphore.hpp"

#include <algorithm>
#include <utility>

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

namespace detail {

struct SemaphoreState {
  std::size_t limit;
  std::size_t available;
  WaitKind wait;
  std::size_t waiting = 0;
  std::size_t max_held = 0;
  TaskId last_taker = 0;
  AcquireAwaiter* head = nullptr;
  AcquireAwaiter* tail = nullptr;

  void take() noexcept {
    --available;
    max_held = std::max(max_held, limit - available);
  }

  void enqueue(AcquireAwaiter& waiter) noexcept {
    waiter.prev_ = tail;
    waiter.next_ = nullptr;
    (tail != nullptr ? tail->next_ : head) = &waiter;
    tail = &waiter;
    waiter.queued_ = true;
    ++waiting;
  }

  void unlink(AcquireAwaiter& waiter) noexcept {
    (waiter.prev_ != nullptr ? waiter.prev_->next_ : head) = waiter.next_;
    (waiter.next_ != nullptr ? waiter.next_->prev_ : tail) = waiter.prev_;
    waiter.prev_ = waiter.next_ = nullptr;
    waiter.queued_ = false;
    --waiting;
  }

  [[nodiscard]] std::vector<TaskId> waiting_tasks() const {
    std::vector<TaskId> tasks;
    for (const AcquireAwaiter* waiter = head; waiter != nullptr; waiter = waiter->next_) {
      tasks.push_back(waiter->waiting_task());
    }
    return tasks;
  }

  void release() noexcept {
    if (head != nullptr) {
      head->grant();  // the permit goes straight to the first in line
    } else {
      ++available;
    }
  }
};

}  // namespace detail

Permit::Permit(std::shared_ptr<detail::SemaphoreState> state) noexcept : state_(std::move(state)) {}

Permit& Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

void Permit::release() noexcept {
  if (auto state = std::exchange(state_, nullptr)) {
    state->release();
  }
}

AcquireAwaiter::AcquireAwaiter(std::shared_ptr<detail::SemaphoreState> state) noexcept
    : state_(std::move(state)) {}

AcquireAwaiter::~AcquireAwaiter() {
  if (queued_) {
    state_->unlink(*this);
  }
}

bool AcquireAwaiter::await_ready() noexcept {
  if (state_->available > 0 && state_->head == nullptr) {
    state_->take();
    if (const detail::TaskState* taker = runtime().current_task(); taker != nullptr) {
      state_->last_taker = taker->id;
    }
    granted_ = true;
    return true;
  }
  return false;
}

bool AcquireAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, state_->wait)) {
    return false;
  }
  state_->enqueue(*this);
  return true;
}

Permit AcquireAwaiter::await_resume() {
  if (take_cancel()) {
    if (granted_) {
      state_->release();  // handed a permit, then cancelled before running: pass it on
    }
    throw Cancelled{};
  }
  return Permit(state_);
}

bool AcquireAwaiter::cancel() noexcept {
  state_->unlink(*this);
  wake();
  return false;
}

void AcquireAwaiter::grant() noexcept {
  state_->unlink(*this);
  granted_ = true;
  state_->last_taker = waiting_task();
  // The permit moves from the releaser to this waiter without ever being free.
  state_->max_held = std::max(state_->max_held, state_->limit - state_->available);
  wake();
}

Semaphore::Semaphore(std::size_t permits, WaitKind wait)
    : state_(std::make_shared<detail::SemaphoreState>(
          detail::SemaphoreState{permits, permits, wait})) {
  if (permits == 0) {
    throw RuntimeMisuse("a Semaphore needs at least one permit");
  }
}

std::size_t Semaphore::available() const noexcept { return state_->available; }
std::size_t Semaphore::waiting() const noexcept { return state_->waiting; }
std::size_t Semaphore::max_held() const noexcept { return state_->max_held; }
TaskId Semaphore::last_taker() const noexcept { return state_->last_taker; }

std::vector<TaskId> Semaphore::waiting_tasks() const { return state_->waiting_tasks(); }

TaskId AcquireAwaiter::waiting_task() const noexcept { return task()->id; }

}  // namespace asyncdemo
