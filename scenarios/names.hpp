#pragma once
// The names probe resolves: from the arguments, a file, stdin, or the classic
// default list; and the check that a name can be a host name at all.

#include <string>
#include <vector>

namespace asyncdemo {

/// Why `name` cannot be a host name (empty, longer than 253 bytes, a label
/// longer than 63 bytes, not valid UTF-8, a character a host name cannot
/// hold, ...), or "" if it can.
std::string hostname_problem(const std::string& name);

/// The names to probe: `from` (a file, or "-" for stdin) when given, else
/// `arguments` when given, else the short Python keywords + "." + tld and
/// "localhost" (the classic demo). Every name is checked up front (an IP
/// literal that getaddrinfo reads as an address, "::1" or "1.2.3", passes;
/// see numeric_host in core/resolve.hpp): throws
/// UsageError naming the first that cannot be a host name (escaped, with its
/// line when from a file), or when `from` cannot be read (missing, a
/// directory, unreadable) or yields no names.
std::vector<std::string> gather_names(const std::vector<std::string>& arguments,
                                      const std::string& from, const std::string& tld);

}  // namespace asyncdemo
