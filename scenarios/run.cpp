// run: the user's own scenario, from a plan file (scenarios/plan.hpp). The built-in
// scenarios are C++, their source a lesson to read; a plan is for a program of one's own —
// a fan-out behind a semaphore with a deadline, a TaskGroup of lookups, a retry loop —
// described in TOML, run for real on the same runtime, drawn the same way, and held to the
// claims it states, as a load test is held to its thresholds.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "core/fake_resolver.hpp"
#include "scenarios/all.hpp"
#include "scenarios/fake_dns.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"
#include "scenarios/plan_claims.hpp"
#include "scenarios/plan_parse.hpp"
#include "scenarios/plan_report.hpp"
#include "scenarios/plan_run.hpp"

namespace asyncdemo {

namespace {

constexpr std::string_view kName = "run";
constexpr std::string_view kLesson =
    "Your own scenario: a plan file (TOML) declares tasks, their steps and claims; the plan "
    "runs for real on the event loop, is drawn like any scenario, and is held to its claims.";

// The longest of the names a wait_for block in `steps` of a task named `task` runs as.
void longest_block_name(const std::vector<plan::Step>& steps, const std::string& task,
                        std::string& longest) {
  for (const plan::Step& step : steps) {
    if (step.kind == plan::StepKind::wait_for) {
      std::string name = step.block_name.empty() ? task + ".wait_for" : step.block_name;
      if (name.size() > longest.size()) {
        longest = std::move(name);
      }
    }
    longest_block_name(step.body, task, longest);
    longest_block_name(step.cleanup, task, longest);
  }
}

// The longest name a task of the plan can have, for the live log's name column: each
// template's longest copy name, and the names of its wait_for blocks.
std::string longest_name(const plan::Plan& plan) {
  std::string longest = "main";
  for (const plan::TaskTemplate& task : plan.tasks) {
    for (std::size_t index = 0; index < plan::copy_count(task); ++index) {
      std::string name = plan::copy_name(task, index);
      longest_block_name(task.steps, name, longest);
      if (name.size() > longest.size()) {
        longest = std::move(name);
      }
    }
  }
  return longest;
}

// The fake resolver of a plan: the answers of its [hosts]; a name they do not list is NOT
// FOUND at once.
std::shared_ptr<const FakeResolver> hosts_resolver(const plan::Plan& plan) {
  auto resolver = std::make_shared<FakeResolver>();
  for (const plan::HostAnswer& host : plan.hosts) {
    resolver->add(host.name, FakeAnswer{host.latency, host.outcome, {}});
  }
  return resolver;
}

bool resolves(const std::vector<plan::Step>& steps) {
  return std::ranges::any_of(steps, [](const plan::Step& step) {
    return step.kind == plan::StepKind::resolve || resolves(step.body) || resolves(step.cleanup);
  });
}

// Whether a step of the plan looks a name up: only then does the header say which resolver.
bool resolves(const plan::Plan& plan) {
  return std::ranges::any_of(plan.tasks,
                             [](const plan::TaskTemplate& task) { return resolves(task.steps); });
}

ScenarioReport run_plan(const plan::Plan& plan, ResolverKind resolver, const RunContext& context) {
  RuntimeOptions runtime_options = context.runtime;
  if (resolver == ResolverKind::fake) {
    runtime_options.fake_resolver = hosts_resolver(plan);
  }
  Runtime runtime(std::move(runtime_options));
  Json params = {{"plan", plan.source}, {"tasks", plan.instances}, {"claims", plan.claims.size()}};
  if (resolves(plan)) {
    params["resolver"] = resolver == ResolverKind::fake ? "fake" : "system";
  }
  const std::string lesson = plan.title.empty() ? std::string(kLesson) : plan.title;
  ScenarioReport report =
      kit::begin(kName, lesson, std::move(params), context, runtime, longest_name(plan));
  plan::PlanRun run(plan);
  kit::drive(report, runtime, run.main());
  kit::finish(report, runtime);
  kit::show_work(report, kit::kAllAtOnce);
  // The ideal of a plan whose tasks wait on each other, block the loop or share a semaphore is
  // not "as long as its longest task": no figure is better than a wrong one.
  report.summary.ideal_s = Summary::kUnset;
  report.summary.overhead_s = Summary::kUnset;
  const plan::PlanRecord record = run.take_record();
  plan::describe_run(report, plan, record);
  if (!report.partial()) {  // a partial record proves nothing either way
    plan::judge_claims(report, plan, record, kit::slack(context));
  }
  return report;
}

// The plan is read once, at the first run: `--repeat` runs it again as read (a plan from
// stdin could not be read twice), and a plan that is wrong stops the first run, exit 2.
struct PlanFile {
  std::string path;
  std::optional<plan::Plan> plan;
  std::optional<ResolverKind> resolver;  // --resolver; by default, fake if the plan has [hosts]
};

ScenarioRunner setup_run(CLI::App& app) {
  auto file = std::make_shared<PlanFile>();
  app.add_option("plan", file->path, "the plan file (TOML; see the README's table; '-': stdin)")
      ->required()
      ->type_name("FILE");
  add_choice_option(app, "--resolver", file->resolver,
                    "where a resolve step's answers come from: fake (the plan's [hosts], no "
                    "network; a name they do not list is not found at once) or system "
                    "(getaddrinfo on the thread pool: the network) (default: fake if the plan "
                    "has [hosts], else system)",
                    resolver_choices());
  return [file](const RunContext& context) {
    if (!file->plan) {
      file->plan = plan::read_plan(file->path);
    }
    const ResolverKind resolver = file->resolver.value_or(
        file->plan->hosts.empty() ? ResolverKind::system : ResolverKind::fake);
    return run_plan(*file->plan, resolver, context);
  };
}

}  // namespace

ScenarioEntry run_scenario() {
  return {kName, kLesson,
          "asyncdemo run examples/sleep.toml --check\n"
          "asyncdemo run examples/flags2.toml --check\n"
          "asyncdemo run examples/taskgroup.toml --json\n"
          "asyncdemo run examples/probe.toml --check",
          &setup_run};
}

}  // namespace asyncdemo
