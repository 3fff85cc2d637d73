#include "scenarios/durations.hpp"

#include <doctest/doctest.h>

using asyncdemo::format_fixed_seconds;
using asyncdemo::format_measured;
using asyncdemo::format_seconds;

TEST_SUITE("scenarios") {
  TEST_CASE("format_seconds writes whole milliseconds as people do, else to the millisecond") {
    CHECK(format_seconds(1.0) == "1s");
    CHECK(format_seconds(0.15) == "150ms");
    CHECK(format_seconds(1.5) == "1.5s");
    CHECK(format_seconds(0.0) == "0s");
    CHECK(format_seconds(2.0041) == "2.004s");
    CHECK(format_seconds(0.0004) == "0.000s");
  }

  TEST_CASE("format_fixed_seconds always has three decimals, so columns line up") {
    CHECK(format_fixed_seconds(1.0) == "1.000s");
    CHECK(format_fixed_seconds(0.0) == "0.000s");
    CHECK(format_fixed_seconds(3.0224366) == "3.022s");
  }

  TEST_CASE("format_measured keeps three significant digits in the unit that reads best") {
    CHECK(format_measured(0) == "0s");
    CHECK(format_measured(140) == "140ns");
    CHECK(format_measured(89'712) == "89.7us");
    CHECK(format_measured(2'214'901) == "2.21ms");
    CHECK(format_measured(2'500'000'000) == "2.5s");
    CHECK(format_measured(1'000'000) == "1ms");
    // Rounding carries into the next unit instead of printing "1e+03us".
    CHECK(format_measured(999'960) == "1ms");
    // Past 100 in a unit there are no decimals, and never an exponent.
    CHECK(format_measured(1'234'000'000'000) == "1230s");
    CHECK(format_measured(-2'214'901) == "-2.21ms");
  }
}
