#include "cli/app.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "cli/render_format.hpp"
#include "cli/run_series.hpp"
#include "scenarios/options.hpp"
#include "scenarios/spelling.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMinWidth = 40;
constexpr std::size_t kMaxWidth = 1000;
constexpr std::size_t kFallbackWidth = 100;
// Help reads best at a book's measure, even on a wide terminal.
constexpr std::size_t kMaxHelpWidth = 100;

constexpr std::string_view kDescription =
    "asyncdemo runs small concurrent programs on an event loop (libuv), prints what each task "
    "did and when, and checks the lesson each one teaches: the lessons of Python's asyncio, "
    "shown natively.";

constexpr std::string_view kMainFooter =
    "Global options may also stand after the scenario name.\n"
    "Durations are written 2s, 150ms, 1.5s, 250us, 2m or 0.\n"
    "Exit status: 0 ran (and with --check, every claim held); 1 a claim failed or the\n"
    "scenario failed; 2 usage error; 130 interrupted by Ctrl-C, 143 by SIGTERM (the\n"
    "tasks cancelled, their cleanup run, the partial report printed).\n"
    "Files (--trace, --svg, --html, --junit) are written whole or not at all: a refused,\n"
    "failed or interrupted run leaves the old file as it was.\n"
    "--repeat N stops at a run that fails or is interrupted: the figures are of the runs\n"
    "before it, and --check exits 1 if a claim failed in any run.\n"
    "Colour only on a terminal; --color never or NO_COLOR=1 turns it off.\n"
    "Thread work and lookups run on a pool of asyncio's default executor size,\n"
    "min(32, cpus + 4); UV_THREADPOOL_SIZE=N (a whole number from 1 to 1024) sets it.";

constexpr std::string_view kScenarioFooter =
    "Global options (--json, --trace FILE, --svg FILE, --html FILE, --junit FILE, --check,\n"
    "--tolerance DURATION, --repeat N, --virtual-time, --color WHEN, --width N, -q) work\n"
    "here too, before or after the scenario name; see 'asyncdemo --help'.";

// --help's text wrapped as the report's prose is (wrap, cli/render_format.hpp), its
// lines joined by '\n'. Width 0 leaves the text on one line.
std::string wrapped(std::string_view text, std::size_t width) {
  const auto lines = wrap(text, width == 0 ? std::numeric_limits<std::size_t>::max() : width, "");
  std::string joined;
  for (const std::string& line : lines) {
    joined += (joined.empty() ? "" : "\n") + line;
  }
  return joined;
}

// `left` padded to `column`, then `text` wrapped to `width`, its further lines
// indented to `column`: the two-column layout of --help and `list`.
std::string hanging(std::string_view left, std::string_view text, std::size_t column,
                    std::size_t width) {
  const std::size_t text_width = width > column ? width - column : 0;
  std::string out = fmt::format("{:<{}}", left, column);
  if (left.size() >= column) {
    out += fmt::format("\n{:<{}}", "", column);
  }
  const std::string indent = fmt::format("\n{:<{}}", "", column);
  for (const char c : wrapped(text, text_width)) {
    out += c == '\n' ? indent : std::string(1, c);
  }
  return out + "\n";
}

// CLI11's help, reordered the way most tools print it (usage first), with the
// main usage line saying how the two kinds of option go together (CLI11 says
// "[OPTIONS] [SUBCOMMAND]") and long descriptions wrapped.
class Formatter final : public CLI::Formatter {
 public:
  explicit Formatter(std::size_t width) : width_(width) { column_width(kHelpColumn); }

  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) {
      return CLI::Formatter::make_help(app, std::move(name), mode);
    }
    return fmt::format("{}\n{}\n{}{}{}\n{}", make_usage(app, std::move(name)),
                       wrapped(app->get_description(), width_), make_positionals(app),
                       make_groups(app, mode), make_subcommands(app, mode), make_footer(app));
  }

  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (app->get_parent() != nullptr) {
      return CLI::Formatter::make_usage(app, std::move(name));
    }
    return "Usage: asyncdemo [GLOBAL OPTIONS] <scenario> [SCENARIO OPTIONS]\n"
           "       asyncdemo list\n"
           "       asyncdemo completion bash|zsh|fish\n"
           "       asyncdemo <scenario> --help\n";
  }

  std::string make_option_desc(const CLI::Option* option) const override {
    return wrapped(CLI::Formatter::make_option_desc(option), text_width());
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    return hanging("  " + sub->get_name(), sub->get_description(), kHelpColumn, width_);
  }

 private:
  static constexpr std::size_t kHelpColumn = 32;

  [[nodiscard]] std::size_t text_width() const {
    return width_ > kHelpColumn ? width_ - kHelpColumn : 0;
  }

  std::size_t width_;
};

std::string examples_footer(const ScenarioEntry& entry) {
  std::string footer = "Examples:\n";
  std::string_view rest = entry.examples;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    footer += fmt::format("  {}\n", rest.substr(0, end));
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return fmt::format("{}\n{}", footer, kScenarioFooter);
}

// Every name an app's options answer to ("--json", "-q", "--quiet").
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      names.push_back("--" + name);
    }
    for (const auto& name : option->get_snames()) {
      names.push_back("-" + name);
    }
  }
  return names;
}

CLI::ExtrasError extras_error(std::string message) {
  return {std::move(message), CLI::ExitCodes::ExtrasError};
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::ranges::find(names, name) != names.end();
}

std::string_view getenv_view(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string_view{} : std::string_view{value};
}

bool auto_color() {
  return isatty(STDOUT_FILENO) == 1 && getenv_view("NO_COLOR").empty() &&
         getenv_view("TERM") != "dumb";
}

std::size_t clamp_width(std::size_t width) { return std::clamp(width, kMinWidth, kMaxWidth); }

// The width of the terminal on `fd`, else COLUMNS, else the fallback.
std::size_t terminal_width(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return clamp_width(size.ws_col);
  }
  const std::string_view columns = getenv_view("COLUMNS");
  std::size_t width = 0;
  const auto [end, error] = std::from_chars(columns.data(), columns.data() + columns.size(), width);
  if (error == std::errc{} && end == columns.data() + columns.size() && width > 0) {
    return clamp_width(width);
  }
  return kFallbackWidth;
}

}  // namespace

CommandLine::CommandLine(const std::vector<ScenarioEntry>& scenarios)
    : app_(std::string(kDescription), "asyncdemo") {
  app_.formatter(
      std::make_shared<Formatter>(std::min(terminal_width(STDOUT_FILENO), kMaxHelpWidth)));
  // Inherited by every subcommand added below, which is why these come first.
  app_.fallthrough();
  app_.require_subcommand(0, 1);  // then `probe list` reads "list" as a name to probe
  app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  add_global_options();
  add_commands();
  for (const ScenarioEntry& entry : scenarios) {
    add_scenario(entry);
  }
  // Set last, so that no subcommand inherits them: the main app keeps what
  // nobody else claims, to be reported by name after the parse.
  app_.allow_extras();
  app_.footer(std::string(kMainFooter));
}

void CommandLine::add_global_options() {
  const std::string group = "Global options";
  app_.get_help_ptr()->group(group);
  app_.add_flag("--json", globals_.json,
                "print one JSON document (schema asyncdemo/1) and nothing else")
      ->group(group);
  app_.add_option("--trace", globals_.trace_path,
                  "also write a Chrome/Perfetto trace (Trace Event Format) to FILE (not '-': "
                  "stdout carries the report)")
      ->type_name("FILE")
      ->group(group);
  app_.add_option("--svg", globals_.svg_path,
                  "also draw the timeline, summary and checks as an SVG picture in FILE "
                  "(1280 px wide; hover a span for its state and times)")
      ->type_name("FILE")
      ->group(group);
  app_.add_option("--html", globals_.html_path,
                  "also write the timeline, summary and checks as one self-contained HTML page "
                  "in FILE (hover a span; wheel to zoom, drag to pan)")
      ->type_name("FILE")
      ->group(group);
  app_.add_flag("--check", globals_.check, "verify the lesson's claims; exit 1 if one fails")
      ->group(group);
  add_duration_option(app_, "--tolerance", globals_.tolerance,
                      "slack allowed to real-clock timing claims", 0s, 1min)
      ->group(group);
  app_.add_flag("--virtual-time", globals_.virtual_time,
                "run on a virtual clock: instant, and the same output every time")
      ->group(group);
  add_choice_option(
      app_, "--color", globals_.color, "colour the text output",
      {{"auto", ColorMode::automatic}, {"always", ColorMode::always}, {"never", ColorMode::never}})
      ->group(group);
  add_count_option(app_, "--width", globals_.width,
                   "line width of the text output; by default the terminal's, else 100", kMinWidth,
                   kMaxWidth)
      ->default_str("")
      ->group(group);
  app_.add_flag("-q,--quiet", globals_.quiet, "no header or live log: the summary and checks only")
      ->group(group);
  add_count_option(app_, "--repeat", globals_.repeat,
                   "run N times (a fresh runtime each) and add the runs up: each figure's median, "
                   "min, max and spread, each claim held in K of N runs; the full report and "
                   "--trace are the last run's. On the virtual clock one run is exact: it runs "
                   "once and says so",
                   1, kMaxRepeat)
      ->group(group);
  app_.add_option("--junit", globals_.junit_path,
                  "also write the claims as JUnit XML to FILE for CI test reports: one testcase "
                  "per claim (per run with --repeat), judged with or without --check")
      ->type_name("FILE")
      ->group(group);
  app_.set_version_flag("--version", std::string(version_line()), "print the version and exit")
      ->group(group);
}

void CommandLine::add_commands() {
  const std::string group = "Commands";
  list_ = app_.add_subcommand("list", "every scenario with its one-line lesson");
  list_->group(group);
  completion_ = app_.add_subcommand(
      "completion",
      "print a completion script for the shell, to load with `source <(asyncdemo completion "
      "bash)` or to install where the shell finds completions");
  completion_->group(group);
  add_choice_option(*completion_, "shell", completion_shell_, "the shell to complete for",
                    shell_choices())
      ->required()
      ->default_str("");  // none: it must be given
  // Hidden (no group): the build writes the man page with it.
  man_ = app_.add_subcommand("man", "print the manual page (troff)");
  man_->group("");
}

void CommandLine::add_scenario(const ScenarioEntry& entry) {
  const std::string name(entry.name);
  const auto same_name = [&name](const CLI::App* command) { return command->check_name(name); };
  if (!app_.get_subcommands(same_name).empty()) {
    throw std::logic_error(fmt::format("two commands are named {}", name));
  }
  CLI::App* scenario = app_.add_subcommand(name, std::string(entry.lesson));
  scenario->group(std::string(kScenarioGroup));
  scenario->footer(examples_footer(entry));
  ScenarioRunner runner = entry.setup(*scenario);
  reject_global_names(*scenario);
  commands_.push_back({entry, scenario, std::move(runner)});
}

// A scenario option named like a global one would silently shadow it after
// the scenario name: a bug to catch at startup, in every test run.
void CommandLine::reject_global_names(const CLI::App& scenario) const {
  const std::vector<std::string> own = option_names(scenario);
  for (const auto& name : option_names(app_)) {
    if (name != "-h" && name != "--help" && contains(own, name)) {
      throw std::logic_error(fmt::format("scenario {} declares {}, which is a global option",
                                         scenario.get_name(), name));
    }
  }
}

void CommandLine::parse(int argc, const char* const* argv) {
  app_.parse(argc, argv);
  const std::vector<std::string> extras = app_.remaining();
  if (!extras.empty()) {
    reject_extra(extras.front());
  }
  if (chosen() == nullptr && !command_requested()) {
    throw ScenarioError("no scenario given");
  }
}

void CommandLine::reject_extra(const std::string& argument) const {
  const Command* command = chosen();
  if (!argument.starts_with('-')) {
    if (command == nullptr && !command_requested()) {
      std::vector<std::string> names;
      names.reserve(commands_.size());
      for (const Command& known : commands_) {
        names.emplace_back(known.entry.name);
      }
      throw ScenarioError(
          fmt::format("unknown scenario \"{}\"{}", argument, did_you_mean(argument, names)));
    }
    throw extras_error(fmt::format("unexpected argument \"{}\"", argument));
  }
  const std::string name = argument.substr(0, argument.find('='));
  std::vector<std::string> known = option_names(app_);
  if (command != nullptr) {
    const std::vector<std::string> own = option_names(*command->app);
    if (contains(own, name)) {
      throw extras_error(fmt::format("{} is an option of {}: put it after the scenario name", name,
                                     command->app->get_name()));
    }
    known.insert(known.end(), own.begin(), own.end());
  }
  throw extras_error(fmt::format("unknown option {}{}", name, did_you_mean(name, known)));
}

int CommandLine::report(const CLI::ParseError& error) const {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    return app_.exit(error);  // --help and --version: CLI11 prints them on stdout
  }
  if (dynamic_cast<const ScenarioError*>(&error) == nullptr) {
    return report_usage(error.what());
  }
  fmt::print(stderr, "asyncdemo: error: {}\n\n{}\nScenarios:\n", error.what(),
             Formatter(0).make_usage(&app_, ""));
  print_list(stderr, STDERR_FILENO, "  ");
  fmt::print(stderr, "\n{}", hint());
  return kExitUsage;
}

int CommandLine::report_usage(std::string_view message) const {
  fmt::print(stderr, "asyncdemo: error: {}\n{}", message, hint());
  return kExitUsage;
}

std::string CommandLine::hint() const {
  if (const Command* command = chosen(); command != nullptr) {
    return fmt::format(
        "Try 'asyncdemo {} --help' for its options, or 'asyncdemo --help' for the global ones.\n",
        command->app->get_name());
  }
  return "Try 'asyncdemo --help' for more information.\n";
}

bool CommandLine::list_requested() const { return list_->parsed(); }

std::optional<Shell> CommandLine::completion_requested() const {
  return completion_->parsed() ? std::optional(completion_shell_) : std::nullopt;
}

bool CommandLine::man_requested() const { return man_->parsed(); }

bool CommandLine::command_requested() const {
  return list_->parsed() || completion_->parsed() || man_->parsed();
}

const CommandLine::Command* CommandLine::chosen() const {
  const auto found =
      std::ranges::find_if(commands_, [](const Command& command) { return command.app->parsed(); });
  return found == commands_.end() ? nullptr : &*found;
}

const ScenarioEntry* CommandLine::scenario() const {
  const Command* command = chosen();
  return command == nullptr ? nullptr : &command->entry;
}

const ScenarioRunner& CommandLine::runner() const {
  const Command* command = chosen();
  if (command == nullptr) {
    throw std::logic_error("CommandLine::runner() called with no scenario chosen");
  }
  return command->runner;
}

std::vector<std::string> CommandLine::input_paths() const {
  std::vector<std::string> paths;
  if (const Command* command = chosen(); command != nullptr) {
    for (const CLI::Option* option : command->app->get_options()) {
      if (option->get_type_name() != "FILE") {
        continue;
      }
      for (const std::string& path : option->results()) {
        if (path != "-") {
          paths.push_back(path);
        }
      }
    }
  }
  return paths;
}

void CommandLine::print_list(std::FILE* out, int fd, std::string_view indent) const {
  std::size_t name_width = 0;
  for (const Command& command : commands_) {
    name_width = std::max(name_width, command.entry.name.size());
  }
  const std::size_t column = indent.size() + name_width + 2;
  const std::size_t width = list_width(fd);
  for (const Command& command : commands_) {
    const std::string name = fmt::format("{}{}", indent, command.entry.name);
    fmt::print(out, "{}", hanging(name, command.entry.lesson, column, width));
  }
}

// Wrapped to fit a terminal, or to --width; one line per scenario when piped,
// so that `asyncdemo list | grep` finds whole lessons.
std::size_t CommandLine::list_width(int fd) const {
  if (globals_.width != 0) {
    return globals_.width;
  }
  return isatty(fd) == 1 ? terminal_width(fd) : 0;
}

void CommandLine::print_list_json(std::FILE* out) const {
  nlohmann::ordered_json scenarios = nlohmann::ordered_json::array();
  for (const Command& command : commands_) {
    scenarios.push_back({{"name", command.entry.name}, {"lesson", command.entry.lesson}});
  }
  const nlohmann::ordered_json document{{"scenarios", std::move(scenarios)}};
  fmt::print(out, "{}\n", document.dump(2));
}

TextStyle text_style(const GlobalOptions& globals) {
  TextStyle style;
  style.color =
      globals.color == ColorMode::always || (globals.color == ColorMode::automatic && auto_color());
  style.width =
      static_cast<int>(globals.width != 0 ? globals.width : terminal_width(STDOUT_FILENO));
  style.quiet = globals.quiet;
  return style;
}

std::string_view version_line() { return "asyncdemo " ASYNCDEMO_VERSION; }

}  // namespace asyncdemo
