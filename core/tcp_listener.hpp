#pragma once
// TcpListener: a listening TCP socket, as asyncio.start_server's Server, with the accept
// loop in the caller's hands: `TcpStream client = co_await listener.accept();`.

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/detail/listen_socket.hpp"
#include "core/detail/waiter.hpp"
#include "core/tcp_stream.hpp"

namespace asyncdemo {

/// Awaitable returned by TcpListener::accept.
class AcceptAwaiter final : private detail::Waiter, private detail::AcceptWaiter {
 public:
  explicit AcceptAwaiter(detail::ListenSocket* listener) : listener_(listener) {}
  AcceptAwaiter(const AcceptAwaiter&) = delete;
  AcceptAwaiter& operator=(const AcceptAwaiter&) = delete;
  AcceptAwaiter(AcceptAwaiter&&) = delete;
  AcceptAwaiter& operator=(AcceptAwaiter&&) = delete;
  ~AcceptAwaiter();

  /// Ready at once when a connection is already queued.
  [[nodiscard]] bool await_ready() const noexcept {
    return listener_ == nullptr || listener_->ready();
  }
  bool await_suspend(std::coroutine_handle<> awaiting);
  TcpStream await_resume();

 private:
  bool cancel() noexcept override;
  void acceptable() noexcept override;
  void listener_gone() noexcept override;

  detail::ListenSocket* listener_;
};

/// A listening socket. Move-only; destroying it closes it. Loop thread only; it must not
/// outlive its Runtime.
class TcpListener {
 public:
  /// Binds to `host` (numeric, or "localhost") and `port` (0: one the kernel picks; see
  /// port()) and listens with `backlog`. Throws ListenError ("cannot listen on
  /// 127.0.0.1:80: permission denied (EACCES)": EADDRINUSE, EACCES, EADDRNOTAVAIL...),
  /// std::invalid_argument for a host that is not a numeric address. Inside a Runtime.
  static TcpListener listen(std::string_view host, std::uint16_t port, int backlog = 100);

  /// The next connection. Connections that arrive while no task awaits one are taken
  /// and queued (and read from) at once, as the kernel's backlog would hold them.
  /// Cancelling the await leaves the listener as it was: a connection that arrives later
  /// waits for the next accept. Raises SocketClosed if the listener is closed, UvError if
  /// taking a connection failed (EMFILE...): the listener goes on. One task at a time.
  [[nodiscard]] AcceptAwaiter accept() const { return AcceptAwaiter(&socket()); }
  /// The port it listens on (the kernel's pick for port 0).
  [[nodiscard]] std::uint16_t port() const { return socket().port(); }
  /// Server.close: stops listening (idempotent); connections not yet accepted are closed,
  /// a task awaiting one raises SocketClosed. Accepted streams stay open.
  void close() noexcept {
    if (socket_) {
      socket_->close();
    }
  }

 private:
  explicit TcpListener(std::unique_ptr<detail::ListenSocket> socket) noexcept
      : socket_(std::move(socket)) {}
  [[nodiscard]] detail::ListenSocket& socket() const;

  std::unique_ptr<detail::ListenSocket> socket_;
};

}  // namespace asyncdemo
