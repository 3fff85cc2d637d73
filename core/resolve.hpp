#pragma once
// resolve (loop.getaddrinfo): name resolution by the blocking getaddrinfo,
// run on libuv's thread pool as asyncio runs it on its default executor.
//
// Errors are distinct because they mean different things: NameNotFound (the
// resolver answered "no such name"), TemporaryFailure (it could not answer
// now — not the same as "not found"), ResolveError (anything else).

#include <coroutine>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/detail/offload.hpp"
#include "core/detail/timer_queue.hpp"

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

 private:
  void on_timer() noexcept override;

  std::string name_;
  Duration timeout_;
  bool timed_out_ = false;
  bool reserved_invalid_ = false;  // a name under .invalid: answered without a lookup
};

/// Resolves `name` to its addresses (any family, for a stream socket). The name
/// goes to getaddrinfo as it is: an international name in its ASCII (xn--) form.
/// A name under ".invalid" raises NameNotFound without a lookup (RFC 6761).
/// Cancelling the await abandons the lookup: removed if it has not started,
/// else it finishes on its thread unobserved. With a `timeout`, the lookup
/// is abandoned the same way at the deadline and TimeoutError raised — a
/// resolver that stalls cannot hold the task (wait_for(getaddrinfo(), t)).
/// On the virtual clock time stands still while a lookup is in flight.
[[nodiscard]] inline ResolveAwaiter resolve(std::string name, Duration timeout = Duration::max()) {
  return {std::move(name), timeout};
}

}  // namespace asyncdemo
