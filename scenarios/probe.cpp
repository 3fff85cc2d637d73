// probe: concurrent name resolution, results as they complete (as_completed).
// The total is about the slowest lookup, not the sum of them all.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/as_completed.hpp"
#include "core/resolve.hpp"
#include "core/run.hpp"
#include "core/semaphore.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/names.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "probe";
constexpr std::string_view kLesson =
    "Lookups run concurrently and are reported as they complete (as_completed), so the total "
    "is about the slowest one, not the sum of them all.";
// The virtual clock simulates time, not the resolver: said in the header of a run that asks one.
constexpr std::string_view kRealAnswers =
    " DNS answers are real, even on the virtual clock: lookups, their latencies and --timeout "
    "are in real time, so this run is not reproducible.";

struct ProbeOptions {
  std::vector<std::string> names;
  std::string from;  // a file of names, or "-" for stdin
  std::string tld = "dev";
  std::size_t limit = 10;
  Duration timeout = 5s;
  bool sequential = false;
};

struct ProbeRow {
  std::string name;
  std::string status;  // FOUND, NOT FOUND, ERROR, TIMEOUT; CANCELLED (Ctrl-C came first)
  std::string detail;  // the first address, or why not
  std::vector<std::string> addresses;
  Nanos latency_ns = 0;
};

Task<ProbeRow> probe_one(std::string name, Duration timeout, Semaphore limit) {
  ProbeRow row{name, "", "", {}, 0};
  const Permit permit = co_await limit.acquire();
  ResolveAwaiter lookup = resolve(name, timeout);  // its latency is real time, on either clock
  try {
    row.addresses = co_await lookup;
    row.status = "FOUND";
    row.detail = row.addresses.empty() ? "" : row.addresses.front();
  } catch (const NameNotFound&) {
    row.status = "NOT FOUND";
  } catch (const TemporaryFailure& error) {
    row.status = "ERROR";
    row.detail = fmt::format("temporary failure, not an answer ({})", error.what());
  } catch (const TimeoutError&) {
    row.status = "TIMEOUT";
    row.detail = fmt::format("no answer within {}", format_duration(timeout));
  } catch (const ResolveError& error) {
    row.status = "ERROR";
    row.detail = error.what();
  }
  row.latency_ns = to_nanos(lookup.latency());
  Runtime::current().note(row.detail.empty() ? row.status : row.status + " " + row.detail);
  co_return row;
}

struct ProbeRecord {
  std::vector<ProbeRow> rows;           // in submission order
  std::vector<std::size_t> completion;  // indexes, in completion order
  std::size_t max_in_flight = 0;
  Nanos answered_ns = -1;  // when the last row came in (timed-out lookups may still run)
};

Task<void> probe_main(ProbeOptions options, std::shared_ptr<ProbeRecord> record) {
  const Semaphore limit(options.limit, WaitKind::permit);
  record->rows.resize(options.names.size());
  for (std::size_t i = 0; i < options.names.size(); ++i) {
    record->rows[i].name = options.names[i];  // a row the run cuts short still says whose it is
  }
  if (options.sequential) {
    for (std::size_t i = 0; i < options.names.size(); ++i) {
      TaskHandle<ProbeRow> task =
          spawn(probe_one(options.names[i], options.timeout, limit), options.names[i]);
      record->rows[i] = co_await task;
      record->completion.push_back(i);
    }
    record->max_in_flight = std::min<std::size_t>(1, options.names.size());
    record->answered_ns = Runtime::current().now();
    co_return;
  }
  std::vector<TaskHandle<ProbeRow>> tasks;
  tasks.reserve(options.names.size());
  for (const std::string& name : options.names) {
    tasks.push_back(spawn(probe_one(name, options.timeout, limit), name));
  }
  AsCompleted<ProbeRow> pending = as_completed(std::move(tasks));
  while (pending.remaining() > 0) {
    Completed<ProbeRow> next = co_await pending.next();
    record->rows[next.index] = std::move(next.outcome).take();
    record->completion.push_back(next.index);
  }
  record->max_in_flight = limit.max_held();
  record->answered_ns = Runtime::current().now();
}

Json row_json(const ProbeRow& row) {
  Json result = {{"name", row.name},
                 {"status", row.status},
                 {"latency_s", kit::seconds(row.latency_ns)},
                 {"addresses", row.addresses}};
  if (!row.detail.empty() && row.status != "FOUND") {
    result["detail"] = row.detail;
  }
  return result;
}

// The rows of lookups that Ctrl-C cancelled before they had an answer.
void mark_cancelled(std::vector<ProbeRow>& rows) {
  for (ProbeRow& row : rows) {
    if (row.status.empty()) {
      row.status = "CANCELLED";
      row.detail = "interrupted before an answer";
    }
  }
}

// How a run's latencies relate to its clock. A lookup takes real time on either clock, so
// its latency is real; on the virtual clock, which stands still while a lookup runs, such
// latencies are off the run's time axis and do not compare with its elapsed time.
struct LatencyClock {
  bool off_axis = false;  // real lookups on the virtual clock
  double slack = 0;       // for latencies: --tolerance whenever a real lookup ran
};

LatencyClock latency_clock(const ProbeOptions& options, const RunContext& context) {
  if (std::ranges::all_of(options.names, answered_without_lookup)) {
    return {false, kit::slack(context)};  // no lookup ran: latencies are on the run's clock
  }
  return {context.runtime.clock == ClockKind::virtual_time, kit::seconds(context.tolerance)};
}

void judge(ScenarioReport& report, const ProbeOptions& options, const ProbeRecord& record,
           double slack, LatencyClock latencies) {
  std::size_t answered = 0;
  double longest = 0;
  double sum = 0;
  Json counts = Json::object();
  for (const ProbeRow& row : record.rows) {
    answered += row.status.empty() ? 0 : 1;
    longest = std::max(longest, kit::seconds(row.latency_ns));
    sum += kit::seconds(row.latency_ns);
    counts[row.status] = counts.value(row.status, 0) + 1;
  }
  Json order = Json::array();
  for (std::size_t index : record.completion) {
    order.push_back(record.rows[index].name);
  }
  report.figures["counts"] = counts;
  report.figures["completion_order"] = order;
  report.figures["sum_latency_s"] = sum;
  report.figures["slowest_s"] = longest;
  report.summary.max_in_flight = record.max_in_flight;
  const auto n = static_cast<double>(options.names.size());
  report.checks.push_back(
      kit::equals("every name got an answer (or a reason)", static_cast<double>(answered), n, ""));
  report.checks.push_back(kit::at_most("never more than --limit lookups at once",
                                       static_cast<double>(record.max_in_flight),
                                       static_cast<double>(options.limit), ""));
  report.checks.push_back(kit::at_most("no lookup ran past --timeout", longest,
                                       kit::seconds(options.timeout) + latencies.slack, "s"));
  // A lookup that timed out still holds its pool thread: getaddrinfo cannot be
  // interrupted. Like asyncio.run, which waits for its executor's threads, the
  // run ends only when they return, so the probing itself ends at the last row.
  const double answered_at = kit::seconds(record.answered_ns);
  report.figures["answered_s"] = answered_at;
  if (report.elapsed_s - answered_at > slack) {
    report.takeaways.push_back(fmt::format(
        "every name had its row by {}; the run then waited {} more for lookups it had given up "
        "on: getaddrinfo cannot be interrupted, so (as asyncio.run waits for its executor) the "
        "run ends when their threads return",
        kit::format_seconds(answered_at), kit::format_seconds(report.elapsed_s - answered_at)));
  }
  if (options.sequential) {
    return;
  }
  if (latencies.off_axis) {
    report.takeaways.push_back(fmt::format(
        "{} lookups, {} at a time: results arrived in completion order, not submission order; "
        "the slowest took {}, all of them {} together, in real time (the virtual clock stands "
        "still while a lookup runs, so the run's total says nothing about them)",
        options.names.size(), options.limit, kit::format_seconds(longest),
        kit::format_seconds(sum)));
    return;
  }
  report.checks.push_back(kit::at_most("the total stayed within the sum of the lookups",
                                       answered_at, sum + slack, "s"));
  report.takeaways.push_back(fmt::format(
      "{} lookups, {} at a time: results arrived in completion order, not submission order; "
      "the slowest took {}, all of them {} together, {} in total",
      options.names.size(), options.limit, kit::format_seconds(longest), kit::format_seconds(sum),
      kit::format_seconds(report.elapsed_s)));
}

ScenarioReport run_probe(ProbeOptions options, const RunContext& context) {
  options.names = gather_names(options.names, options.from, options.tld);
  const LatencyClock latencies = latency_clock(options, context);
  std::string lesson(kLesson);
  if (latencies.off_axis) {
    lesson += kRealAnswers;
  }
  Runtime runtime(context.runtime);
  Json params = {{"names", options.names.size()},
                 {"tld", options.tld},
                 {"limit", options.limit},
                 {"timeout", format_duration(options.timeout)},
                 {"sequential", options.sequential}};
  if (!options.from.empty()) {
    params["from"] = options.from;
  }
  ScenarioReport report = kit::begin(kName, lesson, std::move(params), context, runtime);
  auto record = std::make_shared<ProbeRecord>();
  kit::drive(report, runtime, probe_main(options, record));
  if (report.interrupted) {
    mark_cancelled(record->rows);
  }
  double total = 0;
  double longest = 0;
  for (const ProbeRow& row : record->rows) {
    total += kit::seconds(row.latency_ns);
    longest = std::max(longest, kit::seconds(row.latency_ns));
  }
  // Latencies off the run's time axis would make a speedup and an overhead of nonsense.
  if (latencies.off_axis) {
    kit::finish(report, runtime, 0, 0);
  } else {
    kit::finish(report, runtime, total, options.sequential ? total : longest);
  }
  for (const ProbeRow& row : record->rows) {
    report.results.push_back(row_json(row));
  }
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context), latencies);
  }
  return report;
}

ScenarioRunner setup_probe(CLI::App& app) {
  auto options = std::make_shared<ProbeOptions>();
  app.add_option("names", options->names,
                 "host names to resolve, all checked before the first lookup (default: the "
                 "short Python keywords + --tld, and localhost)");
  add_text_option(app, "--from", options->from, "read names from FILE, one per line ('-': stdin)",
                  "FILE");
  add_text_option(app, "--tld", options->tld, "top-level domain for the default names");
  add_count_option(app, "--limit", options->limit, "how many lookups may run at once", 1, 1000);
  add_duration_option(app, "--timeout", options->timeout, "give up on a name after this long",
                      std::chrono::milliseconds(1));
  app.add_flag("--sequential", options->sequential, "resolve one name after another, to compare");
  return [options](const RunContext& context) { return run_probe(*options, context); };
}

}  // namespace

ScenarioEntry probe_scenario() {
  return {kName, kLesson,
          "asyncdemo probe\n"
          "asyncdemo probe localhost python.org nosuchname.invalid\n"
          "asyncdemo probe --tld org --limit 5 --timeout 2s\n"
          "printf 'localhost\\nexample.invalid\\n' | asyncdemo probe --from -",
          &setup_probe};
}

}  // namespace asyncdemo
