// The runtime's own teardown: a run that fails inside a loop callback while thread work is in
// flight, a Runtime that never runs, and the primitives destroyed while tasks still wait on
// them (core/runtime.hpp, core/semaphore.hpp, core/as_completed.hpp).
#include <doctest/doctest.h>
#include <unistd.h>
#include <uv.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/to_thread.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Runtime;
using asyncdemo::RuntimeMisuse;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::Timeline;

namespace {

/// Passed into every frame of a run: once all frames are gone, only the test holds it.
using Witness = std::shared_ptr<int>;

Task<void> wait_on_a_thread(Duration length, Witness witness) {
  ++*witness;
  co_await asyncdemo::thread_sleep(length);
}

Task<void> sleep_then_return(Duration delay) { co_await asyncdemo::sleep(delay); }

// main waits for thread work while another task's step makes the event sink throw.
Task<void> await_thread_work_beside_a_failure(Witness witness) {
  static_cast<void>(asyncdemo::spawn(sleep_then_return(10ms), "trigger"));
  co_await wait_on_a_thread(200ms, witness);
}

TEST_SUITE("threads") {
  // Before the fix, closing the loop forgot the idle handle at once; the thread work that
  // completed during the last uv_run woke main, and waking scheduled through
  // uv_idle_start(nullptr): SIGSEGV.
  TEST_CASE("a failure inside the loop while main awaits thread work is rethrown, not a crash") {
    auto witness = std::make_shared<int>(0);
    {
      Runtime rt;
      rt.timeline().set_sink([](const asyncdemo::Event& e, const Timeline& timeline) {
        if (e.kind == EventKind::resumed && timeline.tasks()[e.task].name == "trigger") {
          throw std::runtime_error("sink failed");
        }
      });
      const std::uint64_t before = uv_hrtime();
      CHECK_THROWS_WITH_AS(asyncdemo::run(rt, await_thread_work_beside_a_failure(witness)),
                           "sink failed", std::runtime_error);
      // The run waited for the thread it could not stop, so the loop could close.
      CHECK(uv_hrtime() - before >= 150'000'000U);
      CHECK(*witness == 1);
      CHECK(witness.use_count() == 1);
    }
    CHECK(witness.use_count() == 1);
  }

  // Before the guard, the exception crossed libuv's C frames and left uv_run from inside the
  // after-work callback: the job never completed, and main's frame, its awaiter never woken,
  // was still alive when run threw.
  TEST_CASE("an error recording the end of thread work is rethrown by run, and the loop closes") {
    auto witness = std::make_shared<int>(0);
    {
      Runtime rt;
      rt.timeline().set_sink([](const asyncdemo::Event& e, const Timeline& /*timeline*/) {
        if (e.kind == EventKind::thread_finished) {  // recorded in libuv's after-work callback
          throw std::runtime_error("sink failed");
        }
      });
      CHECK_THROWS_WITH_AS(asyncdemo::run(rt, wait_on_a_thread(10ms, witness)), "sink failed",
                           std::runtime_error);
      CHECK(*witness == 1);
      CHECK(witness.use_count() == 1);
    }
    CHECK(witness.use_count() == 1);
  }
}

TEST_CASE("a Runtime destroyed without ever running frees the tasks spawned on it") {
  auto witness = std::make_shared<int>(0);
  {
    Runtime rt;
    static_cast<void>(asyncdemo::spawn(wait_on_a_thread(1h, witness), "never-started"));
    static_cast<void>(asyncdemo::spawn(sleep_then_return(1h), "never-started-either"));
    CHECK(witness.use_count() == 2);
  }
  CHECK(*witness == 0);  // the body never ran
  CHECK(witness.use_count() == 1);
  Runtime next;  // and the thread may have a Runtime again
  CHECK(&Runtime::current() == &next);
}

TEST_CASE("a Runtime constructed and destroyed at once leaves nothing behind") {
  for (int i = 0; i < 3; ++i) {
    CHECK_NOTHROW(Runtime(RuntimeOptions{ClockKind::virtual_time}));
  }
  CHECK_THROWS_AS(Runtime::current(), RuntimeMisuse);
}

// Leaves an initialised (never started) libuv handle of its own on the runtime's loop, so
// that uv_loop_close refuses to close it (EBUSY): a handle nobody closed.
struct ForeignHandle {
  uv_timer_t timer{};
  explicit ForeignHandle(uv_loop_t* loop) { REQUIRE(uv_timer_init(loop, &timer) == 0); }
  /// Closes it and finishes closing `loop`, which the runtime could not.
  void close_with(uv_loop_t* loop) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    CHECK(uv_run(loop, UV_RUN_DEFAULT) == 0);
    CHECK(uv_loop_close(loop) == 0);
  }
};

TEST_CASE("run throws UvError when uv_loop_close fails, and the Runtime's destructor does not") {
  Runtime rt;
  ForeignHandle foreign(rt.loop());
  CHECK_THROWS_WITH_AS(asyncdemo::run(rt, sleep_then_return(1ms)),
                       doctest::Contains("uv_loop_close: EBUSY"), asyncdemo::UvError);
  foreign.close_with(rt.loop());
}

// A pipe that stands in for stderr while it lives: what the code under test writes there.
class CapturedStderr {
 public:
  CapturedStderr() {
    REQUIRE(::pipe(fds_.data()) == 0);
    saved_ = ::dup(STDERR_FILENO);
    REQUIRE(saved_ >= 0);
    REQUIRE(::dup2(fds_[1], STDERR_FILENO) == STDERR_FILENO);
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;
  CapturedStderr(CapturedStderr&&) = delete;
  CapturedStderr& operator=(CapturedStderr&&) = delete;
  ~CapturedStderr() {
    restore();
    ::close(fds_[0]);
  }
  /// Puts stderr back and returns what was written meanwhile (up to 4 KiB).
  std::string take() {
    restore();
    std::array<char, 4096> buffer{};
    const ssize_t n = ::read(fds_[0], buffer.data(), buffer.size());
    return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
  }

 private:
  void restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
      ::close(fds_[1]);
      saved_ = -1;
    }
  }
  std::array<int, 2> fds_{};
  int saved_ = -1;
};

// Before, ~Runtime let check_uv's UvError out of a destructor: std::terminate.
TEST_CASE("a destructor that cannot close the loop says so on stderr instead of throwing") {
  // The loop's storage outlives the Runtime so that the test can finish what it could not.
  alignas(Runtime) std::array<std::byte, sizeof(Runtime)> storage{};
  auto* rt = new (storage.data()) Runtime;
  uv_loop_t* loop = rt->loop();
  ForeignHandle foreign(loop);
  CapturedStderr captured;
  rt->~Runtime();
  CHECK(captured.take() ==
        "asyncdemo: while closing the event loop: uv_loop_close: EBUSY: resource busy or "
        "locked\n");
  foreign.close_with(loop);
}

}  // namespace
