// Smoke tests for the toolchain itself: we link the libuv the runtime is written against, and
// threadpool work is clean under ThreadSanitizer even though libuv itself is not instrumented.
#include <doctest/doctest.h>
#include <uv.h>

#include <thread>

namespace {

struct Work {
  uv_work_t req{};
  std::thread::id loop_thread = std::this_thread::get_id();
  std::thread::id work_thread;
  int computed = 0;  // written on the worker, read on the loop thread after completion
  int status = -1;
  bool completed_on_loop_thread = false;
};

Work& work_of(uv_work_t* req) { return *static_cast<Work*>(req->data); }

void run_work(uv_work_t* req) {
  Work& work = work_of(req);
  work.work_thread = std::this_thread::get_id();
  work.computed = 42;
}

void after_work(uv_work_t* req, int status) {
  Work& work = work_of(req);
  work.status = status;
  work.completed_on_loop_thread = std::this_thread::get_id() == work.loop_thread;
}

}  // namespace

TEST_CASE("libuv is at least 1.44, the version the runtime is written against") {
  CHECK(uv_version() >= 0x012c00);
}

TEST_SUITE("threads") {
  TEST_CASE("threadpool work runs on a worker thread and completes on the loop thread") {
    uv_loop_t loop{};
    REQUIRE(uv_loop_init(&loop) == 0);
    Work work;
    work.req.data = &work;
    REQUIRE(uv_queue_work(&loop, &work.req, run_work, after_work) == 0);
    REQUIRE(uv_run(&loop, UV_RUN_DEFAULT) == 0);

    CHECK(work.status == 0);
    CHECK(work.computed == 42);
    CHECK(work.work_thread != work.loop_thread);
    CHECK(work.completed_on_loop_thread);
    CHECK(uv_loop_close(&loop) == 0);
  }
}
