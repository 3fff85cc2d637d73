#pragma once
// The one blocking sleep: what a pool thread does for thread_sleep, and what
// the loop thread does for a blocking sleep (time.sleep inside a coroutine).

#include "core/clock.hpp"

namespace asyncdemo::detail {

/// Blocks the calling thread for `length` (none at all when it is zero or
/// negative, as with sleep_for). clock_nanosleep, not
/// std::this_thread::sleep_for, which ignores every error: a sleep that
/// cannot happen must fail its task (std::system_error naming the call), not
/// end early and be reported as done. Sleeps to an absolute deadline on the
/// monotonic clock (uv_hrtime's), so that a retry after a signal (EINTR)
/// does not lengthen it.
void blocking_sleep(Duration length);

}  // namespace asyncdemo::detail
