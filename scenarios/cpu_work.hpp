#pragma once
// The CPU-bound work of the `lag` scenario, as in the course: counting primes by trial
// division. It is the same function wherever it runs — on the loop thread, on a pool thread,
// or in a child process (asyncdemo started again in its worker mode) — and it measures the
// CPU time it used, which is what every figure about it is built from.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/gil.hpp"

namespace asyncdemo {

/// How much to count: primes upward from 2 until the calling thread has used `cost` of CPU
/// time, or, if `below` is set, every prime below it (however long that takes).
struct CpuWork {
  Duration cost{};
  std::optional<std::uint64_t> below;
};

/// What a run of the work found and cost.
struct Crunched {
  std::uint64_t primes = 0;
  Nanos cpu_ns = 0;  // CPU time of the thread (or process) that counted
  int pid = 0;       // the process that counted (the child's, in a worker process)
};

/// Counts on the calling thread. With a `gil`, it counts only while holding it, and hands it
/// on after each switch interval of CPU, as a CPython thread does (so the CPU time it
/// reports is its own, not the time it waited for its turns).
[[nodiscard]] Crunched count_primes(const CpuWork& work, Gil* gil = nullptr);

/// The first argument of asyncdemo's worker mode: `asyncdemo --cpu-worker COST_NS [BELOW]`
/// counts, prints "PRIMES CPU_NS" and exits 0. Not a scenario: what a process pool runs.
inline constexpr std::string_view kCpuWorkerFlag = "--cpu-worker";

/// The command that runs `work` in a child process: this program, in its worker mode.
[[nodiscard]] std::vector<std::string> cpu_worker_command(const CpuWork& work);
/// Reads what the worker printed; throws std::runtime_error if it is not "PRIMES CPU_NS".
[[nodiscard]] Crunched read_cpu_worker_output(std::string_view output, int pid);
/// The worker mode's main: `args` are the arguments after kCpuWorkerFlag. Returns the exit
/// status (2 for arguments it cannot read, with a message on stderr).
int cpu_worker_main(const std::vector<std::string_view>& args);

}  // namespace asyncdemo
