// The runtime's own teardown: a run that fails inside a loop callback while thread work is in
// flight, a Runtime that never runs, and the primitives destroyed while tasks still wait on
// them (core/runtime.hpp, core/semaphore.hpp, core/as_completed.hpp).
#include <doctest/doctest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "core/as_completed.hpp"
#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/semaphore.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/to_thread.hpp"
#include "tests/core/workers.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::EventKind;
using asyncdemo::Permit;
using asyncdemo::Runtime;
using asyncdemo::RuntimeMisuse;
using asyncdemo::RuntimeOptions;
using asyncdemo::Semaphore;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
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
}

}  // namespace
