#pragma once
// The fake resolver as probe sets it up (`--resolver fake`): answers from a hosts file
// (`--hosts FILE`), or made up from a hash of each name, so that a probe is exact on the
// virtual clock and needs no network.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fake_resolver.hpp"

namespace asyncdemo {

/// Where a run's lookups are answered: `--resolver system` (getaddrinfo on the thread pool: the
/// network) or `--resolver fake` (RuntimeOptions::fake_resolver).
enum class ResolverKind : std::uint8_t { system, fake };

/// The values of --resolver, as add_choice_option takes them.
[[nodiscard]] std::vector<std::pair<std::string, std::optional<ResolverKind>>> resolver_choices();

/// The made-up answer for `name`, the same on every run and machine:
/// - `localhost` (and names under it): found at once, 127.0.0.1 and ::1;
/// - an IP literal ("::1", "1.2.3"): found at once, as the address getaddrinfo reads;
/// - a name under .invalid: not found at once (RFC 6761);
/// - any other name: h = splitmix64 chained over the bytes of the name in lowercase without a
///   trailing dot (h = splitmix64(h ^ byte), from h = 0); it is found unless h / 2^32 is a
///   multiple of 3 (about two names in three are), after 20 + h % 181 ms (20ms to 200ms), at
///   198.51.100.(1 + (h / 2^16) % 254), of TEST-NET-2 (RFC 5737), reserved for documentation.
[[nodiscard]] FakeAnswer hashed_answer(std::string_view name);

/// The fake resolver for a run: with `hosts_path` empty, every name answered by hashed_answer;
/// else the answers of that hosts file (core/fake_resolver.hpp's format), and a name it does
/// not list NOT FOUND at once. Throws UsageError if the file cannot be read or is not a hosts
/// file ("names.hosts:3: ..."); std::system_error when the process is out of file descriptors.
[[nodiscard]] std::shared_ptr<const FakeResolver> load_fake_resolver(const std::string& hosts_path);

}  // namespace asyncdemo
