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
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/app.hpp"
#include "cli/completion.hpp"
#include "cli/interrupts.hpp"
#include "cli/man_page.hpp"
#include "cli/output_file.hpp"
#include "cli/output_stream.hpp"
#include "cli/render.hpp"
#include "cli/render_fit.hpp"
#include "cli/render_format.hpp"
#include "cli/render_runs.hpp"
#include "cli/run_series.hpp"
#include "cli/standard_streams.hpp"
#include "core/thread_pool.hpp"
#include "scenarios/cpu_work.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

namespace {

void print_error(std::string_view message) {
  fmt::print(stderr, "asyncdemo: error: {}\n", message);
}

// The file outputs asked for, each a flag and its path: every rule here holds for each.
struct FileOutput {
  std::string_view option;
  std::string path;
  void (*render)(const RunSeries&, std::FILE*);
};

std::vector<FileOutput> file_outputs(const GlobalOptions& globals) {
  std::vector<FileOutput> outputs;
  if (globals.trace_path) {
    // One run's trace: the last one's, as the text report shows it in full.
    outputs.push_back({"--trace", *globals.trace_path, [](const RunSeries& runs, std::FILE* out) {
                         render_trace(runs.last(), out);
                       }});
  }
  if (globals.svg_path) {
    outputs.push_back({"--svg", *globals.svg_path, [](const RunSeries& runs, std::FILE* out) {
                         render_svg(runs.last(), out);
                       }});
  }
  if (globals.html_path) {
    outputs.push_back({"--html", *globals.html_path, [](const RunSeries& runs, std::FILE* out) {
                         render_html(runs.last(), out);
                       }});
  }
  if (globals.junit_path) {
    outputs.push_back({"--junit", *globals.junit_path, &render_junit});
  }
  return outputs;
}

// Before anything runs: each output can be written, and none would replace a
// file the scenario reads (`probe --from names.txt --trace names.txt`).
void check_outputs(const std::vector<FileOutput>& outputs, const std::vector<std::string>& inputs) {
  for (const FileOutput& output : outputs) {
    OutputFile::check(output.option, output.path);
    for (const std::string& input : inputs) {
      if (same_file(output.path, input)) {
        throw UsageError(
            fmt::format("{} {}: that is a file this scenario reads; write the "
                        "output to another file",
                        output.option, output.path));
      }
    }
  }
}

// Rendered into a temporary beside the target and renamed into place once
// complete (cli/output_file.hpp): a failure leaves the old file as it was.
// Written through an OutputStream on the descriptor, so that every failed
// write is seen, whichever buffer it was in, and the rendering stops there.
bool write_output(const RunSeries& runs, const FileOutput& output) {
  int error = 0;
  try {
    OutputFile file(output.option, output.path);
    {
      OutputStream stream(file.fd());
      stream.end_on_error();
      try {
        output.render(runs, stream.get());
      } catch (const std::system_error&) {
        if (!stream.failed()) {
          throw;
        }
      }
      error = stream.error();
    }
    if (error == 0) {
      error = file.commit();
    }
  } catch (const std::exception& failure) {
    // Checked before the run, so this is the world changing during it (a directory removed).
    print_error(failure.what());
    return false;
  }
  if (error != 0) {
    print_error(fmt::format("{}: writing \"{}\" failed: {}", output.option, output.path,
                            std::strerror(error)));
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

// After Ctrl-C, the tasks are cancelled at once, but work on a thread or in a
// child process cannot be: the run ends when it returns. Say so, rather than
// wait in silence.
void say_what_interrupt_waits_for(int signal, std::size_t threads_running,
                                  std::size_t processes_running) {
  if (threads_running == 0 && processes_running == 0) {
    return;
  }
  std::vector<std::string> running;
  if (threads_running > 0) {
    running.push_back(
        fmt::format("{} {}", threads_running, threads_running == 1 ? "thread" : "threads"));
  }
  if (processes_running > 0) {
    running.push_back(fmt::format("{} {}", processes_running,
                                  processes_running == 1 ? "child process" : "child processes"));
  }
  fmt::print(stderr,
             "asyncdemo: interrupted ({}): waiting for {} still running (they cannot be "
             "cancelled); {} again to quit\n",
             signal_name(signal), fmt::join(running, " and "), interruption_name(signal));
  std::fflush(stderr);
}

// Which run of a series (--repeat) this is: the live text shows the header before the first
// and the log of the last, whose report is shown in full.
struct RunTurn {
  std::size_t number = 1;
  std::size_t planned = 1;
  [[nodiscard]] bool first() const { return number == 1; }
  [[nodiscard]] bool shown() const { return number == planned; }
};

RunContext run_context(const GlobalOptions& globals, const TextStyle& style, LiveLog& live_log,
                       std::FILE* out, RunTurn turn) {
  RunContext context;
  context.runtime.clock = globals.virtual_time ? ClockKind::virtual_time : ClockKind::real;
  // Ctrl-C cancels every task and lets their cleanup run, so the partial report
  // still prints (and JSON stays one document); a second Ctrl-C exits at once.
  context.runtime.handle_interrupts = true;
  context.runtime.on_interrupt = &say_what_interrupt_waits_for;
  context.tolerance = globals.tolerance;
  const bool live = live_output(globals);
  context.on_start = [live, style, out, turn, &live_log](const ScenarioReport& report) {
    interrupts::run_began();  // from here on a report is owed, whatever comes
    if (!live) {
      return;
    }
    if (turn.first()) {
      render_header(report, style, out);
    }
    if (turn.shown()) {
      if (turn.planned > 1) {
        fmt::print(out, "run {} of {}, in full:\n", turn.number, turn.planned);
      }
      live_log.expect_name(report.longest_task_name);
    }
  };
  if (live && turn.shown()) {
    context.on_event = live_log.sink();
  }
  return context;
}

int exit_code(const RunSeries& runs, const GlobalOptions& globals) {
  const ScenarioReport& last = runs.last();
  if (last.interrupted) {
    return kExitSignalBase + last.interrupt_signal;
  }
  if (!last.error.empty()) {
    return kExitFailed;  // the scenario itself failed: whatever the claims say, it did not run
  }
  return globals.check && !runs.claims_held() ? kExitFailed : kExitOk;
}

// A series is never silent: a line per run, in the live text, or with --json or -q on stderr
// when a person watches it there.
void say_progress(const RunSeries& runs, const GlobalOptions& globals, std::FILE* text) {
  const std::string line = run_progress(runs.runs().back(), runs.requested(), globals.check);
  if (live_output(globals)) {
    fmt::print(text, "{}\n", line);
    std::fflush(text);
  } else if (isatty(STDERR_FILENO) == 1) {
    fmt::print(stderr, "asyncdemo: {}\n", line);
  }
}

// --repeat N: N runs on the real clock, each a fresh Runtime from the same runner; one on the
// virtual clock, where every run would be the same. A run cut short (Ctrl-C, an error) or a
// signal between runs ends the series there.
RunSeries run_series(const CommandLine& command_line, const GlobalOptions& globals,
                     const TextStyle& style, LiveLog& live_log, std::FILE* text) {
  const std::size_t planned = globals.virtual_time ? 1 : globals.repeat;
  RunSeries runs(globals.repeat);
  for (std::size_t number = 1; number <= planned; ++number) {
    const RunTurn turn{number, planned};
    runs.add(command_line.runner()(run_context(globals, style, live_log, text, turn)));
    if (!turn.shown()) {
      say_progress(runs, globals, text);
    }
    if (runs.runs().back().partial() || interrupts::received() != 0) {
      break;
    }
  }
  return runs;
}

// The report on stdout (`text`: stdout itself, or for a person's text the
// same fitted to the width). Once its reader has gone (EPIPE) or the disk is
// full, rendering stops at the next write instead of going on for nobody;
// finish_stdout() then tells the two apart.
void render_report(const RunSeries& runs, const GlobalOptions& globals, const TextStyle& style,
                   LiveLog& live_log, OutputStream& out, std::FILE* text) {
  out.end_on_error();
  try {
    if (globals.json) {
      render_json(runs, globals.check, text);
    } else {
      if (live_output(globals)) {
        live_log.finish();
      }
      render_body(runs.last(), style, globals.check, text);
      render_runs(runs, style, globals.check, text);
    }
    std::fflush(text);
  } catch (const std::system_error&) {
    if (!out.failed()) {
      throw;
    }
  }
}

int run_scenario(const CommandLine& command_line, OutputStream& out) {
  const GlobalOptions& globals = command_line.globals();
  const std::vector<FileOutput> outputs = file_outputs(globals);
  check_outputs(outputs, command_line.input_paths());
  const TextStyle style = text_style(globals);
  // Text for a person fits the width, every line of it; JSON is for programs.
  std::optional<FittedStream> fitted;
  if (!globals.json) {
    fitted.emplace(out.get(), static_cast<std::size_t>(style.width));
  }
  std::FILE* text = fitted ? fitted->get() : out.get();
  // The log shows the events that carry the scenario's lesson, when it names them.
  const ScenarioEntry* scenario = command_line.scenario();
  LiveLog live_log(style, text, scenario != nullptr ? scenario->lesson_events : nullptr,
                   scenario != nullptr ? scenario->lesson_context : 0);
  const RunSeries runs = run_series(command_line, globals, style, live_log, text);
  const ScenarioReport& report = runs.last();
  render_report(runs, globals, style, live_log, out, text);
  fitted.reset();
  if (!report.error.empty()) {
    print_error(report.error);  // also where scripts look, whatever stdout holds
  }
  int code = finish_stdout(out, exit_code(runs, globals));
  for (const FileOutput& output : outputs) {
    if (!write_output(runs, output)) {
      code = output_failed(code);
    }
  }
  // A signal that came once the run was over: the report was finished first, as promised.
  if (const int signal = interrupts::received(); signal != 0 && !report.interrupted) {
    return kExitSignalBase + signal;
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
      command_line.print_list(out.get(), STDOUT_FILENO);
    }
    return finish_stdout(out, kExitOk);
  }
  if (const std::optional<Shell> shell = command_line.completion_requested(); shell) {
    fmt::print(out.get(), "{}", completion_script(command_line.model(), *shell));
    return finish_stdout(out, kExitOk);
  }
  if (command_line.man_requested()) {
    fmt::print(out.get(), "{}",
               man_page(command_line.model(), scenario_registry(), version_line()));
    return finish_stdout(out, kExitOk);
  }
  try {
    // Here, before any Runtime exists: libuv reads UV_THREADPOOL_SIZE once, at the first work
    // queued, so this is the last moment to give its pool asyncio's size (core/thread_pool.hpp).
    static_cast<void>(configure_thread_pool());
    return run_scenario(command_line, out);
  } catch (const UsageError& error) {
    // Options that parsed one by one but do not fit together, found by the
    // scenario before anything ran: still the user's to fix.
    return command_line.report_usage(error.what());
  } catch (const InvalidThreadPoolSize& error) {
    return command_line.report_usage(error.what());  // the environment is the user's too
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
  // Before anything opens a descriptor: a closed 0, 1 or 2 must not be taken by one.
  if (!open_missing_standard_streams()) {
    return kExitFailed;
  }
  // A reader that closes the pipe early (`| head -1`) must not kill the
  // process mid-run: writes fail with EPIPE instead, and OutputStream ends
  // the output quietly while the run finishes with its own exit code.
  std::signal(SIGPIPE, SIG_IGN);
  // Likewise a file that outgrows the size limit (ulimit -f) fails its write with EFBIG, which
  // is reported, and the output file keeps its old contents (cli/output_file.hpp).
  std::signal(SIGXFSZ, SIG_IGN);
  // A child of `lag --offload process`: this program started again to count primes.
  if (argc >= 2 && std::string_view(argv[1]) == kCpuWorkerFlag) {
    return cpu_worker_main(std::vector<std::string_view>(argv + 2, argv + argc));
  }
  // malloc's heap grows 64 MiB of address space at a time instead of 128 KiB
  // (pages are still only used as they are written). A million-task run
  // otherwise calls brk() about 190 times while its queues grow, and each
  // call waits for the mmap lock that the page worker holds while it faults
  // memory in (core/detail/page_work.hpp): measured 35 ms of wall time.
  static_cast<void>(mallopt(M_TOP_PAD, kMallocTopPadBytes));
  try {
    interrupts::install();
    return flush_stdout(run(argc, argv));
  } catch (const std::exception& error) {
    print_error(error.what());
    return kExitFailed;
  } catch (...) {
    print_error("unknown failure");
    return kExitFailed;
  }
}
