#pragma once
// The ticks of a time axis, in every picture of a timeline: steps of 1, 2 or 5 of a decade,
// each label in the one unit the step reads best in (0s 0.2s 0.4s, not 0s 200ms 0.4s).

#include <string>

#include "core/clock.hpp"

namespace asyncdemo {

/// The smallest 1-2-5 step (1ms, 2ms, 5ms, 10ms, ...) giving at most `ticks` ticks over
/// `total_ns`.
[[nodiscard]] Nanos tick_step(Nanos total_ns, int ticks);

/// The label of the tick at `t_ns` on an axis whose ticks are `step_ns` apart.
[[nodiscard]] std::string tick_label(Nanos t_ns, Nanos step_ns);

}  // namespace asyncdemo
