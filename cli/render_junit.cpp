// --junit FILE: the claims as JUnit XML, the format CI test reporters read (GitLab,
// Jenkins, GitHub's test-report actions). One testcase per claim per run, so a
// claim that failed in run 3 of 5 shows as one failed test among passing ones;
// a run cut short (Ctrl-C, an error) is a testcase in error, since it judged no
// claim and a report of only passes would hide that.

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/render.hpp"
#include "cli/render_format.hpp"
#include "cli/render_summary.hpp"

namespace asyncdemo {

namespace {

// The length of the UTF-8 sequence at `text[at]`, or 0 when it is not a valid one (a name
// read from a file may hold anything, and one stray byte makes the whole file unreadable).
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(at);
  std::size_t length = 0;
  if (lead < 0x80) {
    return 1;
  }
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
  } else {
    return 0;
  }
  if (at + length > text.size()) {
    return 0;
  }
  for (std::size_t i = at + 1; i < at + length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) {
      return 0;
    }
  }
  return length;
}

// XML 1.0 allows no control characters but tab and the line ends; an attribute keeps those
// only written as references (a parser turns a bare one into a space).
std::string control_character(char c, bool in_attribute) {
  if (c == '\n' || c == '\t' || c == '\r') {
    return in_attribute ? fmt::format("&#{};", static_cast<int>(c)) : std::string(1, c);
  }
  return "?";
}

std::string xml_escaped(std::string_view text, bool in_attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = utf8_length(text, at);
    if (length == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD, as --json writes invalid UTF-8
      ++at;
      continue;
    }
    const char c = text[at];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (length == 1 && static_cast<std::uint8_t>(c) < 0x20) {
          out += control_character(c, in_attribute);
        } else {
          out.append(text.substr(at, length));
        }
    }
    at += length;
  }
  return out;
}

std::string attribute(std::string_view text) { return xml_escaped(text, true); }

std::string seconds_attribute(double seconds) { return fmt::format("{:.6f}", seconds); }

// " (run 3)" in a series, so that each run's testcase has a name of its own.
std::string run_suffix(const RunSeries& runs, const RunRecord& run) {
  const bool series = runs.repeated() && !runs.ran_once_on_virtual_clock();
  return series ? fmt::format(" (run {})", run.number) : std::string();
}

// Why a partial run judged nothing: "interrupted by Ctrl-C: ..." or "failed: ...".
std::string partial_message(const RunRecord& run) {
  if (run.interrupted) {
    return fmt::format("interrupted by {}: the record is partial, so no claim was judged",
                       interruption_name(run.interrupt_signal));
  }
  return fmt::format("failed: {}; an error, not the lesson, so no claim was judged", run.error);
}

struct Counts {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t errors = 0;
  double time_s = 0;
};

Counts count(const RunSeries& runs) {
  Counts counts;
  for (const RunRecord& run : runs.runs()) {
    counts.time_s += run.elapsed_s;
    if (run.partial()) {
      ++counts.tests;
      ++counts.errors;
      continue;
    }
    counts.tests += run.checks.size();
    for (const Claim& claim : run.checks) {
      counts.failures += claim.passed ? 0 : 1;
    }
  }
  return counts;
}

std::string counts_attributes(const Counts& counts) {
  return fmt::format(R"(tests="{}" failures="{}" errors="{}" time="{}")", counts.tests,
                     counts.failures, counts.errors, seconds_attribute(counts.time_s));
}

void write_claim(const Claim& claim, const RunRecord& run, std::string_view suite,
                 std::string_view suffix, std::FILE* out) {
  fmt::print(out, R"(    <testcase classname="{}" name="{}" time="{}")", suite,
             attribute(claim.name + std::string(suffix)), seconds_attribute(run.elapsed_s));
  if (claim.passed) {
    fmt::print(out, "/>\n");
    return;
  }
  const std::string message =
      fmt::format("measured {}, expected {}", measured_text(claim), claim.expected);
  fmt::print(out, ">\n      <failure message=\"{}\" type=\"claim\">{}</failure>\n    </testcase>\n",
             attribute(message), xml_escaped(message, false));
}

void write_partial(const RunRecord& run, std::string_view suite, std::string_view suffix,
                   std::FILE* out) {
  const std::string message = partial_message(run);
  fmt::print(out,
             "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">\n"
             "      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n",
             suite, attribute("the run completed" + std::string(suffix)),
             seconds_attribute(run.elapsed_s), attribute(message),
             run.interrupted ? "interrupted" : "error", xml_escaped(message, false));
}

}  // namespace

void render_junit(const RunSeries& runs, std::FILE* out) {
  const std::string suite = attribute("asyncdemo." + runs.last().scenario);
  const std::string counts = counts_attributes(count(runs));
  fmt::print(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fmt::print(out, "<testsuites name=\"asyncdemo\" {}>\n", counts);
  fmt::print(out, "  <testsuite name=\"{}\" {}>\n", suite, counts);
  for (const RunRecord& run : runs.runs()) {
    const std::string suffix = run_suffix(runs, run);
    if (run.partial()) {
      write_partial(run, suite, suffix, out);
      continue;
    }
    for (const Claim& claim : run.checks) {
      write_claim(claim, run, suite, suffix, out);
    }
  }
  fmt::print(out, "  </testsuite>\n</testsuites>\n");
  std::fflush(out);
}

}  // namespace asyncdemo
