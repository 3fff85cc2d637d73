#include "scenarios/kit.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace asyncdemo::kit {

double seconds(Nanos ns) { return static_cast<double>(ns) / 1e9; }
double seconds(Duration d) { return seconds(to_nanos(d)); }

ScenarioReport begin(std::string_view scenario, std::string_view lesson, Json params,
                     const RunContext& context, Runtime& runtime) {
  ScenarioReport report;
  report.scenario = scenario;
  report.lesson = lesson;
  report.params = std::move(params);
  report.clock = runtime.clock();
  if (context.on_event) {
    runtime.timeline().set_sink(context.on_event);
  }
  if (context.on_start) {
    context.on_start(report);
  }
  return report;
}

void finish(ScenarioReport& report, Runtime& runtime, double sequential_s, double ideal_s) {
  Timeline& timeline = runtime.timeline();
  timeline.set_sink({});
  report.elapsed_s = seconds(runtime.now());
  report.timeline = std::move(timeline);
  Summary& summary = report.summary;
  const Timeline::LoopFigures loop = report.timeline.loop_figures();
  summary.max_in_flight = loop.max_in_flight;
  summary.max_loop_stall_s = seconds(loop.max_loop_stall);
  summary.sequential_s = sequential_s;
  summary.ideal_s = ideal_s;
  summary.overhead_s = report.elapsed_s - ideal_s;
  summary.speedup = report.elapsed_s > 0 ? sequential_s / report.elapsed_s : 0;
}

double slack(const RunContext& context) {
  return context.runtime.clock == ClockKind::virtual_time ? 0.0 : seconds(context.tolerance);
}

namespace {

// Limits are printed and compared at the same (µs) precision, so a claim
// never reads "1.000 s <= 1.000 s: FAIL".
constexpr double kMicro = 1e-6;

std::string bound(std::string_view relation, double limit, std::string_view unit) {
  if (unit == "s") {
    return fmt::format("{} {}", relation, format_seconds(limit));
  }
  if (unit == "x") {
    return fmt::format("{} {:.2f}x", relation, limit);
  }
  return fmt::format("{} {:g}", relation, limit);
}

Claim make(std::string name, bool passed, double measured, std::string unit, std::string expected) {
  return Claim{std::move(name), passed, measured, std::move(unit), std::move(expected)};
}

}  // namespace

Claim at_most(std::string name, double measured, double limit, std::string unit) {
  std::string expected = bound("<=", limit, unit);
  return make(std::move(name), measured <= limit + kMicro, measured, std::move(unit),
              std::move(expected));
}

Claim at_least(std::string name, double measured, double limit, std::string unit) {
  std::string expected = bound(">=", limit, unit);
  return make(std::move(name), measured >= limit - kMicro, measured, std::move(unit),
              std::move(expected));
}

Claim between(std::string name, double measured, double low, double high, std::string unit) {
  std::string expected = unit == "s"
                             ? fmt::format("{} .. {}", format_seconds(low), format_seconds(high))
                             : fmt::format("{:g} .. {:g}", low, high);
  const bool passed = measured >= low - kMicro && measured <= high + kMicro;
  return make(std::move(name), passed, measured, std::move(unit), std::move(expected));
}

Claim equals(std::string name, double measured, double expected, std::string unit) {
  std::string text = bound("==", expected, unit);
  return make(std::move(name), std::abs(measured - expected) <= kMicro, measured, std::move(unit),
              std::move(text));
}

std::string faster(std::string_view fast, double fast_s, std::string_view slow, double slow_s) {
  const double ratio = fast_s > 0 ? slow_s / fast_s : 0;
  return fmt::format("{} ran {:.2f}x faster than {}", fast, ratio, slow);
}

std::string format_seconds(double s) {
  const double rounded_ms = std::round(s * 1e3);
  if (std::abs(s * 1e3 - rounded_ms) < 1e-6) {
    // Whole milliseconds: the short forms people write ("1s", "150ms", "1.5s").
    if (rounded_ms != 0 && std::abs(rounded_ms) < 1000) {
      return fmt::format("{:g}ms", rounded_ms);
    }
    return fmt::format("{:g}s", rounded_ms / 1e3);
  }
  return fmt::format("{:.3f}s", s);
}

}  // namespace asyncdemo::kit
