#include "core/detail/socket_address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "core/errors.hpp"

namespace asyncdemo::detail {

SocketAddress::SocketAddress(std::string_view host, std::uint16_t port) {
  const std::string numeric(host == "localhost" ? std::string_view("127.0.0.1") : host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage_);
  if (uv_ip4_addr(numeric.c_str(), port, v4) != 0 && uv_ip6_addr(numeric.c_str(), port, v6) != 0) {
    throw std::invalid_argument(fmt::format(
        "'{}' is not a numeric IP address (resolve() a name first, or use localhost)", host));
  }
}

SocketAddress SocketAddress::local_of(const uv_tcp_t* tcp) {
  SocketAddress address;
  int length = sizeof(address.storage_);
  check_uv("uv_tcp_getsockname",
           uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&address.storage_), &length));
  return address;
}

SocketAddress SocketAddress::peer_of(const uv_tcp_t* tcp) {
  SocketAddress address;
  int length = sizeof(address.storage_);
  check_uv("uv_tcp_getpeername",
           uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&address.storage_), &length));
  return address;
}

std::uint16_t SocketAddress::port() const noexcept {
  return ntohs(ipv6() ? v6().sin6_port : v4().sin_port);
}

bool SocketAddress::loopback() const noexcept {
  if (ipv6()) {
    return IN6_IS_ADDR_LOOPBACK(&v6().sin6_addr) != 0;
  }
  constexpr std::uint32_t kLoopbackNet = 0x7f000000U;  // 127.0.0.0/8
  constexpr std::uint32_t kLoopbackMask = 0xff000000U;
  return (ntohl(v4().sin_addr.s_addr) & kLoopbackMask) == kLoopbackNet;
}

bool SocketAddress::same_host(const SocketAddress& other) const noexcept {
  if (storage_.ss_family != other.storage_.ss_family) {
    return false;
  }
  if (ipv6()) {
    return std::memcmp(&v6().sin6_addr, &other.v6().sin6_addr, sizeof(in6_addr)) == 0;
  }
  return v4().sin_addr.s_addr == other.v4().sin_addr.s_addr;
}

bool SocketAddress::any_host() const noexcept {
  if (ipv6()) {
    return IN6_IS_ADDR_UNSPECIFIED(&v6().sin6_addr) != 0;
  }
  return v4().sin_addr.s_addr == htonl(INADDR_ANY);
}

SocketAddress SocketAddress::with_port(std::uint16_t port) const noexcept {
  SocketAddress copy = *this;
  if (ipv6()) {
    reinterpret_cast<sockaddr_in6&>(copy.storage_).sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in&>(copy.storage_).sin_port = htons(port);
  }
  return copy;
}

std::string SocketAddress::text() const {
  // uv_ip*_name fail only for a buffer too small or a family not theirs; neither can be.
  std::array<char, INET6_ADDRSTRLEN> host{};
  if (ipv6()) {
    static_cast<void>(uv_ip6_name(&v6(), host.data(), host.size()));
    return fmt::format("[{}]:{}", host.data(), port());
  }
  static_cast<void>(uv_ip4_name(&v4(), host.data(), host.size()));
  return fmt::format("{}:{}", host.data(), port());
}

}  // namespace asyncdemo::detail
