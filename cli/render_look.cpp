#include "cli/render_look.hpp"

#include <algorithm>

namespace asyncdemo {

namespace {

// The fills are mid-tones that read on white and on a projector, each in the family of the
// terminal colour beside it.
Look look_of(SpanState state) {
  switch (state) {
    case SpanState::ready: return {'_', Ansi::dim, "#c8c8c8", "ready to start"};
    case SpanState::running: return {'#', Ansi::green, "#2f9e44", "running"};
    case SpanState::sleeping: return {'~', Ansi::blue, "#4c7fd0", "sleeping"};
    case SpanState::awaiting: return {'.', Ansi::cyan, "#66c2d4", "awaiting"};
    case SpanState::waiting: return {'-', Ansi::yellow, "#e8b630", "waiting (permit, lock, pool)"};
    case SpanState::blocked: return {'B', Ansi::red, "#d9480f", "blocking the loop"};
    case SpanState::thread: return {'=', Ansi::magenta, "#ae3ec9", "on a thread"};
    case SpanState::thread_abandoned: return {'!', Ansi::red, "#e03131", "thread left running"};
  }
  return {'?', Ansi::bold, "#000000", "?"};
}

bool network_wait(WaitKind wait) {
  switch (wait) {
    case WaitKind::accept:
    case WaitKind::connect:
    case WaitKind::read:
    case WaitKind::write: return true;
    default: return false;
  }
}

}  // namespace

std::size_t look_index(const Span& span) {
  if (span.state == SpanState::awaiting && network_wait(span.wait)) {
    return kNetworkLook;
  }
  if (span.state == SpanState::waiting && span.wait == WaitKind::queue_put) {
    return kPutLook;
  }
  if (span.state == SpanState::waiting && span.wait == WaitKind::queue_get) {
    return kGetLook;
  }
  if (span.state == SpanState::thread && span.wait == WaitKind::process) {
    return kProcessLook;
  }
  if (span.state == SpanState::thread_abandoned && span.wait == WaitKind::process) {
    return kProcessAbandonedLook;
  }
  return static_cast<std::size_t>(span.state);
}

Look look_at(std::size_t index) {
  switch (index) {
    case kPutLook: return {'>', Ansi::yellow, "#f08c00", "waiting to put (queue full)"};
    case kGetLook: return {'<', Ansi::cyan, "#1098ad", "waiting to get (queue empty)"};
    case kProcessLook: return {'P', Ansi::magenta, "#7048e8", "in a child process"};
    case kProcessAbandonedLook: return {'%', Ansi::red, "#c2255c", "child process left running"};
    case kNetworkLook: return {':', Ansi::cyan, "#3bc9db", "awaiting the network"};
    default: return look_of(static_cast<SpanState>(index));
  }
}

std::array<Look, 2> end_marks() {
  return {{{'x', Ansi::red, "#c92a2a", "failed"}, {'c', Ansi::yellow, "#f59f00", "cancelled"}}};
}

std::optional<Look> end_mark(TaskOutcome outcome) {
  switch (outcome) {
    case TaskOutcome::failed: return end_marks()[0];
    case TaskOutcome::cancelled: return end_marks()[1];
    case TaskOutcome::running:
    case TaskOutcome::ok: return std::nullopt;
  }
  return std::nullopt;
}

std::vector<LookBar> look_bars(const std::vector<Span>& spans) {
  std::vector<LookBar> bars;
  bars.reserve(spans.size());
  for (const Span& span : spans) {
    const std::size_t look = look_index(span);
    if (!bars.empty() && bars.back().look == look && bars.back().wait == span.wait &&
        bars.back().to_ns == span.from_ns) {
      bars.back().to_ns = span.to_ns;
    } else {
      bars.push_back({look, span.wait, span.from_ns, span.to_ns});
    }
  }
  return bars;
}

std::vector<LookBar> look_bars_by_column(const std::vector<LookBar>& bars, Nanos total_ns,
                                         std::size_t columns) {
  const auto count = static_cast<Nanos>(columns);
  const auto column_start = [&](Nanos c) { return c * total_ns / count; };
  const auto column_of = [&](Nanos t_ns) {
    return std::clamp<Nanos>(t_ns * count / total_ns, 0, count - 1);
  };
  std::vector<std::array<Nanos, kLookCount>> cover(columns, std::array<Nanos, kLookCount>{});
  for (const LookBar& bar : bars) {
    const Nanos last = column_of(bar.to_ns > bar.from_ns ? bar.to_ns - 1 : bar.from_ns);
    for (Nanos c = column_of(bar.from_ns); c <= last; ++c) {
      const Nanos from = std::max(bar.from_ns, column_start(c));
      const Nanos to = std::min(bar.to_ns, column_start(c + 1));
      cover[static_cast<std::size_t>(c)][bar.look] += std::max<Nanos>(to - from, 0) + 1;
    }
  }
  std::vector<LookBar> merged;
  for (std::size_t c = 0; c < columns; ++c) {
    const auto* most = std::ranges::max_element(cover[c]);
    if (*most == 0) {
      continue;
    }
    const auto look = static_cast<std::size_t>(most - cover[c].begin());
    const Nanos from = column_start(static_cast<Nanos>(c));
    const Nanos to = column_start(static_cast<Nanos>(c) + 1);
    if (!merged.empty() && merged.back().look == look && merged.back().to_ns == from) {
      merged.back().to_ns = to;
    } else {
      merged.push_back({look, WaitKind::none, from, to});
    }
  }
  return merged;
}

}  // namespace asyncdemo
