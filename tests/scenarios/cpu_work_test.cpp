// The CPU work of `lag`: counting primes for a CPU budget or below a bound, under a Gil or
// not, and the worker process's answer (scenarios/cpu_work.hpp).
#include "scenarios/cpu_work.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;
using asyncdemo::count_primes;
using asyncdemo::CpuWork;
using asyncdemo::Crunched;
using asyncdemo::Gil;
using asyncdemo::Nanos;

TEST_SUITE("scenarios") {
  TEST_CASE("count_primes below a bound counts exactly the primes below it") {
    CHECK(count_primes(CpuWork{0s, 100}).primes == 25);
    CHECK(count_primes(CpuWork{0s, 2}).primes == 0);
    CHECK(count_primes(CpuWork{0s, 3}).primes == 1);
    CHECK(count_primes(CpuWork{0s, 100'000}).primes == 9592);
  }

  TEST_CASE("count_primes for a cost uses at least that much CPU, and counts as it goes") {
    const Crunched done = count_primes(CpuWork{30ms, std::nullopt});
    CHECK(done.cpu_ns >= asyncdemo::to_nanos(30ms));
    CHECK(done.cpu_ns < asyncdemo::to_nanos(2s));  // it stops: generous for a loaded machine
    CHECK(done.primes > 100);
  }

  TEST_CASE("the worker's answer is read back, and anything else is refused") {
    const Crunched done = asyncdemo::read_cpu_worker_output("9592 31000000\n", 42);
    CHECK(done.primes == 9592);
    CHECK(done.cpu_ns == 31'000'000);
    CHECK(done.pid == 42);
    CHECK_THROWS_AS(static_cast<void>(asyncdemo::read_cpu_worker_output("", 42)),
                    std::runtime_error);
    CHECK_THROWS_AS(static_cast<void>(asyncdemo::read_cpu_worker_output("12", 42)),
                    std::runtime_error);
    CHECK_THROWS_AS(static_cast<void>(asyncdemo::read_cpu_worker_output("12 x", 42)),
                    std::runtime_error);
    CHECK_THROWS_AS(static_cast<void>(asyncdemo::read_cpu_worker_output("-1 5", 42)),
                    std::runtime_error);
  }

  TEST_CASE("the worker mode refuses arguments it cannot read") {
    CHECK(asyncdemo::cpu_worker_main({}) == 2);
    CHECK(asyncdemo::cpu_worker_main({"abc"}) == 2);
    CHECK(asyncdemo::cpu_worker_main({"-5"}) == 2);
    CHECK(asyncdemo::cpu_worker_main({"1000", "x"}) == 2);
    CHECK(asyncdemo::cpu_worker_main({"1000", "10", "extra"}) == 2);
  }
}

TEST_SUITE("threads") {
  TEST_CASE("two threads counting under one Gil compute one at a time") {
    Gil gil;
    Crunched first;
    Crunched second;
    const auto started = std::chrono::steady_clock::now();
    std::thread a([&] { first = count_primes(CpuWork{40ms, std::nullopt}, &gil); });
    std::thread b([&] { second = count_primes(CpuWork{40ms, std::nullopt}, &gil); });
    a.join();
    b.join();
    const auto wall = std::chrono::steady_clock::now() - started;
    // Each counted only while it held the lock, so their CPU times add up within the wall
    // time, however many cores the machine has.
    CHECK(first.cpu_ns + second.cpu_ns <= asyncdemo::to_nanos(wall));
    CHECK(first.cpu_ns >= asyncdemo::to_nanos(40ms));
    CHECK(second.cpu_ns >= asyncdemo::to_nanos(40ms));
  }
}
