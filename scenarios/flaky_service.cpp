#include "scenarios/flaky_service.hpp"

#include "scenarios/seeded_draw.hpp"

namespace asyncdemo {

std::size_t FlakyService::window_of(Nanos at_ns) const noexcept {
  return static_cast<std::size_t>(at_ns < 0 ? 0 : at_ns / options_.window_ns);
}

Answer FlakyService::call(Nanos at_ns, std::size_t client, std::size_t attempt) {
  const std::size_t window = window_of(at_ns);
  if (window != window_) {  // a new window: its capacity is whole again
    window_ = window;
    served_in_window_ = 0;
  }
  if (served_in_window_ >= options_.capacity) {
    return Answer::turned_away;
  }
  ++served_in_window_;  // a call that fails at random was served all the same: it took its token
  if (options_.error_rate > 0 &&
      seeded_draw(options_.seed, client, attempt, DrawPurpose::error) < options_.error_rate) {
    return Answer::error;
  }
  return Answer::served;
}

}  // namespace asyncdemo
