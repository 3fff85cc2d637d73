#include "core/thread_pool.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <string>
#include <system_error>

namespace asyncdemo {

namespace {

constexpr const char* kVariable = "UV_THREADPOOL_SIZE";
// ThreadPoolExecutor's default (Python 3.8+): "at least 5 workers for I/O bound tasks", and
// at most 32, "to avoid consuming surprisingly large resource on many core machine".
constexpr std::size_t kAsyncioMaxWorkers = 32;
constexpr std::size_t kAsyncioExtraWorkers = 4;

// What configure_thread_pool decided, for thread_pool(). Written once at startup; atomics so
// that a read from any thread, at any time, is well defined.
std::atomic<bool> configured{false};
std::atomic<std::size_t> configured_threads{0};
std::atomic<ThreadPoolSource> configured_source{ThreadPoolSource::libuv_default};
std::atomic<std::size_t> configured_cpus{0};

// The value as it can be shown in a message: printable ASCII as is, other bytes as \xNN.
std::string shown(std::string_view value) {
  std::string text;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    text += byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\' ? std::string(1, c)
                                                                 : fmt::format("\\x{:02X}", byte);
  }
  return text;
}

}  // namespace

std::size_t asyncio_default_pool_size(std::size_t cpus) noexcept {
  return std::min(kAsyncioMaxWorkers, std::max<std::size_t>(cpus, 1) + kAsyncioExtraWorkers);
}

std::size_t cpu_count() noexcept {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<std::size_t>(online) : 0;
}

std::size_t libuv_pool_size(std::string_view value) noexcept {
  // threadpool.c: `nthreads = atoi(val)`, an unsigned int. glibc's atoi is
  // (int) strtol(val, NULL, 10): leading white space and one sign allowed, then digits up to
  // the first other character, an overflow clamped to LONG_MAX or LONG_MIN before the cut to
  // int. Done by hand: strtol wants a NUL-terminated copy, which could fail to allocate.
  std::size_t at = 0;
  while (at < value.size() && std::isspace(static_cast<unsigned char>(value[at])) != 0) {
    ++at;
  }
  const bool negative = at < value.size() && value[at] == '-';
  at += at < value.size() && (value[at] == '-' || value[at] == '+') ? 1 : 0;
  constexpr auto kLongMax =
      static_cast<unsigned long long>(LONG_MAX);  // NOLINT(google-runtime-int)
  unsigned long long magnitude = 0;  // NOLINT(google-runtime-int): strtol's range, and one more
  for (; at < value.size() && value[at] >= '0' && value[at] <= '9'; ++at) {
    const auto digit = static_cast<unsigned>(value[at] - '0');
    magnitude = magnitude > (kLongMax - digit) / 10 ? kLongMax + 1 : magnitude * 10 + digit;
  }
  const long parsed = negative ? (magnitude > kLongMax ? LONG_MIN : -static_cast<long>(magnitude))
                               : static_cast<long>(std::min(magnitude, kLongMax));
  const auto nthreads = static_cast<unsigned int>(static_cast<int>(parsed));  // modular (C++20)
  if (nthreads == 0) {
    return 1;
  }
  return std::min<std::size_t>(nthreads, kMaxThreadPoolSize);
}

std::string thread_pool_size_problem(std::string_view value) {
  if (value.empty()) {
    return "empty";
  }
  if (!std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; })) {
    return "not a whole number of threads";
  }
  std::size_t threads = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), threads);
  if (error != std::errc{} || threads > kMaxThreadPoolSize) {
    return fmt::format("more than libuv's maximum of {} threads", kMaxThreadPoolSize);
  }
  if (threads == 0) {
    return "no threads at all";
  }
  return {};
}

ThreadPoolSize choose_thread_pool(const char* value, std::size_t cpus) {
  if (value == nullptr) {
    return {asyncio_default_pool_size(cpus), ThreadPoolSource::asyncio_default, cpus};
  }
  const std::string problem = thread_pool_size_problem(value);
  if (!problem.empty()) {
    const std::size_t libuv_reads = libuv_pool_size(value);
    throw InvalidThreadPoolSize(fmt::format(
        "{}=\"{}\": {}, and libuv would run {} thread{} for it; set it to a whole number from 1 "
        "to {}, or unset it for asyncio's default executor (min(32, cpus + 4): {} here)",
        kVariable, shown(value), problem, libuv_reads, libuv_reads == 1 ? "" : "s",
        kMaxThreadPoolSize, asyncio_default_pool_size(cpus)));
  }
  return {libuv_pool_size(value), ThreadPoolSource::environment, 0};
}

ThreadPoolSize configure_thread_pool() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): at startup, on the only thread
  const ThreadPoolSize size = choose_thread_pool(std::getenv(kVariable), cpu_count());
  if (size.source == ThreadPoolSource::asyncio_default) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): at startup, on the only thread
    if (setenv(kVariable, std::to_string(size.threads).c_str(), 0) != 0) {
      throw std::system_error(errno, std::generic_category(), "setenv UV_THREADPOOL_SIZE");
    }
  }
  configured_threads.store(size.threads);
  configured_source.store(size.source);
  configured_cpus.store(size.cpus);
  configured.store(true);
  return size;
}

ThreadPoolSize thread_pool() noexcept {
  if (configured.load()) {
    return {configured_threads.load(), configured_source.load(), configured_cpus.load()};
  }
  const char* value = std::getenv(kVariable);  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) {
    return {};
  }
  return {libuv_pool_size(value), ThreadPoolSource::environment, 0};
}

std::string describe_source(const ThreadPoolSize& size) {
  switch (size.source) {
    case ThreadPoolSource::asyncio_default:
      if (size.cpus == 0) {
        return "asyncio's default executor, min(32, cpus + 4), the CPU count unknown (taken as 1)";
      }
      return fmt::format("asyncio's default executor, min(32, cpus + 4) with {} cpu{}", size.cpus,
                         size.cpus == 1 ? "" : "s");
    case ThreadPoolSource::environment: return {kVariable};
    case ThreadPoolSource::libuv_default: return "libuv's default";
  }
  return "libuv's default";
}

std::string_view to_string(ThreadPoolSource source) {
  switch (source) {
    case ThreadPoolSource::asyncio_default: return "asyncio-default";
    case ThreadPoolSource::environment: return kVariable;
    case ThreadPoolSource::libuv_default: return "libuv-default";
  }
  return "libuv-default";
}

}  // namespace asyncdemo
