// An LD_PRELOAD library for end-to-end tests: every clock_nanosleep fails with
// ENOTSUP, so every blocking sleep on the thread pool (thread_sleep on the real
// clock) fails inside the real binary, as a broken clock or a hostile seccomp
// filter would make it. The product has no hook for this; the dynamic loader
// resolves the binary's call to this definition instead of glibc's.
//
// Built only for the tests (a MODULE library, not part of asyncdemo_tests):
// the tests set LD_PRELOAD to ASYNCDEMO_FAILING_CLOCK_NANOSLEEP.

#include <time.h>  // NOLINT(modernize-deprecated-headers): POSIX's clock_nanosleep

#include <cerrno>

// clock_nanosleep returns the error number itself; it does not set errno.
// Declared extern "C" by <time.h>, so this definition has C linkage too.
int clock_nanosleep(clockid_t /*clock*/, int /*flags*/, const timespec* /*request*/,
                    timespec* /*remaining*/) {
  return ENOTSUP;
}
