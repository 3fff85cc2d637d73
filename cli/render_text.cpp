// The text report (DESIGN.md §2): header, live event log, then the body
// (timeline chart, summary, checks).

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "cli/render.hpp"
#include "cli/render_format.hpp"
#include "cli/render_gantt.hpp"
#include "cli/render_summary.hpp"
#include "core/thread_pool.hpp"

namespace asyncdemo {

namespace {

constexpr std::size_t kMaxLogNameColumns = 24;
// Names pad to the longest the scenario said its tasks would have (LiveLog::expect_name),
// or that has appeared since; at least as wide as the default "task-1".
constexpr std::size_t kMinLogNameColumns = 6;

// What a kind of event means for the lesson, in colour: endings stand out.
std::string paint_kind(const Event& event, bool color) {
  std::string kind_text = fmt::format("{:<7}", event_name(event));
  switch (event.kind) {
    case EventKind::done: return paint(kind_text, Ansi::green, color);
    case EventKind::failed: return paint(kind_text, Ansi::red, color);
    case EventKind::cancelled: return paint(kind_text, Ansi::yellow, color);
    case EventKind::note: return paint(kind_text, Ansi::cyan, color);
    case EventKind::thread_started:
    case EventKind::thread_finished:
    case EventKind::thread_dropped: return paint(kind_text, Ansi::magenta, color);
    case EventKind::created:
    case EventKind::started:
    case EventKind::suspended:
    case EventKind::resumed: return kind_text;
  }
  return kind_text;
}

// The tail of `line` that is only spaces, gone.
std::string trimmed(std::string line) {
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

// `[+1.001s] task-1 `: when, and who, padded to `name_width`.
std::string log_prefix(const Event& event, const Timeline& timeline, std::size_t name_width,
                       bool color) {
  const std::string when =
      paint(fmt::format("[+{}]", format_fixed_seconds(to_seconds(event.t_ns))), Ansi::dim, color);
  return fmt::format("{} {}", when,
                     pad(fit(timeline.tasks()[event.task].name, kMaxLogNameColumns), name_width));
}

// `[+1.001s] task-1  await   sleep`: when, who, what, and what about.
std::string log_line(const Event& event, const Timeline& timeline, std::size_t name_width,
                     bool color) {
  return trimmed(fmt::format("{}  {} {}", log_prefix(event, timeline, name_width, color),
                             paint_kind(event, color), printable(event_detail(event, timeline))));
}

// `[+0.012s] localhost  FOUND in 1.2ms: 127.0.0.1 ::1`: a note that carries the lesson
// (ScenarioEntry::lesson_events) is the line itself, without the word "note".
std::string lesson_line(const Event& event, const Timeline& timeline, std::size_t name_width,
                        bool color) {
  if (event.kind != EventKind::note) {
    return log_line(event, timeline, name_width, color);
  }
  return trimmed(fmt::format("{}  {}", log_prefix(event, timeline, name_width, color),
                             printable(timeline.note(event.note))));
}

// Whether the run hands work to the thread pool, so that the pool's size is part of what it
// shows: probe's lookups (getaddrinfo on the pool, as asyncio's executor runs them; the fake
// resolver's answers use no thread), sleep's
// --mode threads and all, cancel's --offload. Read from the parameters: the header is printed
// before anything has run.
bool uses_thread_pool(const ScenarioReport& report) {
  const Json& params = report.params;
  if (report.scenario == "probe") {
    return params.value("resolver", Json()) != "fake";
  }
  if (report.scenario == "sleep") {
    const Json mode = params.value("mode", Json());
    return mode == "threads" || mode == "all";
  }
  if (report.scenario == "cancel") {
    return params.value("offload", Json()) == true;
  }
  return false;
}

// `  thread pool: 6 threads (asyncio's default executor, min(32, cpus + 4) with 2 cpus)`.
std::string thread_pool_line(const ThreadPoolSize& pool) {
  return fmt::format("  thread pool: {} thread{} ({})", pool.threads, pool.threads == 1 ? "" : "s",
                     describe_source(pool));
}

}  // namespace

void render_header(const ScenarioReport& report, const TextStyle& style, std::FILE* out) {
  if (style.quiet) {
    return;
  }
  const std::size_t width = prose_width(style.width);
  fmt::print(out, "{}  {}\n", paint(printable(report.scenario), Ansi::bold, style.color),
             format_params(report.params));
  for (const std::string& line : wrap(report.lesson, width, "  ")) {
    fmt::print(out, "{}\n", line);
  }
  if (report.clock == ClockKind::virtual_time) {
    fmt::print(out, "  clock: virtual (time jumps to each deadline: instant and reproducible)\n");
  }
  if (uses_thread_pool(report)) {
    fmt::print(out, "{}\n", thread_pool_line(report.thread_pool));
  }
  fmt::print(out, "\n");
  std::fflush(out);
}

LiveLog::LiveLog(const TextStyle& style, std::FILE* out, LessonEvents lesson_events,
                 std::size_t lesson_context)
    : style_(style), out_(out), lesson_events_(lesson_events), lesson_context_(lesson_context) {}

EventSink LiveLog::sink() {
  return [this](const Event& event, const Timeline& timeline) { on_event(event, timeline); };
}

void LiveLog::on_event(const Event& event, const Timeline& timeline) {
  // `created` is always followed by `start`; on its own it teaches nothing.
  if (style_.quiet || event.kind == EventKind::created) {
    return;
  }
  const bool of_the_lesson = lesson_events_ != nullptr && lesson_events_(event, timeline);
  if (lesson_events_ != nullptr && !of_the_lesson && printed_ >= lesson_context_) {
    ++others_;  // in --json and --trace; here it would bury the lines that teach
    return;
  }
  if (printed_ == kMaxLines) {
    ++held_back_;
    return;
  }
  widen_names(timeline);
  fmt::print(out_, "{}\n",
             of_the_lesson ? lesson_line(event, timeline, name_width_, style_.color)
                           : log_line(event, timeline, name_width_, style_.color));
  ++printed_;
  std::fflush(out_);  // live: a line shows when it happens, even through a pipe
}

void LiveLog::expect_name(std::string_view longest_task_name) {
  const std::size_t width = display_width(printable(longest_task_name));
  name_width_ = std::max({name_width_, kMinLogNameColumns, std::min(width, kMaxLogNameColumns)});
}

void LiveLog::widen_names(const Timeline& timeline) {
  const auto& tasks = timeline.tasks();
  for (; names_seen_ < tasks.size(); ++names_seen_) {
    expect_name(tasks[names_seen_].name);  // one that appeared: as if told ahead
  }
}

void LiveLog::finish() {
  if (held_back_ > 0 && others_ > 0) {
    fmt::print(out_,
               "... {} more like these and {} other event{} (use --json or --trace for all)\n",
               held_back_, others_, others_ == 1 ? "" : "s");
  } else if (held_back_ > 0) {
    fmt::print(out_, "... {} more {} (use --json or --trace for all)\n", held_back_,
               lesson_events_ != nullptr ? "like these" : "events");
  } else if (others_ > 0) {
    fmt::print(out_, "... and {} other event{} (use --json or --trace for all)\n", others_,
               others_ == 1 ? "" : "s");
  }
  held_back_ = 0;
  others_ = 0;
  std::fflush(out_);
}

void render_body(const ScenarioReport& report, const TextStyle& style, bool with_checks,
                 std::FILE* out) {
  if (!style.quiet) {
    fmt::print(out, "\n");
    render_gantt(report, style, out);
    fmt::print(out, "\n");
  }
  render_summary(report, style, out);
  if (with_checks) {
    fmt::print(out, "\n");
    render_checks(report, style, out);
  }
  std::fflush(out);
}

}  // namespace asyncdemo
