#include "scenarios/plan_parse.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "scenarios/options.hpp"
#include "scenarios/spelling.hpp"

namespace asyncdemo::plan {

namespace {

// The plan format, key by key: every name a plan may use, so that anything else is reported
// with the nearest of them. (The README's table documents each; tests/plans/ tests each.)
const std::vector<std::string> top_keys{"title", "semaphores", "locks", "queues",
                                        "hosts", "task",       "claim"};
const std::vector<std::string> task_keys{"name", "copies", "each", "steps"};
const std::vector<std::string> step_names{
    "sleep", "block",  "thread",    "cpu",          "acquire",  "release",
    "hold",  "put",    "get",       "resolve",      "fail",     "spawn",
    "await", "gather", "taskgroup", "as_completed", "wait_for", "cancel"};
const std::vector<std::string> host_keys{"latency", "outcome"};
constexpr std::array kHostOutcomes{FakeOutcome::found, FakeOutcome::not_found,
                                   FakeOutcome::temporary_failure, FakeOutcome::no_answer};
const std::vector<std::string> claim_subjects{"elapsed", "max_in_flight", "figure",
                                              "task",    "order",         "deadlock"};
const std::vector<std::string> outcome_words{"done", "failed", "cancelled"};
const std::vector<std::string> range_keys{"min", "max", "equals"};
const std::vector<std::string> on_timeout_choices{"raise", "continue"};
const std::vector<std::string> summary_figures{
    "elapsed_s",        "sequential_s", "speedup", "max_in_flight", "timeouts",
    "max_loop_stall_s", "tasks",        "done",    "failed",        "cancelled"};

// The modifiers each step takes besides its own key.
std::vector<std::string> step_modifiers(StepKind kind) {
  switch (kind) {
    case StepKind::put: return {"item"};
    case StepKind::resolve: return {"timeout"};
    case StepKind::gather: return {"return_exceptions"};
    case StepKind::wait_for: return {"timeout", "cleanup", "on_timeout", "name"};
    case StepKind::cancel: return {"after"};
    case StepKind::hold: return {"steps"};
    default: return {};
  }
}

constexpr std::array kStepKinds{StepKind::sleep,        StepKind::block,    StepKind::thread,
                                StepKind::cpu,          StepKind::acquire,  StepKind::release,
                                StepKind::hold,         StepKind::put,      StepKind::get,
                                StepKind::resolve,      StepKind::fail,     StepKind::spawn,
                                StepKind::await_tasks,  StepKind::gather,   StepKind::taskgroup,
                                StepKind::as_completed, StepKind::wait_for, StepKind::cancel};

// The names of what a plan declares (its tasks, semaphores, queues), for "did you mean".
template <class Declared>
std::vector<std::string> names_in(const std::vector<Declared>& declared) {
  std::vector<std::string> names;
  names.reserve(declared.size());
  for (const Declared& item : declared) {
    names.push_back(item.name);
  }
  return names;
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// "plan.toml:3:10: message": every error a plan gets, from reading it or checking it.
[[noreturn]] void fail_at(std::string_view source, Where where, std::string_view message) {
  throw PlanError(fmt::format("{}:{}:{}: {}", source, where.line, where.column, message));
}

// Reads one plan, holding what messages need: the source's name.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Plan read(std::string_view text) {
    toml::table document;
    try {
      document = toml::parse(text, source_);
    } catch (const toml::parse_error& error) {
      fail(at(error.source().begin), std::string(error.description()));
    }
    Plan plan;
    plan.source = source_;
    check_keys(document, top_keys, "the plan");
    if (const toml::node* title = document.get("title")) {
      plan.title = text_of(*title, "title");
    }
    read_limits(document, plan);
    read_queues(document, plan);
    read_hosts(document, plan);
    read_tasks(document, plan);
    read_claims(document, plan);
    return plan;
  }

 private:
  [[noreturn]] void fail(Where where, std::string_view message) const {
    fail_at(source_, where, message);
  }

  static Where at(const toml::source_position& position) {
    return {position.line, position.column};
  }
  static Where at(const toml::node& node) { return at(node.source().begin); }

  // Every key of `table` is one of `allowed`; else the first that is not, with the nearest.
  void check_keys(const toml::table& table, const std::vector<std::string>& allowed,
                  std::string_view context) const {
    for (const auto& [key, value] : table) {
      if (std::ranges::find(allowed, key.str()) == allowed.end()) {
        fail(at(key.source().begin), fmt::format("unknown key \"{}\" in {}{}", key.str(), context,
                                                 did_you_mean(key.str(), allowed)));
      }
    }
  }

  std::string text_of(const toml::node& node, std::string_view what) const {
    const std::optional<std::string> text = node.value_exact<std::string>();
    if (!text) {
      fail(at(node), fmt::format("{} must be a string", what));
    }
    return *text;
  }

  std::string name_of(const toml::node& node, std::string_view what) const {
    std::string name = text_of(node, what);
    if (!valid_name(name)) {
      fail(at(node), fmt::format("{} \"{}\" must be letters, digits, '-', '_' or '.'", what, name));
    }
    return name;
  }

  // A duration as the command line writes it: "1.5s", "150ms", "0".
  Duration duration_of(const toml::node& node, std::string_view what) const {
    if (node.is_integer() && node.value_exact<std::int64_t>() == 0) {
      return Duration::zero();
    }
    const std::string text = text_of(node, what);
    const Parsed<Duration> parsed = parse_duration(text);
    if (!parsed.value) {
      fail(at(node), fmt::format("{}: {}", what, parsed.error));
    }
    return *parsed.value;
  }

  std::size_t count_of(const toml::node& node, std::string_view what, std::size_t min,
                       std::size_t max) const {
    const std::optional<std::int64_t> value = node.value_exact<std::int64_t>();
    if (!value || *value < static_cast<std::int64_t>(min) ||
        *value > static_cast<std::int64_t>(max)) {
      fail(at(node), fmt::format("{} must be a whole number from {} to {}", what, min, max));
    }
    return static_cast<std::size_t>(*value);
  }

  bool flag_of(const toml::node& node, std::string_view what) const {
    const std::optional<bool> value = node.value_exact<bool>();
    if (!value) {
      fail(at(node), fmt::format("{} must be true or false", what));
    }
    return *value;
  }

  std::string choice_of(const toml::node& node, std::string_view what,
                        const std::vector<std::string>& choices) const {
    std::string value = text_of(node, what);
    if (std::ranges::find(choices, value) == choices.end()) {
      fail(at(node), fmt::format("{} must be {}; got \"{}\"{}", what, fmt::join(choices, ", "),
                                 value, did_you_mean(value, choices)));
    }
    return value;
  }

  const toml::table& table_of(const toml::node& node, std::string_view what) const {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      fail(at(node), fmt::format("{} must be a table", what));
    }
    return *table;
  }

  const toml::array& array_of(const toml::node& node, std::string_view what) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      fail(at(node), fmt::format("{} must be an array", what));
    }
    return *array;
  }

  // A name not declared twice among `seen`.
  void unique(std::vector<std::string>& seen, const std::string& name, const toml::node& node,
              std::string_view what) const {
    if (std::ranges::find(seen, name) != seen.end()) {
      fail(at(node), fmt::format("{} \"{}\" is declared twice", what, name));
    }
    seen.push_back(name);
  }

  void read_limits(const toml::table& document, Plan& plan) {
    std::vector<std::string> seen;
    if (const toml::node* semaphores = document.get("semaphores")) {
      for (const auto& [key, value] : table_of(*semaphores, "semaphores")) {
        const std::string name(key.str());
        if (!valid_name(name)) {
          fail(at(key.source().begin),
               fmt::format("semaphore \"{}\" must be letters, digits, '-', '_' or '.'", name));
        }
        unique(seen, name, value, "semaphore");
        plan.limits.push_back({name, at(value),
                               count_of(value, fmt::format("semaphore {}", name), 1, kMaxPermits),
                               false});
      }
    }
    if (const toml::node* locks = document.get("locks")) {
      for (const toml::node& lock : array_of(*locks, "locks")) {
        const std::string name = name_of(lock, "lock");
        unique(seen, name, lock, "lock (or semaphore)");
        plan.limits.push_back({name, at(lock), 1, true});
      }
    }
  }

  void read_queues(const toml::table& document, Plan& plan) {
    const toml::node* queues = document.get("queues");
    if (queues == nullptr) {
      return;
    }
    std::vector<std::string> seen;
    for (const auto& [key, value] : table_of(*queues, "queues")) {
      const std::string name(key.str());
      if (!valid_name(name)) {
        fail(at(key.source().begin),
             fmt::format("queue \"{}\" must be letters, digits, '-', '_' or '.'", name));
      }
      unique(seen, name, value, "queue");
      plan.queues.push_back(
          {name, at(value),
           count_of(value, fmt::format("queue {} (its maxsize, 0: unbounded)", name), 0,
                    kMaxCopies)});
    }
  }

  void read_hosts(const toml::table& document, Plan& plan) {
    const toml::node* hosts = document.get("hosts");
    if (hosts == nullptr) {
      return;
    }
    for (const auto& [key, value] : table_of(*hosts, "hosts")) {
      const std::string name(key.str());
      const toml::table& answer = table_of(value, fmt::format("hosts.\"{}\"", name));
      check_keys(answer, host_keys, fmt::format("hosts.\"{}\"", name));
      HostAnswer host{name, at(value), Duration::zero(), FakeOutcome::found};
      if (const toml::node* latency = answer.get("latency")) {
        host.latency = duration_of(*latency, "latency");
      }
      if (const toml::node* outcome = answer.get("outcome")) {
        std::vector<std::string> words;
        words.reserve(kHostOutcomes.size());
        for (const FakeOutcome kind : kHostOutcomes) {
          words.emplace_back(outcome_word(kind));
        }
        const std::string word = choice_of(*outcome, "outcome", words);
        host.outcome = *std::ranges::find(kHostOutcomes, word, outcome_word);
      }
      plan.hosts.push_back(std::move(host));
    }
  }

  void read_tasks(const toml::table& document, Plan& plan) {
    const toml::node* tasks = document.get("task");
    if (tasks == nullptr) {
      fail({1, 1}, "the plan has no [[task]]: nothing to run");
    }
    const toml::array& list = array_of(*tasks, "task (write [[task]])");
    if (list.size() > kMaxTemplates) {
      fail(at(*tasks), fmt::format("more than {} [[task]] tables", kMaxTemplates));
    }
    std::vector<std::string> seen{"main"};
    for (const toml::node& node : list) {
      const toml::table& table = table_of(node, "each [[task]]");
      check_keys(table, task_keys, "[[task]]");
      TaskTemplate task;
      task.where = at(node);
      const toml::node* name = table.get("name");
      if (name == nullptr) {
        fail(task.where, "a [[task]] needs a name");
      }
      task.name = name_of(*name, "the task's name");
      if (task.name == "main") {
        fail(at(*name), "\"main\" is the run's own task: name this one otherwise");
      }
      unique(seen, task.name, *name, "task");
      if (const toml::node* copies = table.get("copies")) {
        task.copies = count_of(*copies, "copies", 1, kMaxCopies);
      }
      if (const toml::node* each = table.get("each")) {
        if (table.get("copies") != nullptr) {
          fail(at(*each), "a task has copies or each, not both");
        }
        for (const toml::node& value : array_of(*each, "each")) {
          std::string text = name_of(value, "each value");
          unique(task.each, text, value, "each value");
        }
        if (task.each.empty() || task.each.size() > kMaxCopies) {
          fail(at(*each), fmt::format("each must hold from 1 to {} values", kMaxCopies));
        }
      }
      const toml::node* steps = table.get("steps");
      if (steps == nullptr) {
        fail(task.where, fmt::format("task {} has no steps", task.name));
      }
      task.steps = read_steps(*steps, 1);
      plan.tasks.push_back(std::move(task));
    }
  }

  std::vector<Step> read_steps(const toml::node& node, std::size_t depth) {
    if (depth > kMaxNesting) {
      fail(at(node), fmt::format("wait_for blocks nest more than {} deep", kMaxNesting));
    }
    const toml::array& list = array_of(node, "steps");
    if (list.size() > kMaxSteps) {
      fail(at(node), fmt::format("more than {} steps in one list", kMaxSteps));
    }
    std::vector<Step> steps;
    for (const toml::node& item : list) {
      steps.push_back(read_step(item, depth));
    }
    return steps;
  }

  Step read_step(const toml::node& node, std::size_t depth) {
    const toml::table& table =
        table_of(node, R"(each step (write it as { sleep = "1s" }, { acquire = "name" }, ...))");
    Step step;
    step.where = at(node);
    std::optional<std::size_t> kind_index;
    for (const auto& [key, value] : table) {
      const auto found = std::ranges::find(step_names, key.str());
      if (found == step_names.end()) {
        continue;
      }
      if (kind_index) {
        fail(at(key.source().begin), fmt::format("one step per table: this one is both {} and {}",
                                                 step_names[*kind_index], key.str()));
      }
      kind_index = static_cast<std::size_t>(found - step_names.begin());
    }
    if (!kind_index) {
      std::string typed = table.empty() ? std::string() : std::string(table.cbegin()->first.str());
      fail(step.where, fmt::format("a step needs one of {}{}", fmt::join(step_names, ", "),
                                   did_you_mean(typed, step_names)));
    }
    step.kind = kStepKinds.at(*kind_index);
    const std::string& step_name = step_names[*kind_index];
    std::vector<std::string> allowed = step_modifiers(step.kind);
    allowed.push_back(step_name);
    check_keys(table, allowed, fmt::format("a {} step", step_name));
    const toml::node& value = *table.get(step_name);
    read_step_value(step, step_name, value, table, depth);
    return step;
  }

  std::vector<std::string> names_of(const toml::node& node, std::string_view what) const {
    std::vector<std::string> names;
    if (node.is_string()) {
      names.push_back(name_of(node, what));
      return names;
    }
    for (const toml::node& item :
         array_of(node, fmt::format("{} (a task or a list of tasks)", what))) {
      names.push_back(name_of(item, what));
    }
    if (names.empty()) {
      fail(at(node), fmt::format("{} needs at least one task", what));
    }
    return names;
  }

  void read_step_value(Step& step, const std::string& step_name, const toml::node& value,
                       const toml::table& table, std::size_t depth) {
    switch (step.kind) {
      case StepKind::sleep:
      case StepKind::block:
      case StepKind::thread:
      case StepKind::cpu: step.duration = duration_of(value, step_name); return;
      case StepKind::acquire:
      case StepKind::release: step.target = name_of(value, step_name); return;
      case StepKind::hold: {
        step.target = name_of(value, step_name);
        const toml::node* steps = table.get("steps");
        if (steps == nullptr) {
          fail(step.where, "a hold step needs the steps it runs holding the semaphore or lock");
        }
        step.body = read_steps(*steps, depth + 1);
        return;
      }
      case StepKind::put:
        step.target = name_of(value, step_name);
        if (const toml::node* item = table.get("item")) {
          step.item = text_of(*item, "item");
        }
        return;
      case StepKind::get: step.target = name_of(value, step_name); return;
      case StepKind::resolve:
        step.target = text_of(value, step_name);
        step.duration = Duration::max();
        if (const toml::node* timeout = table.get("timeout")) {
          step.duration = duration_of(*timeout, "timeout");
        }
        return;
      case StepKind::fail: step.target = text_of(value, step_name); return;
      case StepKind::spawn:
      case StepKind::await_tasks:
      case StepKind::cancel:
        step.target = name_of(value, step_name);
        if (const toml::node* after = table.get("after")) {
          step.duration = duration_of(*after, "after");
        }
        return;
      case StepKind::gather:
        if (const toml::node* collect = table.get("return_exceptions")) {
          step.return_exceptions = flag_of(*collect, "return_exceptions");
        }
        [[fallthrough]];
      case StepKind::taskgroup:
      case StepKind::as_completed: step.tasks = names_of(value, step_name); return;
      case StepKind::wait_for: read_wait_for(step, value, table, depth); return;
    }
  }

  void read_wait_for(Step& step, const toml::node& value, const toml::table& table,
                     std::size_t depth) {
    const toml::node* timeout = table.get("timeout");
    if (timeout == nullptr) {
      fail(step.where, "a wait_for step needs a timeout");
    }
    step.duration = duration_of(*timeout, "timeout");
    step.body = read_steps(value, depth + 1);
    if (const toml::node* cleanup = table.get("cleanup")) {
      step.cleanup = read_steps(*cleanup, depth + 1);
    }
    if (const toml::node* on_timeout = table.get("on_timeout")) {
      step.continue_on_timeout =
          choice_of(*on_timeout, "on_timeout", on_timeout_choices) == "continue";
    }
    if (const toml::node* name = table.get("name")) {
      step.block_name = name_of(*name, "name");
    }
  }

  Range range_of(const toml::node& node, std::string_view what, bool in_seconds) const {
    const auto number = [&](const toml::node& item, std::string_view which) {
      if (in_seconds) {
        return std::chrono::duration<double>(duration_of(item, which)).count();
      }
      const std::optional<double> value = item.value<double>();
      if (!value || !item.is_number()) {
        fail(at(item), fmt::format("{} must be a number", which));
      }
      return *value;
    };
    Range range;
    if (!node.is_table()) {
      range.min = range.max = number(node, what);
      return range;
    }
    const toml::table& table = *node.as_table();
    check_keys(table, range_keys, what);
    if (const toml::node* equals = table.get("equals")) {
      if (table.get("min") != nullptr || table.get("max") != nullptr) {
        fail(at(*equals), fmt::format("{}: equals, or min and max, not both", what));
      }
      range.min = range.max = number(*equals, "equals");
    }
    if (const toml::node* min = table.get("min")) {
      range.min = number(*min, "min");
    }
    if (const toml::node* max = table.get("max")) {
      range.max = number(*max, "max");
    }
    if (!range.min && !range.max) {
      fail(at(node), fmt::format("{} needs min, max or equals", what));
    }
    if (range.min && range.max && *range.min > *range.max) {
      fail(at(node), fmt::format("{}: min is above max", what));
    }
    return range;
  }

  void read_claims(const toml::table& document, Plan& plan) {
    const toml::node* claims = document.get("claim");
    if (claims == nullptr) {
      return;
    }
    for (const toml::node& node : array_of(*claims, "claim (write [[claim]])")) {
      const toml::table& table = table_of(node, "each [[claim]]");
      plan.claims.push_back(read_claim(table, at(node)));
    }
  }

  ClaimSpec read_claim(const toml::table& table, Where where) {
    ClaimSpec claim;
    claim.where = where;
    std::optional<std::string> subject;
    for (const auto& [key, value] : table) {
      if (std::ranges::find(claim_subjects, key.str()) == claim_subjects.end()) {
        continue;
      }
      if (subject) {
        fail(at(key.source().begin),
             fmt::format("one claim per [[claim]]: this one is both {} and {}", *subject,
                         key.str()));
      }
      subject = std::string(key.str());
    }
    if (!subject) {
      fail(where, fmt::format("a [[claim]] needs one of {}", fmt::join(claim_subjects, ", ")));
    }
    std::vector<std::string> allowed{"name", *subject};
    if (*subject == "figure") {
      allowed.emplace_back("value");
    } else if (*subject == "task") {
      allowed.insert(allowed.end(), {"outcome", "ends"});
    }
    check_keys(table, allowed, fmt::format("a {} claim", *subject));
    if (const toml::node* name = table.get("name")) {
      claim.label = text_of(*name, "name");
    }
    const toml::node& value = *table.get(*subject);
    if (*subject == "elapsed") {
      claim.kind = ClaimKind::elapsed;
      claim.range = range_of(value, "elapsed", true);
      claim.has_range = true;
    } else if (*subject == "max_in_flight") {
      claim.kind = ClaimKind::max_in_flight;
      claim.range = range_of(value, "max_in_flight", false);
      claim.has_range = true;
    } else if (*subject == "figure") {
      claim.kind = ClaimKind::figure;
      claim.subject = text_of(value, "figure");
      const toml::node* range = table.get("value");
      if (range == nullptr) {
        fail(where,
             fmt::format("a figure claim needs a value (a range: {{ min = ..., max = ... }})"));
      }
      claim.range = range_of(*range, "value", claim.subject.ends_with("_s"));
      claim.has_range = true;
      claim.where = at(value);
    } else if (*subject == "task") {
      claim.kind = ClaimKind::task;
      claim.subject = name_of(value, "task");
      claim.where = at(value);
      if (const toml::node* outcome = table.get("outcome")) {
        claim.outcome = choice_of(*outcome, "outcome", outcome_words);
      }
      if (const toml::node* ends = table.get("ends")) {
        claim.range = range_of(*ends, "ends", true);
        claim.has_range = true;
      }
      if (claim.outcome.empty() && !claim.has_range) {
        fail(where, "a task claim needs an outcome, an ends range, or both");
      }
    } else if (*subject == "order") {
      claim.kind = ClaimKind::order;
      claim.where = at(value);
      for (const toml::node& item : array_of(value, "order")) {
        claim.order.push_back(name_of(item, "order"));
      }
      if (claim.order.size() < 2) {
        fail(at(value), "an order claim needs at least two tasks");
      }
    } else {
      claim.kind = ClaimKind::deadlock;
      claim.deadlock = flag_of(value, "deadlock");
    }
    return claim;
  }

  std::string source_;
};

// ---- what the file says, checked as a whole ----------------------------------------------

class Checker {
 public:
  Checker(Plan& plan, std::string source) : plan_(plan), source_(std::move(source)) {}

  void check() {
    for (TaskTemplate& task : plan_.tasks) {
      check_steps(task, task.steps, {});
    }
    count_instances();
    for (const ClaimSpec& claim : plan_.claims) {
      check_claim(claim);
    }
  }

 private:
  [[noreturn]] void fail(Where where, std::string_view message) const {
    fail_at(source_, where, message);
  }

  std::vector<std::string> template_names() const { return names_in(plan_.tasks); }

  std::vector<std::string> instance_names() const {
    std::vector<std::string> names;
    for (const TaskTemplate& task : plan_.tasks) {
      for (std::size_t i = 0; i < copy_count(task) && names.size() < kMaxTaskInstances; ++i) {
        names.push_back(copy_name(task, i));
      }
    }
    return names;
  }

  // A task or template name: the template (if it is one) or nullptr for an instance.
  void known_task(const std::string& name, Where where, bool instances_too) const {
    if (plan_.task(name) != nullptr) {
      return;
    }
    std::vector<std::string> names = template_names();
    if (instances_too) {
      const std::vector<std::string> instances = instance_names();
      if (std::ranges::find(instances, name) != instances.end()) {
        return;
      }
      names.insert(names.end(), instances.begin(), instances.end());
    }
    fail(where, fmt::format("no task is named \"{}\"{}", name, did_you_mean(name, names)));
  }

  TaskTemplate& child(const std::string& name, Where where, const TaskTemplate& parent) {
    known_task(name, where, false);
    auto& found = *std::ranges::find(plan_.tasks, name, &TaskTemplate::name);
    if (found.name == parent.name) {
      fail(where, fmt::format("task {} cannot start itself", name));
    }
    found.top_level = false;
    return found;
  }

  void check_steps(const TaskTemplate& task, const std::vector<Step>& steps,
                   std::vector<std::string> spawned) {
    for (const Step& step : steps) {
      switch (step.kind) {
        case StepKind::acquire:
        case StepKind::release:
        case StepKind::hold:
          if (step.kind == StepKind::hold) {
            check_steps(task, step.body, spawned);
          }
          if (plan_.limit(step.target) == nullptr) {
            fail(step.where, fmt::format("no semaphore or lock is named \"{}\"{}", step.target,
                                         did_you_mean(step.target, names_in(plan_.limits))));
          }
          break;
        case StepKind::put:
        case StepKind::get:
          if (plan_.queue(step.target) == nullptr) {
            fail(step.where, fmt::format("no queue is named \"{}\"{}", step.target,
                                         did_you_mean(step.target, names_in(plan_.queues))));
          }
          break;
        case StepKind::spawn:
          child(step.target, step.where, task);
          spawned.push_back(step.target);
          break;
        case StepKind::await_tasks:
          if (std::ranges::find(spawned, step.target) == spawned.end()) {
            fail(step.where,
                 fmt::format("await {}: no spawn step before it in the same steps started {}",
                             step.target, step.target));
          }
          break;
        case StepKind::gather:
        case StepKind::taskgroup:
        case StepKind::as_completed:
          for (const std::string& name : step.tasks) {
            child(name, step.where, task);
          }
          break;
        case StepKind::cancel: known_task(step.target, step.where, true); break;
        case StepKind::wait_for:
          check_steps(task, step.body, {});
          check_steps(task, step.cleanup, {});
          break;
        default: break;
      }
    }
  }

  // How many times each template's steps start `name` (each start makes its copies).
  static std::size_t starts_in(const std::vector<Step>& steps, const std::string& name) {
    std::size_t starts = 0;
    for (const Step& step : steps) {
      if (step.kind == StepKind::spawn && step.target == name) {
        ++starts;
      }
      starts += static_cast<std::size_t>(std::ranges::count(step.tasks, name));
      starts += starts_in(step.body, name) + starts_in(step.cleanup, name);
    }
    return starts;
  }

  // Each template's instances: its copies times the starts by every task that starts it. A
  // template that starts itself, even through others, would never end: refused.
  void count_instances() {
    std::map<std::string, int> state;  // 1: being counted, 2: counted
    for (TaskTemplate& task : plan_.tasks) {
      instances_of(task, state, {});
      plan_.instances = std::min(plan_.instances + task.instances, kMaxTaskInstances + 1);
    }
    if (plan_.instances > kMaxTaskInstances) {
      fail({1, 1}, fmt::format("the plan makes more than {} tasks", kMaxTaskInstances));
    }
  }

  std::size_t instances_of(TaskTemplate& task, std::map<std::string, int>& state,
                           std::vector<std::string> path) {
    if (state[task.name] == 2) {
      return task.instances;
    }
    path.push_back(task.name);
    if (state[task.name] == 1) {
      fail(task.where,
           fmt::format("tasks start each other in a circle: {}", fmt::join(path, " <- ")));
    }
    state[task.name] = 1;
    std::size_t starts = task.top_level ? 1 : 0;
    for (TaskTemplate& parent : plan_.tasks) {
      const std::size_t by_parent = starts_in(parent.steps, task.name);
      if (by_parent > 0) {
        starts =
            std::min(starts + by_parent * instances_of(parent, state, path), kMaxTaskInstances + 1);
      }
    }
    task.instances = std::min(starts * copy_count(task), kMaxTaskInstances + 1);
    state[task.name] = 2;
    return task.instances;
  }

  void check_claim(const ClaimSpec& claim) const {
    switch (claim.kind) {
      case ClaimKind::figure: {
        const std::vector<std::string> names = figure_names(plan_);
        if (std::ranges::find(names, claim.subject) == names.end()) {
          fail(claim.where, fmt::format("no figure is named \"{}\"{}", claim.subject,
                                        did_you_mean(claim.subject, names)));
        }
        break;
      }
      case ClaimKind::task: known_task(claim.subject, claim.where, true); break;
      case ClaimKind::order:
        for (const std::string& name : claim.order) {
          known_task(name, claim.where, true);
        }
        break;
      default: break;
    }
  }

  Plan& plan_;
  std::string source_;
};

}  // namespace

std::vector<std::string> figure_names(const Plan& plan) {
  std::vector<std::string> names = summary_figures;
  for (const SharedLimit& limit : plan.limits) {
    names.push_back("max_held." + limit.name);
  }
  for (const SharedQueue& queue : plan.queues) {
    names.push_back("max_size." + queue.name);
  }
  return names;
}

Plan parse_plan(std::string_view text, std::string source) {
  Plan plan = Reader(source).read(text);
  Checker(plan, std::move(source)).check();
  return plan;
}

Plan read_plan(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      throw PlanError(fmt::format("{}: cannot read the plan: {}", path, std::strerror(errno)));
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    text = std::move(contents).str();
  }
  if (text.size() > kMaxPlanBytes) {
    throw PlanError(fmt::format("{}: a plan may be at most {} bytes; this one is {}", path,
                                kMaxPlanBytes, text.size()));
  }
  return parse_plan(text, path == "-" ? "<stdin>" : path);
}

}  // namespace asyncdemo::plan
