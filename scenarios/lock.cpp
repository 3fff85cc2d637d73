// lock: shared state across an await. Each task reads a shared counter, awaits, then writes
// back what it read plus one, as in
//
//   async def increment():
//       global counter
//       for _ in range(increments):
//           async with lock:            # --lock; without it, the same lines unguarded
//               seen = counter
//               await asyncio.sleep(delay)
//               counter = seen + 1
//
// Without the lock, the tasks read the same value before any writes it back, and each write
// overwrites the others': updates are lost. With it, one task at a time is between its read
// and its write: the count is exact, and the sections run one after another.

#include "core/lock.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/lock_deadlock.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "lock";
constexpr std::string_view kLesson =
    "Shared state across an await is a race: tasks that read, await, then write lose each "
    "other's updates; asyncio.Lock (async with) lets one task at a time from the read to the "
    "write, so the count is exact, at the cost of running them one after another.";

// Each increment writes two notes (its read and its write): a bound on the record's size.
constexpr std::size_t kMaxIncrements = 100'000;

struct LockOptions {
  std::size_t n = 3;
  std::size_t increments = 3;  // each task's
  Duration delay = 100ms;      // the await between a read and its write
  bool lock = false;
  bool deadlock = false;  // two tasks, two locks, taken in opposite order: lock_deadlock.hpp
  Duration timeout = 1s;  // with --deadlock, if given: wait_for around the two
};

struct LockRecord {
  std::int64_t counter = 0;
  std::size_t inside = 0;        // tasks between their read and their write right now
  std::size_t max_inside = 0;    // counted by the tasks themselves, not by the lock
  std::size_t stale_writes = 0;  // writes over a counter changed since their read
};

Task<int> incrementer(int id, LockOptions options, const Lock* lock,
                      std::shared_ptr<LockRecord> record) {
  Runtime& runtime = Runtime::current();
  for (std::size_t k = 0; k < options.increments; ++k) {
    Permit held;
    if (lock != nullptr) {
      held = co_await lock->acquire();  // async with lock:
    }
    const std::int64_t seen = record->counter;  // seen = counter
    runtime.note(fmt::format("read {}", seen));
    record->max_inside = std::max(record->max_inside, ++record->inside);
    co_await sleep(options.delay);  // await asyncio.sleep(delay)
    --record->inside;
    const std::int64_t before = record->counter;
    record->counter = seen + 1;  // counter = seen + 1
    if (before == seen) {
      runtime.note(fmt::format("wrote {}", seen + 1));
      continue;
    }
    // Another task wrote since this one's read; writing over it wipes out its increments.
    ++record->stale_writes;
    runtime.note(before > seen
                     ? fmt::format("wrote {} over {}: {} lost", seen + 1, before,
                                   kit::count_of(static_cast<std::size_t>(before - seen), "update"))
                     : fmt::format("wrote {} over {}", seen + 1, before));
  }  // the lock goes back here, to the next task in line
  co_return id;
}

Task<void> lock_main(LockOptions options, std::shared_ptr<LockRecord> record) {
  const Lock lock;
  std::vector<TaskHandle<int>> tasks;
  tasks.reserve(options.n);
  for (std::size_t i = 1; i <= options.n; ++i) {
    tasks.push_back(
        spawn(incrementer(static_cast<int>(i), options, options.lock ? &lock : nullptr, record),
              kit::numbered_name("task", i)));
  }
  co_await gather(std::move(tasks));
}

void judge(ScenarioReport& report, const LockOptions& options, const LockRecord& record,
           double slack) {
  const std::size_t expected = options.n * options.increments;
  const auto counted = static_cast<std::size_t>(std::max<std::int64_t>(record.counter, 0));
  const std::size_t lost = expected - std::min(expected, counted);
  const kit::WaitTimes waits = kit::wait_times(report.timeline, WaitKind::lock);
  report.figures["expected"] = expected;
  report.figures["counter"] = record.counter;
  report.figures["lost"] = lost;
  report.figures["stale_writes"] = record.stale_writes;
  report.figures["max_inside"] = record.max_inside;
  report.figures["lock_waits"] = options.lock ? Json(waits.count) : Json(nullptr);
  report.figures["lock_wait_s"] = options.lock ? Json(kit::seconds(waits.total_ns)) : Json(nullptr);
  report.results.push_back(Json{{"counter", record.counter}});
  if (record.max_inside > 1) {
    // Sections that overlap always lose an update: the counter reaches N x M only through a
    // chain of writes, each read after the one before it was written, one section at a time.
    report.checks.push_back(kit::at_least("overlapping read-await-writes lost updates",
                                          static_cast<double>(lost), 1, ""));
    report.takeaways.push_back(fmt::format(
        "without a lock, up to {} tasks were between their read and their write at once: {} on "
        "a counter changed since {} read, and {} of {} updates {} lost (the counter ended at {})",
        record.max_inside, kit::count_of(record.stale_writes, "write", "landed", "landed"),
        record.stale_writes == 1 ? "its" : "their", lost, expected, lost == 1 ? "was" : "were",
        record.counter));
    return;
  }
  report.checks.push_back(kit::equals("one task at a time from read to write: every update counted",
                                      static_cast<double>(record.counter),
                                      static_cast<double>(expected), ""));
  if (options.lock) {
    // Serialised: the sections, each --delay long, ran one after another.
    const double one_by_one = static_cast<double>(expected) * kit::seconds(options.delay);
    report.checks.push_back(kit::between("the sections ran one after another", report.elapsed_s,
                                         one_by_one, one_by_one + slack, "s"));
    const std::string queued = waits.count == 0
                                   ? std::string("no task had to queue for it")
                                   : fmt::format("the tasks queued for it {} time{}, {} in all",
                                                 waits.count, waits.count == 1 ? "" : "s",
                                                 format_seconds(kit::seconds(waits.total_ns)));
    report.takeaways.push_back(fmt::format(
        "with asyncio.Lock, one task at a time went from its read to its write: all {} counted, "
        "one after another, and {}",
        kit::count_of(expected, "update"), queued));
  } else {
    report.takeaways.push_back(fmt::format(
        "no two read-await-writes overlapped ({}), so no update was lost: the counter ended at "
        "{} of {}",
        options.n == 1 ? "one task alone cannot race" : "each ran on its own", record.counter,
        expected));
  }
}

ScenarioReport run_lock(const LockOptions& options, const RunContext& context) {
  if (options.n * options.increments > kMaxIncrements) {
    throw UsageError(fmt::format("--n {} x --increments {} is more than {} increments in all",
                                 options.n, options.increments, kMaxIncrements));
  }
  Runtime runtime(context.runtime);
  runtime.timeline().reserve_tasks(options.n + 1);
  Json params = {{"n", options.n},
                 {"increments", options.increments},
                 {"delay", format_duration(options.delay)},
                 {"lock", options.lock}};
  ScenarioReport report = kit::begin(kName, kLesson, std::move(params), context, runtime,
                                     kit::numbered_name("task", options.n));
  auto record = std::make_shared<LockRecord>();
  kit::drive(report, runtime, lock_main(options, record));
  kit::finish(report, runtime);
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
  }
  return report;
}

ScenarioRunner setup_lock(CLI::App& app) {
  auto options = std::make_shared<LockOptions>();
  CLI::Option* n = add_count_option(app, "--n", options->n, "how many tasks increment the counter",
                                    1, kMaxIncrements);
  CLI::Option* increments =
      add_count_option(app, "--increments", options->increments,
                       "how many increments each task makes", 1, kMaxIncrements);
  add_duration_option(app, "--delay", options->delay,
                      "how long each task awaits between reading the counter and writing it "
                      "(with --deadlock: between taking its first lock and asking for its second)");
  CLI::Option* lock = app.add_flag("--lock", options->lock,
                                   "hold an asyncio.Lock (async with) from each read to its write");
  CLI::Option* deadlock = app.add_flag(
      "--deadlock", options->deadlock,
      "instead: two tasks take lock-a and lock-b in opposite order and wait for each other; "
      "asyncio would hang, asyncdemo reports the cycle and ends the run");
  deadlock->excludes(n)->excludes(increments)->excludes(lock);
  CLI::Option* timeout =
      add_duration_option(app, "--timeout", options->timeout,
                          "with --deadlock: wait_for around the two, whose deadline breaks it");
  timeout->needs(deadlock);
  return [options, timeout](const RunContext& context) {
    if (options->deadlock) {
      DeadlockOptions deadlock_options{options->delay, std::nullopt};
      if (timeout->count() > 0) {
        deadlock_options.timeout = options->timeout;
      }
      return run_lock_deadlock(kName, kLesson, deadlock_options, context);
    }
    return run_lock(*options, context);
  };
}

// What the lock's event log shows (ScenarioEntry::lesson_events): each read and each write of
// the counter, in the order they interleaved, and main.
bool is_read_or_write(const Event& event, const Timeline& timeline) {
  const bool of_main = timeline.parent(event.task) == kNoParent;
  return of_main || event.kind == EventKind::note || ends_task(event.kind) ||
         (event.kind == EventKind::suspended && event.wait == WaitKind::lock);
}

}  // namespace

ScenarioEntry lock_scenario() {
  return {kName, kLesson,
          "asyncdemo lock\n"
          "asyncdemo lock --lock\n"
          "asyncdemo lock --n 10 --increments 100 --delay 0 --quiet\n"
          "asyncdemo lock --n 10 --increments 100 --delay 0 --lock --quiet\n"
          "asyncdemo lock --deadlock\n"
          "asyncdemo lock --deadlock --timeout 1s",
          &setup_lock, &is_read_or_write};
}

}  // namespace asyncdemo
