// Runtime: its two clocks. The real one reads uv_hrtime; the virtual one
// stands still while anything runs and jumps to the next deadline when
// nothing can (see on_idle), unless real work is in flight.
#include <memory>

#include "core/detail/blocking_sleep.hpp"
#include "core/detail/loop_guard.hpp"
#include "core/detail/simulated_pool.hpp"
#include "core/runtime.hpp"
#include "core/thread_pool.hpp"

namespace asyncdemo {

Nanos Runtime::now() const noexcept {
  if (virtual_time()) {
    return virtual_now_;
  }
  return static_cast<Nanos>(uv_hrtime() - start_hrtime_);
}

Nanos Runtime::from_hrtime(std::uint64_t hrtime) const noexcept {
  if (virtual_time()) {
    return virtual_now_;
  }
  return static_cast<Nanos>(hrtime - start_hrtime_);
}

std::size_t Runtime::thread_pool_size() noexcept { return thread_pool().threads; }

detail::SimulatedPool& Runtime::simulated_pool() {
  if (!simulated_pool_) {
    simulated_pool_ = std::make_unique<detail::SimulatedPool>(*this, thread_pool_size());
  }
  return *simulated_pool_;
}

detail::SimulatedPool& Runtime::simulated_cores(std::size_t width, WaitKind where) {
  for (const auto& cores : simulated_cores_) {
    if (cores->threads() == width && cores->where() == where) {
      return *cores;
    }
  }
  return *simulated_cores_.emplace_back(
      std::make_unique<detail::SimulatedPool>(*this, width, where));
}

bool Runtime::virtual_clock_may_jump() const noexcept {
  return virtual_time() && real_work_in_flight_ == 0 && !timers_.empty();
}

void Runtime::block_for(Duration d) {
  if (d <= Duration::zero()) {
    return;
  }
  if (virtual_time()) {
    virtual_now_ += to_nanos(d);
  } else {
    detail::blocking_sleep(d);  // a sleep that fails fails its task, as on a pool thread
  }
}

void Runtime::end_real_work() noexcept {
  --real_work_in_flight_;
  detail::guarded(&loop_, [this] { update_idle(); });
}

}  // namespace asyncdemo
