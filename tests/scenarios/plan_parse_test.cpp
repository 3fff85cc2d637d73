// Reading plan files: what the README's table promises of each key, step and claim, and
// the errors a plan that is wrong gets (file, line, column, nearest valid name).

#include "scenarios/plan_parse.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

using asyncdemo::plan::ClaimKind;
using asyncdemo::plan::parse_plan;
using asyncdemo::plan::Plan;
using asyncdemo::plan::PlanError;
using asyncdemo::plan::StepKind;

namespace {

// The message parse_plan throws for `text`, or "" if it reads.
std::string error_of(const std::string& text) {
  try {
    (void)parse_plan(text, "plan.toml");
  } catch (const PlanError& error) {
    return error.what();
  }
  return "";
}

const std::string one_task = "[[task]]\nname = \"t\"\nsteps = [{ sleep = \"1s\" }]\n";

}  // namespace

TEST_SUITE("plan") {
  TEST_CASE("a plan's keys: title, semaphores, locks, queues, hosts, task, claim") {
    const Plan plan = parse_plan(R"(
title = "a fan-out"
locks = ["db"]
[semaphores]
downloads = 3
[queues]
jobs = 2
[hosts]
"python.dev" = { latency = "50ms", outcome = "not-found" }
[[task]]
name = "fetch"
copies = 4
steps = [{ acquire = "downloads" }, { sleep = "1.5s" }, { release = "downloads" }]
[[task]]
name = "probe"
each = ["a", "b"]
steps = [{ resolve = "{each}.dev", timeout = "1s" }, { put = "jobs", item = "{n}" }]
[[claim]]
elapsed = { max = "2s" }
)",
                                 "plan.toml");
    CHECK(plan.title == "a fan-out");
    REQUIRE(plan.limits.size() == 2);
    CHECK(plan.limits[0].name == "downloads");
    CHECK(plan.limits[0].permits == 3);
    CHECK(plan.limits[1].is_lock);
    REQUIRE(plan.queues.size() == 1);
    CHECK(plan.queues[0].maxsize == 2);
    REQUIRE(plan.hosts.size() == 1);
    CHECK(plan.hosts[0].outcome == asyncdemo::FakeOutcome::not_found);
    CHECK(plan.hosts[0].latency == std::chrono::milliseconds(50));
    REQUIRE(plan.tasks.size() == 2);
    CHECK(plan.tasks[0].copies == 4);
    CHECK(plan.tasks[0].steps[1].kind == StepKind::sleep);
    CHECK(plan.tasks[0].steps[1].duration == std::chrono::milliseconds(1500));
    CHECK(copy_name(plan.tasks[1], 1) == "probe-b");
    CHECK(plan.tasks[1].steps[0].duration == std::chrono::seconds(1));
    CHECK(plan.instances == 6);
    REQUIRE(plan.claims.size() == 1);
    CHECK(plan.claims[0].kind == ClaimKind::elapsed);
    CHECK(plan.claims[0].range.max == doctest::Approx(2.0));
  }

  TEST_CASE("every step reads, with its modifiers") {
    const Plan plan = parse_plan(R"(
locks = ["l"]
[queues]
q = 0
[[task]]
name = "parent"
steps = [
  { sleep = "1s" }, { block = "10ms" }, { thread = "20ms" }, { cpu = "0" },
  { acquire = "l" }, { release = "l" }, { hold = "l", steps = [{ sleep = "0" }] },
  { put = "q", item = "x" }, { get = "q" }, { resolve = "localhost" }, { spawn = "c" },
  { await = "c" }, { gather = ["c", "d"], return_exceptions = true }, { taskgroup = "c" },
  { as_completed = ["d"] },
  { wait_for = [{ sleep = "2s" }], timeout = "1s", cleanup = [{ sleep = "1ms" }], on_timeout = "continue", name = "block" },
  { cancel = "c", after = "5ms" }, { fail = "boom" },
]
[[task]]
name = "c"
steps = [{ sleep = "1s" }]
[[task]]
name = "d"
copies = 2
steps = [{ sleep = "1s" }]
)",
                                 "plan.toml");
    const auto& steps = plan.tasks[0].steps;
    REQUIRE(steps.size() == 18);
    CHECK(steps[6].kind == StepKind::hold);
    CHECK(steps[6].body.size() == 1);
    CHECK(steps[7].item == "x");
    CHECK(steps[12].return_exceptions);
    CHECK(steps[12].tasks == std::vector<std::string>{"c", "d"});
    CHECK(steps[15].kind == StepKind::wait_for);
    CHECK(steps[15].continue_on_timeout);
    CHECK(steps[15].block_name == "block");
    CHECK(steps[15].cleanup.size() == 1);
    CHECK(steps[16].duration == std::chrono::milliseconds(5));
    CHECK(steps[17].kind == StepKind::fail);
    // Started by steps, c and d are not started by main; each start makes its copies:
    // c by spawn, gather and taskgroup, d by gather and as_completed (2 copies each time).
    CHECK(plan.tasks[0].top_level);
    CHECK_FALSE(plan.tasks[1].top_level);
    CHECK(plan.tasks[1].instances == 3);
    CHECK(plan.tasks[2].instances == 4);
    CHECK(plan.instances == 8);
  }

  TEST_CASE(
      "an unknown key, step, task, claim or figure names file, line, column and the nearest") {
    CHECK(error_of("titel = \"x\"\n" + one_task) ==
          "plan.toml:1:1: unknown key \"titel\" in the plan (did you mean title?)");
    CHECK(error_of("[[task]]\nname = \"t\"\ncopis = 2\nsteps = [{ sleep = \"1s\" }]\n") ==
          "plan.toml:3:1: unknown key \"copis\" in [[task]] (did you mean copies?)");
    CHECK(error_of("[[task]]\nname = \"t\"\nsteps = [{ slep = \"1s\" }]\n")
              .starts_with("plan.toml:3:10: a step needs one of sleep, block,"));
    CHECK(error_of("[[task]]\nname = \"t\"\nsteps = [{ slep = \"1s\" }]\n")
              .ends_with("(did you mean sleep?)"));
    CHECK(error_of("[[task]]\nname = \"t\"\nsteps = [{ sleep = \"1s\", timeout = \"1s\" }]\n") ==
          "plan.toml:3:26: unknown key \"timeout\" in a sleep step");
    CHECK(error_of("[[task]]\nname = \"t\"\nsteps = [{ gather = \"fetc\" }]\n"
                   "[[task]]\nname = \"fetch\"\nsteps = [{ sleep = \"1s\" }]\n") ==
          "plan.toml:3:10: no task is named \"fetc\" (did you mean fetch?)");
    CHECK(
        error_of("locks = [\"lock\"]\n[[task]]\nname = \"t\"\nsteps = [{ acquire = \"lok\" }]\n") ==
        "plan.toml:4:10: no semaphore or lock is named \"lok\" (did you mean lock?)");
    CHECK(error_of(one_task + "[[claim]]\nfigure = \"speedpu\"\nvalue = { min = 1 }\n") ==
          "plan.toml:5:10: no figure is named \"speedpu\" (did you mean speedup?)");
    CHECK(error_of(one_task + "[[claim]]\nelapsed = { mx = \"1s\" }\n") ==
          "plan.toml:5:13: unknown key \"mx\" in elapsed (did you mean max?)");
    CHECK(error_of(one_task + "[[claim]]\ntask = \"t\"\noutcome = \"don\"\n") ==
          "plan.toml:6:11: outcome must be done, failed, cancelled; got \"don\" (did you mean "
          "done?)");
    CHECK(error_of(one_task + "[[claim]]\ntask = \"u\"\noutcome = \"done\"\n") ==
          "plan.toml:5:8: no task is named \"u\" (did you mean t?)");
    CHECK(error_of(one_task + "[[claim]]\nelapsd = { max = \"1s\" }\n") ==
          "plan.toml:4:1: a [[claim]] needs one of elapsed, max_in_flight, figure, task, order, "
          "deadlock");
  }

  TEST_CASE("values of the wrong kind or out of range are errors at their place") {
    CHECK(error_of("[[task]]\nname = \"t\"\nsteps = [{ sleep = \"1 s\" }]\n")
              .starts_with("plan.toml:3:20: sleep: \"1 s\" is not a duration"));
    CHECK(error_of("[[task]]\nname = \"t\"\nsteps = [{ sleep = 1 }]\n") ==
          "plan.toml:3:20: sleep must be a string");
    CHECK(error_of("[[task]]\nname = \"t\"\ncopies = 0\nsteps = [{ sleep = \"1s\" }]\n") ==
          "plan.toml:3:10: copies must be a whole number from 1 to 100000");
    CHECK(error_of("[[task]]\nname = \"t\"\ncopies = 2\neach = [\"a\"]\nsteps = []\n") ==
          "plan.toml:4:8: a task has copies or each, not both");
    CHECK(error_of("[[task]]\nname = \"main\"\nsteps = []\n") ==
          "plan.toml:2:8: \"main\" is the run's own task: name this one otherwise");
    CHECK(error_of("[[task]]\nname = \"a b\"\nsteps = []\n") ==
          "plan.toml:2:8: the task's name \"a b\" must be letters, digits, '-', '_' or '.'");
    CHECK(error_of(one_task + one_task) == "plan.toml:5:8: task \"t\" is declared twice");
    CHECK(error_of(one_task + "[[claim]]\nelapsed = { min = \"2s\", max = \"1s\" }\n") ==
          "plan.toml:5:11: elapsed: min is above max");
    CHECK(error_of("title = \"x\"\n") == "plan.toml:1:1: the plan has no [[task]]: nothing to run");
    CHECK(error_of("[[task]\n").starts_with("plan.toml:1:"));  // TOML's own syntax errors
  }

  TEST_CASE("a plan that could never end, or run away, is refused before it runs") {
    CHECK(error_of("[[task]]\nname = \"a\"\nsteps = [{ spawn = \"b\" }]\n"
                   "[[task]]\nname = \"b\"\nsteps = [{ spawn = \"a\" }]\n")
              .find("tasks start each other in a circle") != std::string::npos);
    CHECK(error_of("[[task]]\nname = \"a\"\nsteps = [{ spawn = \"a\" }]\n") ==
          "plan.toml:3:10: task a cannot start itself");
    CHECK(error_of("[[task]]\nname = \"a\"\ncopies = 1000\nsteps = [{ gather = \"b\" }]\n"
                   "[[task]]\nname = \"b\"\ncopies = 1000\nsteps = [{ sleep = \"1s\" }]\n") ==
          "plan.toml:1:1: the plan makes more than 100000 tasks");
    CHECK(error_of("[[task]]\nname = \"a\"\nsteps = [{ await = \"b\" }]\n"
                   "[[task]]\nname = \"b\"\nsteps = [{ sleep = \"1s\" }]\n") ==
          "plan.toml:3:10: await b: no spawn step before it in the same steps started b");
    std::string nested = "{ sleep = \"1s\" }";
    for (int depth = 0; depth < 9; ++depth) {
      nested = fmt::format(R"({{ wait_for = [{}], timeout = "1s" }})", nested);
    }
    CHECK(error_of("[[task]]\nname = \"a\"\nsteps = [" + nested + "]\n")
              .ends_with("wait_for blocks nest more than 8 deep"));
  }

  TEST_CASE("figure claims name the summary's figures and each semaphore's and queue's") {
    const Plan plan =
        parse_plan("[semaphores]\npool = 2\n[queues]\njobs = 0\n" + one_task +
                       "[[claim]]\nfigure = \"max_held.pool\"\nvalue = { equals = 2 }\n"
                       "[[claim]]\nfigure = \"max_size.jobs\"\nvalue = 0\n"
                       "[[claim]]\nfigure = \"sequential_s\"\nvalue = { max = \"3s\" }\n",
                   "plan.toml");
    REQUIRE(plan.claims.size() == 3);
    CHECK(plan.claims[0].range.min == 2);
    CHECK(plan.claims[0].range.max == 2);
    CHECK(plan.claims[1].range.max == 0);
    CHECK(plan.claims[2].range.max == doctest::Approx(3.0));
  }
}
