// retry: transient errors, exponential backoff and jitter. N clients call a flaky service that
// serves K calls per window and turns the rest away. Each client retries after a backoff that
// doubles with every failure: without jitter the clients that failed together retry together, a
// thundering herd that hits the service in waves and wastes the windows between them; with
// jitter their retries spread out and more of them get through, sooner.
//
// The asyncio program it mirrors (tests/parity/retry.py):
//
//     async def client(i):
//         for attempt in itertools.count(1):
//             answer = service.call(loop.time() - start, i, attempt)
//             await asyncio.sleep(latency)                  # the round trip
//             if answer == "served":
//                 return attempt
//             if attempt == max_attempts:
//                 raise ServiceUnavailable(...)             # gives up
//             await asyncio.sleep(backoff(i, attempt))      # base * 2**(attempt-1), jittered
//
//     await asyncio.gather(*(client(i) for i in clients), return_exceptions=True)

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "scenarios/all.hpp"
#include "scenarios/backoff.hpp"
#include "scenarios/flaky_service.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "retry";
constexpr std::string_view kLesson =
    "Retrying after an exponentially growing wait eases a failing service's load; random "
    "jitter keeps the retries from arriving all together, so more of them get through, sooner.";

// How wide the busiest moment is measured: a herd's attempts arrive within microseconds.
constexpr Nanos kBurstWidth = 10'000'000;  // 10ms
// Past this many windows, the histogram line ends with "...": the figure keeps them all.
constexpr std::size_t kWindowsShown = 16;

std::string_view name_of(Jitter jitter) {
  switch (jitter) {
    case Jitter::none: return "none";
    case Jitter::full: return "full";
    case Jitter::equal: return "equal";
  }
  return "?";
}

// --jitter's choices: each alone, or the three one after another.
std::vector<std::pair<std::string, std::vector<Jitter>>> jitter_choices() {
  return each_or_all<Jitter>(
      {{"none", Jitter::none}, {"full", Jitter::full}, {"equal", Jitter::equal}});
}

struct RetryOptions {
  std::size_t n = 10;
  std::size_t capacity = 1;
  Duration window = 100ms;
  Duration latency = 10ms;
  double error_rate = 0;
  std::size_t seed = 1;
  Duration base = 100ms;
  std::size_t max_attempts = 6;
  Duration cap = 5s;
  std::vector<Jitter> modes = jitter_choices().back().second;  // all
};

// A client gave up: every attempt it was allowed failed.
class ServiceUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One call as the client saw it, times from the phase's start.
struct Attempt {
  std::size_t client = 0;  // 1-based
  std::size_t number = 0;  // 1 for the first call
  Nanos arrived_ns = 0;
  Nanos answered_ns = 0;
  Answer answer = Answer::served;
};

// One jitter mode's run: its own service, its own clients, its own windows.
struct Phase {
  Phase(Jitter mode, const RetryOptions& options, Nanos start)
      : jitter(mode),
        service(FlakyServiceOptions{options.capacity, to_nanos(options.window), options.error_rate,
                                    options.seed}),
        start_ns(start) {}

  Jitter jitter;
  FlakyService service;
  Nanos start_ns;
  Nanos end_ns = 0;
  std::vector<Attempt> attempts;  // in the order the calls arrived
};

std::string answer_text(Answer answer) {
  switch (answer) {
    case Answer::served: return "answered";
    case Answer::turned_away: return "turned away (over capacity)";
    case Answer::error: return "failed (a transient error)";
  }
  return "?";
}

Task<std::size_t> retrying_client(std::size_t id, BackoffPolicy policy, RetryOptions options,
                                  std::shared_ptr<Phase> phase) {
  Runtime& runtime = Runtime::current();
  for (std::size_t attempt = 1;; ++attempt) {
    Attempt call{id, attempt, runtime.now() - phase->start_ns, 0, Answer::served};
    call.answer = phase->service.call(call.arrived_ns, id, attempt);
    co_await sleep(options.latency);  // the round trip
    call.answered_ns = runtime.now() - phase->start_ns;
    phase->attempts.push_back(call);
    if (call.answer == Answer::served) {
      runtime.note(fmt::format("attempt {}: answered", attempt));
      co_return attempt;
    }
    if (attempt == options.max_attempts) {
      runtime.note(fmt::format("attempt {}: {}; giving up", attempt, answer_text(call.answer)));
      throw ServiceUnavailable(fmt::format("gave up after {}", kit::count_of(attempt, "attempt")));
    }
    const Nanos wait = backoff_wait(policy, id, attempt);
    runtime.note(fmt::format("attempt {}: {}; retrying in {}", attempt, answer_text(call.answer),
                             format_measured(wait)));
    co_await sleep(Duration(wait));
  }
}

Task<void> run_phase(Jitter jitter, RetryOptions options,
                     std::shared_ptr<std::vector<std::shared_ptr<Phase>>> phases) {
  Runtime& runtime = Runtime::current();
  auto phase = std::make_shared<Phase>(jitter, options, runtime.now());
  phases->push_back(phase);
  const BackoffPolicy policy{to_nanos(options.base), to_nanos(options.cap), jitter, options.seed};
  std::vector<TaskHandle<std::size_t>> clients;
  clients.reserve(options.n);
  for (std::size_t i = 1; i <= options.n; ++i) {
    clients.push_back(
        spawn(retrying_client(i, policy, options, phase), kit::numbered_name(name_of(jitter), i)));
  }
  // return_exceptions=True: a client that gave up is an answer too, not the end of the run.
  co_await gather(std::move(clients), OnError::collect);
  phase->end_ns = runtime.now();
}

Task<void> retry_main(RetryOptions options,
                      std::shared_ptr<std::vector<std::shared_ptr<Phase>>> phases) {
  for (const Jitter jitter : options.modes) {
    co_await run_phase(jitter, options, phases);
  }
}

// ---- what the record shows ----------------------------------------------------------------

// Each client's calls, in order, from the phase's record.
struct ClientRecord {
  std::size_t attempts = 0;
  bool answered = false;
  Nanos done_ns = 0;  // when its last call was answered (or turned away, and it gave up)
};

// Every client's record, indexed by its number (1 to n; 0 unused).
std::vector<ClientRecord> client_records(const Phase& phase, std::size_t n) {
  std::vector<ClientRecord> clients(n + 1);
  for (const Attempt& call : phase.attempts) {
    ClientRecord& client = clients[call.client];
    client.attempts = std::max(client.attempts, call.number);
    client.answered = call.answer == Answer::served;
    client.done_ns = call.answered_ns;
  }
  return clients;
}

// The most retries that arrived within any kBurstWidth. First calls are left out: every client
// makes its first at the start, whatever the jitter.
std::size_t busiest_retries(const std::vector<Attempt>& attempts) {
  std::vector<Nanos> arrivals;  // in arrival order: already sorted
  for (const Attempt& call : attempts) {
    if (call.number > 1) {
      arrivals.push_back(call.arrived_ns);
    }
  }
  std::size_t most = 0;
  std::size_t from = 0;
  for (std::size_t to = 0; to < arrivals.size(); ++to) {
    while (arrivals[to] - arrivals[from] >= kBurstWidth) {
      ++from;
    }
    most = std::max(most, to - from + 1);
  }
  return most;
}

struct PhaseFigures {
  std::size_t attempts = 0;
  std::size_t answered = 0;  // clients
  std::size_t gave_up = 0;   // clients
  std::size_t turned_away = 0;
  std::size_t errors = 0;
  std::size_t most_attempts = 0;  // by one client
  std::size_t busiest = 0;        // retries within kBurstWidth
  std::vector<std::size_t> calls_per_window;
  std::vector<std::size_t> served_per_window;  // calls that took a token, errors included
  Nanos p50_done_ns = 0;
  Nanos p99_done_ns = 0;
  Nanos last_done_ns = 0;
  Nanos worst_outside_backoff_ns = 0;  // how far a retry fell outside its backoff's bounds
};

PhaseFigures measure(const Phase& phase, const RetryOptions& options, Nanos slack_ns) {
  PhaseFigures f;
  const BackoffPolicy policy{to_nanos(options.base), to_nanos(options.cap), phase.jitter,
                             options.seed};
  std::vector<Nanos> answered_at(options.n + 1, -1);  // each client's previous answer
  for (const Attempt& call : phase.attempts) {
    ++f.attempts;
    const std::size_t window = phase.service.window_of(call.arrived_ns);
    if (f.calls_per_window.size() <= window) {
      f.calls_per_window.resize(window + 1);
      f.served_per_window.resize(window + 1);
    }
    ++f.calls_per_window[window];
    if (call.answer != Answer::turned_away) {
      ++f.served_per_window[window];
    }
    f.turned_away += call.answer == Answer::turned_away ? 1 : 0;
    f.errors += call.answer == Answer::error ? 1 : 0;
    if (call.number > 1) {  // a retry: did it wait what its backoff allows?
      const Nanos waited = call.arrived_ns - answered_at[call.client];
      const BackoffBounds bounds = backoff_bounds(policy, call.number - 1);
      const Nanos outside =
          std::max({Nanos{0}, bounds.low_ns - waited, waited - (bounds.high_ns + slack_ns)});
      f.worst_outside_backoff_ns = std::max(f.worst_outside_backoff_ns, outside);
    }
    answered_at[call.client] = call.answered_ns;
  }
  const std::vector<ClientRecord> clients = client_records(phase, options.n);
  std::vector<Nanos> done;
  for (std::size_t id = 1; id <= options.n; ++id) {
    const ClientRecord& client = clients[id];
    f.answered += client.answered ? 1 : 0;
    f.gave_up += client.answered ? 0 : 1;
    f.most_attempts = std::max(f.most_attempts, client.attempts);
    done.push_back(client.done_ns);
  }
  f.busiest = busiest_retries(phase.attempts);
  f.p50_done_ns = kit::nearest_rank(done, 0.50);
  f.p99_done_ns = kit::nearest_rank(done, 0.99);
  f.last_done_ns = kit::nearest_rank(done, 1.0);
  return f;
}

// "31 7 0 4": the calls in each window, the first kWindowsShown of them.
std::string histogram(const std::vector<std::size_t>& per_window) {
  const std::size_t shown = std::min(per_window.size(), kWindowsShown);
  std::string line = fmt::format(
      "{}", fmt::join(per_window.begin(), per_window.begin() + static_cast<long>(shown), " "));
  return per_window.size() > shown ? line + " ..." : line;
}

// The claim on the waits, in the words of each jitter: measured as how far a retry fell outside.
std::string backoff_rule(Jitter jitter) {
  switch (jitter) {
    case Jitter::none: return "each retry waited its whole backoff, base x 2^(k-1) up to --cap";
    case Jitter::full: return "each retry waited between 0 and its backoff";
    case Jitter::equal: break;
  }
  return "each retry waited between half its backoff and all of it";
}

void judge_phase(ScenarioReport& report, const Phase& phase, const RetryOptions& options,
                 double slack) {
  const PhaseFigures f = measure(phase, options, kit::nanos(slack));
  const std::string mode(name_of(phase.jitter));
  report.figures["modes"][mode] = {
      {"elapsed_s", kit::seconds(phase.end_ns - phase.start_ns)},
      {"attempts", f.attempts},
      {"answered", f.answered},
      {"gave_up", f.gave_up},
      {"turned_away", f.turned_away},
      {"errors", f.errors},
      {"busiest_10ms_retries", f.busiest},
      {"p50_done_s", kit::seconds(f.p50_done_ns)},
      {"p99_done_s", kit::seconds(f.p99_done_ns)},
      {"last_done_s", kit::seconds(f.last_done_ns)},
      {"calls_per_window", f.calls_per_window},
      {"served_per_window", f.served_per_window},
  };
  const std::size_t most_served =
      f.served_per_window.empty() ? 0 : *std::ranges::max_element(f.served_per_window);
  report.checks.push_back(kit::at_most(mode + ": the service served at most --capacity a window",
                                       static_cast<double>(most_served),
                                       static_cast<double>(options.capacity), ""));
  report.checks.push_back(kit::at_most(mode + ": no client tried more than --max-attempts times",
                                       static_cast<double>(f.most_attempts),
                                       static_cast<double>(options.max_attempts), ""));
  report.checks.push_back(kit::at_most(mode + ": " + backoff_rule(phase.jitter),
                                       kit::seconds(f.worst_outside_backoff_ns), 0, "s"));

  std::string ended = fmt::format("{} got an answer", f.answered);
  if (f.gave_up > 0) {
    ended += fmt::format(" and {} gave up after {}", f.gave_up,
                         kit::count_of(options.max_attempts, "attempt"));
  }
  std::string refused = fmt::format("the service turned away {}", f.turned_away);
  if (f.errors > 0) {
    refused += fmt::format(" and {} failed at random", f.errors);
  }
  report.takeaways.push_back(
      fmt::format("{}: {} made {}: {}; {}. Done: half by {}, 99% by {}, all by {}", mode,
                  kit::count_of(options.n, "client"), kit::count_of(f.attempts, "attempt"), ended,
                  refused, format_measured(f.p50_done_ns), format_measured(f.p99_done_ns),
                  format_measured(f.last_done_ns)));
  report.takeaways.push_back(
      fmt::format("{}: calls per {} window: {}; the most retries in any 10ms: {}", mode,
                  format_duration(options.window), histogram(f.calls_per_window), f.busiest));
}

// "attempts / answered / all done: none 35 / 9 / 3.16s, full 24 / 10 / 2.31s, ..."
void compare_phases(ScenarioReport& report) {
  const Json& modes = report.figures["modes"];
  std::vector<std::string> parts;
  for (const auto& [mode, figures] : modes.items()) {
    parts.push_back(fmt::format("{} {} / {} / {}", mode, figures["attempts"].get<std::size_t>(),
                                figures["answered"].get<std::size_t>(),
                                format_measured(kit::nanos(figures["last_done_s"].get<double>()))));
  }
  if (parts.size() > 1) {
    report.comparisons.push_back(
        fmt::format("attempts / answered / all done: {}", fmt::join(parts, ", ")));
  }
}

ScenarioReport run_retry(const RetryOptions& options, const RunContext& context) {
  Runtime runtime(context.runtime);
  runtime.timeline().reserve_tasks(options.n * options.modes.size() + 1);
  Json params = {{"n", options.n},
                 {"capacity", options.capacity},
                 {"window", format_duration(options.window)},
                 {"latency", format_duration(options.latency)},
                 {"error_rate", options.error_rate},
                 {"seed", options.seed},
                 {"base", format_duration(options.base)},
                 {"max_attempts", options.max_attempts},
                 {"cap", format_duration(options.cap)},
                 {"jitter", name_of_choice(jitter_choices(), options.modes)}};
  std::string longest_name;
  for (const Jitter jitter : options.modes) {
    std::string name = kit::numbered_name(name_of(jitter), options.n);
    if (name.size() > longest_name.size()) {
      longest_name = std::move(name);
    }
  }
  ScenarioReport report =
      kit::begin(kName, kLesson, std::move(params), context, runtime, std::move(longest_name));
  auto phases = std::make_shared<std::vector<std::shared_ptr<Phase>>>();
  kit::drive(report, runtime, retry_main(options, phases));
  kit::finish(report, runtime);
  for (const auto& phase : *phases) {
    const std::vector<ClientRecord> clients = client_records(*phase, options.n);
    for (std::size_t id = 1; id <= options.n; ++id) {
      report.results.push_back({{"client", kit::numbered_name(name_of(phase->jitter), id)},
                                {"attempts", clients[id].attempts},
                                {"answered", clients[id].answered}});
    }
    if (!report.partial()) {  // a partial record proves nothing either way
      judge_phase(report, *phase, options, kit::slack(context));
    }
  }
  if (!report.partial()) {
    compare_phases(report);
  }
  return report;
}

ScenarioRunner setup_retry(CLI::App& app) {
  auto options = std::make_shared<RetryOptions>();
  add_count_option(app, "--n", options->n, "how many clients call the service", 1, 10000);
  add_count_option(app, "--capacity", options->capacity, "calls the service serves per window", 1,
                   kit::kMaxTasks);
  add_duration_option(app, "--window", options->window,
                      "the service's window: its capacity comes back whole at each", 1ms);
  add_duration_option(app, "--latency", options->latency, "how long each call takes");
  add_fraction_option(app, "--error-rate", options->error_rate,
                      "of the calls served, the fraction that fail at random anyway");
  add_count_option(app, "--seed", options->seed, "seeds the random errors and the jitter", 0,
                   UINT32_MAX);
  add_duration_option(app, "--base", options->base, "the first backoff; it doubles each time", 1ms);
  add_count_option(app, "--max-attempts", options->max_attempts,
                   "calls a client makes before it gives up", 1, 100);
  add_duration_option(app, "--cap", options->cap, "the longest backoff", 1ms);
  add_choice_option(app, "--jitter", options->modes,
                    "none (wait the whole backoff) | full (0 to the backoff) | equal (half, and "
                    "0 to the other half) | all (the three, one after another)",
                    jitter_choices());
  return [options](const RunContext& context) {
    if (options->cap < options->base) {
      throw UsageError(fmt::format("--cap ({}) is shorter than --base ({}): no backoff fits",
                                   format_duration(options->cap), format_duration(options->base)));
    }
    return run_retry(*options, context);
  };
}

// What the live log keeps to once the opening is shown: each call's answer (a note) and each
// client's end; and main.
bool is_answer(const Event& event, const Timeline& timeline) {
  return timeline.parent(event.task) == kNoParent || ends_task(event.kind) ||
         event.kind == EventKind::note;
}

}  // namespace

ScenarioEntry retry_scenario() {
  return {kName,
          kLesson,
          "asyncdemo retry\n"
          "asyncdemo retry --jitter none --n 10 --capacity 3 --window 1s\n"
          "asyncdemo retry --jitter full --error-rate 0.2 --seed 7\n"
          "asyncdemo retry --n 1000 --capacity 100 --quiet --virtual-time",
          &setup_retry,
          &is_answer,
          kLogOpeningLines};
}

}  // namespace asyncdemo
