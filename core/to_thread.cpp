#include "core/to_thread.hpp"

#include <thread>

#include "core/detail/simulated_pool.hpp"

namespace asyncdemo {

bool ThreadSleepAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::thread)) {
    return false;
  }
  Runtime& rt = runtime();
  if (rt.virtual_time()) {
    auto* job = new detail::SimulatedJob(self(), task()->id, length_, rt.simulated_pool());
    attach(job);
    rt.simulated_pool().submit(job);
    return true;
  }
  const Duration length = length_;
  auto sleeper = [length] { std::this_thread::sleep_for(length); };
  start(std::make_unique<detail::FunctionJob<decltype(sleeper)>>(self(), task()->id, sleeper));
  return true;
}

void ThreadSleepAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  rethrow_start_error();
}

}  // namespace asyncdemo
