// The looks the pictures share (cli/render_look.hpp): a lane's bars, and the same lane at the
// resolution of a picture too narrow for them.
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "cli/render_look.hpp"

namespace asyncdemo {
namespace {

constexpr auto kRunning = static_cast<std::size_t>(SpanState::running);
constexpr auto kSleeping = static_cast<std::size_t>(SpanState::sleeping);
constexpr auto kBlocked = static_cast<std::size_t>(SpanState::blocked);

struct Expected {
  std::size_t look;
  Nanos from_ns;
  Nanos to_ns;
};

void check_bars(const std::vector<LookBar>& bars, const std::vector<Expected>& expected) {
  REQUIRE(bars.size() == expected.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    INFO("bar " << i);
    CHECK(bars[i].look == expected[i].look);
    CHECK(bars[i].from_ns == expected[i].from_ns);
    CHECK(bars[i].to_ns == expected[i].to_ns);
  }
}

TEST_SUITE("render") {
  TEST_CASE("spans of one look and wait end to end are one bar") {
    const std::vector<Span> spans{{SpanState::sleeping, WaitKind::sleep, 0, 10},
                                  {SpanState::sleeping, WaitKind::sleep, 10, 30},
                                  {SpanState::sleeping, WaitKind::child, 30, 40},
                                  {SpanState::running, WaitKind::none, 40, 40}};
    const auto bars = look_bars(spans);
    check_bars(bars, {{kSleeping, 0, 30}, {kSleeping, 30, 40}, {kRunning, 40, 40}});
    CHECK(bars[1].wait == WaitKind::child);
  }

  TEST_CASE("by column: each column takes the look that covered most of it") {
    // Over [0, 100) in 10 columns: a 1 ns step every 10 ns between sleeps, then one long block.
    std::vector<LookBar> bars;
    for (Nanos t = 0; t < 50; t += 10) {
      bars.push_back({kRunning, WaitKind::none, t, t + 1});
      bars.push_back({kSleeping, WaitKind::sleep, t + 1, t + 10});
    }
    bars.push_back({kBlocked, WaitKind::blocked, 50, 100});
    check_bars(look_bars_by_column(bars, 100, 10), {{kSleeping, 0, 50}, {kBlocked, 50, 100}});
  }

  TEST_CASE("by column: an instant alone still claims its column, an empty column stays empty") {
    const std::vector<LookBar> bars{{kRunning, WaitKind::none, 25, 25},
                                    {kSleeping, WaitKind::sleep, 70, 80}};
    check_bars(look_bars_by_column(bars, 100, 10), {{kRunning, 20, 30}, {kSleeping, 70, 80}});
  }
}

}  // namespace
}  // namespace asyncdemo
