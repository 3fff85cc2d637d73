#pragma once
// preloading(): the environment that runs the real binary with a library of
// tests/faults preloaded (LD_PRELOAD) in front of glibc, in every build.

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asyncdemo::test {

/// LD_PRELOAD for `library`, and what ASan needs to accept it: ASan refuses to
/// start when a preloaded library comes before its runtime in the list of
/// libraries, unless told not to check. The options already set (make
/// test-asan's) stay. For RunOptions::env.
inline std::vector<std::pair<std::string, std::optional<std::string>>> preloading(
    std::string library) {
  const char* set = std::getenv("ASAN_OPTIONS");  // NOLINT(concurrency-mt-unsafe): no setenv here
  const std::string asan = set != nullptr ? set : "";
  return {{"LD_PRELOAD", std::move(library)},
          {"ASAN_OPTIONS", asan + (asan.empty() ? "" : ":") + "verify_asan_link_order=0"}};
}

}  // namespace asyncdemo::test
