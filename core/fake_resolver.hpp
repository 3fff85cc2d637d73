#pragma once
// FakeResolver: the answers resolve() gives when a run must not ask the network — on the virtual
// clock, where a real lookup takes real time while the clock stands still, and in offline CI.
// Each name has a latency (on the runtime's clock), an outcome and, when found, addresses. It is
// data only: resolve() (core/resolve.hpp) waits and answers from it when
// RuntimeOptions::fake_resolver is set, and never touches the thread pool or the network then.

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace asyncdemo {

/// What the fake resolver says about a name: the answers getaddrinfo can give a user.
enum class FakeOutcome : std::uint8_t {
  found,              // the addresses
  not_found,          // NameNotFound (EAI_NONAME)
  temporary_failure,  // TemporaryFailure (EAI_AGAIN): "try again", not an answer
  no_answer,          // never answers: only a timeout or a cancel ends the await
};

/// How a hosts file spells each outcome: "found", "not-found", "temporary-failure", "no-answer".
[[nodiscard]] std::string_view outcome_word(FakeOutcome outcome) noexcept;

struct FakeAnswer {
  Duration latency{};  // how long the lookup takes, on the runtime's clock
  FakeOutcome outcome = FakeOutcome::found;
  std::vector<std::string> addresses;  // found: the numeric addresses returned
};

/// The address a found name gets when its answer lists none: 192.0.2.1, of TEST-NET-1
/// (RFC 5737), reserved for documentation, so it never reaches anyone's real host.
inline constexpr std::string_view kDefaultFakeAddress = "192.0.2.1";

/// The answers, by name. Not thread-safe to change; a runtime only reads it (shared as
/// std::shared_ptr<const FakeResolver> in RuntimeOptions, for the whole run).
class FakeResolver {
 public:
  /// Adds or replaces the answer for `name` (names compare case-insensitively, trailing dot
  /// ignored). A found answer without addresses gets kDefaultFakeAddress.
  void add(std::string name, FakeAnswer answer);
  /// The answer for `name`, or nullptr if it has none. Valid until the next add.
  [[nodiscard]] const FakeAnswer* find(std::string_view name) const;
  /// How names this resolver does not list are answered; without a rule, NOT FOUND at once.
  void answer_unlisted(std::function<FakeAnswer(std::string_view name)> rule);
  /// The answer resolve() gives for `name`: the listed one, else the unlisted rule's.
  [[nodiscard]] FakeAnswer answer(std::string_view name) const;
  /// The form in which names are compared: ASCII lowercase, without a trailing dot.
  [[nodiscard]] static std::string key(std::string_view name);
  /// How many names are listed.
  [[nodiscard]] std::size_t size() const noexcept { return answers_.size(); }
  /// Whether names it does not list are answered by a rule (answer_unlisted).
  [[nodiscard]] bool has_unlisted_rule() const noexcept { return static_cast<bool>(unlisted_); }

 private:
  static void normalize(std::string& name);

  std::map<std::string, FakeAnswer, std::less<>> answers_;  // by normalized name
  std::function<FakeAnswer(std::string_view)> unlisted_;
};

/// A hosts file that cannot be read as one: the message says where ("names.hosts:3: ...").
class HostsFileError : public std::runtime_error {
 public:
  HostsFileError(std::string_view source, std::size_t line, std::string_view problem);
  [[nodiscard]] std::size_t line() const noexcept { return line_; }

 private:
  std::size_t line_;
};

/// A hosts-like file: one name per line, `NAME LATENCY OUTCOME [ADDRESS...]`, fields apart by
/// spaces or tabs, '#' to the end of a line a comment, blank lines skipped. LATENCY in
/// asyncdemo's duration form (150ms, 1.5s, 0), OUTCOME one of found | not-found |
/// temporary-failure | no-answer, each ADDRESS numeric (192.0.2.7, 2001:db8::7; only after
/// found). Throws HostsFileError naming `source`, the line and, for a misspelt outcome, the
/// nearest valid word, on anything else: a missing field, a bad latency, an address that is not
/// one, a name listed twice.
[[nodiscard]] FakeResolver parse_fake_hosts(std::string_view text, std::string_view source);

}  // namespace asyncdemo
