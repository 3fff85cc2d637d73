#include "scenarios/seeded_draw.hpp"

namespace asyncdemo {

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

double seeded_draw(std::uint64_t seed, std::uint64_t client, std::uint64_t attempt,
                   DrawPurpose purpose) noexcept {
  std::uint64_t hash = splitmix64(seed);
  hash = splitmix64(hash ^ client);
  hash = splitmix64(hash ^ attempt);
  hash = splitmix64(hash ^ static_cast<std::uint64_t>(purpose));
  constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;  // 2^-53
  return static_cast<double>(hash >> 11U) * kTwoToMinus53;
}

}  // namespace asyncdemo
