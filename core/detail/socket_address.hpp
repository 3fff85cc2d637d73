#pragma once
// SocketAddress: an IPv4 or IPv6 address and port, parsed from text and spelled back the
// way a user reads it ("127.0.0.1:8080", "[::1]:8080"). No name resolution here: TCP's
// listen and connect take numeric hosts (resolve() first for a name), and "localhost".

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace asyncdemo::detail {

class SocketAddress {
 public:
  /// `host` numeric (IPv4 or IPv6) or "localhost" (127.0.0.1). Throws std::invalid_argument
  /// for anything else.
  SocketAddress(std::string_view host, std::uint16_t port);
  /// What uv_tcp_getsockname / uv_tcp_getpeername says of `tcp`; throws UvError.
  static SocketAddress local_of(const uv_tcp_t* tcp);
  static SocketAddress peer_of(const uv_tcp_t* tcp);

  [[nodiscard]] const sockaddr* get() const noexcept {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// 127.0.0.0/8 or ::1: a connection to it cannot leave this machine.
  [[nodiscard]] bool loopback() const noexcept;
  /// The same host (not port): both IPv4 or both IPv6, same bytes.
  [[nodiscard]] bool same_host(const SocketAddress& other) const noexcept;
  /// The unspecified address (0.0.0.0 or ::): a listener bound to it takes every host's.
  [[nodiscard]] bool any_host() const noexcept;
  /// This address with another port (port 0: any the kernel picks).
  [[nodiscard]] SocketAddress with_port(std::uint16_t port) const noexcept;
  /// "127.0.0.1:8080", "[::1]:8080".
  [[nodiscard]] std::string text() const;

 private:
  SocketAddress() = default;
  [[nodiscard]] bool ipv6() const noexcept { return storage_.ss_family == AF_INET6; }
  [[nodiscard]] const sockaddr_in& v4() const noexcept {
    return reinterpret_cast<const sockaddr_in&>(storage_);
  }
  [[nodiscard]] const sockaddr_in6& v6() const noexcept {
    return reinterpret_cast<const sockaddr_in6&>(storage_);
  }

  sockaddr_storage storage_{};
};

}  // namespace asyncdemo::detail
