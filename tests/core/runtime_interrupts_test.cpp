// SIGINT and SIGTERM during a run with handle_interrupts: which signal interrupted it, the
// on_interrupt hook and its count of threads still running, the exit at a second signal,
// and the process's own handlers put back afterwards (core/runtime_interrupts.cpp).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/to_thread.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::Duration;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;

namespace {

struct HookCall {
  int signal;
  std::size_t threads_running;
};

/// Options that handle interrupts and keep every call of the hook in `calls`.
RuntimeOptions recording_interrupts(std::shared_ptr<std::vector<HookCall>> calls) {
  RuntimeOptions options;
  options.handle_interrupts = true;
  options.on_interrupt = [calls = std::move(calls)](int signal, std::size_t threads_running,
                                                    std::size_t /*processes_running*/) {
    calls->push_back({signal, threads_running});
  };
  return options;
}

// Sends `signal` to this process and then waits far longer than a test may take: only the
// cancel the signal brings can end the wait.
Task<void> signal_then_wait(int signal) {
  CHECK(std::raise(signal) == 0);
  co_await asyncdemo::sleep(1h);
}

TEST_CASE("a SIGTERM interrupts the run, is named by interrupt_signal, and the hook hears once") {
  auto calls = std::make_shared<std::vector<HookCall>>();
  Runtime rt(recording_interrupts(calls));
  CHECK(rt.interrupt_signal() == 0);
  CHECK_THROWS_AS(asyncdemo::run(rt, signal_then_wait(SIGTERM)), Cancelled);
  CHECK(rt.interrupt_signal() == SIGTERM);
  CHECK(rt.interrupted());
  REQUIRE(calls->size() == 1);
  CHECK(calls->front().signal == SIGTERM);
  CHECK(calls->front().threads_running == 0);
}

TEST_CASE("a SIGINT is named as SIGINT, and a run without one has no interrupt signal") {
  Runtime interrupted(recording_interrupts(std::make_shared<std::vector<HookCall>>()));
  CHECK_THROWS_AS(asyncdemo::run(interrupted, signal_then_wait(SIGINT)), Cancelled);
  CHECK(interrupted.interrupt_signal() == SIGINT);
}

Task<void> no_signal() { co_await asyncdemo::sleep(1ms); }

TEST_CASE("a run that no signal reached reports interrupt signal 0 and never calls the hook") {
  auto calls = std::make_shared<std::vector<HookCall>>();
  Runtime rt(recording_interrupts(calls));
  asyncdemo::run(rt, no_signal());
  CHECK(rt.interrupt_signal() == 0);
  CHECK_FALSE(rt.interrupted());
  CHECK(calls->empty());
}

std::atomic<int> own_handler_calls{0};
void own_handler(int /*signal*/) { own_handler_calls.fetch_add(1); }

TEST_CASE("the handler the process had before the run is back once the run is over") {
  struct sigaction own{};
  own.sa_handler = &own_handler;
  sigemptyset(&own.sa_mask);
  struct sigaction before{};
  REQUIRE(::sigaction(SIGTERM, &own, &before) == 0);
  {
    Runtime rt(recording_interrupts(std::make_shared<std::vector<HookCall>>()));
    CHECK_THROWS_AS(asyncdemo::run(rt, signal_then_wait(SIGTERM)), Cancelled);
  }
  CHECK(own_handler_calls.load() == 0);  // during the run the runtime took the signal
  // libuv leaves SIG_DFL behind when its last watcher stops: this SIGTERM would kill us.
  struct sigaction after{};
  REQUIRE(::sigaction(SIGTERM, nullptr, &after) == 0);
  CHECK((after.sa_handler == &own_handler));
  CHECK(std::raise(SIGTERM) == 0);
  CHECK(own_handler_calls.load() == 1);
  REQUIRE(::sigaction(SIGTERM, &before, nullptr) == 0);
}

// The first signal cancels main; its cleanup sends the second and waits long.
Task<void> signal_twice(int first, int second) {
  bool cancelled = false;
  try {
    CHECK(std::raise(first) == 0);
    co_await asyncdemo::sleep(1h);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  if (cancelled) {
    static_cast<void>(std::raise(second));
    co_await asyncdemo::sleep(1h);  // a cleanup the user will not wait for
  }
}

// Runs signal_twice in a child process (the second signal ends the process) and returns
// the child's exit status, or -1 if it did not exit normally.
int exit_status_of_two_signals(int first, int second) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 0;  // the run ended without exiting: not what a second signal must do
    try {
      RuntimeOptions options;
      options.handle_interrupts = true;
      Runtime rt(std::move(options));
      asyncdemo::run(rt, signal_twice(first, second));
    } catch (...) {
      status = 99;
    }
    std::_Exit(status);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("a second signal exits at once with 128 plus that second signal") {
  CHECK(exit_status_of_two_signals(SIGINT, SIGTERM) == 128 + SIGTERM);
  CHECK(exit_status_of_two_signals(SIGTERM, SIGINT) == 128 + SIGINT);
  CHECK(exit_status_of_two_signals(SIGINT, SIGINT) == 130);
}

// Occupies a pool thread: says it started, then blocks for `length`.
struct BusyThread {
  std::shared_ptr<std::atomic<bool>> started;
  Duration length;
  void operator()() const {
    started->store(true);
    std::this_thread::sleep_for(length);
  }
};

Task<void> busy_thread(BusyThread work) { co_await asyncdemo::to_thread(work); }

Task<void> signal_while_a_thread_works(int signal) {
  auto started = std::make_shared<std::atomic<bool>>(false);
  TaskHandle<void> worker =
      asyncdemo::spawn(busy_thread(BusyThread{started, 300ms}), "on-a-thread");
  while (!started->load()) {  // the handshake: the job runs on its thread now
    co_await asyncdemo::sleep(1ms);
  }
  co_await signal_then_wait(signal);
}

TEST_SUITE("threads") {
  TEST_CASE("the hook is told how many threads still run work that no cancel can stop") {
    auto calls = std::make_shared<std::vector<HookCall>>();
    Runtime rt(recording_interrupts(calls));
    const std::uint64_t before = uv_hrtime();
    CHECK_THROWS_AS(asyncdemo::run(rt, signal_while_a_thread_works(SIGTERM)), Cancelled);
    REQUIRE(calls->size() == 1);
    CHECK(calls->front().signal == SIGTERM);
    CHECK(calls->front().threads_running == 1);
    CHECK(rt.interrupt_signal() == SIGTERM);
    CHECK(rt.threads_running() == 0);             // the run waited for the thread,
    CHECK(uv_hrtime() - before >= 250'000'000U);  // which could not be stopped
  }
}

}  // namespace
