#include "scenarios/kit.hpp"

#include <doctest/doctest.h>

#include <vector>

using asyncdemo::Nanos;
using asyncdemo::kit::nearest_rank;

TEST_SUITE("scenarios") {
  TEST_CASE("nearest_rank: the value at rank ceil(share x n) of the sorted values") {
    const std::vector<Nanos> ten{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    CHECK(nearest_rank(ten, 0.5) == 5);
    CHECK(nearest_rank(ten, 0.99) == 10);  // ceil(9.9) = 10th
    CHECK(nearest_rank(ten, 0.9) == 9);
    CHECK(nearest_rank(ten, 1.0) == 10);
    CHECK(nearest_rank(ten, 0.0) == 1);  // rank 0 is the first
    CHECK(nearest_rank({42}, 0.5) == 42);
    CHECK(nearest_rank({}, 0.99) == 0);
    std::vector<Nanos> hundred;
    for (Nanos i = 100; i >= 1; --i) {
      hundred.push_back(i);
    }
    CHECK(nearest_rank(hundred, 0.99) == 99);
    CHECK(nearest_rank(hundred, 0.5) == 50);
  }
}
