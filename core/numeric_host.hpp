#pragma once
// numeric_host: whether getaddrinfo takes a "name" as an address. Apart from
// resolve.hpp so that the parsers of names (and their fuzz targets) need no runtime.

#include <optional>
#include <string>
#include <string_view>

namespace asyncdemo {

/// If getaddrinfo reads `name` as an address, not a name to look up: that address in its
/// standard form, as inet_ntop writes it. An IPv4 literal in any form inet_aton
/// accepts ("1.2.3" is 1.2.0.3, "127.1" is 127.0.0.1, "0x7f.1" too, "2130706433" as well),
/// or an IPv6 one ("::1", "0:0::1" is ::1), with a zone after '%' ("fe80::1%lo") left as it
/// is, for getaddrinfo to judge. Else nullopt: a host name (or nothing getaddrinfo accepts).
[[nodiscard]] std::optional<std::string> numeric_host(std::string_view name);

}  // namespace asyncdemo
