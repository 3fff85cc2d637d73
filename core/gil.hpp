#pragma once
// Gil: a model of CPython's global interpreter lock, for showing why CPU work on Python's
// threads does not run in parallel. One lock that every "Python" thread must hold to compute;
// a thread that holds it gives it up after a switch interval if others wait (CPython's
// sys.getswitchinterval(), 5 ms), and the lock goes to the waiters first come, first served.
// C++ threads need none of this: without a Gil, CPU work on the pool uses every core.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "core/clock.hpp"

namespace asyncdemo {

class Gil {
 public:
  /// CPython's default switch interval (sys.getswitchinterval()): how long a thread computes
  /// before it hands the lock to a thread waiting for it.
  static constexpr Duration kSwitchInterval = std::chrono::milliseconds(5);

  /// Blocks the calling thread until it holds the lock; threads get it in the order they
  /// asked. Any thread, the loop thread included (which then stalls the loop, as CPython's
  /// loop thread stalls waiting for the GIL).
  void acquire();
  /// Gives the lock to the next thread in line. Only by the thread that holds it.
  void release();
  /// How many threads are waiting for their turn right now. Any thread.
  [[nodiscard]] std::size_t waiting();

 private:
  std::mutex mutex_;
  std::condition_variable turn_changed_;
  // A ticket lock: each acquire takes the next ticket and waits until it is served.
  std::uint64_t next_ticket_ = 0;
  std::uint64_t serving_ = 0;
};

/// Holds `gil` for a scope (`with gil:`); a null gil holds nothing.
class GilHold {
 public:
  explicit GilHold(Gil* gil) : gil_(gil) {
    if (gil_ != nullptr) {
      gil_->acquire();
    }
  }
  ~GilHold() {
    if (gil_ != nullptr) {
      gil_->release();
    }
  }
  GilHold(const GilHold&) = delete;
  GilHold& operator=(const GilHold&) = delete;
  GilHold(GilHold&&) = delete;
  GilHold& operator=(GilHold&&) = delete;

 private:
  Gil* gil_;
};

}  // namespace asyncdemo
