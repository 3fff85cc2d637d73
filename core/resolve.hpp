#pragma once
// resolve (loop.getaddrinfo): name resolution by the blocking getaddrinfo,
// run on libuv's thread pool as asyncio runs it on its default executor; or, when the
// runtime has a fake resolver (RuntimeOptions::fake_resolver), its made-up answers, each
// after its latency on the runtime's clock, so that a run can be exact and offline.
//
// Errors are distinct because they mean different things: NameNotFound (the
// resolver answered "no such name"), TemporaryFailure (it could not answer
// now — not the same as "not found"), ResolveError (anything else).

#include <uv.h>

#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/detail/offload.hpp"
#include "core/detail/timer_queue.hpp"
#include "core/detail/uv_handle.hpp"
#include "core/fake_resolver.hpp"
#include "core/numeric_host.hpp"

namespace asyncdemo {

class ResolveAwaiter final : private detail::OffloadAwaiter, private detail::TimerTarget {
 public:
  ResolveAwaiter(std::string name, Duration timeout) : name_(std::move(name)), timeout_(timeout) {}
  ResolveAwaiter(const ResolveAwaiter&) = delete;
  ResolveAwaiter& operator=(const ResolveAwaiter&) = delete;
  ResolveAwaiter(ResolveAwaiter&&) = delete;
  ResolveAwaiter& operator=(ResolveAwaiter&&) = delete;
  ~ResolveAwaiter();

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting);
  /// The addresses, numeric ("127.0.0.1", "::1"), in the resolver's order.
  std::vector<std::string> await_resume();

  /// After the await (whatever it raised): how long it took. A lookup is real
  /// work, so this is real time on either clock, from the lookup's start to
  /// the task's resumption (the answer, the deadline or a cancel); for a name
  /// answered without a lookup, or by the fake resolver, the runtime's own clock
  /// (on the virtual one: 0, or the fake answer's latency exactly).
  [[nodiscard]] Duration latency() const noexcept { return latency_; }

 private:
  void on_timer() noexcept override;
  void start_fake(const FakeResolver& resolver);
  std::vector<std::string> take_fake_answer(FakeAnswer& answer);
  void start_real_deadline();
  void measure_latency() noexcept;

  std::string name_;
  Duration timeout_;
  bool timed_out_ = false;
  bool reserved_invalid_ = false;  // a name under .invalid: answered without a lookup
  // The fake resolver's answer, when the runtime has one; the timer then serves whichever
  // comes first, the answer (fake_answer_due_) or the timeout.
  std::optional<FakeAnswer> fake_;
  bool fake_answer_due_ = false;
  Nanos suspended_ns_ = -1;  // on the runtime's clock; -1: never suspended
  // uv_hrtime() when the lookup was queued; 0: no lookup.
  std::uint64_t lookup_started_hrtime_ = 0;
  Duration latency_{0};
  // On the virtual clock only: the timeout in real time. The runtime's deadlines are virtual
  // and the virtual clock stands still while a lookup runs, so one of them would never come
  // before the answer (a 2 s lookup with a 1 s timeout came back FOUND, "in 0 s").
  detail::UvHandle<uv_timer_t> real_deadline_;
  std::exception_ptr deadline_error_;  // libuv refused the real deadline: the lookup was given up
};

/// Whether resolve() answers `name` without asking a resolver: a name under ".invalid"
/// (RFC 6761). Every other name is a real lookup, taking real time on either clock, or a
/// question to the runtime's fake resolver.
[[nodiscard]] bool answered_without_lookup(std::string_view name) noexcept;

/// Resolves `name` to its addresses (any family, for a stream socket). The name
/// goes to getaddrinfo as it is: an international name in its ASCII (xn--) form.
/// A name under ".invalid" raises NameNotFound without a lookup (RFC 6761).
/// Cancelling the await abandons the lookup: removed if it has not started,
/// else it finishes on its thread unobserved. With a `timeout`, the lookup
/// is abandoned the same way at the deadline and TimeoutError raised — a
/// resolver that stalls cannot hold the task (wait_for(getaddrinfo(), t)).
/// On the virtual clock time stands still while a lookup is in flight, and
/// the timeout is kept in real time: the lookup's answer is real, not simulated.
/// With the runtime's fake resolver, no lookup: the task waits the answer's latency on the
/// runtime's clock (recorded as the same dns wait), then gets its addresses or NameNotFound /
/// TemporaryFailure; a no_answer name is ended only by the timeout (TimeoutError at the
/// deadline; an answer due exactly at the deadline is too late) or a cancel, and without a
/// timeout waits for ever, holding nothing open: the loop sees a deadlock.
[[nodiscard]] inline ResolveAwaiter resolve(std::string name, Duration timeout = Duration::max()) {
  return {std::move(name), timeout};
}

}  // namespace asyncdemo
