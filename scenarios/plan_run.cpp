#include "scenarios/plan_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <utility>

#include "core/as_completed.hpp"
#include "core/block_on.hpp"
#include "core/errors.hpp"
#include "core/gather.hpp"
#include "core/outcome.hpp"
#include "core/queue.hpp"
#include "core/resolve.hpp"
#include "core/semaphore.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/to_thread.hpp"
#include "core/wait_for.hpp"
#include "scenarios/cpu_work.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo::plan {

/// A `fail` step's error: what `raise RuntimeError(message)` raises.
class PlanFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace {

// A task the run started, by name, so a cancel step (or a deadlock) can reach it.
struct Started {
  std::string name;
  const TaskTemplate* from = nullptr;  // nullptr: a wait_for block's task
  TaskHandle<void> handle;
};

}  // namespace

struct PlanWorld {
  explicit PlanWorld(const Plan& given) : plan(given) {
    for (const SharedLimit& limit : plan.limits) {
      limits.emplace_back(limit.permits, limit.is_lock ? WaitKind::lock : WaitKind::permit);
    }
    for (const SharedQueue& queue : plan.queues) {
      queues.emplace_back(queue.maxsize);
    }
  }

  const Plan& plan;
  PlanRecord record;
  std::vector<Semaphore> limits;           // as Plan::limits
  std::vector<Queue<std::string>> queues;  // as Plan::queues
  std::vector<Started> started;
  std::map<TaskId, const Step*> at_step;  // each live task's step now: a deadlock's report
  std::vector<Permit> kept;               // permits their tasks ended holding, never released
};

namespace {

std::size_t limit_index(const PlanWorld& world, std::string_view name) {
  return static_cast<std::size_t>(world.plan.limit(name) - world.plan.limits.data());
}

std::size_t queue_index(const PlanWorld& world, std::string_view name) {
  return static_cast<std::size_t>(world.plan.queue(name) - world.plan.queues.data());
}

TaskId current_id() { return Runtime::current().current_task()->id; }

std::string task_name(TaskId id) {
  return std::string(Runtime::current().timeline().task(id).name);
}

// One task's own: what it holds and the children it started. Each copy of a template and
// each wait_for block has one.
struct Frame {
  Frame(PlanWorld* world_of, const TaskTemplate* template_of, std::size_t copy_index)
      : world(world_of), from(template_of), copy(copy_index), task(current_id()) {}

  // The permits still held when the task ends stay taken, as asyncio's do when nothing
  // releases them: the semaphore has that many fewer for good.
  void keep_held() {
    for (auto& [limit, permit] : held) {
      const std::string& name = world->plan.limits[limit].name;
      Runtime::current().note_on(task, fmt::format("ended holding {}: never released", name));
      world->record.kept_permits.push_back(fmt::format("{} ({})", task_name(task), name));
      world->kept.push_back(std::move(permit));
    }
    held.clear();
  }

  PlanWorld* world;
  const TaskTemplate* from;
  std::size_t copy;
  TaskId task;
  std::vector<std::pair<std::size_t, Permit>> held;  // by Plan::limits index, in order taken
  std::map<std::string, std::vector<TaskHandle<void>>> children;  // spawned, not yet awaited
};

// `{each}` and `{n}` in a step's text: the copy's value and its number (from 1).
std::string expand(std::string_view text, const Frame& frame) {
  std::string out;
  const std::string number = std::to_string(frame.copy + 1);
  const std::string value = frame.from->each.empty() ? number : frame.from->each[frame.copy];
  while (!text.empty()) {
    if (text.starts_with("{each}")) {
      out += value;
      text.remove_prefix(6);
    } else if (text.starts_with("{n}")) {
      out += number;
      text.remove_prefix(3);
    } else {
      out += text.front();
      text.remove_prefix(1);
    }
  }
  return out;
}

// What a task waits on at `step`, as the deadlock's report says it.
std::string describe(const PlanWorld& world, const Step& step) {
  switch (step.kind) {
    case StepKind::acquire:
    case StepKind::hold: {
      const std::size_t index = limit_index(world, step.target);
      const Semaphore& limit = world.limits[index];
      if (world.plan.limits[index].is_lock && limit.available() == 0) {
        return fmt::format("acquire {}, held by {}", step.target, task_name(limit.last_taker()));
      }
      return fmt::format("acquire {} ({} of {} free)", step.target, limit.available(),
                         world.plan.limits[index].permits);
    }
    case StepKind::get: return fmt::format("get from {} (empty)", step.target);
    case StepKind::put: return fmt::format("put to {} (full)", step.target);
    case StepKind::await_tasks: return fmt::format("await {}", step.target);
    case StepKind::gather: return fmt::format("gather {}", fmt::join(step.tasks, ", "));
    case StepKind::taskgroup: return fmt::format("taskgroup {}", fmt::join(step.tasks, ", "));
    case StepKind::as_completed: return fmt::format("as_completed {}", fmt::join(step.tasks, ", "));
    case StepKind::resolve: return fmt::format("resolve {}", step.target);
    case StepKind::wait_for: return "wait_for its block";
    default: return "a step";
  }
}

Task<void> run_steps(Frame* frame, const std::vector<Step>* steps);

Task<void> run_copy(PlanWorld* world, const TaskTemplate* from, std::size_t copy) {
  Runtime& runtime = Runtime::current();
  Frame frame(world, from, copy);
  std::exception_ptr error;
  try {
    co_await run_steps(&frame, &from->steps);
  } catch (...) {
    error = std::current_exception();
  }
  frame.keep_held();
  world->at_step.erase(frame.task);
  if (error) {
    if (!detail::is_cancelled(error)) {
      const std::string what = detail::describe_error(error);
      runtime.note(fmt::format("error: {}", what));
      world->record.failures.push_back(fmt::format("{}: {}", task_name(frame.task), what));
    }
    std::rethrow_exception(error);
  }
}

// Starts each copy of `from` as a task of its own (asyncio.create_task).
std::vector<TaskHandle<void>> start_copies(PlanWorld& world, const TaskTemplate& from) {
  std::vector<TaskHandle<void>> handles;
  const std::size_t count = copy_count(from);
  handles.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string name = copy_name(from, i);
    TaskHandle<void> handle = spawn(run_copy(&world, &from, i), name);
    if (world.record.template_of.size() <= handle.id()) {
      world.record.template_of.resize(handle.id() + 1);
    }
    world.record.template_of[handle.id()] = from.name;
    world.started.push_back({std::move(name), &from, handle});
    handles.push_back(std::move(handle));
  }
  return handles;
}

// The children a gather (or taskgroup, as_completed) step awaits: those of each name this
// task spawned and has not awaited yet, else new ones.
std::vector<TaskHandle<void>> children_of(Frame& frame, const std::vector<std::string>& names) {
  std::vector<TaskHandle<void>> handles;
  for (const std::string& name : names) {
    std::vector<TaskHandle<void>> some;
    if (const auto spawned = frame.children.find(name); spawned != frame.children.end()) {
      some = std::move(spawned->second);
      frame.children.erase(spawned);
    } else {
      some = start_copies(*frame.world, *frame.world->plan.task(name));
    }
    std::ranges::move(some, std::back_inserter(handles));
  }
  return handles;
}

Task<void> gather_step(Frame* frame, const Step* step, OnError policy) {
  std::vector<TaskHandle<void>> handles = children_of(*frame, step->tasks);
  std::vector<TaskId> ids;
  ids.reserve(handles.size());
  for (const TaskHandle<void>& handle : handles) {
    ids.push_back(handle.id());
  }
  const std::vector<Outcome<void>> outcomes = co_await gather(std::move(handles), policy);
  // return_exceptions=True: the errors come back as results; main notes them, as a program
  // would look at what gather returned.
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].failed()) {
      Runtime::current().note(
          fmt::format("{} returned an error: {}", task_name(ids[i]), outcomes[i].error_message()));
    }
  }
}

Task<void> as_completed_step(Frame* frame, const Step* step) {
  std::vector<TaskHandle<void>> handles = children_of(*frame, step->tasks);
  std::vector<TaskId> ids;
  ids.reserve(handles.size());
  for (const TaskHandle<void>& handle : handles) {
    ids.push_back(handle.id());
  }
  AsCompleted<void> pending = as_completed(std::move(handles));
  while (pending.remaining() > 0) {
    const Completed<void> next = co_await pending.next();
    const std::string name = task_name(ids[next.index]);
    Runtime::current().note(next.outcome.ok() ? fmt::format("{} done", name)
                            : next.outcome.cancelled()
                                ? fmt::format("{} cancelled", name)
                                : fmt::format("{} raised {}", name, next.outcome.error_message()));
  }
}

Task<void> await_step(Frame* frame, const Step* step) {
  const auto spawned = frame->children.find(step->target);
  if (spawned == frame->children.end()) {
    co_return;  // already awaited (by gather, or an earlier await)
  }
  std::vector<TaskHandle<void>> handles = std::move(spawned->second);
  frame->children.erase(spawned);
  for (const TaskHandle<void>& handle : handles) {
    co_await handle;  // raises what the child raised, as `await task` does
  }
}

// A wait_for's block, as a task of its own (asyncio.wait_for wraps it in one). Cancelled
// at the deadline, it runs its cleanup first: wait_for waits for that too.
Task<void> run_block(PlanWorld* world, const TaskTemplate* from, std::size_t copy,
                     const Step* step) {
  Frame frame(world, from, copy);
  std::exception_ptr error;
  bool cancelled = false;
  try {
    co_await run_steps(&frame, &step->body);
  } catch (const Cancelled&) {
    cancelled = true;
    error = std::current_exception();
  } catch (...) {
    error = std::current_exception();
  }
  if (cancelled && !step->cleanup.empty()) {
    Runtime::current().note("cancelled: running its cleanup");
    co_await run_steps(&frame, &step->cleanup);
  }
  frame.keep_held();
  world->at_step.erase(frame.task);
  if (error) {
    std::rethrow_exception(error);
  }
}

Task<void> wait_for_step(Frame* frame, const Step* step) {
  Runtime& runtime = Runtime::current();
  PlanWorld& world = *frame->world;
  std::string name = step->block_name.empty() ? fmt::format("{}.wait_for", task_name(frame->task))
                                              : step->block_name;
  TaskHandle<void> block = spawn(run_block(&world, frame->from, frame->copy, step), name);
  world.started.push_back({name, nullptr, block});
  bool timed_out = false;
  try {
    co_await wait_for(std::move(block), step->duration);
  } catch (const TimeoutError&) {
    timed_out = true;
  }
  if (!timed_out) {
    co_return;
  }
  ++world.record.timeouts;
  const std::string what =
      fmt::format("{} did not finish within {}", name, format_duration(step->duration));
  if (!step->continue_on_timeout) {
    runtime.note(fmt::format("TimeoutError: {}", what));
    throw TimeoutError();
  }
  runtime.note(fmt::format("TimeoutError: {}; going on", what));
}

Task<void> cancel_step(Frame* frame, const Step* step) {
  co_await sleep(step->duration);
  std::size_t cancelled = 0;
  std::size_t ended = 0;
  for (Started& task : frame->world->started) {
    if (task.name == step->target || (task.from != nullptr && task.from->name == step->target)) {
      (task.handle.cancel() ? cancelled : ended) += 1;
    }
  }
  Runtime::current().note(
      cancelled + ended == 0 ? fmt::format("cancel {}: no such task has started", step->target)
      : cancelled == 0       ? fmt::format("cancel {}: it had already ended", step->target)
                             : fmt::format("cancel {}: {} cancelled{}", step->target, cancelled,
                                     ended == 0 ? "" : fmt::format(", {} already ended", ended)));
}

Task<void> run_step(Frame* frame, const Step* step) {
  Runtime& runtime = Runtime::current();
  PlanWorld& world = *frame->world;
  world.at_step[frame->task] = step;
  switch (step->kind) {
    case StepKind::sleep: co_await sleep(step->duration); co_return;
    case StepKind::block: block_sleep(step->duration); co_return;
    case StepKind::thread: co_await thread_sleep(step->duration); co_return;
    case StepKind::cpu: {
      const CpuWork work{step->duration, std::nullopt};
      auto count = [work] { return count_primes(work); };
      (void)block_on(count, step->duration);  // on the virtual clock: its cost, simulated
      co_return;
    }
    case StepKind::acquire: {
      const std::size_t index = limit_index(world, step->target);
      Permit permit = co_await world.limits[index].acquire();
      frame->held.emplace_back(index, std::move(permit));
      co_return;
    }
    case StepKind::release: {
      const std::size_t index = limit_index(world, step->target);
      const auto held = std::ranges::find(frame->held.rbegin(), frame->held.rend(), index,
                                          &std::pair<std::size_t, Permit>::first);
      if (held == frame->held.rend()) {
        throw PlanFailure(fmt::format("release {}: this task does not hold it", step->target));
      }
      frame->held.erase(std::next(held).base());  // the permit goes back here
      co_return;
    }
    case StepKind::hold: {
      const Permit permit = co_await world.limits[limit_index(world, step->target)].acquire();
      co_await run_steps(frame, &step->body);
      co_return;  // released here, or as an error leaves: async with
    }
    case StepKind::put: {
      std::string item = step->item.empty() ? task_name(frame->task) : expand(step->item, *frame);
      co_await world.queues[queue_index(world, step->target)].put(std::move(item));
      co_return;
    }
    case StepKind::get: {
      const std::string item = co_await world.queues[queue_index(world, step->target)].get();
      runtime.note(fmt::format("got {}", item));
      co_return;
    }
    case StepKind::resolve: {
      const std::string name = expand(step->target, *frame);
      const std::vector<std::string> addresses = co_await resolve(name, step->duration);
      runtime.note(fmt::format("{}: {}", name, fmt::join(addresses, ", ")));
      co_return;
    }
    case StepKind::fail: throw PlanFailure(expand(step->target, *frame));
    case StepKind::spawn: {
      std::vector<TaskHandle<void>> handles = start_copies(world, *world.plan.task(step->target));
      std::ranges::move(handles, std::back_inserter(frame->children[step->target]));
      co_return;
    }
    case StepKind::await_tasks: co_await await_step(frame, step); co_return;
    case StepKind::gather:
      co_await gather_step(frame, step,
                           step->return_exceptions ? OnError::collect : OnError::propagate);
      co_return;
    case StepKind::taskgroup:
      co_await gather_step(frame, step, OnError::cancel_siblings);
      co_return;
    case StepKind::as_completed: co_await as_completed_step(frame, step); co_return;
    case StepKind::wait_for: co_await wait_for_step(frame, step); co_return;
    case StepKind::cancel: co_await cancel_step(frame, step); co_return;
  }
}

Task<void> run_steps(Frame* frame, const std::vector<Step>* steps) {
  for (const Step& step : *steps) {
    co_await run_step(frame, &step);
  }
}

// The loop has run dry with tasks still waiting: nothing will ever wake them. Each says
// what it waits at, and every task is cancelled so that the run can end.
void break_deadlock(PlanWorld& world) {
  Runtime& runtime = Runtime::current();
  world.record.deadlocked = true;
  world.record.deadlocked_at = runtime.now();
  for (const auto& [task, step] : world.at_step) {
    const std::string what = describe(world, *step);
    runtime.note_on(task, fmt::format("deadlock: waits at {}", what));
    world.record.deadlock_waits.push_back(fmt::format("{} waits at {}", task_name(task), what));
  }
  for (Started& task : world.started) {
    task.handle.cancel();
  }
}

Task<void> plan_main(PlanWorld* world) {
  Runtime::current().on_deadlock([world] { break_deadlock(*world); });
  std::vector<TaskHandle<void>> tasks;
  for (const TaskTemplate& task : world->plan.tasks) {
    if (task.top_level) {
      std::ranges::move(start_copies(*world, task), std::back_inserter(tasks));
    }
  }
  // await asyncio.gather(*tasks, return_exceptions=True): each task's end is its own.
  co_await gather(std::move(tasks), OnError::collect);
}

}  // namespace

PlanRun::PlanRun(const Plan& plan) : world_(std::make_unique<PlanWorld>(plan)) {}

PlanRun::~PlanRun() = default;

Task<void> PlanRun::main() { return plan_main(world_.get()); }

PlanRecord PlanRun::take_record() {
  PlanRecord record = std::move(world_->record);
  for (const Semaphore& limit : world_->limits) {
    record.max_held.push_back(limit.max_held());
  }
  for (const Queue<std::string>& queue : world_->queues) {
    record.max_size.push_back(queue.max_size());
  }
  return record;
}

}  // namespace asyncdemo::plan
