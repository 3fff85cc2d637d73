// --junit: the claims as JUnit XML, one testcase per claim per run.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/render.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

ScenarioReport report_with(std::vector<Claim> checks, double elapsed_s = 1.5) {
  ScenarioReport report;
  report.scenario = "gather";
  report.elapsed_s = elapsed_s;
  report.checks = std::move(checks);
  return report;
}

Claim claim(std::string name, bool passed, double measured, std::string expected) {
  return Claim{.name = std::move(name),
               .passed = passed,
               .measured = measured,
               .unit = "s",
               .expected = std::move(expected)};
}

std::string junit(const RunSeries& runs) {
  return testing::capture([&runs](std::FILE* out) { render_junit(runs, out); });
}

bool contains_text(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST_SUITE("render") {
  TEST_CASE("junit: one testcase per claim, a failure carrying measured and expected") {
    RunSeries runs(1);
    runs.add(report_with({claim("ran at once", true, 1.0, "<= 1.100s"),
                          claim("slow enough", false, 0.25, ">= 0.500s")}));
    const std::string xml = junit(runs);
    CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    CHECK(occurrences(xml, "<testcase ") == 2);
    CHECK(contains_text(
        xml,
        R"x(<testsuite name="asyncdemo.gather" tests="2" failures="1" errors="0" time="1.500000">)x"));
    CHECK(contains_text(xml,
                        R"x(classname="asyncdemo.gather" name="ran at once" time="1.500000"/>)x"));
    CHECK(contains_text(
        xml, R"x(<failure message="measured 0.250s, expected &gt;= 0.500s" type="claim">)x"));
    CHECK(occurrences(xml, "<failure ") == 1);
  }

  TEST_CASE("junit: names, messages and stray bytes are escaped into well-formed XML") {
    RunSeries runs(1);
    runs.add(report_with({claim("a <b> & \"c\" 'd'\n\x01", false, 1, "<= 0.5s \xff")}));
    const std::string xml = junit(runs);
    CHECK(contains_text(xml, "name=\"a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;&#10;?\""));
    CHECK(contains_text(xml, "expected &lt;= 0.5s \xef\xbf\xbd"));  // U+FFFD for the stray byte
    CHECK_FALSE(contains_text(xml, "\x01"));
    CHECK_FALSE(contains_text(xml, "\xff"));
  }

  TEST_CASE("junit: every run of a series has its testcases, named with the run") {
    RunSeries runs(3);
    runs.add(report_with({claim("ran at once", true, 1.0, "<= 1.100s")}, 1.0));
    runs.add(report_with({claim("ran at once", false, 1.2, "<= 1.100s")}, 1.2));
    runs.add(report_with({claim("ran at once", true, 1.0, "<= 1.100s")}, 1.0));
    const std::string xml = junit(runs);
    CHECK(occurrences(xml, "<testcase ") == 3);
    CHECK(contains_text(xml, R"x(name="ran at once (run 2)" time="1.200000">)x"));
    CHECK(contains_text(xml, R"x(tests="3" failures="1" errors="0" time="3.200000")x"));
  }

  TEST_CASE("junit: a run cut short is a testcase in error, not silence") {
    RunSeries runs(3);
    runs.add(report_with({claim("ran at once", true, 1.0, "<= 1.100s")}));
    ScenarioReport interrupted = report_with({});
    interrupted.interrupted = true;
    interrupted.interrupt_signal = 2;
    runs.add(std::move(interrupted));
    const std::string xml = junit(runs);
    CHECK(contains_text(xml, R"x(tests="2" failures="0" errors="1")x"));
    CHECK(contains_text(xml, R"x(name="the run completed (run 2)")x"));
    CHECK(contains_text(xml, "<error message=\"interrupted by Ctrl-C: the record is partial"));
  }
}

}  // namespace
}  // namespace asyncdemo
