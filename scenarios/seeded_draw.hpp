#pragma once
// Seeded random draws that do not depend on the order in which they are made. Each draw is a hash
// of the seed and of what it is for (which client, which attempt, what for), so a run's random
// choices are the same whichever task happens to ask first, on either clock, and the asyncio
// program that mirrors a scenario (tests/parity) can draw exactly the same numbers: the hash is
// splitmix64, a few lines in any language.

#include <cstdint>

namespace asyncdemo {

/// What a draw decides; part of what is hashed, so the two never draw the same number.
enum class DrawPurpose : std::uint8_t { jitter = 1, error = 2 };

/// One output of splitmix64 from the state `x` (Steele, Lea and Flood, 2014).
[[nodiscard]] std::uint64_t splitmix64(std::uint64_t x) noexcept;

/// A number in [0, 1) with 53 random bits: splitmix64 chained over the seed, the client, the
/// attempt and the purpose, each folded in with xor.
[[nodiscard]] double seeded_draw(std::uint64_t seed, std::uint64_t client, std::uint64_t attempt,
                                 DrawPurpose purpose) noexcept;

}  // namespace asyncdemo
