// The option helpers of scenarios/options.hpp: the duration grammar, the
// canonical duration form, and each add_*_option through a real CLI::App.

#include "scenarios/options.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using asyncdemo::Duration;

// Parses `args` (without the program name) the way main() does.
void parse(CLI::App& app, std::vector<std::string> args) {
  args.insert(args.begin(), "asyncdemo");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
}

enum class Mode : std::uint8_t { blocking, async, threads };

}  // namespace

TEST_CASE("parse_duration reads every documented form exactly") {
  const std::vector<std::pair<std::string, Duration>> accepted{
      {"2s", 2s},
      {"150ms", 150ms},
      {"1.5s", 1500ms},
      {"0", 0s},
      {"0s", 0s},
      {"0.0ms", 0s},
      {"250us", 250us},
      {"250µs", 250us},
      {"1ns", 1ns},
      {"2m", 2min},
      {"0.5h", 30min},
      {"1h", 1h},
      {"60m", 1h},
      {"3600s", 1h},
      {"007ms", 7ms},
      {"0.1s", 100ms},
      {"1.50s", 1500ms},
      {"1.000000001s", 1s + 1ns},
      // Whole nanoseconds however they are written, trailing zeros or not.
      {"0.00000000005m", 3ns},
      {"0.000000000005h", 18ns},
      {"1.5000000000000000000000s", 1500ms},
      {"2.5us", 2500ns},
      {"1.0ns", 1ns},
      {"0.000001m", 60us},
  };
  for (const auto& [text, expected] : accepted) {
    CAPTURE(text);
    const auto parsed = asyncdemo::parse_duration(text);
    CHECK(parsed.error.empty());
    CHECK(parsed.value == expected);
  }
}

TEST_CASE("parse_duration rejects malformed text and says how to write a duration") {
  for (const std::string text :
       {"", "abc", "s", "ms", "1.5.s", "1e9s", "1E3ms", ".5s", "1.s", " 1s", "1s ", "1 s", "+1s",
        "--1s", "1s2", "1,5s", "0x10s", "-", "1.5.5s"}) {
    CAPTURE(text);
    const auto parsed = asyncdemo::parse_duration(text);
    CHECK_FALSE(parsed);
    CHECK(parsed.error == "\"" + text + "\" is not a duration; write it like 2s, 150ms or 1.5s");
  }
}

TEST_CASE("parse_duration rejects a number without a unit, suggesting two") {
  CHECK(asyncdemo::parse_duration("10").error == "\"10\" has no unit; write it like 10s or 10ms");
  CHECK(asyncdemo::parse_duration("1.5").error ==
        "\"1.5\" has no unit; write it like 1.5s or 1.5ms");
  CHECK(asyncdemo::parse_duration("00").error == "\"00\" has no unit; write it like 00s or 00ms");
}

TEST_CASE("parse_duration names a unit it does not know and lists the ones it does") {
  for (const auto& [text, unit] : std::vector<std::pair<std::string, std::string>>{
           {"10x", "x"}, {"1S", "S"}, {"5sec", "sec"}, {"2d", "d"}, {"3Ms", "Ms"}}) {
    CAPTURE(text);
    CHECK(asyncdemo::parse_duration(text).error ==
          fmt::format(R"("{}" has an unknown unit "{}"; use ns, us, ms, s, m or h)", text, unit));
  }
}

TEST_CASE("parse_duration rejects negative durations") {
  for (const std::string text : {"-1s", "-150ms", "-0.5s"}) {
    CAPTURE(text);
    CHECK(asyncdemo::parse_duration(text).error ==
          "\"" + text + "\" is negative; a duration is 0 or more");
  }
}

TEST_CASE(
    "parse_duration rejects durations over an hour and overflowing numbers, stating the "
    "limit") {
  for (const std::string text :
       {"2h", "3601s", "61m", "1.0000001h", "3600000000001ns", "99999999999999999999s",
        "18446744073709551616ns", "9223372036854775808ms"}) {
    CAPTURE(text);
    CHECK(asyncdemo::parse_duration(text).error == "\"" + text + "\" is too long; the limit is 1h");
  }
}

TEST_CASE("parse_duration rejects durations finer than a nanosecond") {
  for (const std::string text : {"1.5ns", "0.0000000001s", "0.0001us"}) {
    CAPTURE(text);
    CHECK(asyncdemo::parse_duration(text).error == "\"" + text + "\" is finer than a nanosecond");
  }
}

TEST_CASE("format_duration gives the canonical short form") {
  const std::vector<std::pair<Duration, std::string>> cases{
      {0s, "0s"},
      {1s, "1s"},
      {150ms, "150ms"},
      {1500ms, "1.5s"},
      {250us, "250us"},
      {1ns, "1ns"},
      {2min, "2m"},
      {1h, "1h"},
      {90s, "90s"},
      {1s + 1ns, "1.000000001s"},
      {1234567ns, "1.234567ms"},
      {999ms, "999ms"},
      {-2s, "-2s"},
  };
  for (const auto& [duration, text] : cases) {
    CAPTURE(text);
    CHECK(asyncdemo::format_duration(duration) == text);
  }
}

TEST_CASE("format_duration and parse_duration round-trip") {
  const std::vector<Duration> durations{0ns, 1ns, 999ns,    1us, 1001us,         1500ms,
                                        59s, 61s, 119999ms, 1h,  3599999999999ns};
  for (const Duration d : durations) {
    CAPTURE(d.count());
    CHECK(asyncdemo::parse_duration(asyncdemo::format_duration(d)).value == d);
  }
}

TEST_CASE("format_durations joins with commas, the form --delays reads") {
  CHECK(asyncdemo::format_durations({2s, 1s, 3s}) == "2s,1s,3s");
  CHECK(asyncdemo::format_durations({}).empty());
}

TEST_CASE("a duration option keeps its default when absent and takes the value given") {
  CLI::App app;
  Duration delay = 1s;
  asyncdemo::add_duration_option(app, "--delay", delay, "how long");
  parse(app, {});
  CHECK(delay == 1s);
  parse(app, {"--delay", "1.5s"});
  CHECK(delay == 1500ms);
}

TEST_CASE("a duration option accepts --name=value and takes the last of repeated values") {
  CLI::App app;
  Duration delay = 1s;
  asyncdemo::add_duration_option(app, "-d,--delay", delay, "how long");
  parse(app, {"--delay=250ms"});
  CHECK(delay == 250ms);
  parse(app, {"-d", "2s", "--delay", "3s"});
  CHECK(delay == 3s);
}

TEST_CASE("a duration option names itself and the accepted form in its errors") {
  CLI::App app;
  Duration delay = 1s;
  asyncdemo::add_duration_option(app, "-d,--delay", delay, "how long", 1ms, 10s);
  CHECK_THROWS_WITH_AS(parse(app, {"--delay", "abc"}),
                       "--delay: \"abc\" is not a duration; write it like 2s, 150ms or 1.5s",
                       CLI::ValidationError);
  CHECK_THROWS_WITH_AS(parse(app, {"--delay", "-1s"}),
                       "--delay: \"-1s\" is negative; a duration is 0 or more",
                       CLI::ValidationError);
  CHECK_THROWS_WITH_AS(parse(app, {"--delay", "20s"}),
                       "--delay must be between 1ms and 10s; got 20s", CLI::ValidationError);
  CHECK_THROWS_WITH_AS(parse(app, {"-d", "0"}), "--delay must be between 1ms and 10s; got 0",
                       CLI::ValidationError);
  CHECK(delay == 1s);
}

TEST_CASE("a duration option shows its default and range in --help") {
  CLI::App app;
  Duration delay = 1500ms;
  asyncdemo::add_duration_option(app, "--delay", delay, "how long", 0s, 1min);
  const std::string help = app.help();
  CHECK(help.find("--delay DURATION=1.5s") != std::string::npos);
  CHECK(help.find("how long (0s to 1m)") != std::string::npos);
}

TEST_CASE("a duration list option reads comma-separated durations") {
  CLI::App app;
  std::vector<Duration> delays;
  auto* option = asyncdemo::add_duration_list_option(app, "--delays", delays, "one per task");
  parse(app, {});
  CHECK(delays.empty());
  CHECK(option->count() == 0);
  parse(app, {"--delays", "2s,1s,3s"});
  CHECK(delays == std::vector<Duration>{2s, 1s, 3s});
  CHECK(option->count() == 1);
  parse(app, {"--delays", "150ms"});
  CHECK(delays == std::vector<Duration>{150ms});
}

TEST_CASE("a duration list option points at the item that is wrong") {
  CLI::App app;
  std::vector<Duration> delays{1s};
  asyncdemo::add_duration_list_option(app, "--delays", delays, "one per task", 0s, 10s);
  CHECK_THROWS_WITH_AS(parse(app, {"--delays", "2s,x,3s"}),
                       "--delays: item 2: \"x\" is not a duration; write it like 2s, 150ms or 1.5s",
                       CLI::ValidationError);
  CHECK_THROWS_WITH_AS(parse(app, {"--delays", "2s,1m"}),
                       "--delays must be between 0s and 10s; got 1m (item 2)",
                       CLI::ValidationError);
  for (const std::string text : {"", "2s,,1s", "2s,", ",2s"}) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(
        parse(app, {"--delays", text}),
        ("--delays: \"" + text + "\" has an empty item; write the list like 2s,1s,3s").c_str(),
        CLI::ValidationError);
  }
  CHECK(delays == std::vector<Duration>{1s});
}

TEST_CASE("a duration list option does not swallow the arguments after it") {
  CLI::App app;
  std::vector<Duration> delays;
  std::vector<std::string> names;
  asyncdemo::add_duration_list_option(app, "--delays", delays, "one per task");
  app.add_option("names", names);
  parse(app, {"--delays", "2s,1s", "python.org"});
  CHECK(delays == std::vector<Duration>{2s, 1s});
  CHECK(names == std::vector<std::string>{"python.org"});
}

TEST_CASE("a count option takes a whole number within its range") {
  CLI::App app;
  std::size_t n = 3;
  asyncdemo::add_count_option(app, "--n", n, "how many", 1, 1000000);
  parse(app, {});
  CHECK(n == 3);
  parse(app, {"--n", "1000000"});
  CHECK(n == 1000000);
  parse(app, {"--n=1"});
  CHECK(n == 1);
}

TEST_CASE("a count option states its range for any number outside it") {
  CLI::App app;
  std::size_t n = 3;
  asyncdemo::add_count_option(app, "--n", n, "how many", 1, 1000000);
  for (const std::string text :
       {"0", "1000001", "-1", "-0", "99999999999999999999", "18446744073709551616"}) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(parse(app, {"--n", text}),
                         ("--n must be between 1 and 1000000; got " + text).c_str(),
                         CLI::ValidationError);
  }
  CHECK(n == 3);
}

TEST_CASE("a count option rejects what is not a whole number") {
  CLI::App app;
  std::size_t n = 3;
  asyncdemo::add_count_option(app, "-n,--n", n, "how many", 1, 10);
  for (const std::string text : {"abc", "3.5", "1e3", "+3", " 3", "3 ", "0x10", "", "-"}) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(
        parse(app, {"--n", text}),
        ("--n: \"" + text + "\" is not a whole number; write one from 1 to 10").c_str(),
        CLI::ValidationError);
  }
}

TEST_CASE("a count option shows its default and range in --help") {
  CLI::App app;
  std::size_t n = 3;
  asyncdemo::add_count_option(app, "--n", n, "how many tasks", 1, 1000);
  const std::string help = app.help();
  CHECK(help.find("--n N=3") != std::string::npos);
  CHECK(help.find("how many tasks (1 to 1000)") != std::string::npos);
}

TEST_CASE("a fraction option takes a plain decimal from 0 to 1") {
  CLI::App app;
  double rate = 0;
  asyncdemo::add_fraction_option(app, "--error-rate", rate, "the share that fails");
  for (const auto& [text, value] : std::vector<std::pair<std::string, double>>{
           {"0", 0}, {"1", 1}, {"0.25", 0.25}, {".5", 0.5}, {"1.0", 1}, {"0.000", 0}}) {
    CAPTURE(text);
    parse(app, {"--error-rate", text});
    CHECK(rate == value);
  }
  CHECK(app.help().find("the share that fails (0 to 1)") != std::string::npos);
}

TEST_CASE("a fraction option names the form it wants, and the range") {
  CLI::App app;
  double rate = 0.5;
  asyncdemo::add_fraction_option(app, "--error-rate", rate, "the share that fails");
  for (const std::string text :
       {"20%", "-0.1", "+0.5", "1e-1", "nan", "inf", "", ".", "0.5.5", " 0.5", "0x1", "half"}) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(
        parse(app, {"--error-rate", text}),
        ("--error-rate: \"" + text + "\" is not a fraction; write one from 0 to 1, like 0.2")
            .c_str(),
        CLI::ValidationError);
  }
  for (const std::string text : {"1.5", "2", "1.0000001"}) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(parse(app, {"--error-rate", text}),
                         ("--error-rate must be between 0 and 1; got " + text).c_str(),
                         CLI::ValidationError);
  }
  CHECK(rate == 0.5);
}

TEST_CASE("a choice option maps each name to its value") {
  CLI::App app;
  Mode mode = Mode::async;
  asyncdemo::add_choice_option(
      app, "--mode", mode, "how to sleep",
      {{"blocking", Mode::blocking}, {"async", Mode::async}, {"threads", Mode::threads}});
  parse(app, {});
  CHECK(mode == Mode::async);
  parse(app, {"--mode", "threads"});
  CHECK(mode == Mode::threads);
  parse(app, {"--mode=blocking"});
  CHECK(mode == Mode::blocking);
}

TEST_CASE("a choice option lists the choices when given another") {
  CLI::App app;
  Mode mode = Mode::async;
  asyncdemo::add_choice_option(
      app, "--mode", mode, "how to sleep",
      {{"blocking", Mode::blocking}, {"async", Mode::async}, {"threads", Mode::threads}});
  CHECK_THROWS_WITH_AS(parse(app, {"--mode", "fast"}),
                       "--mode: \"fast\" is not one of blocking, async, threads",
                       CLI::ValidationError);
  CHECK_THROWS_WITH_AS(parse(app, {"--mode", "Async"}),
                       "--mode: \"Async\" is not one of blocking, async, threads",
                       CLI::ValidationError);
  CHECK(app.help().find("--mode blocking|async|threads=async") != std::string::npos);
}

TEST_CASE("choice_names reads a choice option's names back, and nothing from other options") {
  CLI::App app;
  Mode mode = Mode::async;
  const CLI::Option* choice = asyncdemo::add_choice_option(
      app, "--mode", mode, "how to sleep",
      {{"blocking", Mode::blocking}, {"async", Mode::async}, {"threads", Mode::threads}});
  CHECK(asyncdemo::choice_names(*choice) ==
        std::vector<std::string>{"blocking", "async", "threads"});
  std::size_t n = 3;
  std::vector<Duration> delays;
  std::string from;
  bool quiet = false;
  for (const CLI::Option* other :
       {asyncdemo::add_count_option(app, "--n", n, "how many", 1, 10),
        asyncdemo::add_duration_list_option(app, "--delays", delays, "delays"),
        asyncdemo::add_text_option(app, "--from", from, "names from FILE", "FILE"),
        app.add_flag("--quiet", quiet, "say less")}) {
    CAPTURE(other->get_name());
    CHECK(asyncdemo::choice_names(*other).empty());
  }
}

TEST_CASE("a missing value is CLI11's usage error, naming the option") {
  CLI::App app;
  std::size_t n = 3;
  asyncdemo::add_count_option(app, "--n", n, "how many", 1, 10);
  CHECK_THROWS_AS(parse(app, {"--n"}), CLI::ArgumentMismatch);
  try {
    parse(app, {"--n"});
  } catch (const CLI::ParseError& error) {
    CHECK(std::string(error.what()).starts_with("--n"));
  }
}
