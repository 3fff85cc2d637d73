// lag: don't block the loop. CPU work written straight into a coroutine holds the loop thread
// until it ends, and every other task waits — even a heartbeat that only wants to tick:
//
//   async def heartbeat(tick):
//       while not stop:
//           expected = loop.time() + tick
//           await asyncio.sleep(tick)
//           lags.append(loop.time() - expected)      # how late this tick came
//
//   async def crunch():
//       return count_primes(work)                                        # --offload inline
//       return await asyncio.to_thread(count_primes, work)               # --offload thread
//       return await loop.run_in_executor(processes, count_primes, work) # --offload process
//
//   beat = asyncio.create_task(heartbeat(tick))
//   await asyncio.gather(*(crunch() for _ in range(jobs)))
//   stop = True
//   await beat
//
// Inline, the heartbeat's tick comes as late as the work is long. On a thread or in a process
// the loop stays free and the heartbeat keeps time. C++ threads then compute in parallel on
// every core; with --gil they take turns at one lock, as CPython's threads do, so N jobs on
// threads take N times as long as one, while processes (each with its own interpreter) still
// run in parallel.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/block_on.hpp"
#include "core/gather.hpp"
#include "core/gil.hpp"
#include "core/run.hpp"
#include "core/simulated_work.hpp"
#include "core/sleep.hpp"
#include "core/to_process.hpp"
#include "core/to_thread.hpp"
#include "scenarios/all.hpp"
#include "scenarios/cpu_work.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "lag";
constexpr std::string_view kLesson =
    "CPU work inside a coroutine holds the loop: every other task, even a heartbeat, waits until "
    "it ends; asyncio.to_thread or a process pool keeps the loop free (and with Python's GIL, "
    "only processes compute in parallel).";

// Where the work runs, in the order `--offload all` runs them.
enum class Offload : std::uint8_t { inline_work, thread, process };

std::string_view name_of(Offload where) {
  switch (where) {
    case Offload::inline_work: return "inline";
    case Offload::thread: return "thread";
    case Offload::process: break;
  }
  return "process";
}

std::vector<std::pair<std::string, std::vector<Offload>>> offload_choices() {
  return each_or_all<Offload>({{"inline", Offload::inline_work},
                               {"thread", Offload::thread},
                               {"process", Offload::process}});
}

struct LagOptions {
  std::size_t jobs = 1;
  Duration cost = 500ms;              // each job's CPU time
  std::optional<std::uint64_t> size;  // instead: count the primes below it
  Duration tick = 100ms;
  std::vector<Offload> modes = offload_choices().back().second;  // all
  bool gil = false;
};

// One way of running the work, with the heartbeat beside it.
struct Phase {
  Offload where = Offload::inline_work;
  TaskId first = 0;  // the phase's tasks (heartbeat, then jobs) have the ids [first, last)
  TaskId last = 0;
  Nanos start_ns = 0;
  Nanos end_ns = 0;
  bool stop = false;                        // main sets it once the work is done
  std::vector<Nanos> lags_ns;               // each tick: how late it came
  std::vector<Outcome<Crunched>> crunched;  // each job's, in submission order
};

struct LagRecord {
  Gil gil;  // with --gil: the lock every "Python" thread computes under, the loop's too
  std::deque<Phase> phases;  // a deque: a phase's address stays put while the next is added
};

// ---- the work, in its three places -------------------------------------------------------

// The cores this process may compute on (its CPU affinity counts): as many as the process
// pool has workers, and as many as C++ threads can keep busy at once.
std::size_t cores() noexcept { return process_pool_size(); }

// On the virtual clock CPU work does not run: it is simulated by its stated cost.
Crunched simulated(const CpuWork& work) { return {0, to_nanos(work.cost), 0}; }

// count_primes(work) written straight into the coroutine: the loop stops until it returns.
Task<Crunched> crunch_inline(CpuWork work) {
  auto count = [work] { return count_primes(work); };
  co_return block_on(count, work.cost).value_or(simulated(work));
}

// await asyncio.to_thread(count_primes, work)
Task<Crunched> crunch_on_thread(CpuWork work, Gil* gil) {
  if (Runtime::current().virtual_time()) {
    // Simulated cores: the GIL lets one job compute at a time; C++ threads use every core.
    co_await simulated_work(work.cost, gil != nullptr ? 1 : cores(), WaitKind::thread);
    co_return simulated(work);
  }
  auto count = [work, gil] { return count_primes(work, gil); };
  co_return co_await to_thread(count);
}

// await loop.run_in_executor(ProcessPoolExecutor(), count_primes, work)
Task<Crunched> crunch_in_process(CpuWork work) {
  if (Runtime::current().virtual_time()) {
    co_await simulated_work(work.cost, process_pool_size(), WaitKind::process);
    co_return simulated(work);
  }
  const ProcessResult done = co_await to_process(cpu_worker_command(work));
  co_return read_cpu_worker_output(done.output, done.pid);
}

Task<Crunched> crunch(Offload where, CpuWork work, Gil* gil) {
  switch (where) {
    case Offload::inline_work: return crunch_inline(work);
    case Offload::thread: return crunch_on_thread(work, gil);
    case Offload::process: break;
  }
  return crunch_in_process(work);
}

// ---- the heartbeat and the phases ---------------------------------------------------------

// CPython's loop thread runs Python code only while it holds the GIL, so with threads
// computing under it, each tick first waits for its turn: the loop is held meanwhile.
void take_turn_at(Gil* gil) {
  if (gil == nullptr || Runtime::current().virtual_time()) {
    return;
  }
  auto turn = [gil] {
    const GilHold hold(gil);
    return true;
  };
  static_cast<void>(block_on(turn, Duration::zero()));
}

Task<void> heartbeat(Duration tick, Phase* phase, Gil* gil) {
  Runtime& runtime = Runtime::current();
  while (!phase->stop) {
    const Nanos expected = runtime.now() + to_nanos(tick);
    co_await sleep(tick);
    take_turn_at(gil);
    const Nanos lag = std::max<Nanos>(runtime.now() - expected, 0);
    phase->lags_ns.push_back(lag);
    runtime.note(fmt::format("tick {}: {} late", phase->lags_ns.size(), format_measured(lag)));
  }
}

Task<void> run_phase(Offload where, LagOptions options, std::shared_ptr<LagRecord> record) {
  Runtime& runtime = Runtime::current();
  Phase& phase = record->phases.emplace_back();
  phase.where = where;
  phase.start_ns = runtime.now();
  Gil* gil = options.gil ? &record->gil : nullptr;
  TaskHandle<void> beat =
      spawn(heartbeat(options.tick, &phase, gil), fmt::format("{}-beat", name_of(where)));
  std::vector<TaskHandle<Crunched>> jobs;
  for (std::size_t i = 1; i <= options.jobs; ++i) {
    const CpuWork work{options.cost, options.size};
    jobs.push_back(
        spawn(kit::noting_error(crunch(where, work, gil)), kit::numbered_name(name_of(where), i)));
  }
  phase.first = beat.id();
  phase.last = jobs.back().id() + 1;
  phase.crunched = co_await gather(std::move(jobs));  // a job that fails is a fault: it raises
  phase.stop = true;
  co_await beat;  // it ends after its current tick, so the late one is counted
  phase.end_ns = runtime.now();
}

Task<void> lag_main(LagOptions options, std::shared_ptr<LagRecord> record) {
  for (const Offload where : options.modes) {
    co_await run_phase(where, options, record);
  }
}

// ---- what the record shows ----------------------------------------------------------------

// How long the phase's jobs held the loop thread: their blocked spans, added up.
Nanos held_loop(const Timeline& timeline, const Phase& phase) {
  Nanos held = 0;
  for (TaskId id = phase.first + 1; id < phase.last; ++id) {
    for (const Span& span : timeline.spans(id, phase.end_ns)) {
      if (span.state == SpanState::blocked) {
        held += span.to_ns - span.from_ns;
      }
    }
  }
  return held;
}

struct PhaseFigures {
  double elapsed_s = 0;
  double work_s = 0;  // from the first job's start to the last one's end
  double max_lag_s = 0;
  double p99_lag_s = 0;
  double held_s = 0;  // how long the jobs held the loop, in all
  double cpu_s = 0;   // the jobs' CPU time, in all
  double min_cpu_s = 0;
  std::size_t at_once = 0;
  std::size_t processes = 0;  // distinct child processes that did the work
  Timeline::LoopFigures loop;
};

PhaseFigures figures_of(const ScenarioReport& report, const Phase& phase) {
  PhaseFigures f;
  f.elapsed_s = kit::seconds(phase.end_ns - phase.start_ns);
  const auto worst = std::ranges::max_element(phase.lags_ns);
  f.max_lag_s = worst == phase.lags_ns.end() ? 0 : kit::seconds(*worst);
  f.p99_lag_s = kit::seconds(kit::nearest_rank(phase.lags_ns, 0.99));
  f.held_s = kit::seconds(held_loop(report.timeline, phase));
  f.at_once = kit::work_at_once(report.timeline, phase.first, phase.last);
  const std::vector<Timeline::TaskSummary> tasks = report.timeline.summarize();
  Nanos first_start = phase.end_ns;
  Nanos last_end = phase.start_ns;
  for (TaskId id = phase.first + 1; id < phase.last; ++id) {
    first_start = std::min(first_start, tasks[id].start_ns);
    last_end = std::max(last_end, tasks[id].end_ns);
  }
  f.work_s = kit::seconds(std::max<Nanos>(last_end - first_start, 0));
  f.loop = report.timeline.loop_figures(phase.first, phase.last);
  std::set<int> pids;
  f.min_cpu_s = phase.crunched.empty() ? 0 : INFINITY;
  for (const Outcome<Crunched>& job : phase.crunched) {
    const double cpu = job.ok() ? kit::seconds(job.value().cpu_ns) : 0;
    f.cpu_s += cpu;
    f.min_cpu_s = std::min(f.min_cpu_s, cpu);
    if (job.ok() && job.value().pid != 0) {
      pids.insert(job.value().pid);
    }
  }
  f.processes = pids.size();
  return f;
}

std::string stall_holder(const ScenarioReport& report, const PhaseFigures& f) {
  return f.loop.max_loop_stall_task == kNoParent
             ? std::string("no task")
             : std::string(report.timeline.task(f.loop.max_loop_stall_task).name);
}

void record_figures(ScenarioReport& report, const Phase& phase, const PhaseFigures& f) {
  report.figures["modes"][std::string(name_of(phase.where))] = {
      {"elapsed_s", f.elapsed_s},
      {"ticks", phase.lags_ns.size()},
      {"max_lag_s", f.max_lag_s},
      {"p99_lag_s", f.p99_lag_s},
      {"held_loop_s", f.held_s},
      {"max_loop_stall_s", kit::seconds(f.loop.max_loop_stall)},
      {"max_loop_stall_task",
       f.loop.max_loop_stall_task == kNoParent ? Json(nullptr) : Json(stall_holder(report, f))},
      {"cpu_s", f.cpu_s},
      {"jobs_at_once", f.at_once}};
}

void judge_inline(ScenarioReport& report, const LagOptions& options, const PhaseFigures& f,
                  double tick) {
  report.checks.push_back(kit::at_least("inline: each job held the loop for all its CPU work",
                                        kit::seconds(f.loop.max_loop_stall), f.min_cpu_s, "s"));
  if (f.held_s > tick) {
    // The heartbeat's tick was due at most a tick after it began, before the first job ran;
    // it could not run until the jobs let go of the loop.
    report.checks.push_back(kit::at_least("inline: a tick came as late as the work held the loop",
                                          f.max_lag_s, f.held_s - tick, "s"));
    const std::string held =
        options.jobs == 1
            ? fmt::format("{} held the loop for {}", stall_holder(report, f),
                          format_seconds(f.held_s))
            : fmt::format("{} held the loop for {} in all, one after another ({} at once, by {})",
                          kit::count_of(options.jobs, "job"), format_seconds(f.held_s),
                          format_seconds(kit::seconds(f.loop.max_loop_stall)),
                          stall_holder(report, f));
    report.takeaways.push_back(fmt::format(
        "inline: count_primes() ran on the loop thread, so nothing else could: {}, and the "
        "heartbeat's tick came {} late",
        held, format_measured(kit::nanos(f.max_lag_s))));
    return;
  }
  report.takeaways.push_back(fmt::format(
      "inline: the work held the loop for {}, no longer than one tick ({}), so the worst tick "
      "came {} late: {} to see the heartbeat stall",
      format_seconds(f.held_s), format_seconds(tick), format_measured(kit::nanos(f.max_lag_s)),
      options.size ? "a larger --size, or a shorter --tick," : "make --cost longer than --tick"));
}

void judge_offloaded(ScenarioReport& report, const Phase& phase, const LagOptions& options,
                     const PhaseFigures& f, double slack) {
  const std::string mode(name_of(phase.where));
  // With the GIL each tick waits for its turn: at most one switch interval per job ahead.
  const double gil_wait =
      options.gil && phase.where == Offload::thread && report.clock == ClockKind::real
          ? static_cast<double>(options.jobs) * kit::seconds(Gil::kSwitchInterval)
          : 0;
  report.checks.push_back(
      kit::at_most(mode + ": the heartbeat kept time", f.max_lag_s, slack + gil_wait, "s"));
  const std::string kept = fmt::format(
      "the loop stayed free: {} {} {}", phase.lags_ns.size(),
      phase.lags_ns.size() == 1 ? "tick came" : "ticks came",
      f.max_lag_s > 0 ? fmt::format("at most {} late", format_measured(kit::nanos(f.max_lag_s)))
                      : std::string("on time"));
  if (phase.where == Offload::process) {
    report.takeaways.push_back(
        fmt::format("process: {} ran in {}, {} at once; {}", kit::count_of(options.jobs, "job"),
                    report.clock == ClockKind::virtual_time
                        ? std::string(options.jobs == 1 ? "a simulated child process"
                                                        : "simulated child processes")
                    : f.processes == 1 ? std::string("1 child process")
                                       : fmt::format("{} child processes", f.processes),
                    f.at_once, kept));
    return;
  }
  if (options.gil) {
    if (options.jobs > 1) {
      // Under the GIL only one thread computes at a time, so the phase lasts at least as
      // long as all the jobs' CPU time together.
      report.checks.push_back(kit::at_least("thread: with the GIL the jobs computed one at a time",
                                            f.elapsed_s, f.cpu_s, "s"));
    }
    report.takeaways.push_back(fmt::format(
        "thread, with the GIL: {}; {}, {} of CPU in {}", kept,
        options.jobs == 1 ? std::string("the one job had the GIL to itself")
                          : fmt::format("the {} jobs took turns at the GIL", options.jobs),
        format_seconds(f.cpu_s), format_seconds(f.work_s)));
    return;
  }
  report.takeaways.push_back(fmt::format(
      "thread: asyncio.to_thread moved the work to the pool; {}; {} of CPU in {}, up to {} at "
      "once on {}",
      kept, format_seconds(f.cpu_s), format_seconds(f.work_s), f.at_once,
      kit::count_of(cores(), "core")));
}

void judge_phase(ScenarioReport& report, const Phase& phase, const LagOptions& options,
                 double slack) {
  const PhaseFigures f = figures_of(report, phase);
  record_figures(report, phase, f);
  if (phase.where == Offload::inline_work) {
    judge_inline(report, options, f, kit::seconds(options.tick));
  } else {
    judge_offloaded(report, phase, options, f, slack);
  }
}

// "heartbeat lag, worst / p99: inline 400ms / 400ms, thread 1.2ms / 1.1ms, process ..."
void compare_phases(ScenarioReport& report) {
  std::vector<std::string> parts;
  for (const Offload where : {Offload::inline_work, Offload::thread, Offload::process}) {
    const std::string mode(name_of(where));
    if (report.figures["modes"].contains(mode)) {
      const Json& figures = report.figures["modes"][mode];
      parts.push_back(fmt::format("{} {} / {}", mode,
                                  format_measured(kit::nanos(figures["max_lag_s"].get<double>())),
                                  format_measured(kit::nanos(figures["p99_lag_s"].get<double>()))));
    }
  }
  if (!parts.empty()) {
    report.comparisons.push_back(
        fmt::format("heartbeat lag, worst / p99: {}", fmt::join(parts, ", ")));
  }
}

void add_results(ScenarioReport& report, const Phase& phase) {
  for (std::size_t i = 0; i < phase.crunched.size(); ++i) {
    const std::string job = kit::numbered_name(name_of(phase.where), i + 1);
    const Outcome<Crunched>& outcome = phase.crunched[i];
    if (!outcome.ok()) {
      report.results.push_back(Json{{"job", job}, {"error", outcome.error_message()}});
      continue;
    }
    const Crunched& done = outcome.value();
    Json row{{"job", job}, {"cpu_s", kit::seconds(done.cpu_ns)}};
    if (report.clock == ClockKind::real) {  // on the virtual clock nothing was counted
      row["primes"] = done.primes;
    }
    report.results.push_back(std::move(row));
  }
}

// How the run models threads, processes and the clock, said once: the GIL is the point.
std::string model_of(const LagOptions& options, ClockKind clock) {
  const bool threads = std::ranges::find(options.modes, Offload::thread) != options.modes.end();
  const bool processes = std::ranges::find(options.modes, Offload::process) != options.modes.end();
  std::vector<std::string> parts;
  if (threads) {
    parts.emplace_back(options.gil ? "thread work takes turns at one lock, handed over every 5ms, "
                                     "as CPython's threads do under the GIL"
                                   : fmt::format("C++ threads compute in parallel on all {} "
                                                 "(--gil shows CPython's GIL)",
                                                 kit::count_of(cores(), "core")));
  }
  if (processes) {
    parts.push_back(
        fmt::format("a process pool of {}, one per core, as ProcessPoolExecutor's "
                    "default",
                    kit::count_of(process_pool_size(), "worker")));
  }
  if (clock == ClockKind::virtual_time) {
    std::string simulated = "virtual clock: CPU work is not run but simulated by --cost";
    if ((threads && !options.gil) || processes) {
      simulated +=
          fmt::format(", a job at a time on each of {}", kit::count_of(cores(), "simulated core"));
    }
    if (threads && options.gil) {
      simulated += "; the GIL's 5ms turns are taken a whole job at a time (the total is the same)";
    }
    parts.push_back(std::move(simulated));
  }
  return parts.empty() ? std::string() : fmt::format("model: {}", fmt::join(parts, "; "));
}

Json params_of(const LagOptions& options) {
  return {{"jobs", options.jobs},
          {"cost", options.size ? Json(nullptr) : Json(format_duration(options.cost))},
          {"size", options.size ? Json(*options.size) : Json(nullptr)},
          {"tick", format_duration(options.tick)},
          {"offload", name_of_choice(offload_choices(), options.modes)},
          {"gil", options.gil}};
}

ScenarioReport run_lag(const LagOptions& options, const RunContext& context) {
  if (options.size && context.runtime.clock == ClockKind::virtual_time) {
    throw UsageError(
        "--size counts for real, for however long it takes; on the virtual clock CPU work is "
        "simulated by its --cost");
  }
  Runtime runtime(context.runtime);
  std::string longest_name;
  for (const Offload where : options.modes) {
    for (std::string name : {fmt::format("{}-beat", name_of(where)),
                             kit::numbered_name(name_of(where), options.jobs)}) {
      longest_name = name.size() > longest_name.size() ? std::move(name) : longest_name;
    }
  }
  ScenarioReport report =
      kit::begin(kName, kLesson, params_of(options), context, runtime, std::move(longest_name));
  auto record = std::make_shared<LagRecord>();
  kit::drive(report, runtime, lag_main(options, record));
  kit::finish(report, runtime);
  report.figures["cores"] = cores();
  report.figures["pool_size"] = Runtime::thread_pool_size();
  report.figures["process_pool_size"] = process_pool_size();
  if (std::string model = model_of(options, report.clock); !model.empty()) {
    report.takeaways.push_back(std::move(model));
  }
  for (const Phase& phase : record->phases) {
    add_results(report, phase);
    if (!report.partial()) {  // a partial record proves nothing either way
      judge_phase(report, phase, options, kit::slack(context));
    }
  }
  if (!report.partial()) {
    compare_phases(report);
  }
  return report;
}

ScenarioRunner setup_lag(CLI::App& app) {
  auto options = std::make_shared<LagOptions>();
  add_count_option(app, "--jobs", options->jobs, "how many CPU jobs run together (gather)", 1, 64);
  CLI::Option* cost = add_duration_option(
      app, "--cost", options->cost,
      "each job's CPU time: it counts primes until its thread has used this much (on the "
      "virtual clock the work is simulated by it)",
      Duration::zero(), std::chrono::minutes(1));
  auto size = std::make_shared<std::size_t>(0);
  CLI::Option* size_option = add_count_option(
      app, "--size", *size,
      "instead of --cost: each job counts the primes below this, as in the course (real clock "
      "only)",
      2, 10'000'000);
  size_option->excludes(cost)->default_str("");  // no default: without it, --cost counts
  add_duration_option(app, "--tick", options->tick, "the heartbeat's interval", 1ms,
                      std::chrono::minutes(1));
  add_choice_option(app, "--offload", options->modes,
                    "inline (count_primes() in the coroutine) | thread (asyncio.to_thread) | "
                    "process (run_in_executor with a ProcessPoolExecutor) | all (the three, one "
                    "after another)",
                    offload_choices());
  app.add_flag("--gil", options->gil,
               "thread work takes turns at one global lock, as CPython's threads do under the "
               "GIL (without it, C++ threads compute in parallel)");
  return [options, size, size_option](const RunContext& context) {
    LagOptions run = *options;
    if (size_option->count() > 0) {
      run.size = *size;
    }
    return run_lag(run, context);
  };
}

// What lag's event log shows: everything but the heartbeat's own awaits (its ticks are notes).
bool is_lag_event(const Event& event, const Timeline& /*timeline*/) {
  const bool beat_await = (event.kind == EventKind::suspended && event.wait == WaitKind::sleep) ||
                          event.kind == EventKind::resumed;
  return !beat_await;
}

}  // namespace

ScenarioEntry lag_scenario() {
  return {kName, kLesson,
          "asyncdemo lag\n"
          "asyncdemo lag --offload inline --cost 1s\n"
          "asyncdemo lag --offload thread --jobs 2 --cost 1s\n"
          "asyncdemo lag --offload thread --jobs 2 --cost 1s --gil\n"
          "asyncdemo lag --offload process --jobs 2 --cost 1s --gil\n"
          "asyncdemo lag --jobs 3 --check --virtual-time",
          &setup_lag, &is_lag_event};
}

}  // namespace asyncdemo
