// asyncdemo's entry point, kept thin: parse the command line, run the chosen
// scenario, render its report, and turn what happened into an exit code.
// Machine output (text report, JSON) goes to stdout, diagnostics to stderr.
// A reader that closes stdout early (`| head`) ends the output, not the run.

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "cli/app.hpp"
#include "cli/output_stream.hpp"
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
// rather than after a long run. Null (the error printed) when the path is the
// user's to fix; running out of file descriptors (EMFILE, ENFILE) is not, and
// is thrown as a failure instead (exit 1, not 2).
File open_trace(const std::string& path) {
  File file(std::fopen(path.c_str(), "w"));
  if (!file) {
    const int error = errno;
    const std::string message = fmt::format("--trace: cannot open \"{}\" for writing", path);
    if (error == EMFILE || error == ENFILE) {
      throw std::system_error(error, std::generic_category(), message);
    }
    print_error(fmt::format("{}: {}", message, std::strerror(error)));
  }
  return file;
}

// Written through an OutputStream on the file's descriptor (the FILE itself
// never buffers anything), so that every failed write is seen, whichever
// buffer it was in; then closing may still fail.
bool write_trace(const ScenarioReport& report, File trace, const std::string& path) {
  int error = 0;
  {
    OutputStream stream(fileno(trace.get()));
    render_trace(report, stream.get());
    error = stream.error();
  }
  if (std::fclose(trace.release()) != 0 && error == 0) {
    error = errno;
  }
  if (error != 0) {
    print_error(fmt::format("--trace: writing \"{}\" failed: {}", path, std::strerror(error)));
    return false;
  }
  return true;
}

// A failed output turns a success into a failure; an exit code that already
// says something else (a failed claim, an interrupt) stays.
int output_failed(int code) { return code == kExitOk ? kExitFailed : code; }

// Output that never arrived is a failure, even after a successful run
// (`asyncdemo gather --json > /dev/full`); a reader that left early (EPIPE)
// is not: it had all it wanted.
int finish_stdout(OutputStream& out, int code) {
  if (const int error = out.error(); error != 0 && error != EPIPE) {
    print_error(fmt::format("cannot write to stdout: {}", std::strerror(error)));
    return output_failed(code);
  }
  return code;
}

// The live text (header, then one line per event) is for a person watching:
// not with --json, where stdout holds the JSON document only, nor with -q.
bool live_output(const GlobalOptions& globals) { return !globals.json && !globals.quiet; }

RunContext run_context(const GlobalOptions& globals, const TextStyle& style, LiveLog& live_log,
                       std::FILE* out) {
  RunContext context;
  context.runtime.clock = globals.virtual_time ? ClockKind::virtual_time : ClockKind::real;
  // Ctrl-C cancels every task and lets their cleanup run, so the partial report
  // still prints (and JSON stays one document); a second Ctrl-C exits at once.
  context.runtime.handle_interrupts = true;
  context.tolerance = globals.tolerance;
  if (live_output(globals)) {
    context.on_start = [style, out](const ScenarioReport& report) {
      render_header(report, style, out);
    };
    context.on_event = live_log.sink();
  }
  return context;
}

int exit_code(const ScenarioReport& report, const GlobalOptions& globals) {
  if (report.interrupted) {
    return kExitInterrupted;
  }
  if (!report.error.empty()) {
    return kExitFailed;  // the scenario itself failed: whatever the claims say, it did not run
  }
  const bool claims_held = std::ranges::all_of(report.checks, &Claim::passed);
  return globals.check && !claims_held ? kExitFailed : kExitOk;
}

int run_scenario(const CommandLine& command_line, std::FILE* out) {
  const GlobalOptions& globals = command_line.globals();
  File trace;
  if (!globals.trace_path.empty()) {
    trace = open_trace(globals.trace_path);
    if (!trace) {
      return kExitUsage;
    }
  }
  const TextStyle style = text_style(globals);
  LiveLog live_log(style, out);
  const ScenarioReport report = command_line.runner()(run_context(globals, style, live_log, out));
  if (globals.json) {
    render_json(report, globals.check, out);
  } else {
    if (live_output(globals)) {
      live_log.finish();
    }
    render_body(report, style, globals.check, out);
  }
  if (!report.error.empty()) {
    print_error(report.error);  // also where scripts look, whatever stdout holds
  }
  const int code = exit_code(report, globals);
  if (trace && !write_trace(report, std::move(trace), globals.trace_path)) {
    return output_failed(code);
  }
  return code;
}

int run(int argc, const char* const* argv) {
  CommandLine command_line(scenario_registry());
  try {
    command_line.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return command_line.report(error);
  }
  OutputStream out(STDOUT_FILENO);
  if (command_line.list_requested()) {
    if (command_line.globals().json) {
      command_line.print_list_json(out.get());
    } else {
      command_line.print_list(out.get());
    }
    return finish_stdout(out, kExitOk);
  }
  try {
    return finish_stdout(out, run_scenario(command_line, out.get()));
  } catch (const UsageError& error) {
    // Options that parsed one by one but do not fit together, found by the
    // scenario before anything ran: still the user's to fix.
    return command_line.report_usage(error.what());
  }
}

// --help and --version, which CLI11 prints through std::cout onto stdout.
int flush_stdout(int code) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int error = errno;
    if (error == EPIPE) {
      return code;  // the reader has all it wanted
    }
    print_error(fmt::format("cannot write to stdout: {}", std::strerror(error)));
    return output_failed(code);
  }
  return code;
}

constexpr int kMallocTopPadBytes = 64 << 20;

}  // namespace

}  // namespace asyncdemo

int main(int argc, char** argv) {
  using namespace asyncdemo;
  // A reader that closes the pipe early (`| head -1`) must not kill the
  // process mid-run: writes fail with EPIPE instead, and OutputStream ends
  // the output quietly while the run finishes with its own exit code.
  std::signal(SIGPIPE, SIG_IGN);
  // malloc's heap grows 64 MiB of address space at a time instead of 128 KiB
  // (pages are still only used as they are written). A million-task run
  // otherwise calls brk() about 190 times while its queues grow, and each
  // call waits for the mmap lock that the page worker holds while it faults
  // memory in (core/detail/page_work.hpp): measured 35 ms of wall time.
  static_cast<void>(mallopt(M_TOP_PAD, kMallocTopPadBytes));
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
