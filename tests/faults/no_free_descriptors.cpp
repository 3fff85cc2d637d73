// An LD_PRELOAD library for end-to-end tests: before main runs, it opens
// /dev/null until the process is out of file descriptors (EMFILE), so that the
// first file the program opens fails as it would on a machine that has run
// out. A lower limit (`prlimit --nofile=N`) keeps that to a few descriptors.
//
// Why a library rather than the limit alone: the dynamic loader needs a
// descriptor to load the program's libraries and gives it back, so under any
// limit the program starts with at least one free. A constructor runs after
// the loader is done.
//
// Built only for the tests (a MODULE library, not part of asyncdemo_tests):
// the tests set LD_PRELOAD to ASYNCDEMO_NO_FREE_DESCRIPTORS.

#include <fcntl.h>

namespace {

// O_CLOEXEC: a program this one starts gets its descriptors back.
[[gnu::constructor]] void use_up_descriptors() {
  while (::open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0) {
  }
}

}  // namespace
