// Raw libuv peer of `asyncdemo gather`: one uv_timer_t per task, all started at
// once, the loop run until every timer has fired. This is the plain idiomatic
// program, the floor that asyncdemo's runtime builds on: no coroutines, and no
// per-task record beyond the wake time in overshoot mode (asyncdemo records a
// full timeline; the peers do not).
//
// usage: gather_libuv N DELAY_MS [overshoot]
// prints one JSON line: {"n":..., "elapsed_s":...} and, in overshoot mode, the
// wake time minus the deadline (uv_hrtime at uv_timer_start + DELAY_MS) of
// every timer as p50/p99/min/max in ms.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

typedef struct {
  uv_timer_t timer;
  uint64_t started_ns;  // overshoot mode only
  uint64_t woke_ns;
} sleeper;

static size_t remaining;
static int record_wakes;

static void check(const char* what, int rc) {
  if (rc != 0) {
    fprintf(stderr, "gather_libuv: %s: %s\n", what, uv_strerror(rc));
    exit(1);
  }
}

static void on_timer(uv_timer_t* timer) {
  sleeper* s = (sleeper*)timer;
  if (record_wakes) {
    s->woke_ns = uv_hrtime();
  }
  uv_close((uv_handle_t*)timer, NULL);
  --remaining;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a;
  const double y = *(const double*)b;
  return (x > y) - (x < y);
}

// The nearest-rank percentile of n sorted values: the smallest value with percent% at or below.
static double nearest_rank(const double* sorted, size_t n, size_t percent) {
  const size_t rank = (percent * n + 99) / 100;
  return sorted[rank == 0 ? 0 : rank - 1];
}

static void print_overshoot(const sleeper* sleepers, size_t n, uint64_t delay_ms) {
  double* ms = malloc(n * sizeof *ms);
  if (ms == NULL) {
    fputs("gather_libuv: out of memory\n", stderr);
    exit(1);
  }
  for (size_t i = 0; i < n; ++i) {
    const double deadline = (double)sleepers[i].started_ns + (double)delay_ms * 1e6;
    ms[i] = ((double)sleepers[i].woke_ns - deadline) / 1e6;
  }
  qsort(ms, n, sizeof *ms, by_value);
  printf(",\"overshoot_ms\":{\"p50\":%.6f,\"p99\":%.6f,\"min\":%.6f,\"max\":%.6f}",
         nearest_rank(ms, n, 50), nearest_rank(ms, n, 99), ms[0], ms[n - 1]);
  free(ms);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fputs("usage: gather_libuv N DELAY_MS [overshoot]\n", stderr);
    return 2;
  }
  const size_t n = strtoull(argv[1], NULL, 10);
  const uint64_t delay_ms = strtoull(argv[2], NULL, 10);
  record_wakes = argc > 3;
  if (n == 0) {
    fputs("gather_libuv: N must be at least 1\n", stderr);
    return 2;
  }
  sleeper* sleepers = calloc(n, sizeof *sleepers);
  if (sleepers == NULL) {
    fputs("gather_libuv: out of memory\n", stderr);
    return 1;
  }
  uv_loop_t* loop = uv_default_loop();
  const uint64_t start = uv_hrtime();
  for (size_t i = 0; i < n; ++i) {
    check("uv_timer_init", uv_timer_init(loop, &sleepers[i].timer));
    if (record_wakes) {
      sleepers[i].started_ns = uv_hrtime();
    }
    check("uv_timer_start", uv_timer_start(&sleepers[i].timer, on_timer, delay_ms, 0));
  }
  remaining = n;
  check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  const double elapsed = (double)(uv_hrtime() - start) / 1e9;
  if (remaining != 0) {
    fputs("gather_libuv: the loop stopped with timers pending\n", stderr);
    return 1;
  }
  printf("{\"n\":%zu,\"elapsed_s\":%.6f", n, elapsed);
  if (record_wakes) {
    print_overshoot(sleepers, n, delay_ms);
  }
  puts("}");
  check("uv_loop_close", uv_loop_close(loop));
  free(sleepers);
  return 0;
}
