#pragma once
// A plan: the shape of a user's own concurrent program, read from a TOML file by
// `asyncdemo run PLAN` (scenarios/plan_parse.hpp), run for real on the runtime
// (scenarios/plan_run.hpp) and held to the claims it states (scenarios/plan_claims.hpp).
//
// A plan declares tasks, each a sequence of steps (sleep, block, acquire, gather, wait_for,
// ...), the semaphores, locks and queues they share, and claims about the run. What the
// file may say is in the README's table; this is what it says once read and checked.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/fake_resolver.hpp"

namespace asyncdemo::plan {

/// Where something was written in the plan file, for messages: 1-based.
struct Where {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// The limits a plan is held to, stated in the README and enforced with a message.
inline constexpr std::size_t kMaxPlanBytes = 1 << 20;
inline constexpr std::size_t kMaxTemplates = 1'000;
inline constexpr std::size_t kMaxCopies = 100'000;
inline constexpr std::size_t kMaxTaskInstances = 100'000;  // every task the plan can make
inline constexpr std::size_t kMaxSteps = 1'000;            // in one list of steps
inline constexpr std::size_t kMaxNesting = 8;              // wait_for blocks within each other
inline constexpr std::size_t kMaxPermits = 1'000'000;

enum class StepKind : std::uint8_t {
  sleep,         // await asyncio.sleep(d)
  block,         // time.sleep(d) on the loop thread
  thread,        // await asyncio.to_thread(time.sleep, d)
  cpu,           // CPU-bound work on the loop thread, for d of CPU time
  acquire,       // await semaphore.acquire() / lock.acquire()
  release,       // semaphore.release() / lock.release()
  hold,          // async with semaphore: (its steps), released on every way out
  put,           // await queue.put(item)
  get,           // await queue.get()
  resolve,       // await loop.getaddrinfo(name)
  fail,          // raise RuntimeError(message)
  spawn,         // asyncio.create_task(child) for each of a task's copies
  await_tasks,   // await each task this one spawned under that name
  gather,        // await asyncio.gather(*children[, return_exceptions=True])
  taskgroup,     // async with asyncio.TaskGroup() as tg: tg.create_task(child) ...
  as_completed,  // for next in asyncio.as_completed(children): await next
  wait_for,      // await asyncio.wait_for(block(), timeout)
  cancel,        // await asyncio.sleep(after); task.cancel()
};

struct Step {
  StepKind kind = StepKind::sleep;
  Where where;
  /// sleep, block, thread, cpu: how long; wait_for: the timeout; cancel: after how long;
  /// resolve: its timeout (Duration::max(): none).
  Duration duration{};
  /// acquire, release, hold: the semaphore or lock; put, get: the queue; resolve: the host name;
  /// fail: the message; spawn, await, cancel: the task. `{each}` and `{n}` in a host name,
  /// a message or an item stand for the copy's value and number.
  std::string target;
  std::string item;                  // put: what is put (by default the task's name)
  std::vector<std::string> tasks;    // gather, taskgroup, as_completed: the children
  bool return_exceptions = false;    // gather
  bool continue_on_timeout = false;  // wait_for: the task goes on after a TimeoutError
  std::string block_name;            // wait_for: the name of the task its block runs as
  std::vector<Step> body;            // wait_for: the block; hold: the steps run holding it
  std::vector<Step> cleanup;         // wait_for: what the block runs when it is cancelled
};

/// A task as the plan declares it: started by main (`top_level`) or by a step of another
/// task, `copies` times each.
struct TaskTemplate {
  std::string name;
  Where where;
  std::size_t copies = 1;
  /// With `each`, one copy per value, named "<name>-<value>"; else, with copies > 1,
  /// "<name>-1" ... "<name>-N"; else just the name.
  std::vector<std::string> each;
  std::vector<Step> steps;
  bool top_level = true;  // no step of another task starts it
  /// How many tasks of this template the run makes at most (copies, times each step that
  /// starts them, times the copies of the tasks that run those steps).
  std::size_t instances = 0;
};

/// A semaphore (permits) or a lock (permits 1), shared by name.
struct SharedLimit {
  std::string name;
  Where where;
  std::size_t permits = 1;
  bool is_lock = false;
};

struct SharedQueue {
  std::string name;
  Where where;
  std::size_t maxsize = 0;  // 0: unbounded
};

/// How the fake resolver answers a name (`[hosts]`).
struct HostAnswer {
  std::string name;
  Where where;
  Duration latency{};
  FakeOutcome outcome = FakeOutcome::found;
};

/// A range a measured value must fall in; either end may be open. In the claim's unit:
/// seconds for times, a count or a ratio otherwise.
struct Range {
  std::optional<double> min;
  std::optional<double> max;
};

enum class ClaimKind : std::uint8_t { elapsed, max_in_flight, figure, task, order, deadlock };

struct ClaimSpec {
  ClaimKind kind = ClaimKind::elapsed;
  Where where;
  std::string label;  // the claim's name in the report; made from the claim if not given
  Range range;        // elapsed, max_in_flight, figure; task: when it ended
  bool has_range = false;
  std::string subject;             // figure: its name; task: a task's or a template's name
  std::string outcome;             // task: done, failed or cancelled; empty: any
  std::vector<std::string> order;  // order: the tasks, in the order they must end
  bool deadlock = false;           // deadlock: whether the run must end in one
};

struct Plan {
  std::string source;  // the file, as named on the command line
  std::string title;   // the header's lesson line, if the plan gives one
  std::vector<SharedLimit> limits;
  std::vector<SharedQueue> queues;
  std::vector<HostAnswer> hosts;
  std::vector<TaskTemplate> tasks;
  std::vector<ClaimSpec> claims;
  std::size_t instances = 0;  // every task the run can make, main aside

  [[nodiscard]] const TaskTemplate* task(std::string_view name) const;
  [[nodiscard]] const SharedLimit* limit(std::string_view name) const;
  [[nodiscard]] const SharedQueue* queue(std::string_view name) const;
};

/// The name of a template's `index`th copy (0-based): see TaskTemplate::each.
[[nodiscard]] std::string copy_name(const TaskTemplate& task, std::size_t index);
/// How many copies one start of the template makes.
[[nodiscard]] std::size_t copy_count(const TaskTemplate& task);

}  // namespace asyncdemo::plan
