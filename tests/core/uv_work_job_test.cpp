// Thread-pool work that libuv refuses to queue (core/detail/uv_work_job.cpp): a clear error
// at the await, not a crash or a hang.
//
// uv_queue_work fails only for a null work callback, which asyncdemo never passes, so this
// file makes it fail: the test binary defines uv_queue_work itself, which takes the place
// of libuv's for every caller in the process (the executable comes first in symbol lookup),
// and passes each call on to libuv's own unless a test asks for a refusal.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/to_thread.hpp"

namespace {

// While non-zero, the error uv_queue_work returns instead of queueing.
std::atomic<int> queue_work_refusal{0};

}  // namespace

extern "C" int uv_queue_work(uv_loop_t* loop, uv_work_t* request, uv_work_cb work,
                             uv_after_work_cb after_work) {
  if (const int error = queue_work_refusal.load(); error != 0) {
    return error;
  }
  using QueueWork = int (*)(uv_loop_t*, uv_work_t*, uv_work_cb, uv_after_work_cb);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): dlsym's untyped result
  static const auto libuv_queue_work = reinterpret_cast<QueueWork>(dlsym(RTLD_NEXT, __func__));
  if (libuv_queue_work == nullptr) {
    return UV_ENOSYS;
  }
  return libuv_queue_work(loop, request, work, after_work);
}

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::UvError;

namespace {

/// uv_queue_work returns `error` while this lives.
class RefuseQueueWork {
 public:
  explicit RefuseQueueWork(int error) { queue_work_refusal.store(error); }
  RefuseQueueWork(const RefuseQueueWork&) = delete;
  RefuseQueueWork& operator=(const RefuseQueueWork&) = delete;
  RefuseQueueWork(RefuseQueueWork&&) = delete;
  RefuseQueueWork& operator=(RefuseQueueWork&&) = delete;
  ~RefuseQueueWork() { queue_work_refusal.store(0); }
};

struct Refused {
  std::string to_thread_error;
  std::string thread_sleep_error;
  bool function_ran = false;
};

Task<Refused> work_that_cannot_be_queued(std::shared_ptr<std::atomic<bool>> ran) {
  Refused refused;
  auto mark = [ran] { ran->store(true); };
  try {
    co_await asyncdemo::to_thread(mark);
  } catch (const UvError& e) {
    refused.to_thread_error = e.what();
  }
  try {
    co_await asyncdemo::thread_sleep(1s);
  } catch (const UvError& e) {
    refused.thread_sleep_error = e.what();
  }
  // The refused work is not counted as in flight: the virtual clock still jumps.
  co_await asyncdemo::sleep(1s);
  refused.function_ran = ran->load();
  co_return refused;
}

TEST_CASE("work that libuv refuses to queue raises UvError at its await, and the run goes on") {
  for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
    CAPTURE(static_cast<int>(clock));
    const RefuseQueueWork refusal(UV_ENOMEM);
    Runtime rt(RuntimeOptions{clock});
    auto ran = std::make_shared<std::atomic<bool>>(false);
    const Refused refused = asyncdemo::run(rt, work_that_cannot_be_queued(ran));
    CHECK(refused.to_thread_error == "uv_queue_work: ENOMEM: not enough memory");
    CHECK_FALSE(refused.function_ran);
    if (clock == ClockKind::real) {  // the virtual clock simulates thread_sleep, no libuv
      CHECK(refused.thread_sleep_error == "uv_queue_work: ENOMEM: not enough memory");
    } else {
      CHECK(refused.thread_sleep_error.empty());
      CHECK(rt.now() == asyncdemo::to_nanos(2s));
    }
  }
}

Task<int> queued_work() {
  co_return co_await asyncdemo::to_thread([] { return 7; });
}

TEST_SUITE("threads") {
  TEST_CASE("with no refusal, the stand-in passes the work on to libuv's uv_queue_work") {
    Runtime rt;
    CHECK(asyncdemo::run(rt, queued_work()) == 7);
  }
}

}  // namespace
