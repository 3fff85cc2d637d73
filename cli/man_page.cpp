#include "cli/man_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli/app.hpp"

namespace asyncdemo {

namespace {

constexpr std::string_view kSummary =
    "run small concurrent programs on an event loop and check the lessons they teach";

struct ExitStatus {
  int code;
  std::string_view meaning;
};

// What cli/main.cpp returns (the constants of cli/app.hpp), in the words of --help's footer.
std::vector<ExitStatus> exit_statuses() {
  return {
      {kExitOk,
       "The scenario ran (and with --check, every claim held). A failure asked for "
       "(--fail, a timeout, a cancel) is the lesson, not an error."},
      {kExitFailed,
       "A --check claim failed, the scenario itself failed, or an output (stdout, "
       "--trace, --junit) could not be written."},
      {kExitUsage,
       "Usage error: the command line or the environment (UV_THREADPOOL_SIZE) was "
       "wrong; nothing ran."},
      {kExitSignalBase + SIGINT,
       "Interrupted by Ctrl-C (SIGINT): the tasks were cancelled, their cleanup run, and the "
       "partial report printed."},
      {kExitSignalBase + SIGTERM, "Interrupted by SIGTERM, likewise."},
  };
}

struct Variable {
  std::string_view name;
  std::string_view meaning;
};

std::vector<Variable> environment() {
  return {
      {"NO_COLOR", "Set and not empty: no colour with --color auto (the default)."},
      {"TERM", "dumb: no colour with --color auto."},
      {"COLUMNS",
       "The line width when stdout is not a terminal and --width is not given "
       "(else 100)."},
      {"UV_THREADPOOL_SIZE",
       "The number of threads for thread work and lookups, a whole number from 1 to 1024; by "
       "default asyncio's default executor size, min(32, cpus + 4). Any other value is a usage "
       "error."},
  };
}

// The code point of the UTF-8 sequence at `text[at]`, and how many bytes it takes.
std::pair<std::uint32_t, std::size_t> decode_utf8(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  constexpr std::array<std::uint32_t, 5> kLeadBits = {0, 0x7F, 0x1F, 0x0F, 0x07};
  std::uint32_t code = lead & kLeadBits.at(length);
  for (std::size_t i = 1; i < length && at + i < text.size(); ++i) {
    code = (code << 6U) | (static_cast<unsigned char>(text[at + i]) & 0x3FU);
  }
  return {code, length};
}

std::string bold(std::string_view text) { return "\\fB" + troff_text(text) + "\\fR"; }
std::string italic(std::string_view text) { return "\\fI" + troff_text(text) + "\\fR"; }

// `--mode` `blocking|async|all`, `-q, --quiet`, `names...`: an option's names and its value as
// --help shows them.
std::string option_label(const OptionModel& option) {
  if (option.operand()) {
    return italic(option.operand_name) + (option.repeats ? "..." : "");
  }
  std::string label;
  for (const std::string& name : option.names) {
    label += (label.empty() ? "" : ", ") + bold(name);
  }
  return option.flag() ? label : label + " " + italic(option.value_name);
}

// An operand in a usage line: `\fBbash\fR|\fBzsh\fR` for a choice, [names...] if it may be
// left out.
std::string operand_usage(const OptionModel& operand) {
  std::string usage;
  for (const std::string& choice : operand.choices) {
    usage += (usage.empty() ? "" : "|") + bold(choice);
  }
  if (usage.empty()) {
    usage = option_label(operand);
  }
  return operand.required ? usage : "[" + usage + "]";
}

std::string command_usage(const CommandModel& command) {
  std::string usage = bold(command.name);
  for (const OptionModel& operand : command.operands) {
    usage += " " + operand_usage(operand);
  }
  return usage;
}

std::string option_entry(const OptionModel& option) {
  std::string text = option.description;
  if (!option.default_value.empty()) {
    const std::string_view joint = text.empty() ? "" : text.ends_with('.') ? " " : ". ";
    text += fmt::format("{}Default: {}.", joint, option.default_value);
  }
  return fmt::format(".TP\n{}\n{}\n", option_label(option), troff_text(text));
}

// --help's footer, hand-wrapped: a line that ends a sentence ends a paragraph.
std::string paragraphs(std::string_view text) {
  std::string out;
  std::string paragraph;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    paragraph += (paragraph.empty() ? "" : " ") + std::string(line);
    if (line.ends_with('.') || text.empty()) {
      out += ".PP\n" + troff_text(paragraph) + "\n";
      paragraph.clear();
    }
  }
  return out;
}

std::string synopsis(const ProgramModel& program) {
  std::string out = ".SH SYNOPSIS\n";
  out += fmt::format("{} [{}] {} [{}]\n", bold(program.name), italic("GLOBAL OPTIONS"),
                     italic("scenario"), italic("SCENARIO OPTIONS"));
  for (const CommandModel& command : program.commands) {
    if (!command.scenario) {
      out += fmt::format(".br\n{} {}\n", bold(program.name), command_usage(command));
    }
  }
  out += fmt::format(".br\n{} {} {}\n", bold(program.name), italic("scenario"), bold("--help"));
  return out;
}

std::string options_section(const ProgramModel& program) {
  std::string out =
      ".SH OPTIONS\nThese global options work with every scenario, before or after "
      "its name.\n";
  for (const OptionModel& option : program.global_options) {
    out += option_entry(option);
  }
  return out;
}

std::string commands_section(const ProgramModel& program) {
  std::string out = ".SH COMMANDS\n";
  for (const CommandModel& command : program.commands) {
    if (!command.scenario) {
      out += fmt::format(".TP\n{}\n{}\n", command_usage(command), troff_text(command.description));
    }
  }
  return out;
}

std::string scenarios_section(const ProgramModel& program) {
  std::string out = ".SH SCENARIOS\n";
  for (const CommandModel& command : program.commands) {
    if (!command.scenario) {
      continue;
    }
    out += fmt::format(".SS {}\n{}\n", command_usage(command), troff_text(command.description));
    for (const OptionModel& operand : command.operands) {
      out += option_entry(operand);
    }
    for (const OptionModel& option : command.options) {
      out += option_entry(option);
    }
  }
  return out;
}

std::string exit_status_section() {
  std::string out = ".SH EXIT STATUS\n";
  for (const ExitStatus& status : exit_statuses()) {
    out += fmt::format(".TP\n.B {}\n{}\n", status.code, troff_text(status.meaning));
  }
  return out;
}

std::string environment_section() {
  std::string out = ".SH ENVIRONMENT\n";
  for (const Variable& variable : environment()) {
    out += fmt::format(".TP\n{}\n{}\n", bold(variable.name), troff_text(variable.meaning));
  }
  return out;
}

std::string examples_section(const std::vector<ScenarioEntry>& scenarios) {
  std::string out = ".SH EXAMPLES\n.nf\n.RS 4\n";
  for (const ScenarioEntry& entry : scenarios) {
    out += troff_text(entry.examples) + "\n" + (&entry == &scenarios.back() ? "" : "\n");
  }
  return out + ".RE\n.fi\n";
}

}  // namespace

std::string troff_text(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (line_start && (c == '.' || c == '\'')) {
      out += "\\&";
    }
    line_start = c == '\n';
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto [code, length] = decode_utf8(text, i);
      out += fmt::format("\\[u{:04X}]", code);
      i += length;
      continue;
    }
    out += c == '\\' ? std::string("\\e") : c == '-' ? std::string("\\-") : std::string(1, c);
    ++i;
  }
  return out;
}

std::string man_page(const ProgramModel& program, const std::vector<ScenarioEntry>& scenarios,
                     std::string_view version) {
  return fmt::format(
             ".\\\" asyncdemo(1), written by `asyncdemo man` from its own command line.\n"
             ".TH ASYNCDEMO 1 \"\" \"{}\" \"User Commands\"\n"
             ".SH NAME\n{} \\- {}\n",
             troff_text(version), troff_text(program.name), kSummary) +
         synopsis(program) + ".SH DESCRIPTION\n" + troff_text(program.description) + "\n" +
         paragraphs(program.footer) + options_section(program) + commands_section(program) +
         scenarios_section(program) + exit_status_section() + environment_section() +
         examples_section(scenarios) +
         ".SH SEE ALSO\nThe lessons are those of Python's asyncio: "
         "\\fIhttps://docs.python.org/3/library/asyncio.html\\fR\n";
}

}  // namespace asyncdemo
