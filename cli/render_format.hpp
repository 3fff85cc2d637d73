#pragma once
// Small formatting helpers shared by the renderers: durations, parameters,
// task names made safe for a terminal, ANSI colour, and the one-line detail
// of an event (the same words in the live log and in --json).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/timeline.hpp"
#include "scenarios/durations.hpp"
#include "scenarios/scenario.hpp"

namespace asyncdemo {

inline constexpr double kNanosPerSecond = 1e9;

constexpr double to_seconds(Nanos t_ns) { return static_cast<double>(t_ns) / kNanosPerSecond; }
constexpr Nanos seconds_to_nanos(double seconds) {
  return static_cast<Nanos>(seconds * kNanosPerSecond);
}

/// A ratio: "2.99x".
std::string format_ratio(double ratio);

/// The parameters of a run on one line: `n=3 delay=1s delays=2s,1s`.
std::string format_params(const Json& params);

/// One parameter value as a person would type it: strings bare, lists comma-joined.
std::string format_param_value(const Json& value);

/// `text` with control characters replaced by '?': a task name with a newline
/// or an escape sequence must not break the layout or drive the terminal.
std::string printable(std::string_view text);

/// Columns `text` takes on a terminal: UTF-8 code points, not bytes.
std::size_t display_width(std::string_view text);

/// At most `columns` code points of `text` (printable first); cut names end in '~'.
std::string fit(std::string_view text, std::size_t columns);

/// `text` padded with spaces to `columns` (never cut).
std::string pad(std::string_view text, std::size_t columns);

/// Where prose (lesson, summary, legend) wraps for a terminal `width` wide:
/// at the width itself, since every line of human output fits it
/// (cli/render_fit.hpp), and prose wrapped here reads better than prose
/// re-broken there.
constexpr std::size_t prose_width(int width) { return static_cast<std::size_t>(width); }

/// `text` broken into lines of at most `width` columns at spaces, each line
/// starting with `indent` (a word longer than a line stands on its own).
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::string_view indent);

/// What an event is about, in words: the wait kind of an await, the text of a
/// note, or both; empty when there is nothing to add to the kind.
std::string event_detail(const Event& event, const Timeline& timeline);

/// A signal's name for messages: "SIGINT", "SIGTERM", else "signal N".
std::string signal_name(int signal);

/// What a person did to interrupt a run: "Ctrl-C" for SIGINT, else the
/// signal's name ("SIGTERM").
std::string interruption_name(int signal);

/// ANSI SGR codes used by the text renderer.
enum class Ansi : std::uint8_t { bold, dim, red, green, yellow, blue, magenta, cyan };

/// `text` wrapped in the colour's escape codes when `color`, else unchanged.
std::string paint(std::string_view text, Ansi colour, bool color);

/// `text` as XML or HTML character data (or an attribute value): the five special characters
/// escaped, control characters and bytes that are not UTF-8 replaced by '?', so that a task
/// named anything still makes a valid file.
std::string xml_text(std::string_view text);

}  // namespace asyncdemo
