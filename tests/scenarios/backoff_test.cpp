#include "scenarios/backoff.hpp"

#include <doctest/doctest.h>

#include <set>

#include "scenarios/flaky_service.hpp"
#include "scenarios/seeded_draw.hpp"

using asyncdemo::Answer;
using asyncdemo::backoff_bounds;
using asyncdemo::backoff_ceiling;
using asyncdemo::backoff_wait;
using asyncdemo::BackoffPolicy;
using asyncdemo::DrawPurpose;
using asyncdemo::FlakyService;
using asyncdemo::FlakyServiceOptions;
using asyncdemo::Jitter;
using asyncdemo::Nanos;
using asyncdemo::seeded_draw;
using asyncdemo::splitmix64;

namespace {
constexpr Nanos kMs = 1'000'000;
}

TEST_SUITE("scenarios") {
  TEST_CASE("splitmix64 gives the published sequence, which the asyncio program computes too") {
    // The first outputs of the generator seeded with 0: state 0, 0x9E37..15, 2 x 0x9E37..15.
    CHECK(splitmix64(0) == 0xE220A8397B1DCDAFULL);
    CHECK(splitmix64(0x9E3779B97F4A7C15ULL) == 0x6E789E6AA1B965F4ULL);
  }

  TEST_CASE("a seeded draw is in [0, 1), the same every time, and differs by what it is for") {
    std::set<double> seen;
    for (std::uint64_t client = 1; client <= 100; ++client) {
      const double draw = seeded_draw(7, client, 1, DrawPurpose::jitter);
      CHECK(draw >= 0);
      CHECK(draw < 1);
      CHECK(draw == seeded_draw(7, client, 1, DrawPurpose::jitter));
      CHECK(draw != seeded_draw(7, client, 1, DrawPurpose::error));
      CHECK(draw != seeded_draw(8, client, 1, DrawPurpose::jitter));
      seen.insert(draw);
    }
    CHECK(seen.size() == 100);
  }

  TEST_CASE("the backoff doubles from base up to the cap, with no overflow") {
    const BackoffPolicy policy{100 * kMs, 5000 * kMs, Jitter::none, 1};
    CHECK(backoff_ceiling(policy, 1) == 100 * kMs);
    CHECK(backoff_ceiling(policy, 2) == 200 * kMs);
    CHECK(backoff_ceiling(policy, 6) == 3200 * kMs);
    CHECK(backoff_ceiling(policy, 7) == 5000 * kMs);
    CHECK(backoff_ceiling(policy, 1000) == 5000 * kMs);
  }

  TEST_CASE("each jitter keeps its wait within its bounds") {
    BackoffPolicy policy{100 * kMs, 5000 * kMs, Jitter::none, 3};
    for (std::size_t failures = 1; failures <= 8; ++failures) {
      CAPTURE(failures);
      const Nanos ceiling = backoff_ceiling(policy, failures);
      policy.jitter = Jitter::none;
      CHECK(backoff_wait(policy, 1, failures) == ceiling);
      policy.jitter = Jitter::full;
      CHECK(backoff_bounds(policy, failures).low_ns == 0);
      for (std::size_t client = 1; client <= 20; ++client) {
        policy.jitter = Jitter::full;
        const Nanos full = backoff_wait(policy, client, failures);
        CHECK(full >= 0);
        CHECK(full <= ceiling);
        policy.jitter = Jitter::equal;
        const Nanos equal = backoff_wait(policy, client, failures);
        CHECK(equal >= ceiling / 2);
        CHECK(equal <= ceiling);
      }
    }
  }

  TEST_CASE("the flaky service serves its capacity per window and turns the rest away") {
    FlakyService service(FlakyServiceOptions{2, 100 * kMs, 0, 1});
    CHECK(service.call(0, 1, 1) == Answer::served);
    CHECK(service.call(0, 2, 1) == Answer::served);
    CHECK(service.call(0, 3, 1) == Answer::turned_away);
    CHECK(service.call(99 * kMs, 4, 1) == Answer::turned_away);
    CHECK(service.window_of(99 * kMs) == 0);
    CHECK(service.window_of(100 * kMs) == 1);
    CHECK(service.call(100 * kMs, 3, 2) == Answer::served);  // a new window: capacity whole again
    CHECK(service.call(350 * kMs, 4, 2) == Answer::served);  // windows skipped: still whole
    CHECK(service.call(360 * kMs, 5, 2) == Answer::served);
    CHECK(service.call(399 * kMs, 6, 2) == Answer::turned_away);
  }

  TEST_CASE("the flaky service fails the seeded share of the calls it serves, and none with 0") {
    FlakyService never(FlakyServiceOptions{1'000'000, 1000 * kMs, 0, 1});
    FlakyService always(FlakyServiceOptions{1'000'000, 1000 * kMs, 1, 1});
    FlakyService some(FlakyServiceOptions{1'000'000, 1000 * kMs, 0.25, 1});
    std::size_t errors = 0;
    for (std::size_t client = 1; client <= 4000; ++client) {
      CHECK(never.call(0, client, 1) == Answer::served);
      CHECK(always.call(0, client, 1) == Answer::error);
      const Answer answer = some.call(0, client, 1);
      errors += answer == Answer::error ? 1 : 0;
      CHECK(answer == (seeded_draw(1, client, 1, DrawPurpose::error) < 0.25 ? Answer::error
                                                                            : Answer::served));
    }
    CHECK(errors > 800);  // about 1000 of 4000
    CHECK(errors < 1200);
  }
}
