#include "scenarios/fake_dns.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "core/numeric_host.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/seeded_draw.hpp"

namespace asyncdemo {

std::vector<std::pair<std::string, std::optional<ResolverKind>>> resolver_choices() {
  return {{"system", ResolverKind::system}, {"fake", ResolverKind::fake}};
}

namespace {

bool under(std::string_view key, std::string_view domain) {
  return key == domain || (key.ends_with(domain) && key[key.size() - domain.size() - 1] == '.');
}

// The bytes of the name, folded by splitmix64 one at a time: any language can repeat it (the
// parity program in tests/parity/probe.py does).
std::uint64_t name_hash(std::string_view key) {
  std::uint64_t hash = 0;
  for (const char c : key) {
    hash = splitmix64(hash ^ static_cast<unsigned char>(c));
  }
  return hash;
}

std::string read_hosts_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw UsageError(fmt::format("--hosts {}: is a directory, not a hosts file", path));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int open_error = errno;
    // Out of file descriptors is the machine's state, not a wrong path: a failure (exit 1).
    if (open_error == EMFILE || open_error == ENFILE) {
      throw std::system_error(open_error, std::generic_category(),
                              fmt::format("--hosts {}: cannot open", path));
    }
    throw UsageError(fmt::format("--hosts {}: cannot open: {}", path, std::strerror(open_error)));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    throw UsageError(fmt::format("--hosts {}: read failed", path));
  }
  return std::move(text).str();
}

}  // namespace

FakeAnswer hashed_answer(std::string_view name) {
  const std::string key = FakeResolver::key(name);
  if (under(key, "localhost")) {
    return {Duration::zero(), FakeOutcome::found, {"127.0.0.1", "::1"}};
  }
  if (std::optional<std::string> address = numeric_host(name)) {
    return {Duration::zero(), FakeOutcome::found, {std::move(*address)}};
  }
  if (under(key, "invalid")) {
    return {Duration::zero(), FakeOutcome::not_found, {}};
  }
  const std::uint64_t hash = name_hash(key);
  constexpr std::uint64_t kMinMillis = 20;
  constexpr std::uint64_t kSpreadMillis = 181;  // up to 200ms
  constexpr std::uint64_t kHosts = 254;
  const Duration latency = std::chrono::milliseconds(kMinMillis + hash % kSpreadMillis);
  if ((hash >> 32U) % 3 == 0) {
    return {latency, FakeOutcome::not_found, {}};
  }
  return {latency, FakeOutcome::found, {fmt::format("198.51.100.{}", 1 + (hash >> 16U) % kHosts)}};
}

std::shared_ptr<const FakeResolver> load_fake_resolver(const std::string& hosts_path) {
  if (hosts_path.empty()) {
    auto resolver = std::make_shared<FakeResolver>();
    resolver->answer_unlisted(&hashed_answer);
    return resolver;
  }
  try {
    return std::make_shared<FakeResolver>(
        parse_fake_hosts(read_hosts_file(hosts_path), hosts_path));
  } catch (const HostsFileError& error) {
    throw UsageError(error.what());
  }
}

}  // namespace asyncdemo
