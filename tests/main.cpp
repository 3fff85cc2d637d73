// The doctest runner for asyncdemo_tests. Test cases live in tests/**/*_test.cpp.
//
// Like asyncdemo itself, the test binary has a worker mode: `lag --offload process` starts the
// program it runs in again to count primes (scenarios/cpu_work.hpp), and in the scenario tests
// that program is this one.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "scenarios/cpu_work.hpp"

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == asyncdemo::kCpuWorkerFlag) {
    return asyncdemo::cpu_worker_main(std::vector<std::string_view>(argv + 2, argv + argc));
  }
  return doctest::Context(argc, argv).run();
}
