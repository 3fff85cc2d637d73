// probe: concurrent name resolution, results as they complete (as_completed).
// The total is about the slowest lookup, not the sum of them all.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/as_completed.hpp"
#include "core/resolve.hpp"
#include "core/run.hpp"
#include "core/semaphore.hpp"
#include "scenarios/all.hpp"
#include "scenarios/fake_dns.hpp"
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
// And of a run whose answers are made up (--resolver fake): no lookup leaves the process.
constexpr std::string_view kHashedAnswers =
    " DNS answers come from the fake resolver, made up from a hash of each name (see --help): "
    "no network, and latencies on the run's own clock.";
constexpr std::string_view kHostsAnswers =
    " DNS answers come from the fake resolver (--hosts {}; a name it does not list is NOT FOUND "
    "at once): no network, and latencies on the run's own clock.";

// Where the answers come from: getaddrinfo on the thread pool (the network), or the fake
// resolver (scenarios/fake_dns.hpp). Unset: fake on the virtual clock or with --hosts.
struct ProbeOptions {
  std::vector<std::string> names;
  std::string from;  // a file of names, or "-" for stdin
  std::string tld = "dev";
  std::size_t limit = 10;
  Duration timeout = 5s;
  bool sequential = false;
  bool names_gathered = false;  // `names` holds the full list: the arguments, --from, defaults
  std::optional<ResolverKind> resolver;
  std::string hosts;  // the fake resolver's answers, a hosts file
};

// Names under .invalid are answered NOT FOUND without a lookup (core/resolve.cpp), where
// asyncio's getaddrinfo would ask the resolver. The short-cut is kept, and said in each such
// row: RFC 6761 tells resolver libraries to answer so, while glibc asks, and on a machine
// without a reachable DNS server gets "try again" (EAI_AGAIN) for a name that can never exist.
// And they are the one kind of name whose probe is instant and the same everywhere, which
// reproducible runs on the virtual clock (and the golden files) rely on. Their latencies time a
// loop iteration, not a lookup, so they stay out of the sum, the slowest and the speedup.
constexpr std::string_view kNotAsked = "not asked: .invalid names never exist (RFC 6761)";
// An answer's line lists this many addresses, then says how many more there are.
constexpr std::size_t kMaxAddressesShown = 4;

struct ProbeRow {
  std::string name;
  std::string status;  // FOUND, NOT FOUND, ERROR, TIMEOUT; CANCELLED (Ctrl-C came first)
  std::string detail;  // the first address, or why not
  std::vector<std::string> addresses;
  Nanos latency_ns = 0;
  bool asked = true;  // false: under .invalid, answered without a lookup
};

// `127.0.0.1 ::1`; an address given as the name shows what getaddrinfo made of it,
// `1.2.3 -> 1.2.0.3 (an address, not a name)`.
std::string addresses_text(const ProbeRow& row) {
  if (numeric_host(row.name) && row.addresses.size() == 1) {
    const std::string& address = row.addresses.front();
    return fmt::format("{} (an address, not a name)",
                       address == row.name ? address : row.name + " -> " + address);
  }
  std::string text;
  for (std::size_t i = 0; i < row.addresses.size() && i < kMaxAddressesShown; ++i) {
    text += (i == 0 ? "" : " ") + row.addresses[i];
  }
  if (row.addresses.size() > kMaxAddressesShown) {
    text += fmt::format(" (+{} more)", row.addresses.size() - kMaxAddressesShown);
  }
  return text;
}

// The event log's line for one answer (the scenario's lesson_events): `FOUND in 1.23ms:
// 127.0.0.1 ::1`, `NOT FOUND in 3.1ms`, `ERROR in 2ms: why`, `TIMEOUT: no answer within 5s`,
// `NOT FOUND, not asked: ...`.
std::string answer_note(const ProbeRow& row) {
  if (!row.asked) {
    return fmt::format("{}, {}", row.status, row.detail);
  }
  if (row.status == "TIMEOUT") {
    return fmt::format("{}: {}", row.status, row.detail);
  }
  std::string note = fmt::format("{} in {}", row.status, format_measured(row.latency_ns));
  const std::string what = row.status == "FOUND" ? addresses_text(row) : row.detail;
  return what.empty() ? note : note + ": " + what;
}

Task<ProbeRow> probe_one(std::string name, Duration timeout, Semaphore limit) {
  ProbeRow row{name, "", "", {}, 0, !answered_without_lookup(name)};
  const Permit permit = co_await limit.acquire();
  // Its latency is real time on either clock; the fake resolver's, the run's own clock.
  ResolveAwaiter lookup = resolve(name, timeout);
  try {
    row.addresses = co_await lookup;
    row.status = "FOUND";
    row.detail = row.addresses.empty() ? "" : row.addresses.front();
  } catch (const NameNotFound&) {
    row.status = "NOT FOUND";
    row.detail = row.asked ? "" : std::string(kNotAsked);
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
  Runtime::current().note(answer_note(row));
  co_return row;
}

// What probe's event log shows (ScenarioEntry::lesson_events): each name's answer as it
// arrives (its note), or its task's end when no answer came (Ctrl-C cancelled it).
bool is_answer(const Event& event, const Timeline& timeline) {
  const bool of_a_name = timeline.parent(event.task) != kNoParent;
  return of_a_name && (event.kind == EventKind::note || event.kind == EventKind::cancelled ||
                       event.kind == EventKind::failed);
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
  if (!row.asked) {
    result["asked"] = false;  // answered without a lookup: its latency is not one
  }
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
// latencies are off the run's time axis and do not compare with its elapsed time. The fake
// resolver's answers wait on the run's own clock, on its time axis.
struct LatencyClock {
  bool off_axis = false;  // real lookups on the virtual clock
  double slack = 0;       // for latencies: --tolerance whenever a real lookup ran
};

LatencyClock latency_clock(const ProbeOptions& options, const RunContext& context) {
  if (std::ranges::all_of(options.names, answered_without_lookup) ||
      options.resolver == ResolverKind::fake) {
    return {false, kit::slack(context)};  // no real lookup: latencies are on the run's clock
  }
  return {context.runtime.clock == ClockKind::virtual_time, kit::seconds(context.tolerance)};
}

// The answers, counted: the figures that say what a probe found.
struct Tally {
  std::size_t found = 0;
  std::size_t not_found = 0;
  std::size_t errors = 0;
  std::size_t timeouts = 0;
  std::size_t cancelled = 0;
  std::size_t not_asked = 0;  // of not_found: under .invalid, answered without a lookup
  std::vector<std::string> found_names;
};

Tally tally(const std::vector<ProbeRow>& rows) {
  Tally t;
  for (const ProbeRow& row : rows) {
    if (row.status == "FOUND") {
      ++t.found;
      t.found_names.push_back(row.name);
    } else if (row.status == "NOT FOUND") {
      ++t.not_found;
      t.not_asked += row.asked ? 0 : 1;
    } else if (row.status == "TIMEOUT") {
      ++t.timeouts;
    } else if (row.status == "ERROR") {
      ++t.errors;
    } else {
      ++t.cancelled;  // CANCELLED, or a row the run never reached
    }
  }
  return t;
}

Json tally_json(const Tally& t) {
  return {{"found", t.found},       {"not_found", t.not_found}, {"errors", t.errors},
          {"timeouts", t.timeouts}, {"cancelled", t.cancelled}, {"not_asked", t.not_asked}};
}

std::string count_of(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

// `19 names: 1 found (localhost), 18 not found, 0 errors, 0 timeouts`.
std::string tally_sentence(const Tally& t, std::size_t names) {
  constexpr std::size_t kMaxFoundNamed = 5;
  std::string found = fmt::format("{} found", t.found);
  if (t.found > 0 && t.found <= kMaxFoundNamed) {
    std::string names_found;
    for (const std::string& name : t.found_names) {
      names_found += (names_found.empty() ? "" : ", ") + name;
    }
    found += " (" + names_found + ")";
  }
  std::string text =
      fmt::format("{}: {}, {} not found, {}, {}", count_of(names, "name"), found, t.not_found,
                  count_of(t.errors, "error"), count_of(t.timeouts, "timeout"));
  return t.cancelled == 0 ? text : text + fmt::format(", {} cancelled", t.cancelled);
}

// The latencies of real lookups: names answered without one are left out.
struct Latencies {
  double sum_s = 0;
  double slowest_s = 0;
  std::vector<Nanos> each_ns;  // in submission order
};

Latencies lookup_latencies(const std::vector<ProbeRow>& rows) {
  Latencies l;
  l.each_ns.reserve(rows.size());
  for (const ProbeRow& row : rows) {
    if (row.asked) {
      l.each_ns.push_back(row.latency_ns);
      l.sum_s += kit::seconds(row.latency_ns);
      l.slowest_s = std::max(l.slowest_s, kit::seconds(row.latency_ns));
    }
  }
  return l;
}

bool in_submission_order(const std::vector<std::size_t>& completion) {
  return std::ranges::is_sorted(completion);
}

void judge(ScenarioReport& report, const ProbeOptions& options, const ProbeRecord& record,
           double slack, LatencyClock latencies) {
  const auto answered = static_cast<std::size_t>(
      std::ranges::count_if(record.rows, [](const ProbeRow& row) { return !row.status.empty(); }));
  const Latencies lookups = lookup_latencies(record.rows);
  const double longest = lookups.slowest_s;
  const double sum = lookups.sum_s;
  Json order = Json::array();
  for (std::size_t index : record.completion) {
    order.push_back(record.rows[index].name);
  }
  const Tally counts = tally(record.rows);
  report.takeaways.push_back(tally_sentence(counts, record.rows.size()));
  if (counts.not_asked > 0) {
    report.takeaways.push_back(fmt::format(
        "{} under .invalid answered NOT FOUND without asking the resolver: RFC 6761 reserves "
        "that domain for names that never exist (asyncio's getaddrinfo would ask, and offline "
        "be told \"try again\"); {} left out of the latencies and the speedup",
        counts.not_asked == 1 ? "1 name" : fmt::format("{} names", counts.not_asked),
        counts.not_asked == 1 ? "it is" : "they are"));
  }
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
        format_seconds(answered_at), format_seconds(report.elapsed_s - answered_at)));
  }
  if (options.sequential) {
    return;
  }
  if (!latencies.off_axis) {
    report.checks.push_back(kit::at_most("the total stayed within the sum of the lookups",
                                         answered_at, sum + slack, "s"));
  }
  const auto asked = static_cast<std::size_t>(
      std::ranges::count_if(record.rows, [](const ProbeRow& row) { return row.asked; }));
  if (asked == 0) {
    return;  // nothing was looked up: no latencies to speak of
  }
  const std::string arrived = fmt::format(
      "{}, {} at a time: results arrived in completion order{}; the slowest took {}, all of them "
      "{} together",
      asked == 1 ? "1 lookup" : fmt::format("{} lookups", asked), options.limit,
      in_submission_order(record.completion) ? ", which here was the submission order"
                                             : ", not submission order",
      format_measured(kit::nanos(longest)), format_measured(kit::nanos(sum)));
  report.takeaways.push_back(
      latencies.off_axis
          ? arrived +
                ", in real time (the virtual clock stands still while a lookup runs, so the run's "
                "total says nothing about them)"
          : fmt::format("{}, {} in total", arrived, format_seconds(report.elapsed_s)));
}

// The resolver the options ask for: --resolver, else fake on the virtual clock or with --hosts.
ResolverKind chosen_resolver(const ProbeOptions& options, const RunContext& context) {
  if (options.resolver == ResolverKind::system && !options.hosts.empty()) {
    throw UsageError(
        "--hosts gives the fake resolver its answers; it does not go with --resolver system");
  }
  if (options.resolver.has_value()) {
    return *options.resolver;
  }
  const bool virtual_time = context.runtime.clock == ClockKind::virtual_time;
  return virtual_time || !options.hosts.empty() ? ResolverKind::fake : ResolverKind::system;
}

// What the header adds to the lesson about where the answers came from, if any name was asked.
std::string answers_sentence(const ProbeOptions& options, const LatencyClock& latencies) {
  if (std::ranges::all_of(options.names, answered_without_lookup)) {
    return "";
  }
  if (options.resolver == ResolverKind::fake) {
    return options.hosts.empty() ? std::string(kHashedAnswers)
                                 : fmt::format(fmt::runtime(kHostsAnswers), options.hosts);
  }
  return latencies.off_axis ? std::string(kRealAnswers) : "";
}

// `options.names` already gathered (setup_probe's runner).
ScenarioReport run_probe(ProbeOptions options, const RunContext& context) {
  options.resolver = chosen_resolver(options, context);
  RuntimeOptions runtime_options = context.runtime;
  if (options.resolver == ResolverKind::fake) {
    runtime_options.fake_resolver = load_fake_resolver(options.hosts);
  }
  const LatencyClock latencies = latency_clock(options, context);
  const std::string lesson = std::string(kLesson) + answers_sentence(options, latencies);
  Runtime runtime(std::move(runtime_options));
  Json params = {{"names", options.names.size()},
                 {"tld", options.tld},
                 {"limit", options.limit},
                 {"timeout", format_duration(options.timeout)},
                 {"sequential", options.sequential},
                 {"resolver", name_of_choice(resolver_choices(), options.resolver)}};
  if (!options.from.empty()) {
    params["from"] = options.from;
  }
  if (!options.hosts.empty()) {
    params["hosts"] = options.hosts;
  }
  // Each lookup's task is named after the name it looks up.
  const auto longest_name = std::ranges::max_element(options.names, {}, &std::string::size);
  ScenarioReport report =
      kit::begin(kName, lesson, std::move(params), context, runtime,
                 longest_name != options.names.end() ? *longest_name : std::string());
  auto record = std::make_shared<ProbeRecord>();
  kit::drive(report, runtime, probe_main(options, record));
  if (report.interrupted) {
    mark_cancelled(record->rows);
  }
  const Latencies lookups = lookup_latencies(record->rows);
  // Latencies off the run's time axis would make a speedup and an overhead of nonsense.
  if (latencies.off_axis) {
    kit::finish(report, runtime, 0, 0);
  } else {
    // The ideal: the same lookups, --limit at a time in the order they were asked (or one
    // after another), each taking what it took.
    kit::finish(
        report, runtime, lookups.sum_s,
        kit::seconds(kit::shortest_run(lookups.each_ns, options.sequential ? 1 : options.limit)));
  }
  for (const ProbeRow& row : record->rows) {
    report.results.push_back(row_json(row));
  }
  // What each name got, counted: facts of the run, so an interrupted one has them too.
  report.figures["counts"] = tally_json(tally(record->rows));
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
  add_choice_option(app, "--resolver", options->resolver,
                    "where answers come from: system (getaddrinfo on the thread pool: the "
                    "network) or fake (made up, no network: from --hosts, else localhost and IP "
                    "literals found at once, .invalid names not found, and every other name "
                    "found (about 2 in 3, at a 198.51.100.x address) or not found after 20ms to "
                    "200ms, both decided by a hash of the name) (default: fake with "
                    "--virtual-time or --hosts, else system)",
                    resolver_choices());
  add_text_option(app, "--hosts", options->hosts,
                  "the fake resolver's answers, one name a line: NAME LATENCY OUTCOME "
                  "[ADDRESS...], OUTCOME found, not-found, temporary-failure or no-answer "
                  "(a name not listed is not found at once)",
                  "FILE");
  return [options](const RunContext& context) {
    // Gathered once for every run of --repeat: `--from -` reads stdin, which a second run
    // would find empty.
    if (!options->names_gathered) {
      options->names = gather_names(options->names, options->from, options->tld);
      options->names_gathered = true;
    }
    return run_probe(*options, context);
  };
}

}  // namespace

ScenarioEntry probe_scenario() {
  return {kName, kLesson,
          "asyncdemo probe\n"
          "asyncdemo probe localhost python.org nosuchname.invalid\n"
          "asyncdemo probe ::1 1.2.3 localhost\n"
          "asyncdemo probe --tld org --limit 5 --timeout 2s\n"
          "asyncdemo probe --resolver fake localhost python.org nosuchname.example\n"
          "asyncdemo probe --resolver fake --limit 3 --sequential\n"
          "printf 'localhost\\nexample.invalid\\n' | asyncdemo probe --from -",
          &setup_probe, &is_answer};
}

}  // namespace asyncdemo
