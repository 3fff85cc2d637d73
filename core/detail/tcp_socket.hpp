#pragma once
// TcpSocket: one connected TCP socket and what it has read. It reads all the time into its
// own buffer, as asyncio's StreamReader does, so that what arrives while no task awaits a
// line is kept — up to a bound: past twice the line limit it stops reading (uv_read_stop,
// the kernel's window then holds the peer back) and starts again once a reader has taken
// the buffer below the limit (StreamReader's pause_reading / resume_reading).
//
// It lives on the heap, owned by a TcpStream (or by a listener's queue, or a connect in
// progress), because libuv's callbacks find it through the handle's data pointer; its
// handle is a UvHandle, closed (never freed) when the socket goes.

#include <uv.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/detail/local_tcp.hpp"
#include "core/detail/uv_handle.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

/// What a task awaiting a line is told by the socket.
class LineWaiter {
 public:
  /// A line, EOF, an error or a close may now be taken (the socket is still there).
  virtual void readable() noexcept = 0;
  /// The socket is being destroyed: forget it, and wake.
  virtual void socket_gone() noexcept = 0;

 protected:
  LineWaiter() = default;
  ~LineWaiter() = default;
  LineWaiter(const LineWaiter&) = default;
  LineWaiter& operator=(const LineWaiter&) = default;
};

/// "the connection with 127.0.0.1:5000 is closed": SocketClosed's message.
[[nodiscard]] std::string closed_message(const std::string& peer);

class TcpSocket {
 public:
  /// asyncio's default StreamReader limit (2**16).
  static constexpr std::size_t kDefaultLimit = std::size_t{64} << 10U;

  /// An unconnected socket on `runtime`'s loop; throws UvError if uv_tcp_init fails.
  explicit TcpSocket(Runtime& runtime);
  TcpSocket(const TcpSocket&) = delete;
  TcpSocket& operator=(const TcpSocket&) = delete;
  TcpSocket(TcpSocket&&) = delete;
  TcpSocket& operator=(TcpSocket&&) = delete;
  /// Closes the handle (see close) and wakes a task still awaiting a line.
  ~TcpSocket();

  /// The handle, for uv_accept / uv_tcp_bind / uv_tcp_connect. Throws if closed.
  [[nodiscard]] uv_tcp_t* handle() const { return handle_.get(); }
  /// Connected: names the peer, joins `link` (null: the peer is not ours) as `side`,
  /// and starts reading. Throws UvError.
  void start(std::string peer, std::shared_ptr<LocalLink> link, int side);
  /// Joins `link` as a client connecting from `local` (its address, the registry's key
  /// while the connect is pending).
  void join_as_client(std::shared_ptr<LocalLink> link, std::string local) noexcept;

  /// Closes the socket (idempotent): the peer reads EOF; writes still queued are cancelled
  /// (their callbacks run with UV_ECANCELED); a task awaiting a line raises SocketClosed.
  void close() noexcept;
  /// Closes it with a reset (SO_LINGER 0): the peer's read fails with ECONNRESET.
  void abort() noexcept;
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] const std::string& peer() const noexcept { return peer_; }

  // ---- reading: for ReadLineAwaiter ----
  /// Whether take_line(limit) can answer now. Also sets the limit the buffer's bound
  /// follows, and resumes reading if a larger limit makes room.
  [[nodiscard]] bool line_ready(std::size_t limit) noexcept;
  /// The next line (see TcpStream::read_line). Throws LineTooLong, ConnectionReset,
  /// UvError, SocketClosed. Call only when line_ready said so.
  std::optional<std::string> take_line(std::size_t limit);
  /// Whether the last line take_line returned ended with its "\n"; false for the bytes of a
  /// last line cut short by EOF.
  [[nodiscard]] bool last_line_complete() const noexcept { return last_line_complete_; }
  void set_waiter(LineWaiter* waiter) noexcept;
  [[nodiscard]] bool has_waiter() const noexcept { return waiter_ != nullptr; }

  // ---- writing: for WriteAwaiter ----
  /// `bytes` were handed to uv_write: on their way to the peer, if it is ours.
  void sent(std::size_t bytes) noexcept;

  /// The handle keeps the loop alive only while it matters: a task awaits a line, or a
  /// peer of ours has sent something not yet read. Otherwise an open connection nobody
  /// reads must not hold the run open (asyncio.run returns with sockets still open).
  void update_ref() noexcept;

 private:
  void join(std::shared_ptr<LocalLink> link, int side) noexcept;
  void on_read(ssize_t nread, const uv_buf_t* buf) noexcept;
  void keep(const char* data, std::size_t size);
  void stop_reading() noexcept;
  void pause_if_full() noexcept;
  void resume_if_room() noexcept;
  void notify() noexcept;
  [[nodiscard]] std::optional<std::string> take_complete_line(std::size_t limit);
  [[noreturn]] void raise_error() const;
  /// What was read and not yet taken.
  [[nodiscard]] std::string_view unread() const noexcept {
    return std::string_view(in_).substr(taken_);
  }
  /// Takes `bytes` from the front of unread().
  void drop(std::size_t bytes) noexcept;
  static void alloc_cb(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;

  Runtime& runtime_;
  UvHandle<uv_tcp_t> handle_;
  std::string peer_;
  std::shared_ptr<LocalLink> link_;  // null: the peer is not in this process
  int side_ = 0;
  std::string local_;  // a client of our own listener: its address, to abandon a pending connect
  LineWaiter* waiter_ = nullptr;
  std::string in_;  // read; the first taken_ bytes were taken already
  std::size_t taken_ = 0;
  std::size_t limit_ = kDefaultLimit;  // the last reader's: the buffer's bound is twice it
  bool reading_ = false;               // uv_read_start is in effect
  bool paused_ = false;                // stopped because the buffer is full
  bool skipping_ = false;              // dropping the rest of an over-long line
  bool eof_ = false;
  bool last_line_complete_ = true;
  bool closed_ = false;
  int error_ = 0;                                     // a read error (ECONNRESET, ...), or 0
  std::array<char, std::size_t{64} << 10U> chunk_{};  // where libuv reads the next chunk
};

}  // namespace asyncdemo::detail
