// asyncdemo's entry point, kept thin: parse the command line, run the chosen
// scenario, render its report, and turn what happened into an exit code.
// Machine output (text report, JSON) goes to stdout, diagnostics to stderr.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "cli/app.hpp"
#include "cli/render.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

namespace {

void print_error(std::string_view message) {
  fmt::print(stderr, "asyncdemo: error: {}\n", message);
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Opened before the run, so that a path that cannot be written fails at once
// rather than after a long run.
File open_trace(const std::string& path) {
  File file(std::fopen(path.c_str(), "w"));
  if (!file) {
    print_error(
        fmt::format("--trace: cannot open \"{}\" for writing: {}", path, std::strerror(errno)));
  }
  return file;
}

bool write_trace(const ScenarioReport& report, File trace, const std::string& path) {
  render_trace(report, trace.get());
  const bool written = std::ferror(trace.get()) == 0;
  if (std::fclose(trace.release()) != 0 || !written) {
    print_error(fmt::format("--trace: writing \"{}\" failed: {}", path, std::strerror(errno)));
    return false;
  }
  return true;
}

// The live text (header, then one line per event) is for a person watching:
// not with --json, where stdout holds the JSON document only, nor with -q.
bool live_output(const GlobalOptions& globals) { return !globals.json && !globals.quiet; }

RunContext run_context(const GlobalOptions& globals, const TextStyle& style, LiveLog& live_log) {
  RunContext context;
  context.runtime.clock = globals.virtual_time ? ClockKind::virtual_time : ClockKind::real;
  // Ctrl-C cancels every task and lets their cleanup run, so the partial report
  // still prints (and JSON stays one document); a second Ctrl-C exits at once.
  context.runtime.handle_interrupts = true;
  context.tolerance = globals.tolerance;
  if (live_output(globals)) {
    context.on_start = [style](const ScenarioReport& report) {
      render_header(report, style, stdout);
    };
    context.on_event = live_log.sink();
  }
  return context;
}

int exit_code(const ScenarioReport& report, const GlobalOptions& globals) {
  if (report.interrupted) {
    return kExitInterrupted;
  }
  const bool claims_held = std::ranges::all_of(report.checks, &Claim::passed);
  return globals.check && !claims_held ? kExitFailed : kExitOk;
}

int run_scenario(const CommandLine& command_line) {
  const GlobalOptions& globals = command_line.globals();
  File trace;
  if (!globals.trace_path.empty()) {
    trace = open_trace(globals.trace_path);
    if (!trace) {
      return kExitUsage;
    }
  }
  const TextStyle style = text_style(globals);
  LiveLog live_log(style, stdout);
  const ScenarioReport report = command_line.runner()(run_context(globals, style, live_log));
  if (globals.json) {
    render_json(report, globals.check, stdout);
  } else {
    if (live_output(globals)) {
      live_log.finish();
    }
    render_body(report, style, globals.check, stdout);
  }
  if (trace && !write_trace(report, std::move(trace), globals.trace_path)) {
    return kExitFailed;
  }
  return exit_code(report, globals);
}

int run(int argc, const char* const* argv) {
  CommandLine command_line(scenario_registry());
  try {
    command_line.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return command_line.report(error);
  }
  if (command_line.list_requested()) {
    if (command_line.globals().json) {
      command_line.print_list_json(stdout);
    } else {
      command_line.print_list(stdout);
    }
    return kExitOk;
  }
  try {
    return run_scenario(command_line);
  } catch (const UsageError& error) {
    // Options that parsed one by one but do not fit together, found by the
    // scenario before anything ran: still the user's to fix.
    return command_line.report_usage(error.what());
  }
}

// Output that never arrived is a failure, even after a successful run
// (`asyncdemo gather --json > /dev/full`).
int flush_stdout(int code) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    print_error(fmt::format("cannot write to stdout: {}", std::strerror(errno)));
    return code == kExitOk ? kExitFailed : code;
  }
  return code;
}

}  // namespace

}  // namespace asyncdemo

int main(int argc, char** argv) {
  using namespace asyncdemo;
  try {
    return flush_stdout(run(argc, argv));
  } catch (const std::exception& error) {
    print_error(error.what());
    return kExitFailed;
  } catch (...) {
    print_error("unknown failure");
    return kExitFailed;
  }
}
