#include "core/detail/blocking_sleep.hpp"

#include <time.h>  // NOLINT(modernize-deprecated-headers): POSIX's clock_nanosleep

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace asyncdemo::detail {

namespace {

constexpr Nanos kNanosPerSecond = 1'000'000'000;

}  // namespace

void blocking_sleep(Duration length) {
  if (length <= Duration::zero()) {
    return;
  }
  timespec deadline{};
  if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) {
    throw std::system_error(errno, std::generic_category(), "clock_gettime");
  }
  const Nanos end = deadline.tv_nsec + to_nanos(length);
  deadline.tv_sec += static_cast<time_t>(end / kNanosPerSecond);
  deadline.tv_nsec = static_cast<long>(end % kNanosPerSecond);
  int error = EINTR;
  while (error == EINTR) {
    error = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr);
  }
  if (error != 0) {  // clock_nanosleep returns the error; it leaves errno alone
    throw std::system_error(error, std::generic_category(), "clock_nanosleep");
  }
}

}  // namespace asyncdemo::detail
