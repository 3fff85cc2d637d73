// sleep: the same N sleeps done three ways. Blocking the loop thread they add
// up (N x T); awaited they overlap (T + e); on the thread pool they overlap as
// far as the pool has threads (ceil(N / threads) x T).

#include "core/sleep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/to_thread.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "sleep";
constexpr std::string_view kLesson =
    "Blocking sleeps add up (N x T) because they hold the loop; awaited sleeps overlap (T + e); "
    "sleeps on the thread pool overlap only as far as the pool has threads.";

// The three ways of sleeping, in the order `--mode all` runs them side by side.
enum class SleepMode : std::uint8_t { blocking, async, threads };

std::string_view name_of(SleepMode mode) {
  switch (mode) {
    case SleepMode::blocking: return "blocking";
    case SleepMode::async: return "async";
    case SleepMode::threads: return "threads";
  }
  return "?";
}

// --mode's choices: each way alone, or all three one after another.
std::vector<std::pair<std::string, std::vector<SleepMode>>> mode_choices() {
  return each_or_all<SleepMode>({{"blocking", SleepMode::blocking},
                                 {"async", SleepMode::async},
                                 {"threads", SleepMode::threads}});
}

struct SleepOptions {
  std::size_t n = 3;
  Duration delay = 1s;
  std::vector<SleepMode> modes = mode_choices().back().second;  // all
};

// One way of sleeping, run as N tasks gathered together.
struct Phase {
  SleepMode mode;
  TaskId first = 0;  // the phase's tasks have the ids [first, last)
  TaskId last = 0;
  Nanos start_ns = 0;
  Nanos end_ns = 0;
};

Task<int> blocking_sleeper(int id, Duration delay) {
  block_sleep(delay);  // time.sleep(): the loop can do nothing else meanwhile
  co_return id;
}

Task<int> async_sleeper(int id, Duration delay) {
  co_await sleep(delay);  // asyncio.sleep(): the loop runs the others meanwhile
  co_return id;
}

Task<int> thread_sleeper(int id, Duration delay) {
  co_await thread_sleep(delay);  // asyncio.to_thread(time.sleep, T)
  co_return id;
}

Task<int> sleeper(SleepMode mode, int id, Duration delay) {
  switch (mode) {
    case SleepMode::blocking: return blocking_sleeper(id, delay);
    case SleepMode::async: return async_sleeper(id, delay);
    case SleepMode::threads: break;
  }
  return thread_sleeper(id, delay);
}

Task<void> run_phase(SleepMode mode, SleepOptions options,
                     std::shared_ptr<std::vector<Phase>> phases) {
  Runtime& runtime = Runtime::current();
  Phase phase{mode, 0, 0, runtime.now(), 0};
  std::vector<TaskHandle<int>> tasks;
  for (std::size_t i = 1; i <= options.n; ++i) {
    const int id = static_cast<int>(i);
    // A sleep that fails (thread_sleep's clock_nanosleep) says why on its task's row.
    tasks.push_back(spawn(kit::noting_error(sleeper(mode, id, options.delay)),
                          kit::numbered_name(name_of(mode), i)));
  }
  phase.first = tasks.front().id();
  phase.last = tasks.back().id() + 1;
  co_await gather(std::move(tasks));
  phase.end_ns = runtime.now();
  phases->push_back(phase);
}

Task<void> sleep_main(SleepOptions options, std::shared_ptr<std::vector<Phase>> phases) {
  for (const SleepMode mode : options.modes) {
    co_await run_phase(mode, options, phases);
  }
}

// What each way of sleeping should cost: the ideal the claims measure against.
double ideal_of(SleepMode mode, const SleepOptions& options, std::size_t pool) {
  const double delay = kit::seconds(options.delay);
  const auto n = static_cast<double>(options.n);
  switch (mode) {
    case SleepMode::blocking: return n * delay;
    case SleepMode::async: return delay;
    case SleepMode::threads: break;
  }
  const std::size_t rounds = (options.n + pool - 1) / pool;  // ceil(n / pool), in whole rounds
  return static_cast<double>(rounds) * delay;
}

void judge_phase(ScenarioReport& report, const Phase& phase, const SleepOptions& options,
                 std::size_t pool, double slack) {
  const double elapsed = kit::seconds(phase.end_ns - phase.start_ns);
  const double ideal = ideal_of(phase.mode, options, pool);
  const double stall = kit::seconds(report.timeline.max_loop_stall(phase.first, phase.last));
  const double delay = kit::seconds(options.delay);
  report.figures["modes"][std::string(name_of(phase.mode))] = {{"elapsed_s", elapsed},
                                                               {"ideal_s", ideal},
                                                               {"overhead_s", elapsed - ideal},
                                                               {"max_loop_stall_s", stall}};
  const std::string n = std::to_string(options.n);
  if (phase.mode == SleepMode::blocking) {
    report.checks.push_back(kit::between("blocking: the " + n + " sleeps ran one after another",
                                         elapsed, ideal, ideal + slack, "s"));
    report.checks.push_back(
        kit::at_least("blocking: each sleep held the loop for all of it", stall, delay, "s"));
    report.takeaways.push_back(fmt::format(
        "blocking: time.sleep() held the loop thread, so each task started only when the one "
        "before it had finished: {} x {} took {}",
        n, format_seconds(delay), format_seconds(elapsed)));
  } else if (phase.mode == SleepMode::async) {
    report.checks.push_back(
        kit::between("async: the " + n + " sleeps overlapped", elapsed, ideal, ideal + slack, "s"));
    report.checks.push_back(kit::at_most("async: the loop was never held", stall, slack, "s"));
    report.takeaways.push_back(fmt::format(
        "async: each await handed the loop back, so {}: {}",
        options.n == 1 ? "its one task slept without holding it" : "all " + n + " slept at once",
        format_seconds(elapsed)));
  } else {
    report.checks.push_back(kit::between(
        fmt::format("threads: the {} sleeps overlapped {} at a time (the pool size)", n, pool),
        elapsed, ideal, ideal + slack, "s"));
    const std::size_t at_once = kit::work_at_once(report.timeline, phase.first, phase.last);
    report.takeaways.push_back(fmt::format(
        "threads: {} on a pool of {} threads ran at most {} at a time, in {}",
        kit::count_of(options.n, "blocking sleep"), pool, at_once, format_seconds(elapsed)));
  }
}

void compare_phases(ScenarioReport& report) {
  const Json& modes = report.figures["modes"];
  auto elapsed = [&modes](const char* mode) { return modes[mode]["elapsed_s"].get<double>(); };
  if (modes.contains("blocking") && elapsed("blocking") > 0) {
    for (const char* other : {"async", "threads"}) {
      if (modes.contains(other) && elapsed(other) > 0) {
        report.comparisons.push_back(
            kit::faster(other, elapsed(other), "blocking", elapsed("blocking")));
      }
    }
  }
  if (modes.contains("async") && modes.contains("threads") && elapsed("async") > 0 &&
      elapsed("threads") > elapsed("async") * 1.5) {
    report.comparisons.push_back(
        kit::faster("async", elapsed("async"), "threads", elapsed("threads")));
  }
}

ScenarioReport run_sleep(const SleepOptions& options, const RunContext& context) {
  Runtime runtime(context.runtime);
  const std::size_t pool = Runtime::thread_pool_size();
  Json params = {{"n", options.n},
                 {"delay", format_duration(options.delay)},
                 {"mode", name_of_choice(mode_choices(), options.modes)},
                 {"pool_size", pool}};
  std::string longest_name;
  for (const SleepMode mode : options.modes) {
    std::string name = kit::numbered_name(name_of(mode), options.n);
    if (name.size() > longest_name.size()) {
      longest_name = std::move(name);
    }
  }
  ScenarioReport report =
      kit::begin(kName, kLesson, std::move(params), context, runtime, std::move(longest_name));
  auto phases = std::make_shared<std::vector<Phase>>();
  kit::drive(report, runtime, sleep_main(options, phases));

  double sequential = 0;
  double ideal = 0;
  for (const SleepMode mode : options.modes) {
    sequential += static_cast<double>(options.n) * kit::seconds(options.delay);
    ideal += ideal_of(mode, options, pool);
  }
  kit::finish(report, runtime, sequential, ideal);
  report.figures["pool_size"] = pool;
  for (const Phase& phase : *phases) {
    if (!report.partial()) {  // a partial record proves nothing either way
      judge_phase(report, phase, options, pool, kit::slack(context));
    }
    report.results.push_back({{"mode", name_of(phase.mode)},
                              {"elapsed_s", kit::seconds(phase.end_ns - phase.start_ns)}});
  }
  if (!report.partial()) {
    compare_phases(report);
  }
  return report;
}

ScenarioRunner setup_sleep(CLI::App& app) {
  auto options = std::make_shared<SleepOptions>();
  add_count_option(app, "--n", options->n, "how many sleeps", 1, 100000);
  add_duration_option(app, "--delay", options->delay, "how long each sleeps");
  add_choice_option(app, "--mode", options->modes,
                    "blocking (time.sleep) | async (asyncio.sleep) | threads "
                    "(asyncio.to_thread(time.sleep)) | all (the three, one after another)",
                    mode_choices());
  return [options](const RunContext& context) { return run_sleep(*options, context); };
}

}  // namespace

ScenarioEntry sleep_scenario() {
  return {kName, kLesson,
          "asyncdemo sleep\n"
          "asyncdemo sleep --n 10 --delay 500ms --mode threads\n"
          "asyncdemo sleep --mode async --check --virtual-time",
          &setup_sleep};
}

}  // namespace asyncdemo
