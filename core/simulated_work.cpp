#include "core/simulated_work.hpp"

#include <algorithm>

#include "core/detail/simulated_pool.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

bool SimulatedWorkAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  Runtime& rt = runtime();
  if (!rt.virtual_time()) {
    throw RuntimeMisuse("simulated_work on the real clock: real work must run for real");
  }
  if (!begin_wait(awaiting, where_)) {
    return false;
  }
  detail::SimulatedPool& cores = rt.simulated_cores(std::max<std::size_t>(width_, 1), where_);
  auto* job = new detail::SimulatedJob(self(), task()->id, cost_, cores);
  attach(job);
  cores.submit(job);
  return true;
}

void SimulatedWorkAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
}

}  // namespace asyncdemo
