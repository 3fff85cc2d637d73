#include "scenarios/cpu_work.hpp"

#include <fmt/format.h>
#include <uv.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "core/errors.hpp"

namespace asyncdemo {

namespace {

// How many candidates are tested between two readings of the CPU clock: a reading costs
// tens of nanoseconds, a batch well under a millisecond even where candidates are large.
constexpr std::uint64_t kBatch = 256;

Nanos thread_cpu_now() {
  timespec now{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
  }
  return static_cast<Nanos>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

bool is_prime(std::uint64_t candidate) {
  if (candidate < 2) {
    return false;
  }
  for (std::uint64_t divisor = 2; divisor * divisor <= candidate; ++divisor) {
    if (candidate % divisor == 0) {
      return false;
    }
  }
  return true;
}

// The count so far, carried from one turn at the GIL to the next.
struct Counting {
  std::uint64_t next = 2;  // the next candidate to test
  std::uint64_t primes = 0;
  Nanos cpu_ns = 0;
};

// Counts until `budget_ns` more CPU has been used (or `below` is reached); true when done.
bool count_for(Counting& counting, const CpuWork& work, Nanos budget_ns) {
  const Nanos started = thread_cpu_now();
  const std::uint64_t limit = work.below.value_or(std::numeric_limits<std::uint64_t>::max());
  for (;;) {
    for (std::uint64_t k = 0; k < kBatch && counting.next < limit; ++k, ++counting.next) {
      counting.primes += is_prime(counting.next) ? 1 : 0;
    }
    const Nanos used = thread_cpu_now() - started;
    const bool finished =
        counting.next >= limit || (!work.below && counting.cpu_ns + used >= to_nanos(work.cost));
    if (finished || used >= budget_ns) {
      counting.cpu_ns += used;
      return finished;
    }
  }
}

}  // namespace

Crunched count_primes(const CpuWork& work, Gil* gil) {
  Counting counting;
  const Nanos turn =
      gil != nullptr ? to_nanos(Gil::kSwitchInterval) : std::numeric_limits<Nanos>::max();
  for (bool finished = false; !finished;) {
    const GilHold hold(gil);  // a turn at the GIL, if there is one
    finished = count_for(counting, work, turn);
  }
  return {counting.primes, counting.cpu_ns, static_cast<int>(uv_os_getpid())};
}

std::vector<std::string> cpu_worker_command(const CpuWork& work) {
  std::array<char, 4096> path{};
  std::size_t size = path.size();
  check_uv("uv_exepath", uv_exepath(path.data(), &size));
  std::vector<std::string> command{std::string(path.data(), size), std::string(kCpuWorkerFlag),
                                   std::to_string(to_nanos(work.cost))};
  if (work.below) {
    command.push_back(std::to_string(*work.below));
  }
  return command;
}

namespace {

template <class T>
std::optional<T> read_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Crunched read_cpu_worker_output(std::string_view output, int pid) {
  if (!output.empty() && output.back() == '\n') {
    output.remove_suffix(1);
  }
  const std::size_t space = output.find(' ');
  const auto primes = read_number<std::uint64_t>(output.substr(0, space));
  const auto cpu_ns =
      space == std::string_view::npos ? std::nullopt : read_number<Nanos>(output.substr(space + 1));
  if (!primes || !cpu_ns) {
    throw std::runtime_error(fmt::format(R"(worker process {} answered "{}", not "PRIMES CPU_NS")",
                                         pid, output.substr(0, 80)));
  }
  return {*primes, *cpu_ns, pid};
}

int cpu_worker_main(const std::vector<std::string_view>& args) {
  // A negative cost stands for an argument that is missing or not a number.
  const Nanos cost_ns =
      args.empty() || args.size() > 2 ? -1 : read_number<Nanos>(args[0]).value_or(-1);
  const auto below = args.size() == 2 ? read_number<std::uint64_t>(args[1]) : std::nullopt;
  if (cost_ns < 0 || (args.size() == 2 && !below)) {
    std::fputs("asyncdemo --cpu-worker: usage: asyncdemo --cpu-worker COST_NS [BELOW]\n", stderr);
    return 2;
  }
  const Crunched done = count_primes(CpuWork{Duration(cost_ns), below});
  fmt::print("{} {}\n", done.primes, done.cpu_ns);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace asyncdemo
