#pragma once
// connect (asyncio.open_connection): `TcpStream stream = co_await connect("127.0.0.1", port);`

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "core/detail/local_tcp.hpp"
#include "core/detail/tcp_socket.hpp"
#include "core/detail/waiter.hpp"
#include "core/tcp_stream.hpp"

namespace asyncdemo {

namespace detail {
struct ConnectRequest;
}

/// Awaitable returned by connect().
class ConnectAwaiter final : private detail::Waiter {
 public:
  ConnectAwaiter(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}
  ConnectAwaiter(const ConnectAwaiter&) = delete;
  ConnectAwaiter& operator=(const ConnectAwaiter&) = delete;
  ConnectAwaiter(ConnectAwaiter&&) = delete;
  ConnectAwaiter& operator=(ConnectAwaiter&&) = delete;
  ~ConnectAwaiter();

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting);
  TcpStream await_resume();

 private:
  friend struct detail::ConnectRequest;
  bool cancel() noexcept override;
  void connected(int status) noexcept;
  void start();

  std::string host_;
  std::uint16_t port_;
  std::string target_;  // "127.0.0.1:8080", for messages and the stream's peer
  std::unique_ptr<detail::TcpSocket> socket_;
  detail::ConnectRequest* request_ = nullptr;  // in flight, while this awaiter waits for it
  int status_ = 0;
  std::exception_ptr error_;
};

/// open_connection(host, port): a TCP connection to `host` (numeric, or "localhost") at
/// `port`. Raises ConnectError ("cannot connect to 127.0.0.1:1: connection refused
/// (ECONNREFUSED)"), std::invalid_argument for a host that is not a numeric address.
/// Cancelling the await abandons the connect: the socket is closed (libuv completes the
/// request with UV_ECANCELED, unobserved). On the virtual clock time stands still while
/// the connect is in flight, and, to one of this runtime's listeners, until it took it.
[[nodiscard]] inline ConnectAwaiter connect(std::string host, std::uint16_t port) {
  return {std::move(host), port};
}

}  // namespace asyncdemo
