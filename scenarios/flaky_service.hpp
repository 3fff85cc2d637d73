#pragma once
// The flaky service that retry's clients call, simulated in-process so that the lesson is
// deterministic under --virtual-time: a token window. It serves `capacity` calls in each window
// of `window` (counted from the start of the run) and turns the rest away, as a rate-limited
// service answers 429 or 503; of the calls it serves, a seeded `error_rate` fail anyway, the
// transient errors any network call meets.

#include <cstddef>
#include <cstdint>

#include "core/clock.hpp"

namespace asyncdemo {

/// How the service answered one call.
enum class Answer : std::uint8_t {
  served,       // the call got its answer
  turned_away,  // the window's capacity was used up
  error,        // it was served but failed at random (--error-rate)
};

struct FlakyServiceOptions {
  std::size_t capacity = 3;  // calls served per window
  Nanos window_ns = 1'000'000'000;
  double error_rate = 0;   // of the calls served, the fraction that fail at random
  std::uint64_t seed = 1;  // for those random failures (seeded_draw)
};

class FlakyService {
 public:
  explicit FlakyService(FlakyServiceOptions options) : options_(options) {}

  /// The answer to attempt `attempt` of client `client`, arriving `at_ns` after the run's start.
  /// Calls must come in the order of their arrival times, as they do on one loop.
  [[nodiscard]] Answer call(Nanos at_ns, std::size_t client, std::size_t attempt);

  /// Which window a moment `at_ns` after the start falls in: 0, 1, ...
  [[nodiscard]] std::size_t window_of(Nanos at_ns) const noexcept;

 private:
  FlakyServiceOptions options_;
  std::size_t window_ = 0;  // the window of the latest call, and what it served
  std::size_t served_in_window_ = 0;
};

}  // namespace asyncdemo
