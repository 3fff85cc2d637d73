#pragma once
// How each kind of span looks, in every picture of a timeline: the terminal Gantt's glyph and
// ANSI colour, the SVG's fill, and the words of its legend. One table, so that the pictures
// agree on what a colour means.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "cli/render_format.hpp"
#include "core/timeline.hpp"

namespace asyncdemo {

struct Look {
  char glyph;             // the terminal Gantt's cell
  Ansi colour;            // ... and its colour
  std::string_view fill;  // the SVG's colour, of the same family as `colour`
  std::string_view meaning;
};

// Spans are looked up per state; thread_abandoned is the last SpanState. A queue's waits are
// drawn apart from the other waits: which side waits is its lesson. So is work in a child
// process, apart from work on a thread: where it runs is the lesson. And the network (accept,
// connect, read, write) apart from other awaits: a server's lesson is which of its tasks wait
// on a peer and which on the loop.
inline constexpr std::size_t kSpanStateCount =
    static_cast<std::size_t>(SpanState::thread_abandoned) + 1;
inline constexpr std::size_t kPutLook = kSpanStateCount;      // waiting to put: the queue is full
inline constexpr std::size_t kGetLook = kSpanStateCount + 1;  // waiting to get: the queue is empty
inline constexpr std::size_t kProcessLook = kSpanStateCount + 2;  // running in a child process
inline constexpr std::size_t kProcessAbandonedLook = kSpanStateCount + 3;  // ... after a cancel
inline constexpr std::size_t kNetworkLook = kSpanStateCount + 4;
/// How many looks a span can have: look_at's indices are below this.
inline constexpr std::size_t kLookCount = kSpanStateCount + 5;

/// Which look `span` has: an index below kLookCount.
[[nodiscard]] std::size_t look_index(const Span& span);
/// The look with that index.
[[nodiscard]] Look look_at(std::size_t index);

/// The mark at a task's end: failed or cancelled; none for a task that returned or still runs.
[[nodiscard]] std::optional<Look> end_mark(TaskOutcome outcome);
/// Both end marks, in the order legends list them.
[[nodiscard]] std::array<Look, 2> end_marks();

/// One stretch of a lane in one look: spans of the same look and wait, end to end, are one bar.
struct LookBar {
  std::size_t look;
  WaitKind wait;
  Nanos from_ns;
  Nanos to_ns;
};

/// The bars of one task's spans (SpanIndex::spans), in time order.
[[nodiscard]] std::vector<LookBar> look_bars(const std::vector<Span>& spans);

/// The same lane at a resolution of `columns` equal columns of [0, total_ns), for a lane with
/// more bars than a picture has room for: each column gets the look that covered most of it
/// (an instant still counts, as the terminal's cells count it), and neighbouring columns of one
/// look are one bar. The bars keep no wait: a column may hold several.
[[nodiscard]] std::vector<LookBar> look_bars_by_column(const std::vector<LookBar>& bars,
                                                       Nanos total_ns, std::size_t columns);

}  // namespace asyncdemo
