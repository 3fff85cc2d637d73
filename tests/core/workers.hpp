#pragma once
// Small coroutines several core tests run as their tasks.

#include <stdexcept>
#include <string>

#include "core/errors.hpp"
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

/// Sleeps `delay`; if cancelled meanwhile, awaits a cleanup of `cleanup` and
/// re-raises, as a well-behaved coroutine does. C++ forbids co_await inside a
/// handler, so the cleanup is awaited after it. Returns 1 if not cancelled.
inline Task<int> work_with_cleanup(Duration delay, Duration cleanup) {
  bool cancelled = false;
  try {
    co_await sleep(delay);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await sleep(cleanup);
    throw Cancelled{};
  }
  co_return 1;
}

}  // namespace asyncdemo::test
