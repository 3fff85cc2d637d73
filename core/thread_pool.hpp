#pragma once
// The thread pool's size, and where it came from: the one place that decides it.
//
// asyncio runs blocking work (to_thread, getaddrinfo) on its default executor, a
// ThreadPoolExecutor of min(32, os.cpu_count() + 4) threads (Python 3.8 and later). libuv's
// pool has 4 threads unless UV_THREADPOOL_SIZE says otherwise, and libuv reads that variable
// once, at the first uv_queue_work of the process. So asyncdemo, to run asyncio's lessons with
// asyncio's pool, sets the variable itself at startup (configure_thread_pool) when the user
// has not, and leaves a user's own value alone, unless libuv would read it in a way nobody
// would guess ("-1" is 1024 threads, "abc" is 1): such a value is refused.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace asyncdemo {

/// libuv's MAX_THREADPOOL_SIZE (threadpool.c): it never runs more threads than this.
inline constexpr std::size_t kMaxThreadPoolSize = 1024;
/// libuv's own default, when UV_THREADPOOL_SIZE is not set.
inline constexpr std::size_t kLibuvDefaultPoolSize = 4;

/// Where the pool's size came from.
enum class ThreadPoolSource : std::uint8_t {
  asyncio_default,  // asyncdemo set it: asyncio's default executor, min(32, cpus + 4)
  environment,      // the user's UV_THREADPOOL_SIZE
  libuv_default,    // nobody set it (a program that never called configure_thread_pool)
};

struct ThreadPoolSize {
  std::size_t threads = kLibuvDefaultPoolSize;
  ThreadPoolSource source = ThreadPoolSource::libuv_default;
  std::size_t cpus = 0;  // the CPU count the asyncio default was computed from (else 0)

  friend bool operator==(const ThreadPoolSize&, const ThreadPoolSize&) = default;
};

/// UV_THREADPOOL_SIZE holds a value that libuv would read as something else than it says.
class InvalidThreadPoolSize : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// asyncio's default executor for `cpus` CPUs: min(32, cpus + 4); a count of 0 (unknown)
/// counts as 1, as Python's `os.cpu_count() or 1` does.
[[nodiscard]] std::size_t asyncio_default_pool_size(std::size_t cpus) noexcept;

/// The CPU count as Python 3.11's os.cpu_count() gives it on Linux: the processors online
/// (sysconf), whatever the process's affinity; 0 if unknown.
[[nodiscard]] std::size_t cpu_count() noexcept;

/// How many threads libuv runs for UV_THREADPOOL_SIZE=`value`, read as threadpool.c reads
/// it: atoi, then 0 becomes 1 and more than 1024 becomes 1024, in an unsigned (so a negative
/// number is huge: "-1" is 1024). "8x" is 8, "abc" and "" are 1.
[[nodiscard]] std::size_t libuv_pool_size(std::string_view value) noexcept;

/// Why UV_THREADPOOL_SIZE=`value` is refused, or "" when it is a plain whole number from 1 to
/// 1024 (digits only), which libuv reads as written.
[[nodiscard]] std::string thread_pool_size_problem(std::string_view value);

/// The decision, for the variable's value (nullptr: not set) and a CPU count: the user's
/// value when set, else asyncio's default. Throws InvalidThreadPoolSize, saying what libuv
/// would have done, for a value thread_pool_size_problem refuses.
[[nodiscard]] ThreadPoolSize choose_thread_pool(const char* value, std::size_t cpus);

/// At the start of main, before any thread pool work and while the process has one thread
/// (it calls setenv): decides the size from the environment (choose_thread_pool), sets
/// UV_THREADPOOL_SIZE to it when the user had not, and remembers the decision for
/// thread_pool(). Throws InvalidThreadPoolSize (a usage error: nothing may run).
ThreadPoolSize configure_thread_pool();

/// The size of this process's pool: what configure_thread_pool decided, or, in a program
/// that never called it, what libuv makes of the environment. Any thread.
[[nodiscard]] ThreadPoolSize thread_pool() noexcept;

/// Where the size came from, for people: "asyncio's default executor, min(32, cpus + 4)
/// with 2 cpus", "UV_THREADPOOL_SIZE", "libuv's default".
[[nodiscard]] std::string describe_source(const ThreadPoolSize& size);

/// The source's name for machines: "asyncio-default", "UV_THREADPOOL_SIZE", "libuv-default".
[[nodiscard]] std::string_view to_string(ThreadPoolSource source);

}  // namespace asyncdemo
