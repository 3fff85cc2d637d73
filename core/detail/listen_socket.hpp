#pragma once
// ListenSocket: a listening TCP socket and the connections it took that no task has
// accepted yet. libuv's connection callback takes each connection at once (uv_accept) and
// starts reading it, as asyncio's server makes a protocol for every connection as it
// comes; an accept() then hands over the oldest. The queue stands for the kernel's backlog.
//
// On the heap, owned by a TcpListener: libuv's callbacks find it through the handle.

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "core/detail/socket_address.hpp"
#include "core/detail/tcp_socket.hpp"
#include "core/detail/uv_handle.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

/// What a task awaiting a connection is told by the listener.
class AcceptWaiter {
 public:
  /// A connection, an error or the close may now be taken (the listener is still there).
  virtual void acceptable() noexcept = 0;
  /// The listener is being destroyed: forget it, and wake.
  virtual void listener_gone() noexcept = 0;

 protected:
  AcceptWaiter() = default;
  ~AcceptWaiter() = default;
  AcceptWaiter(const AcceptWaiter&) = default;
  AcceptWaiter& operator=(const AcceptWaiter&) = default;
};

class ListenSocket {
 public:
  /// Binds to `address` and listens; throws ListenError (and leaves nothing open).
  ListenSocket(Runtime& runtime, const SocketAddress& address, int backlog);
  ListenSocket(const ListenSocket&) = delete;
  ListenSocket& operator=(const ListenSocket&) = delete;
  ListenSocket(ListenSocket&&) = delete;
  ListenSocket& operator=(ListenSocket&&) = delete;
  ~ListenSocket();

  [[nodiscard]] std::uint16_t port() const noexcept { return bound_.port(); }
  [[nodiscard]] const SocketAddress& bound() const noexcept { return bound_; }
  /// Stops listening (idempotent); connections not accepted yet are closed, and a task
  /// awaiting one raises SocketClosed.
  void close() noexcept;

  /// Whether take() can answer now: a connection, an error or the close.
  [[nodiscard]] bool ready() const noexcept { return !queue_.empty() || error_ != 0 || closed_; }
  /// The oldest connection not accepted yet. Throws UvError (an accept that failed),
  /// SocketClosed. Call only when ready() said so.
  std::unique_ptr<TcpSocket> take();
  void set_waiter(AcceptWaiter* waiter) noexcept;
  [[nodiscard]] bool has_waiter() const noexcept { return waiter_ != nullptr; }
  /// Referenced while a task awaits a connection or one of ours is on its way.
  void update_ref() noexcept;

 private:
  void on_connection(int status) noexcept;
  void take_connection();
  static void connection_cb(uv_stream_t* server, int status) noexcept;

  Runtime& runtime_;
  UvHandle<uv_tcp_t> handle_;
  SocketAddress bound_;
  std::string address_text_;  // as asked for, for messages
  std::deque<std::unique_ptr<TcpSocket>> queue_;
  AcceptWaiter* waiter_ = nullptr;
  int error_ = 0;  // the connection callback's or uv_accept's failure, for the next accept
  bool closed_ = false;
};

}  // namespace asyncdemo::detail
