#pragma once
// TcpStream: one TCP connection, as asyncio's StreamReader and StreamWriter pair:
// `co_await stream.read_line()` (readline), `co_await stream.write(text)` (write + drain),
// close(). Made by connect() (open_connection) or TcpListener::accept (start_server).
//
// The stream reads all the time into its own buffer, so what arrives while no task awaits
// a line is kept (up to twice the line limit; then reading pauses until a reader takes it).

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "core/detail/tcp_socket.hpp"
#include "core/detail/waiter.hpp"

namespace asyncdemo {

namespace detail {
struct WriteRequest;
}

/// Awaitable returned by TcpStream::read_line.
class ReadLineAwaiter final : private detail::Waiter, private detail::LineWaiter {
 public:
  ReadLineAwaiter(detail::TcpSocket* socket, std::size_t limit) : socket_(socket), limit_(limit) {}
  ReadLineAwaiter(const ReadLineAwaiter&) = delete;
  ReadLineAwaiter& operator=(const ReadLineAwaiter&) = delete;
  ReadLineAwaiter(ReadLineAwaiter&&) = delete;
  ReadLineAwaiter& operator=(ReadLineAwaiter&&) = delete;
  ~ReadLineAwaiter();

  /// Ready at once when a line (or EOF, an error) is already buffered: like readline, the
  /// task then goes on without yielding.
  [[nodiscard]] bool await_ready() const noexcept;
  bool await_suspend(std::coroutine_handle<> awaiting);
  std::optional<std::string> await_resume();

 private:
  bool cancel() noexcept override;
  void readable() noexcept override;
  void socket_gone() noexcept override;

  detail::TcpSocket* socket_;
  std::size_t limit_;
};

/// Awaitable returned by TcpStream::write.
class WriteAwaiter final : private detail::Waiter {
 public:
  WriteAwaiter(detail::TcpSocket* socket, std::string data)
      : socket_(socket), data_(std::move(data)) {}
  WriteAwaiter(const WriteAwaiter&) = delete;
  WriteAwaiter& operator=(const WriteAwaiter&) = delete;
  WriteAwaiter(WriteAwaiter&&) = delete;
  WriteAwaiter& operator=(WriteAwaiter&&) = delete;
  ~WriteAwaiter();

  [[nodiscard]] bool await_ready() const noexcept { return data_.empty(); }
  bool await_suspend(std::coroutine_handle<> awaiting);
  void await_resume();

 private:
  friend struct detail::WriteRequest;
  bool cancel() noexcept override;
  void written(int status) noexcept;
  void submit();

  detail::TcpSocket* socket_;
  std::string data_;
  std::string peer_;                         // for the error's message
  detail::WriteRequest* request_ = nullptr;  // in flight, while this awaiter waits for it
  int status_ = 0;
  std::exception_ptr error_;
};

/// One TCP connection. Move-only; destroying it closes it. Loop thread only, and it must
/// not outlive its Runtime (the runtime closes the loop at the end of its run; a stream
/// left open in a task is closed as the task's frame goes).
class TcpStream {
 public:
  /// asyncio's default limit for a line (StreamReader's 2**16 bytes).
  static constexpr std::size_t kDefaultLimit = detail::TcpSocket::kDefaultLimit;

  TcpStream() = default;
  explicit TcpStream(std::unique_ptr<detail::TcpSocket> socket) noexcept
      : socket_(std::move(socket)) {}

  /// StreamReader.readline: the next line, without its "\n" (and a "\r" before it).
  /// At EOF: the last bytes if they end without "\n" (as readline returns them), then
  /// std::nullopt. A line longer than `limit` bytes raises LineTooLong and is dropped
  /// through its "\n" (what comes before that "\n" is dropped as it arrives): the stream
  /// stays usable, the next read_line returns the line after it. A reset connection raises
  /// ConnectionReset (lines complete before it come first); a closed stream SocketClosed.
  /// One task at a time may await a line (RuntimeMisuse otherwise). Cancelling the await
  /// loses nothing: what arrived stays buffered for the next read_line.
  [[nodiscard]] ReadLineAwaiter read_line(std::size_t limit = kDefaultLimit) const {
    return {&socket(), limit};
  }
  /// StreamWriter.write + drain: resumes once libuv's write callback ran (the bytes are
  /// in the kernel). Raises ConnectionReset if the peer is gone, SocketClosed if the
  /// stream was closed meanwhile. Cancelling the await cancels the drain, not the write:
  /// the bytes are sent anyway, as asyncio's transport keeps what write() was given.
  [[nodiscard]] WriteAwaiter write(std::string data) const { return {&socket(), std::move(data)}; }
  /// StreamWriter.close: idempotent. The peer reads EOF; writes not done yet are dropped
  /// (their awaits raise SocketClosed); a task awaiting a line raises SocketClosed. The
  /// handle is freed on the next loop iteration (wait_closed needs no await here: the
  /// runtime runs the loop until every handle is freed).
  void close() noexcept {
    if (socket_) {
      socket_->close();
    }
  }
  /// transport.abort(): closes with a reset; the peer's read raises ConnectionReset.
  void abort() noexcept {
    if (socket_) {
      socket_->abort();
    }
  }
  /// Whether the last line read_line returned ended with its "\n". False for the last
  /// bytes before EOF that had none: a line the peer cut short (readline returns those too).
  [[nodiscard]] bool last_line_complete() const { return socket().last_line_complete(); }
  /// The peer's address, "127.0.0.1:54321" ("[::1]:54321").
  [[nodiscard]] const std::string& peer() const { return socket().peer(); }
  [[nodiscard]] bool closed() const noexcept { return !socket_ || socket_->closed(); }

 private:
  [[nodiscard]] detail::TcpSocket& socket() const;

  std::unique_ptr<detail::TcpSocket> socket_;
};

}  // namespace asyncdemo
