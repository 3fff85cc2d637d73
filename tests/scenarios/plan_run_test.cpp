// Running plans: each step does what its asyncio construct does, on the virtual clock where
// the times are exact, and the claims hold or fail on what was recorded.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "scenarios/kit.hpp"
#include "tests/scenarios/run_scenario.hpp"
#include "tests/scratch_file.hpp"

using asyncdemo::Json;
using asyncdemo::ScenarioReport;
using asyncdemo::test::ScratchFile;
using asyncdemo::testing::all_claims_pass;
using asyncdemo::testing::run_scenario;

namespace {

ScenarioReport run_plan(const std::string& text) {
  const ScratchFile plan("plan.toml", text);
  return run_scenario("run", {plan.arg()});
}

// Each task's outcome and end, from the report's results, by name.
struct Ended {
  std::string outcome;
  double at_s = -1;
};

Ended ended(const ScenarioReport& report, const std::string& task) {
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const Json result = report.results[i];
    if (result["task"] == task) {
      return {result["outcome"].get<std::string>(),
              result["ended_s"].is_null() ? -1 : result["ended_s"].get<double>()};
    }
  }
  FAIL("no task named ", task);
  return {};
}

std::vector<std::string> notes_of(const ScenarioReport& report, const std::string& task) {
  std::vector<std::string> notes;
  const auto& timeline = report.timeline;
  for (const auto& event : timeline.events()) {
    if (event.kind == asyncdemo::EventKind::note && timeline.task(event.task).name == task) {
      notes.emplace_back(timeline.note(event.note));
    }
  }
  return notes;
}

std::vector<bool> verdicts(const ScenarioReport& report) {
  std::vector<bool> passed;
  passed.reserve(report.checks.size());
  for (const auto& check : report.checks) {
    passed.push_back(check.passed);
  }
  return passed;
}

}  // namespace

TEST_SUITE("plan") {
  TEST_CASE("sleep overlaps, block and cpu hold the loop, thread runs on the pool") {
    const ScenarioReport report = run_plan(R"(
[[task]]
name = "s"
copies = 3
steps = [{ sleep = "1s" }]
[[task]]
name = "b"
copies = 2
steps = [{ block = "200ms" }, { cpu = "100ms" }]
[[task]]
name = "t"
copies = 2
steps = [{ thread = "300ms" }]
)");
    CHECK(report.error.empty());
    CHECK(all_claims_pass(report));
    CHECK(ended(report, "s-1").at_s == doctest::Approx(1.0));
    CHECK(ended(report, "s-3").at_s == doctest::Approx(1.0));
    // The loop is held 300ms by each b, one after another.
    CHECK(ended(report, "b-1").at_s == doctest::Approx(0.3));
    CHECK(ended(report, "b-2").at_s == doctest::Approx(0.6));
    // The threads start once the loop is free of b's holds, and overlap on the pool.
    CHECK(ended(report, "t-1").at_s == doctest::Approx(0.9));
    CHECK(ended(report, "t-2").at_s == doctest::Approx(0.9));
    // block then cpu with no await between them: one step, holding the loop 300ms.
    CHECK(report.summary.max_loop_stall_s == doctest::Approx(0.3));
    CHECK(report.elapsed_s == doctest::Approx(1.0));
    CHECK(report.figures["done"] == 7);
  }

  TEST_CASE("a semaphore lets its permits through, and hold gives back on every way out") {
    const ScenarioReport report = run_plan(R"(
[semaphores]
pool = 2
[[task]]
name = "w"
copies = 5
steps = [{ hold = "pool", steps = [{ sleep = "100ms" }, { fail = "oops {n}" }] }]
[[claim]]
figure = "max_held.pool"
value = 2
)");
    CHECK(verdicts(report) == std::vector<bool>{true, true});
    CHECK(report.figures["max_held"]["pool"] == 2);
    CHECK(report.figures["failed"] == 5);
    CHECK(ended(report, "w-5").at_s == doctest::Approx(0.3));  // three waves: 2, 2, 1
    CHECK(notes_of(report, "w-3") == std::vector<std::string>{"error: oops 3"});
  }

  TEST_CASE("an acquire without its release keeps the permit: the next in line deadlocks") {
    const ScenarioReport report = run_plan(R"(
locks = ["l"]
[[task]]
name = "leaky"
steps = [{ acquire = "l" }, { sleep = "100ms" }]
[[task]]
name = "late"
steps = [{ sleep = "50ms" }, { acquire = "l" }]
[[claim]]
deadlock = true
[[claim]]
task = "late"
outcome = "cancelled"
ends = "100ms"
)");
    CHECK(verdicts(report) == std::vector<bool>{true, true});
    CHECK(ended(report, "leaky").outcome == "done");
    CHECK(notes_of(report, "leaky") == std::vector<std::string>{"ended holding l: never released"});
    CHECK(notes_of(report, "late") ==
          std::vector<std::string>{"deadlock: waits at acquire l, held by leaky"});
    CHECK(report.figures["deadlocked_at_s"].get<double>() == doctest::Approx(0.1));
  }

  TEST_CASE("two locks taken in opposite order: the deadlock is reported, never a hang") {
    const ScenarioReport report = run_plan(R"(
locks = ["a", "b"]
[[task]]
name = "one"
steps = [{ hold = "a", steps = [{ sleep = "10ms" }, { hold = "b", steps = [] }] }]
[[task]]
name = "two"
steps = [{ hold = "b", steps = [{ sleep = "10ms" }, { hold = "a", steps = [] }] }]
)");
    REQUIRE(report.checks.size() == 1);
    CHECK_FALSE(report.checks[0].passed);
    CHECK(report.checks[0].name == "no deadlock: the plan ran to its end");
    CHECK(ended(report, "one").outcome == "cancelled");
    CHECK(ended(report, "two").outcome == "cancelled");
    CHECK(notes_of(report, "one") ==
          std::vector<std::string>{"deadlock: waits at acquire b, held by two"});
    REQUIRE_FALSE(report.takeaways.empty());
    CHECK(report.takeaways.back().starts_with("deadlock at 10ms: nothing could run again"));
  }

  TEST_CASE("a queue: get waits for a put, put waits for room") {
    const ScenarioReport report = run_plan(R"(
[queues]
q = 1
[[task]]
name = "producer"
steps = [{ put = "q", item = "a" }, { put = "q", item = "b" }, { put = "q", item = "c" }]
[[task]]
name = "consumer"
steps = [{ sleep = "1s" }, { get = "q" }, { sleep = "1s" }, { get = "q" }, { get = "q" }]
)");
    CHECK(all_claims_pass(report));
    CHECK(notes_of(report, "consumer") == std::vector<std::string>{"got a", "got b", "got c"});
    CHECK(ended(report, "producer").at_s == doctest::Approx(2.0));  // c found room at 2s
    CHECK(report.figures["max_size"]["q"] == 1);
  }

  TEST_CASE("gather's three error policies") {
    const std::string children = R"(
[[task]]
name = "ok"
copies = 2
steps = [{ sleep = "1s" }]
[[task]]
name = "bad"
steps = [{ sleep = "100ms" }, { fail = "boom" }]
)";
    SUBCASE("propagate: the error at once, the others run on") {
      // `watcher` keeps main (and so the run) going: once main returns, asyncio.run cancels
      // what is left, and so does asyncdemo.
      const ScenarioReport report = run_plan(
          "[[task]]\nname = \"p\"\nsteps = [{ gather = [\"ok\", \"bad\"] }]\n"
          "[[task]]\nname = \"watcher\"\nsteps = [{ sleep = \"2s\" }]\n" +
          children);
      CHECK(ended(report, "p").outcome == "failed");
      CHECK(ended(report, "p").at_s == doctest::Approx(0.1));
      CHECK(ended(report, "ok-1").outcome == "done");
      CHECK(ended(report, "ok-1").at_s == doctest::Approx(1.0));
    }
    SUBCASE("return_exceptions: the errors come back as results") {
      const ScenarioReport report = run_plan(
          "[[task]]\nname = \"p\"\nsteps = [{ gather = [\"ok\", \"bad\"], return_exceptions = "
          "true }]\n" +
          children);
      CHECK(ended(report, "p").outcome == "done");
      CHECK(ended(report, "p").at_s == doctest::Approx(1.0));
      CHECK(notes_of(report, "p") == std::vector<std::string>{"bad returned an error: boom"});
    }
    SUBCASE("taskgroup: the first error cancels the others, then is raised") {
      const ScenarioReport report = run_plan(
          "[[task]]\nname = \"p\"\nsteps = [{ taskgroup = [\"ok\", \"bad\"] }]\n" + children);
      CHECK(ended(report, "p").outcome == "failed");
      CHECK(ended(report, "ok-2").outcome == "cancelled");
      CHECK(ended(report, "ok-2").at_s == doctest::Approx(0.1));
    }
  }

  TEST_CASE("as_completed takes the children in the order they end, and order claims check it") {
    const ScenarioReport report = run_plan(R"(
[[task]]
name = "p"
steps = [{ as_completed = ["slow", "fast"] }]
[[task]]
name = "slow"
steps = [{ sleep = "300ms" }, { fail = "late" }]
[[task]]
name = "fast"
steps = [{ sleep = "100ms" }]
[[claim]]
order = ["fast", "slow", "p"]
[[claim]]
order = ["slow", "fast"]
)");
    CHECK(notes_of(report, "p") == std::vector<std::string>{"fast done", "slow raised late"});
    CHECK(verdicts(report) == std::vector<bool>{true, true, false});
    CHECK(report.checks[2].expected == "== 2 in place; they ended fast, slow");
  }

  TEST_CASE("wait_for cancels its block at the deadline and waits for the cleanup") {
    const ScenarioReport report = run_plan(R"(
[[task]]
name = "caller"
steps = [
  { wait_for = [{ sleep = "10s" }], timeout = "1s", cleanup = [{ sleep = "200ms" }] },
  { sleep = "5s" },
]
[[task]]
name = "patient"
steps = [
  { wait_for = [{ sleep = "100ms" }], timeout = "1s", name = "quick" },
  { wait_for = [{ sleep = "2s" }], timeout = "500ms", on_timeout = "continue" },
  { sleep = "1s" },
]
[[claim]]
task = "caller"
outcome = "failed"
ends = "1.2s"
[[claim]]
task = "patient"
outcome = "done"
ends = "1.6s"
[[claim]]
figure = "timeouts"
value = 2
)");
    CHECK(all_claims_pass(report));
    CHECK(ended(report, "caller.wait_for").outcome == "cancelled");
    CHECK(ended(report, "quick").outcome == "done");
    CHECK(notes_of(report, "caller.wait_for") ==
          std::vector<std::string>{"cancelled: running its cleanup"});
  }

  TEST_CASE("cancel after a delay: a running task, one already ended, and copies by template") {
    const ScenarioReport report = run_plan(R"(
[[task]]
name = "canceller"
steps = [{ cancel = "victim", after = "500ms" }, { cancel = "quick", after = "500ms" }]
[[task]]
name = "victim"
copies = 2
steps = [{ sleep = "10s" }]
[[task]]
name = "quick"
steps = [{ sleep = "100ms" }]
[[claim]]
task = "victim"
outcome = "cancelled"
ends = "500ms"
)");
    CHECK(all_claims_pass(report));
    CHECK(notes_of(report, "canceller") ==
          std::vector<std::string>{"cancel victim: 2 cancelled",
                                   "cancel quick: it had already ended"});
    CHECK(report.elapsed_s == doctest::Approx(1.0));
  }

  TEST_CASE(
      "spawn then await: the child's error is the parent's, and releasing what is not held fails") {
    const ScenarioReport report = run_plan(R"(
locks = ["l"]
[[task]]
name = "parent"
steps = [{ spawn = "child" }, { sleep = "1s" }, { await = "child" }]
[[task]]
name = "child"
steps = [{ release = "l" }]
)");
    CHECK(ended(report, "child").outcome == "failed");
    CHECK(ended(report, "child").at_s == doctest::Approx(0.0));
    CHECK(ended(report, "parent").outcome == "failed");
    CHECK(ended(report, "parent").at_s == doctest::Approx(1.0));
    CHECK(notes_of(report, "child") ==
          std::vector<std::string>{"error: release l: this task does not hold it"});
  }

  TEST_CASE("resolve answers from the plan's [hosts]: each outcome, exact, with no network") {
    const ScenarioReport report = run_plan(R"(
[hosts]
"found.example" = { latency = "50ms" }
"gone.example" = { latency = "20ms", outcome = "not-found" }
"flaky.example" = { latency = "30ms", outcome = "temporary-failure" }
"silent.example" = { outcome = "no-answer" }
[[task]]
name = "look"
each = ["found", "gone", "flaky", "silent", "unlisted"]
steps = [{ resolve = "{each}.example", timeout = "1s" }]
)");
    CHECK(report.params["resolver"] == "fake");
    CHECK(ended(report, "look-found").outcome == "done");
    CHECK(ended(report, "look-found").at_s == doctest::Approx(0.05));
    CHECK(notes_of(report, "look-found") == std::vector<std::string>{"found.example: 192.0.2.1"});
    CHECK(ended(report, "look-gone").outcome == "failed");
    CHECK(ended(report, "look-gone").at_s == doctest::Approx(0.02));
    CHECK(ended(report, "look-flaky").outcome == "failed");
    CHECK(ended(report, "look-silent").outcome == "failed");  // TimeoutError at its 1s
    CHECK(ended(report, "look-silent").at_s == doctest::Approx(1.0));
    CHECK(ended(report, "look-unlisted").outcome == "failed");  // not found, at once
    CHECK(ended(report, "look-unlisted").at_s == doctest::Approx(0.0));
  }

  TEST_CASE("claims fail on what was measured, with the real figure") {
    const ScenarioReport report = run_plan(R"(
[[task]]
name = "t"
copies = 3
steps = [{ sleep = "1s" }]
[[claim]]
elapsed = { max = "500ms" }
[[claim]]
max_in_flight = { min = 5 }
[[claim]]
figure = "speedup"
value = { min = 2.9, max = 3.1 }
[[claim]]
task = "t"
outcome = "failed"
[[claim]]
name = "my own words"
figure = "cancelled"
value = 0
)");
    CHECK(verdicts(report) == std::vector<bool>{true, false, false, true, false, true});
    CHECK(report.checks[1].measured == doctest::Approx(1.0));
    CHECK(report.checks[1].name == "the run took at most 500ms");
    CHECK(report.checks[2].measured == 3);  // the plan's tasks: main is not counted
    CHECK(report.checks[3].measured == doctest::Approx(3.0));
    CHECK(report.checks[4].measured == 0);  // none of the three failed
    CHECK(report.checks[5].name == "my own words");
  }
}

namespace {

// A plan drawn at random from `seed`: a few templates of random steps over one semaphore, one
// lock and one bounded queue, each template starting only later ones (so none starts itself).
// Ties are common (durations are multiples of 100ms), and so are failures, timeouts, cancels
// and deadlocks (a get nobody answers, a lock never released).
std::string random_plan(std::uint64_t seed) {
  std::mt19937_64 draw(seed);
  const auto pick = [&draw](std::size_t n) { return static_cast<std::size_t>(draw() % n); };
  const auto duration = [&] { return fmt::format("{}ms", 100 * pick(4)); };
  const std::size_t templates = 2 + pick(4);
  std::string text = "locks = [\"lock\"]\n[semaphores]\npool = 2\n[queues]\nq = 1\n";
  for (std::size_t t = 0; t < templates; ++t) {
    std::vector<std::string> steps;
    const std::size_t count = 1 + pick(4);
    for (std::size_t s = 0; s < count; ++s) {
      const std::string later =
          t + 1 < templates ? fmt::format("t{}", t + 1 + pick(templates - t - 1)) : "";
      switch (pick(12)) {
        case 0: steps.push_back(fmt::format(R"({{ block = "{}" }})", duration())); break;
        case 1:
          steps.push_back(
              fmt::format(R"({{ hold = "pool", steps = [{{ sleep = "{}" }}] }})", duration()));
          break;
        case 2: steps.emplace_back(R"({ acquire = "lock" })"); break;
        case 3: steps.emplace_back(R"({ put = "q" })"); break;
        case 4: steps.emplace_back(R"({ get = "q" })"); break;
        case 5: steps.emplace_back(R"({ fail = "boom {n}" })"); break;
        case 6:
          steps.push_back(fmt::format(
              R"({{ wait_for = [{{ sleep = "{}" }}], timeout = "{}", cleanup = [{{ sleep = "{}" }}], on_timeout = "{}" }})",
              duration(), duration(), duration(), pick(2) == 0 ? "raise" : "continue"));
          break;
        case 7:
          if (!later.empty()) {
            steps.push_back(
                fmt::format(R"({{ gather = "{}", return_exceptions = {} }})", later, pick(2) == 0));
            break;
          }
          [[fallthrough]];
        case 8:
          if (!later.empty()) {
            steps.push_back(fmt::format(R"({{ taskgroup = "{}" }})", later));
            break;
          }
          [[fallthrough]];
        case 9:
          if (!later.empty()) {
            steps.push_back(fmt::format(R"({{ as_completed = "{}" }})", later));
            break;
          }
          [[fallthrough]];
        case 10:
          steps.push_back(
              fmt::format(R"({{ cancel = "t{}", after = "{}" }})", pick(templates), duration()));
          break;
        default: steps.push_back(fmt::format(R"({{ sleep = "{}" }})", duration())); break;
      }
    }
    text += fmt::format("[[task]]\nname = \"t{}\"\ncopies = {}\nsteps = [{}]\n", t, 1 + pick(3),
                        fmt::join(steps, ", "));
  }
  return text;
}

}  // namespace

TEST_SUITE("plan") {
  TEST_CASE("random plans run to an end, and what the report says adds up to the record") {
    std::size_t deadlocks = 0;
    std::size_t failures = 0;
    std::size_t cancels = 0;
    std::size_t timeouts = 0;
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
      const std::string text = random_plan(seed);
      CAPTURE(seed);
      CAPTURE(text);
      const ScenarioReport report = run_plan(text);
      REQUIRE(report.error.empty());
      const auto summaries = report.timeline.summarize();
      std::size_t tasks = 0;
      std::size_t running = 0;
      for (asyncdemo::TaskId id = 0; id < summaries.size(); ++id) {
        if (report.timeline.parent(id) == asyncdemo::kNoParent) {
          continue;
        }
        ++tasks;
        running += summaries[id].outcome == asyncdemo::TaskOutcome::running ? 1 : 0;
        CHECK(summaries[id].end_ns <= asyncdemo::kit::nanos(report.elapsed_s));
      }
      const Json& figures = report.figures;
      CHECK(figures["tasks"] == tasks);
      CHECK(figures["done"].get<std::size_t>() + figures["failed"].get<std::size_t>() +
                figures["cancelled"].get<std::size_t>() ==
            tasks);
      CHECK(running == 0);  // a deadlock is broken: every task ends
      CHECK(report.results.size() == tasks);
      CHECK(figures["max_held"]["pool"].get<std::size_t>() <= 2);
      CHECK(figures["max_held"]["lock"].get<std::size_t>() <= 1);
      CHECK(figures["max_size"]["q"].get<std::size_t>() <= 1);
      REQUIRE_FALSE(report.checks.empty());
      CHECK(report.checks.front().passed == figures["deadlocked_at_s"].is_null());
      REQUIRE_FALSE(report.takeaways.empty());
      CHECK(
          report.takeaways.front().starts_with(asyncdemo::kit::count_of(tasks, "task") + " ran: "));
      deadlocks += figures["deadlocked_at_s"].is_null() ? 0 : 1;
      failures += figures["failed"].get<std::size_t>() > 0 ? 1 : 0;
      cancels += figures["cancelled"].get<std::size_t>() > 0 ? 1 : 0;
      timeouts += figures["timeouts"].get<std::size_t>() > 0 ? 1 : 0;
    }
    // The draw reaches every way a plan can end, each in a fair share of the plans.
    MESSAGE(deadlocks, " deadlocks, ", failures, " with failures, ", cancels, " with cancels, ",
            timeouts, " with timeouts");
    CHECK(deadlocks >= 10);
    CHECK(failures >= 10);
    CHECK(cancels >= 10);
    CHECK(timeouts >= 10);
  }
}
