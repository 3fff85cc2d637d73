#pragma once
// Ctrl-C (SIGINT) and SIGTERM outside the event loop. While a run goes on,
// the runtime watches both itself (core/runtime.hpp: cancel every task, let
// their cleanup run); before and after it, these handlers do:
//
// - before the run began (the command line checked, names still read from
//   stdin): nothing has happened that a report could show, so the process
//   says so and exits at once with 128 + the signal;
// - once it began (and while the report and the output files are written):
//   the first signal is remembered and the report is finished, so that no
//   output is left half-written (the exit code then says 128 + the signal);
//   a second one exits at once, removing the output files' temporaries, so
//   that an interrupted write never leaves a partial file where a good one
//   was (cli/output_file.hpp).
//
// All of this is process-wide and async-signal-safe: the handlers only read
// and write lock-free atomics, write(2) a fixed message, unlink(2) and _exit.

#include <csignal>

namespace asyncdemo::interrupts {

/// Installs the handlers for SIGINT and SIGTERM (the "before the run" rule).
/// Call once, first thing in main. Throws std::system_error if sigaction fails.
void install();

/// From now on a first signal is remembered, not fatal: the run has begun.
/// Safe to call from the loop thread (the scenario's on_start).
void run_began() noexcept;

/// The first signal that arrived since run_began() while no runtime watched
/// (SIGINT or SIGTERM), or 0.
[[nodiscard]] int received() noexcept;

/// A temporary file that a second signal must remove before exiting; its
/// path is copied (at most PATH_MAX bytes; a longer one is not registered).
/// Returns the slot to forget it by, or -1 when every slot is taken.
[[nodiscard]] int remove_on_exit(const char* path) noexcept;
/// The temporary is gone or renamed into place: nothing to remove any more.
void forget(int slot) noexcept;

}  // namespace asyncdemo::interrupts
