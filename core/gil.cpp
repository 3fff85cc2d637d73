#include "core/gil.hpp"

namespace asyncdemo {

void Gil::acquire() {
  std::unique_lock lock(mutex_);
  const std::uint64_t ticket = next_ticket_++;
  turn_changed_.wait(lock, [this, ticket] { return serving_ == ticket; });
}

void Gil::release() {
  {
    const std::lock_guard lock(mutex_);
    ++serving_;
  }
  // Every waiter checks whether its ticket is served now: one of them is.
  turn_changed_.notify_all();
}

std::size_t Gil::waiting() {
  const std::lock_guard lock(mutex_);
  // Tickets taken but not yet served, less the one being served (the holder), if any.
  const std::uint64_t queued = next_ticket_ - serving_;
  return static_cast<std::size_t>(queued == 0 ? 0 : queued - 1);
}

}  // namespace asyncdemo
