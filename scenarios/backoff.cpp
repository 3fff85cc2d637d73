#include "scenarios/backoff.hpp"

#include <algorithm>

#include "scenarios/seeded_draw.hpp"

namespace asyncdemo {

Nanos backoff_ceiling(const BackoffPolicy& policy, std::size_t failures) noexcept {
  const std::size_t doublings = failures > 0 ? failures - 1 : 0;
  Nanos wait = std::max<Nanos>(policy.base_ns, 0);
  for (std::size_t i = 0; i < doublings && wait < policy.cap_ns; ++i) {
    wait *= 2;  // stops at the cap, long before a Nanos could overflow
  }
  return std::min(wait, policy.cap_ns);
}

BackoffBounds backoff_bounds(const BackoffPolicy& policy, std::size_t failures) noexcept {
  const Nanos ceiling = backoff_ceiling(policy, failures);
  switch (policy.jitter) {
    case Jitter::none: return {ceiling, ceiling};
    case Jitter::full: return {0, ceiling};
    case Jitter::equal: break;
  }
  return {ceiling / 2, ceiling};
}

Nanos backoff_wait(const BackoffPolicy& policy, std::size_t client, std::size_t failures) noexcept {
  const BackoffBounds bounds = backoff_bounds(policy, failures);
  const double draw = seeded_draw(policy.seed, client, failures, DrawPurpose::jitter);
  return bounds.low_ns +
         static_cast<Nanos>(draw * static_cast<double>(bounds.high_ns - bounds.low_ns));
}

}  // namespace asyncdemo
