#include "core/numeric_host.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace asyncdemo {

std::optional<std::string> numeric_host(std::string_view name) {
  // inet_aton stops at white space and accepts what came before it; getaddrinfo wants the
  // whole name to be the address (glibc's __inet_aton_exact). No literal holds a space.
  if (name.empty() || std::ranges::any_of(name, [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '\0';
      })) {
    return std::nullopt;
  }
  const std::string text(name);
  std::array<char, INET6_ADDRSTRLEN> shown{};
  in_addr v4{};
  if (inet_aton(text.c_str(), &v4) != 0) {
    if (inet_ntop(AF_INET, &v4, shown.data(), shown.size()) == nullptr) {
      return std::nullopt;  // cannot happen: the buffer fits any address
    }
    return std::string(shown.data());
  }
  const std::size_t zone = text.find('%');
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.substr(0, zone).c_str(), &v6) != 1 ||
      (zone != std::string::npos && zone + 1 == text.size()) ||
      inet_ntop(AF_INET6, &v6, shown.data(), shown.size()) == nullptr) {
    return std::nullopt;
  }
  return std::string(shown.data()) + (zone == std::string::npos ? "" : text.substr(zone));
}

}  // namespace asyncdemo
