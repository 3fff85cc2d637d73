// semaphore: throttling. N tasks, at most K at once; the rest queue, first
// come first served, and each task's wait shows.

#include "core/semaphore.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "semaphore";
constexpr std::string_view kLesson =
    "A Semaphore(K) lets at most K tasks in at once; the others wait their turn in order, so N "
    "tasks take ceil(N / K) rounds.";

struct SemaphoreOptions {
  std::size_t n = 10;
  std::size_t limit = 3;
  Duration delay = 1s;
};

struct SemaphoreRecord {
  std::size_t inside = 0;      // tasks holding a permit right now
  std::size_t max_inside = 0;  // counted by the tasks themselves, not by the semaphore
  std::vector<std::size_t> entry_order;
  std::vector<int> results;  // what gather returned, in submission order
};

Task<int> throttled(int id, Semaphore semaphore, Duration delay,
                    std::shared_ptr<SemaphoreRecord> record) {
  Permit permit = co_await semaphore.acquire();  // async with semaphore:
  record->entry_order.push_back(static_cast<std::size_t>(id));
  record->max_inside = std::max(record->max_inside, ++record->inside);
  co_await sleep(delay);
  --record->inside;
  co_return id;
}  // the permit goes back here, and the next in line gets it

Task<void> semaphore_main(SemaphoreOptions options, std::shared_ptr<SemaphoreRecord> record) {
  const Semaphore semaphore(options.limit);
  std::vector<TaskHandle<int>> tasks;
  tasks.reserve(options.n);
  for (std::size_t i = 1; i <= options.n; ++i) {
    const int id = static_cast<int>(i);
    tasks.push_back(
        spawn(throttled(id, semaphore, options.delay, record), kit::numbered_name("task", i)));
  }
  for (const Outcome<int>& outcome : co_await gather(std::move(tasks))) {
    record->results.push_back(outcome.value());
  }
}

// Each task's time queued for its permit, in submission order, and how many had to queue at
// all (even for no time: each queues at most once).
struct Waits {
  std::vector<double> seconds;
  std::size_t queued = 0;
};

Waits waits(const Timeline& timeline) {
  const kit::WaitTimes permits = kit::wait_times(timeline, WaitKind::permit);
  Waits result;
  result.queued = permits.count;
  for (TaskId id = 0; id < timeline.tasks().size(); ++id) {
    if (timeline.parent(id) != kNoParent) {
      result.seconds.push_back(kit::seconds(permits.by_task_ns[id]));
    }
  }
  return result;
}

bool first_come_first_served(const std::vector<std::size_t>& order) {
  return std::ranges::is_sorted(order);
}

void judge(ScenarioReport& report, const SemaphoreOptions& options, const SemaphoreRecord& record,
           double slack) {
  const double delay = kit::seconds(options.delay);
  const std::size_t rounds = (options.n + options.limit - 1) / options.limit;  // ceil(n / k)
  const double ideal = static_cast<double>(rounds) * delay;
  report.summary.max_in_flight = record.max_inside;
  report.checks.push_back(kit::at_most("never more than --limit tasks inside at once",
                                       static_cast<double>(record.max_inside),
                                       static_cast<double>(options.limit), ""));
  report.checks.push_back(
      kit::between("ceil(N / K) rounds of --delay", report.elapsed_s, ideal, ideal + slack, "s"));
  report.checks.push_back(kit::equals("permits went out first come, first served",
                                      first_come_first_served(record.entry_order) ? 1 : 0, 1, ""));
  const Waits queued = waits(report.timeline);
  const std::vector<double>& waited = queued.seconds;
  const double longest = waited.empty() ? 0 : *std::ranges::max_element(waited);
  double total = 0;
  for (double w : waited) {
    total += w;
  }
  const double mean = waited.empty() ? 0 : total / static_cast<double>(waited.size());
  report.figures["max_wait_s"] = longest;
  report.figures["mean_wait_s"] = mean;
  report.figures["waits_s"] = waited.size() <= 1000 ? Json(waited) : Json(nullptr);
  const std::size_t straight_in = options.n - std::min(options.n, queued.queued);
  if (queued.queued == 0) {
    report.takeaways.push_back(fmt::format(
        "{}, at most {} inside at once: with {} permits every task went straight in, none "
        "queued",
        kit::count_of(options.n, "task"), record.max_inside, options.limit));
    return;
  }
  report.takeaways.push_back(fmt::format(
      "{}, at most {} inside at once: {} went straight in, the other {} queued; the longest wait "
      "was {} (mean {})",
      kit::count_of(options.n, "task"), record.max_inside, straight_in, queued.queued,
      format_seconds(longest), format_seconds(mean)));
}

ScenarioReport run_semaphore(const SemaphoreOptions& options, const RunContext& context) {
  Runtime runtime(context.runtime);
  runtime.timeline().reserve_tasks(options.n + 1);
  Json params = {
      {"n", options.n}, {"limit", options.limit}, {"delay", format_duration(options.delay)}};
  ScenarioReport report = kit::begin(kName, kLesson, std::move(params), context, runtime,
                                     kit::numbered_name("task", options.n));
  auto record = std::make_shared<SemaphoreRecord>();
  kit::drive(report, runtime, semaphore_main(options, record));
  kit::finish(report, runtime);
  kit::show_work(report, options.limit);  // ideal: ceil(N / K) rounds of the work that ran
  report.results = ResultList(record->results);
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
    if (std::isfinite(report.summary.speedup)) {
      report.comparisons.push_back(kit::faster(fmt::format("limit {}", options.limit),
                                               report.elapsed_s, "one at a time",
                                               report.summary.sequential_s));
    }
  }
  return report;
}

ScenarioRunner setup_semaphore(CLI::App& app) {
  auto options = std::make_shared<SemaphoreOptions>();
  add_count_option(app, "--n", options->n, "how many tasks", 1, kit::kMaxTasks);
  add_count_option(app, "--limit", options->limit, "permits: how many may run at once", 1,
                   kit::kMaxTasks);
  add_duration_option(app, "--delay", options->delay, "how long each task holds its permit");
  return [options](const RunContext& context) { return run_semaphore(*options, context); };
}

// What the semaphore's event log keeps to once the opening is shown
// (ScenarioEntry::lesson_events): each task's turn, the await that shows it got in (`await
// sleep` once it holds a permit) and the end that gives its permit back to the next in line;
// and main.
bool is_turn(const Event& event, const Timeline& timeline) {
  const bool of_main = timeline.parent(event.task) == kNoParent;
  return of_main || ends_task(event.kind) || event.kind == EventKind::suspended ||
         event.kind == EventKind::note;
}

}  // namespace

ScenarioEntry semaphore_scenario() {
  return {kName,
          kLesson,
          "asyncdemo semaphore\n"
          "asyncdemo semaphore --n 10 --limit 3 --delay 1s\n"
          "asyncdemo semaphore --n 10000 --limit 100 --delay 10ms --quiet",
          &setup_semaphore,
          &is_turn,
          kLogOpeningLines};
}

}  // namespace asyncdemo
