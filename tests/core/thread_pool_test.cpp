// The thread pool's size (core/thread_pool.hpp): asyncio's default executor, min(32, cpus + 4),
// unless UV_THREADPOOL_SIZE says otherwise, which is read as libuv reads it or refused.
#include "core/thread_pool.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "core/runtime.hpp"

using asyncdemo::choose_thread_pool;
using asyncdemo::InvalidThreadPoolSize;
using asyncdemo::libuv_pool_size;
using asyncdemo::thread_pool_size_problem;
using asyncdemo::ThreadPoolSize;
using asyncdemo::ThreadPoolSource;

namespace {

// libuv's own reading (threadpool.c, init_threads), for values atoi can hold.
std::size_t as_libuv_reads_it(const char* value) {
  auto nthreads = static_cast<unsigned int>(std::atoi(value));  // NOLINT(cert-err34-c): its way
  if (nthreads == 0) {
    nthreads = 1;
  }
  return nthreads > asyncdemo::kMaxThreadPoolSize ? asyncdemo::kMaxThreadPoolSize : nthreads;
}

}  // namespace

TEST_SUITE("thread_pool") {
  TEST_CASE("asyncio's default executor has min(32, cpus + 4) threads") {
    CHECK(asyncdemo::asyncio_default_pool_size(1) == 5);
    CHECK(asyncdemo::asyncio_default_pool_size(2) == 6);
    CHECK(asyncdemo::asyncio_default_pool_size(28) == 32);
    CHECK(asyncdemo::asyncio_default_pool_size(64) == 32);
    CHECK(asyncdemo::asyncio_default_pool_size(0) == 5);  // unknown: `os.cpu_count() or 1`
  }

  TEST_CASE("the CPU count is the processors online, as Python's os.cpu_count() has it") {
    CHECK(asyncdemo::cpu_count() >= 1);
  }

  TEST_CASE("UV_THREADPOOL_SIZE is read as libuv reads it: atoi, 0 is 1, over 1024 is 1024") {
    CHECK(libuv_pool_size("8") == 8);
    CHECK(libuv_pool_size("-1") == 1024);  // atoi's -1 in an unsigned
    CHECK(libuv_pool_size("abc") == 1);
    CHECK(libuv_pool_size("") == 1);
    CHECK(libuv_pool_size("8x") == 8);
    CHECK(libuv_pool_size("0") == 1);
    CHECK(libuv_pool_size("2000") == 1024);
    CHECK(libuv_pool_size(" \t+12") == 12);
    CHECK(libuv_pool_size("4294967297") == 1);                  // 2^32 + 1, cut to an int: 1
    CHECK(libuv_pool_size("99999999999999999999999") == 1024);  // strtol's LONG_MAX, cut: -1
    CHECK(libuv_pool_size("-99999999999999999999999") == 1);    // LONG_MIN, cut: 0
    for (const char* value : {"1", "4", "1024", "1025", "-5", "-0", "  7 threads", "+3", "x1",
                              "2147483647", "-2147483648", "0008"}) {
      CAPTURE(value);
      CHECK(libuv_pool_size(value) == as_libuv_reads_it(value));
    }
  }

  TEST_CASE("only a plain whole number from 1 to 1024 is taken as it is written") {
    for (const char* good : {"1", "6", "1024", "008"}) {
      CAPTURE(good);
      CHECK(thread_pool_size_problem(good).empty());
    }
    CHECK(thread_pool_size_problem("") == "empty");
    CHECK(thread_pool_size_problem("0") == "no threads at all");
    for (const char* bad : {"-1", "abc", "8x", " 8", "+8", "1.5"}) {
      CAPTURE(bad);
      CHECK(thread_pool_size_problem(bad) == "not a whole number of threads");
    }
    for (const char* big : {"1025", "2000", "99999999999999999999999"}) {
      CAPTURE(big);
      CHECK(thread_pool_size_problem(big) == "more than libuv's maximum of 1024 threads");
    }
  }

  TEST_CASE("unset, the pool is asyncio's default, and set, it is the user's number") {
    CHECK(choose_thread_pool(nullptr, 2) ==
          ThreadPoolSize{6, ThreadPoolSource::asyncio_default, 2});
    CHECK(choose_thread_pool(nullptr, 64) ==
          ThreadPoolSize{32, ThreadPoolSource::asyncio_default, 64});
    CHECK(choose_thread_pool("8", 2) == ThreadPoolSize{8, ThreadPoolSource::environment, 0});
    CHECK(choose_thread_pool("1", 2) == ThreadPoolSize{1, ThreadPoolSource::environment, 0});
  }

  TEST_CASE("a value libuv would read as something else is refused, saying what libuv would do") {
    CHECK_THROWS_WITH_AS(
        static_cast<void>(choose_thread_pool("-1", 2)),
        "UV_THREADPOOL_SIZE=\"-1\": not a whole number of threads, and libuv would run 1024 "
        "threads for it; set it to a whole number from 1 to 1024, or unset it for asyncio's "
        "default executor (min(32, cpus + 4): 6 here)",
        InvalidThreadPoolSize);
    CHECK_THROWS_WITH_AS(static_cast<void>(choose_thread_pool("abc", 2)),
                         doctest::Contains("libuv would run 1 thread for it"),
                         InvalidThreadPoolSize);
    CHECK_THROWS_WITH_AS(static_cast<void>(choose_thread_pool("8x", 2)),
                         doctest::Contains("libuv would run 8 threads"), InvalidThreadPoolSize);
    CHECK_THROWS_WITH_AS(static_cast<void>(choose_thread_pool("0", 2)),
                         doctest::Contains("no threads at all"), InvalidThreadPoolSize);
    CHECK_THROWS_WITH_AS(static_cast<void>(choose_thread_pool("2000", 2)),
                         doctest::Contains("libuv would run 1024 threads"), InvalidThreadPoolSize);
    CHECK_THROWS_WITH_AS(static_cast<void>(choose_thread_pool("\x1b[2J", 2)),
                         doctest::Contains("\"\\x1B[2J\""), InvalidThreadPoolSize);
  }

  TEST_CASE("where the size came from reads plainly, for people and for machines") {
    CHECK(asyncdemo::describe_source({6, ThreadPoolSource::asyncio_default, 2}) ==
          "asyncio's default executor, min(32, cpus + 4) with 2 cpus");
    CHECK(asyncdemo::describe_source({5, ThreadPoolSource::asyncio_default, 1}) ==
          "asyncio's default executor, min(32, cpus + 4) with 1 cpu");
    CHECK(asyncdemo::describe_source({8, ThreadPoolSource::environment, 0}) ==
          "UV_THREADPOOL_SIZE");
    CHECK(asyncdemo::describe_source({}) == "libuv's default");
    CHECK(asyncdemo::to_string(ThreadPoolSource::asyncio_default) == "asyncio-default");
    CHECK(asyncdemo::to_string(ThreadPoolSource::environment) == "UV_THREADPOOL_SIZE");
    CHECK(asyncdemo::to_string(ThreadPoolSource::libuv_default) == "libuv-default");
  }

  TEST_CASE("the runtime and its simulated pool take the size from the same place") {
    // This test program never calls configure_thread_pool, so its pool is what libuv makes
    // of the environment it was started with.
    const ThreadPoolSize pool = asyncdemo::thread_pool();
    CHECK(asyncdemo::Runtime::thread_pool_size() == pool.threads);
    const char* value = std::getenv("UV_THREADPOOL_SIZE");  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) {
      CHECK(pool == ThreadPoolSize{});  // libuv's 4
    } else {
      CHECK(pool.threads == libuv_pool_size(value));
      CHECK(pool.source == ThreadPoolSource::environment);
    }
  }
}
