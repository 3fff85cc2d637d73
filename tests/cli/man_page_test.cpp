// The man page (cli/man_page.hpp), written from the real command line in process: every
// scenario, option and exit code is in it, and its text is escaped so that troff prints it as
// written. groff's own reading of it is in tests/e2e/completion_e2e_test.cpp.

#include "cli/man_page.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <csignal>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app.hpp"
#include "scenarios/scenario.hpp"
#include "tests/render/render_kit.hpp"

namespace {

using asyncdemo::CommandLine;
using asyncdemo::man_page;
using asyncdemo::scenario_registry;
using asyncdemo::troff_text;
using asyncdemo::testing::lines_of;

struct Page {
  asyncdemo::ProgramModel model;
  std::string text;
};

Page real_page() {
  const CommandLine command_line(scenario_registry());
  Page page{command_line.model(), ""};
  page.text = man_page(page.model, scenario_registry(), asyncdemo::version_line());
  return page;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The text of section `name` (from its .SH line to the next).
std::string section(const std::string& page, std::string_view name) {
  const std::size_t start = page.find(fmt::format("\n.SH {}\n", name));
  REQUIRE_MESSAGE(start != std::string::npos, "no section " << name);
  const std::size_t end = page.find("\n.SH ", start + 1);
  return page.substr(start, end - start);
}

}  // namespace

TEST_CASE("the man page has the sections of a manual page, in order") {
  const std::string page = real_page().text;
  CHECK(contains(page, ".TH ASYNCDEMO 1 \"\" \"asyncdemo "));
  std::size_t at = 0;
  for (const std::string_view name :
       {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "SCENARIOS", "EXIT STATUS",
        "ENVIRONMENT", "EXAMPLES", "SEE ALSO"}) {
    CAPTURE(name);
    const std::size_t found = page.find(fmt::format("\n.SH {}\n", name), at);
    CHECK(found != std::string::npos);
    at = found == std::string::npos ? at : found;
  }
  CHECK(contains(section(page, "NAME"), "asyncdemo \\- "));
}

TEST_CASE("the man page has a subsection per scenario with its lesson, options and examples") {
  const Page page = real_page();
  const std::string scenarios = section(page.text, "SCENARIOS");
  const std::string examples = section(page.text, "EXAMPLES");
  std::size_t subsections = 0;
  for (const std::string& line : lines_of(scenarios)) {
    subsections += line.starts_with(".SS ") ? 1 : 0;
  }
  CHECK(subsections == scenario_registry().size());
  for (const auto& entry : scenario_registry()) {
    CAPTURE(entry.name);
    CHECK(contains(scenarios, fmt::format(".SS \\fB{}\\fR", troff_text(entry.name))));
    CHECK(contains(scenarios, troff_text(entry.lesson)));
    CHECK(contains(examples, troff_text(entry.examples)));
  }
  for (const auto& command : page.model.commands) {
    for (const auto& option : command.options) {
      for (const std::string& name : option.names) {
        CAPTURE(command.name);
        CAPTURE(name);
        CHECK(contains(scenarios, fmt::format("\\fB{}\\fR", troff_text(name))));
      }
      CHECK(contains(page.text, troff_text(option.description)));
    }
  }
  // A default is given as --help gives it.
  CHECK(contains(scenarios, "Default: all."));  // sleep --mode
}

TEST_CASE("the man page gives every global option and every exit code the program returns") {
  const Page page = real_page();
  const std::string options = section(page.text, "OPTIONS");
  for (const auto& option : page.model.global_options) {
    for (const std::string& name : option.names) {
      CAPTURE(name);
      CHECK(contains(options, fmt::format("\\fB{}\\fR", troff_text(name))));
    }
  }
  const std::string exit_status = section(page.text, "EXIT STATUS");
  for (const int code :
       {asyncdemo::kExitOk, asyncdemo::kExitFailed, asyncdemo::kExitUsage,
        asyncdemo::kExitSignalBase + SIGINT, asyncdemo::kExitSignalBase + SIGTERM}) {
    CAPTURE(code);
    CHECK(contains(exit_status, fmt::format(".TP\n.B {}\n", code)));
  }
  CHECK(contains(section(page.text, "COMMANDS"),
                 "\\fBcompletion\\fR \\fBbash\\fR|\\fBzsh\\fR|\\fBfish\\fR"));
}

TEST_CASE("no line of the man page is a request by accident") {
  // Every line that starts with '.' is one of the requests the page means to make.
  for (const std::string& line : lines_of(real_page().text)) {
    if (line.starts_with('.') || line.starts_with('\'')) {
      const std::string request = line.substr(0, line.find(' '));
      CAPTURE(line);
      CHECK((request == ".\\\"" || request == ".TH" || request == ".SH" || request == ".SS" ||
             request == ".TP" || request == ".PP" || request == ".B" || request == ".br" ||
             request == ".nf" || request == ".fi" || request == ".RS" || request == ".RE"));
    }
  }
}

TEST_CASE("troff_text escapes backslashes, hyphens, requests and characters beyond ASCII") {
  CHECK(troff_text("--mode") == "\\-\\-mode");
  CHECK(troff_text(R"(printf 'a\n')") == R"(printf 'a\en')");
  CHECK(troff_text(".hidden\n'quoted\nplain.") == "\\&.hidden\n\\&'quoted\nplain.");
  CHECK(troff_text("it's") == "it's");
  CHECK(troff_text("2 \xC3\x97 3 \xE2\x80\x94 \xF0\x9F\x99\x82") ==
        "2 \\[u00D7] 3 \\[u2014] \\[u1F642]");
  CHECK(troff_text("").empty());
}
