#pragma once
// Descriptors 0, 1 and 2 are always open, as daemons make sure of.
//
// A shell can start a program with one of them closed (`asyncdemo ... <&-`,
// `>&-`, `2>&-`). The first descriptors the process then opens take those
// numbers: libuv's own would become "stdin" (and it asserts that it never
// closes one of 0-2), and a report could be written into a trace file.

namespace asyncdemo {

/// Opens /dev/null on each of 0, 1 and 2 that is closed, so that the run
/// behaves as with an ordinary redirection (output to a closed stdout is
/// simply lost, a closed stdin reads as empty). Call first thing in main,
/// before anything opens a descriptor. Returns false if one could not be
/// opened (then 2, at least, may be missing: say nothing).
[[nodiscard]] bool open_missing_standard_streams() noexcept;

}  // namespace asyncdemo
