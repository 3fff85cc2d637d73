#pragma once
// Small coroutines several core tests run as their tasks.

#include <stdexcept>
#include <string>

#include "core/sleep.hpp"
#include "core/task.hpp"

namespace asyncdemo::test {

/// Sleeps `delay`, then returns `value`.
inline Task<int> work(Duration delay, int value) {
  co_await sleep(delay);
  co_return value;
}

/// Sleeps `delay`, then raises std::runtime_error(message).
inline Task<int> fail_after(Duration delay, std::string message) {
  co_await sleep(delay);
  throw std::runtime_error(message);
}

}  // namespace asyncdemo::test
