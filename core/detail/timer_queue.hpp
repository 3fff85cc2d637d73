#pragma once
// TimerQueue: every pending deadline of a run in one min-heap, served by a
// single libuv timer (or by the virtual clock). One heap beats one uv_timer_t
// per sleep at a million tasks, and ordering by (deadline, sequence) makes
// equal deadlines fire in the order they were set, as a user would expect.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/clock.hpp"

namespace asyncdemo::detail {

/// Something waiting for a deadline. Its heap position is kept so that a
/// cancelled sleep leaves the heap in O(log n).
class TimerTarget {
 public:
  static constexpr std::size_t kNotQueued = SIZE_MAX;

  virtual void on_timer() noexcept = 0;
  [[nodiscard]] bool queued() const noexcept { return heap_index_ != kNotQueued; }
  [[nodiscard]] Nanos deadline() const noexcept { return deadline_; }

 protected:
  TimerTarget() = default;
  ~TimerTarget() = default;
  TimerTarget(const TimerTarget&) = default;
  TimerTarget& operator=(const TimerTarget&) = default;

 private:
  friend class TimerQueue;
  Nanos deadline_ = 0;
  std::size_t heap_index_ = kNotQueued;
};

class TimerQueue {
 public:
  void push(TimerTarget& target, Nanos deadline);
  void remove(TimerTarget& target) noexcept;
  [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
  [[nodiscard]] Nanos next_deadline() const noexcept { return heap_.front().deadline; }
  /// Removes and returns the earliest target if its deadline is <= now.
  TimerTarget* pop_due(Nanos now) noexcept;

 private:
  struct Entry {
    Nanos deadline;
    std::uint64_t sequence;
    TimerTarget* target;
  };
  static bool before(const Entry& a, const Entry& b) noexcept {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }
  void place(std::size_t index, const Entry& entry) noexcept;
  void sift_up(std::size_t index) noexcept;
  void sift_down(std::size_t index) noexcept;
  void erase_at(std::size_t index) noexcept;

  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace asyncdemo::detail
