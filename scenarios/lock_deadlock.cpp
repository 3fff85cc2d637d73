#include "scenarios/lock_deadlock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/gather.hpp"
#include "core/lock.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/wait_for.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

// Copies share one lock (a Lock is a handle to its state), so tasks take theirs by value.
struct NamedLock {
  std::string_view name;
  Lock lock;
};

// One link of the cycle, as the loop saw it when nothing could run: `task` waits for
// `waits_for`, which `held_by` holds.
struct Link {
  TaskId task;
  std::string_view waits_for;
  TaskId held_by;
};

struct DeadlockRecord {
  std::vector<Link> cycle;  // empty: no deadlock formed
  Nanos deadlocked_at = -1;
  std::size_t took_first = 0;      // tasks that took their first lock
  std::size_t reached_second = 0;  // tasks that went on to ask for their second
  std::size_t took_both = 0;       // tasks that got it
  bool timed_out = false;
  Nanos returned_at = -1;  // when main's await of the two came back
};

Task<int> take_both(int id, NamedLock first, NamedLock second, Duration delay,
                    std::shared_ptr<DeadlockRecord> record) {
  Runtime& runtime = Runtime::current();
  const Permit outer = co_await first.lock.acquire();  // async with first:
  runtime.note(fmt::format("took {}", first.name));
  ++record->took_first;
  co_await sleep(delay);  // await asyncio.sleep(delay)
  ++record->reached_second;
  const Permit inner = co_await second.lock.acquire();  // async with second:
  runtime.note(fmt::format("took {}", second.name));
  ++record->took_both;
  co_return id;
}  // both locks go back here, on every way out

// The two tasks, each taking the locks in its own order: task-1 a then b, task-2 b then a.
std::vector<TaskHandle<int>> spawn_both(const std::vector<NamedLock>& locks, Duration delay,
                                        const std::shared_ptr<DeadlockRecord>& record) {
  std::vector<TaskHandle<int>> tasks;
  tasks.push_back(spawn(take_both(1, locks[0], locks[1], delay, record), "task-1"));
  tasks.push_back(spawn(take_both(2, locks[1], locks[0], delay, record), "task-2"));
  return tasks;
}

// The two in a TaskGroup, which on its cancel waits for both to leave.
Task<int> both_tasks(std::vector<NamedLock> locks, Duration delay,
                     std::shared_ptr<DeadlockRecord> record) {
  const auto results = co_await gather(spawn_both(locks, delay, record), OnError::cancel_siblings);
  co_return static_cast<int>(results.size());
}

// What the loop sees when it has run out of work: who waits for which lock, held by whom.
void record_cycle(Runtime& runtime, const std::vector<NamedLock>& locks, DeadlockRecord& record) {
  record.deadlocked_at = runtime.now();
  for (const NamedLock& named : locks) {
    const std::optional<TaskId> holder = named.lock.holder();
    for (const TaskId waiter : named.lock.waiters()) {
      if (holder) {
        record.cycle.push_back(Link{waiter, named.name, *holder});
      }
    }
  }
  std::ranges::sort(record.cycle, {}, &Link::task);  // told from the first task on
  const auto& tasks = runtime.timeline().tasks();
  for (const Link& link : record.cycle) {
    runtime.note_on(link.task, fmt::format("deadlock: waits for {}, held by {}", link.waits_for,
                                           tasks[link.held_by].name));
  }
}

Task<void> deadlock_main(DeadlockOptions options, std::shared_ptr<DeadlockRecord> record) {
  Runtime& runtime = Runtime::current();
  const std::vector<NamedLock> locks{{"lock-a", Lock()}, {"lock-b", Lock()}};
  TaskHandle<int> both = spawn(both_tasks(locks, options.delay, record), "both");
  try {
    if (options.timeout) {
      co_await wait_for(std::move(both), *options.timeout);
    } else {
      // asyncio would wait here forever. The runtime calls this when nothing can run again:
      // the run records the cycle and cancels the two, whose locks go back as they leave.
      runtime.on_deadlock([&runtime, &locks, &both, &record] {
        record_cycle(runtime, locks, *record);
        both.cancel();
      });
      co_await both;
    }
  } catch (const TimeoutError&) {
    record->timed_out = true;
  } catch (const Cancelled&) {
    if (record->cycle.empty()) {
      throw;  // not the deadlock's end: Ctrl-C
    }
  }
  record->returned_at = runtime.now();
  runtime.note(record->timed_out        ? "TimeoutError"
               : !record->cycle.empty() ? "CancelledError: the deadlock, broken"
                                        : "both done");
}

// "task-1 waits for lock-b, held by task-2".
std::string links_text(const Timeline& timeline, const std::vector<Link>& cycle) {
  std::string text;
  for (const Link& link : cycle) {
    text += fmt::format("{}{} waits for {}, held by {}", text.empty() ? "" : "; ",
                        timeline.tasks()[link.task].name, link.waits_for,
                        timeline.tasks()[link.held_by].name);
  }
  return text;
}

// A cycle: from the first waiter, following "waits for a lock held by" comes back to it.
bool is_cycle(const std::vector<Link>& cycle) {
  if (cycle.size() < 2) {
    return false;
  }
  TaskId at = cycle.front().task;
  for (std::size_t step = 0; step < cycle.size(); ++step) {
    const auto link = std::ranges::find(cycle, at, &Link::task);
    if (link == cycle.end()) {
      return false;
    }
    at = link->held_by;
  }
  return at == cycle.front().task;
}

void judge(ScenarioReport& report, const DeadlockOptions& options, const DeadlockRecord& record,
           double slack) {
  Json links = Json::array();
  for (const Link& link : record.cycle) {
    links.push_back({{"task", report.timeline.tasks()[link.task].name},
                     {"waits_for", link.waits_for},
                     {"held_by", report.timeline.tasks()[link.held_by].name}});
  }
  report.figures["cycle"] = links;
  report.figures["deadlocked_at_s"] =
      record.deadlocked_at >= 0 ? Json(kit::seconds(record.deadlocked_at)) : Json(nullptr);
  report.figures["timed_out"] = record.timed_out;
  report.figures["took_both"] = record.took_both;
  report.results.push_back(record.timed_out       ? Json{{"error", "TimeoutError"}}
                           : record.cycle.empty() ? Json{{"value", record.took_both}}
                                                  : Json{{"deadlock", true}});
  const double returned = kit::seconds(record.returned_at);
  if (!record.cycle.empty()) {
    report.checks.push_back(kit::equals("each task waited for a lock the other held (a cycle)",
                                        is_cycle(record.cycle) ? 1 : 0, 1, ""));
    report.takeaways.push_back(fmt::format(
        "each task took its first lock, then waited for the other's: {}. At {} nothing could run "
        "again (no step, no timer, no thread work), where asyncio would wait forever; asyncdemo "
        "reported the cycle and cancelled both, and their locks went back as they left their "
        "async with",
        links_text(report.timeline, record.cycle),
        format_seconds(kit::seconds(record.deadlocked_at))));
    return;
  }
  if (record.timed_out && options.timeout) {
    const double deadline = kit::seconds(*options.timeout);
    report.checks.push_back(kit::between("wait_for raised TimeoutError at its deadline", returned,
                                         deadline, deadline + slack, "s"));
    std::string what;
    if (record.took_first == 0) {
      what = fmt::format(
          "wait_for's deadline, {}, came before the TaskGroup of the two ran its first step: it "
          "was cancelled before it started them, so no lock was ever taken",
          format_seconds(deadline));
    } else if (record.reached_second < 2) {
      what = fmt::format(
          "wait_for's deadline, {}, came before {} for their second lock: it cancelled them, and "
          "each left its async with, giving back what it held",
          format_seconds(deadline),
          record.reached_second == 0 ? "the tasks asked" : "both tasks had asked");
    } else {
      what = fmt::format(
          "each task took its first lock and waited for the other's, a deadlock; wait_for's "
          "deadline, {}, broke it: it cancelled both, and each left its async with, giving back "
          "its first lock",
          format_seconds(deadline));
    }
    report.takeaways.push_back(
        fmt::format("{}; TimeoutError came at {}", what, format_seconds(returned)));
    return;
  }
  report.checks.push_back(
      kit::equals("both tasks took both locks", static_cast<double>(record.took_both), 2, ""));
  report.takeaways.push_back(
      fmt::format("no deadlock formed: both tasks took both locks, and the run ended at {}",
                  format_seconds(returned)));
}

}  // namespace

ScenarioReport run_lock_deadlock(std::string_view name, std::string_view lesson,
                                 const DeadlockOptions& options, const RunContext& context) {
  Runtime runtime(context.runtime);
  Json params = {{"deadlock", true}, {"delay", format_duration(options.delay)}};
  if (options.timeout) {
    params["timeout"] = format_duration(*options.timeout);
  }
  // The tasks: "both" (the TaskGroup), "task-1" and "task-2".
  ScenarioReport report = kit::begin(name, lesson, std::move(params), context, runtime, "task-1");
  auto record = std::make_shared<DeadlockRecord>();
  kit::drive(report, runtime, deadlock_main(options, record));
  kit::finish(report, runtime);
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
  }
  return report;
}

}  // namespace asyncdemo
