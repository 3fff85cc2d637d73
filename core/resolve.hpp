#pragma once
// resolve (loop.getaddrinfo): name resolution on libuv's resolver, which
// runs the blocking getaddrinfo on the thread pool.
//
// Errors are distinct because they mean different things: NameNotFound (the
// resolver answered "no such name"), TemporaryFailure (it could not answer
// now — not the same as "not found"), ResolveError (anything else).

#include <coroutine>
#include <string>
#include <vector>

#include "core/detail/offload.hpp"

namespace asyncdemo {

class ResolveAwaiter final : private detail::OffloadAwaiter {
 public:
  explicit ResolveAwaiter(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting);
  /// The addresses, numeric ("127.0.0.1", "::1"), in the resolver's order.
  std::vector<std::string> await_resume();

 private:
  std::string name_;
};

/// Resolves `name` to its addresses (any family, for a stream socket).
/// Cancelling the await abandons the lookup: removed if it has not started,
/// else it finishes on its thread unobserved. On the virtual clock time
/// stands still while it is in flight.
[[nodiscard]] inline ResolveAwaiter resolve(std::string name) {
  return ResolveAwaiter(std::move(name));
}

}  // namespace asyncdemo
