#pragma once
// Exponential backoff with jitter, as the retry lesson teaches it (and as AWS's "Exponential
// Backoff And Jitter" names the kinds): after the k-th failed attempt a client waits up to
// base x 2^(k-1), never more than the cap; jitter decides how much of that it waits.

#include <cstddef>
#include <cstdint>

#include "core/clock.hpp"

namespace asyncdemo {

enum class Jitter : std::uint8_t {
  none,   // the whole ceiling: clients that failed together retry together
  full,   // a random wait from 0 to the ceiling
  equal,  // half the ceiling, and a random wait from 0 to the other half
};

struct BackoffPolicy {
  Nanos base_ns = 100'000'000;
  Nanos cap_ns = 5'000'000'000;
  Jitter jitter = Jitter::none;
  std::uint64_t seed = 1;  // the random part (seeded_draw), the same in any order of calls
};

/// The shortest and longest a wait may be.
struct BackoffBounds {
  Nanos low_ns = 0;
  Nanos high_ns = 0;
};

/// The longest wait after `failures` (>= 1) failed attempts: base x 2^(failures-1), at most the
/// cap, with no overflow however many failures.
[[nodiscard]] Nanos backoff_ceiling(const BackoffPolicy& policy, std::size_t failures) noexcept;

/// The range the wait after `failures` failed attempts falls in, for the policy's jitter.
[[nodiscard]] BackoffBounds backoff_bounds(const BackoffPolicy& policy,
                                           std::size_t failures) noexcept;

/// The wait of client `client` after its `failures`-th failed attempt.
[[nodiscard]] Nanos backoff_wait(const BackoffPolicy& policy, std::size_t client,
                                 std::size_t failures) noexcept;

}  // namespace asyncdemo
