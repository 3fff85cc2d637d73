#pragma once
// The virtual clock and real sockets. On the virtual clock time stands still while
// anything runs and jumps to the next deadline when nothing can and no real work is in
// flight. A socket is real: when both ends of a connection are in this process (our own
// client connected to our own listener), what one end sent and the other has not yet
// received is real work in flight, or the clock could jump over a request on its way
// (a client writes, then sleeps 1 s; the server's read must come before that second).
//
// The rule, per connection whose two ends are both ours (a LocalLink):
// - a connect to one of our listeners counts from uv_tcp_connect until the listener's
//   connection callback has taken it (or the connect failed, or the listener closed);
// - bytes written count for the other end from uv_write until its read callback has them;
//   a close counts one unit (the FIN) until the other end reads its EOF;
// - an end's incoming count drops to zero when it reads EOF or an error, pauses reading
//   (its buffer is full) or closes: then nothing more can arrive for it, and nothing may
//   leave the count stuck and freeze the clock for ever. While it is paused or closed,
//   what is written to it is not counted.
// Each end's non-zero count is one unit of the runtime's real work; and while an end has
// something on its way to it, its handle keeps the loop alive (see TcpSocket::update_ref).
// Connections with a peer outside this process are never counted: its bytes come when
// they come, and the clock does not wait for them.
//
// The two ends are paired by the client's address: its socket is bound to an ephemeral
// port before it connects, and the listener matches its accepted peer's address to it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/detail/socket_address.hpp"

namespace asyncdemo {
class Runtime;
}

namespace asyncdemo::detail {

class TcpSocket;
class ListenSocket;

/// The accounting of one connection between two ends in this process. Shared by both
/// ends (and, until the listener took the connection, by the registry). Loop thread only.
class LocalLink {
 public:
  static constexpr int kClient = 0;
  static constexpr int kServer = 1;

  explicit LocalLink(Runtime& runtime) noexcept : runtime_(runtime) {}
  LocalLink(const LocalLink&) = delete;
  LocalLink& operator=(const LocalLink&) = delete;
  LocalLink(LocalLink&&) = delete;
  LocalLink& operator=(LocalLink&&) = delete;
  ~LocalLink();

  [[nodiscard]] static int other(int side) noexcept { return 1 - side; }
  /// `end` is side `side` now (its handle's ref follows the count).
  void attach(int side, TcpSocket* end) noexcept;
  /// Side `side` closed: its count drops, nothing more is counted for it.
  void detach(int side) noexcept;
  /// `units` (bytes, or 1 for a FIN) are on their way to side `to`.
  void sent(int to, std::size_t units) noexcept;
  /// Side `side`'s read callback got `units` bytes.
  void received(int side, std::size_t units) noexcept;
  /// Side `side` can receive nothing more for now (EOF, an error, paused: `deaf`), or can
  /// again (resumed: !deaf). Deaf, its count is zero and stays so.
  void set_deaf(int side, bool deaf) noexcept;
  [[nodiscard]] bool incoming(int side) const noexcept { return in_flight_.at(side) > 0; }

 private:
  void set_count(int side, std::size_t count) noexcept;

  Runtime& runtime_;
  std::array<std::size_t, 2> in_flight_{};
  std::array<bool, 2> deaf_{};
  std::array<TcpSocket*, 2> ends_{};
};

/// The runtime's listeners and the connects to them not yet taken (see the rule above).
class LocalTcp {
 public:
  explicit LocalTcp(Runtime& runtime) noexcept : runtime_(runtime) {}

  void add_listener(const SocketAddress& bound, ListenSocket* listener);
  /// The listener closed: connects still pending to it will never be taken.
  void remove_listener(std::uint16_t port) noexcept;
  /// Whether a connect to `target` reaches one of our listeners.
  [[nodiscard]] bool ours(const SocketAddress& target) const noexcept;
  /// A connect from `client` (bound, port known) to our listener at `target` starts: the
  /// link its client end joins, counted as pending until the listener takes it.
  std::shared_ptr<LocalLink> connecting(const SocketAddress& client, const SocketAddress& target);
  /// The connect from `client` failed or was cancelled: nothing will come of it.
  void abandon(const std::string& client) noexcept;
  /// The listener on `port` took a connection from `peer`: its link if the client is ours
  /// (null if not), no longer pending.
  std::shared_ptr<LocalLink> accepted(std::uint16_t port, const std::string& peer) noexcept;
  /// How many connects to the listener on `port` are on their way.
  [[nodiscard]] std::size_t pending_to(std::uint16_t port) const noexcept;

 private:
  struct Pending {
    std::uint16_t port;
    std::shared_ptr<LocalLink> link;
  };
  struct Listening {
    SocketAddress bound;
    ListenSocket* listener;
  };
  void forget(std::map<std::string, Pending>::iterator it) noexcept;
  void notify(std::uint16_t port) noexcept;

  Runtime& runtime_;
  std::map<std::uint16_t, Listening> listeners_;
  std::map<std::string, Pending> pending_;  // by the client's address, "127.0.0.1:54321"
};

}  // namespace asyncdemo::detail
