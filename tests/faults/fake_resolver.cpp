// An LD_PRELOAD library for end-to-end tests: a resolver whose answers and
// delays are spelled in the name asked for, so that tests of timeouts,
// cancellation and error classification run anywhere, unprivileged and offline,
// against the real binary (which calls the blocking getaddrinfo on its pool).
//
// The grammar, for names under .test (RFC 6761 reserves it for testing; it is
// never delegated, so no real answer is lost). Labels are read from the right:
//
//   [free.]...[slow-<N>ms.]<answer>.test[.]
//
//   <answer>  found   one address, 127.0.0.1
//             nx      EAI_NONAME: the name does not exist ("NOT FOUND")
//             again   EAI_AGAIN: no answer now, try again (a temporary failure)
//             fail    EAI_FAIL: a failure that is not temporary
//             hang    no answer for kHangFor, then EAI_AGAIN: a resolver that has
//                     stalled (bounded, so a test that loses it still ends)
//   slow-<N>ms  answers only after N milliseconds (on the calling thread)
//   free      any labels, to tell names apart: one.slow-100ms.found.test
//
// e.g. `slow-2000ms.found.test` is 127.0.0.1 after 2 s, `nx.test` is "no such
// name" at once. A .test name outside the grammar fails with EAI_FAIL, so that
// a misspelled test name shows as an ERROR row, not as a plausible answer.
// Every other name goes to the real getaddrinfo (localhost still resolves).
//
// With FAKE_RESOLVER_ANNOUNCE=1 in the environment, each .test lookup first
// writes "fake resolver: asked <name>" to stderr, from the pool thread that
// runs it: a test that must act while a lookup is in getaddrinfo (Ctrl-C
// during a stall) waits for that line instead of guessing with a sleep.
//
// Built only for the tests (a MODULE library, not part of asyncdemo_tests):
// the tests set LD_PRELOAD to ASYNCDEMO_FAKE_RESOLVER.

#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>

namespace {

using namespace std::chrono_literals;

// Long enough that no test waits for it (tests use slow-<N>ms for a stall they see
// end), short enough that a test run that leaks one is not held past ctest's timeout.
constexpr auto kHangFor = 30s;
// A delay longer than this is a mistake in a test, not a resolver to imitate.
constexpr long kMaxDelayMs = 60'000;

using GetaddrinfoFn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
using FreeaddrinfoFn = void (*)(addrinfo*);

// The definitions this library shadows (glibc's), found once, on first use.
template <class Fn>
Fn next_definition(const char* symbol) {
  void* found = ::dlsym(RTLD_NEXT, symbol);
  if (found == nullptr) {
    std::abort();  // no libc below us: nothing sensible to answer
  }
  return reinterpret_cast<Fn>(found);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

GetaddrinfoFn real_getaddrinfo() {
  static const auto real = next_definition<GetaddrinfoFn>("getaddrinfo");
  return real;
}

FreeaddrinfoFn real_freeaddrinfo() {
  static const auto real = next_definition<FreeaddrinfoFn>("freeaddrinfo");
  return real;
}

// One answer in one allocation: the entry, its address and its canonical name,
// so that the matching freeaddrinfo frees it with one free().
struct FakeAnswer {
  addrinfo entry;
  sockaddr_in address;
  std::array<char, NI_MAXHOST> canonical_name;
};

// The answers this library made and has not yet freed. freeaddrinfo must tell
// them from glibc's, which are laid out the same way (an entry followed by its
// address), so a look at the memory cannot; a set of their addresses can.
// Never destroyed: a freeaddrinfo may still come during exit.
class Answers {
 public:
  static Answers& all() {
    static auto* answers = new Answers;  // NOLINT(cppcoreguidelines-owning-memory)
    return *answers;
  }
  void add(const addrinfo* entry) {
    const std::lock_guard lock(mutex_);
    made_.insert(entry);
  }
  /// Whether `entry` was one of ours; if so it is forgotten (it is being freed).
  bool take(const addrinfo* entry) {
    const std::lock_guard lock(mutex_);
    return made_.erase(entry) == 1;
  }

 private:
  std::mutex mutex_;
  std::unordered_set<const addrinfo*> made_;
};

enum class Answer { found, nx, again, fail, hang };

struct Plan {
  Answer answer = Answer::fail;
  std::chrono::milliseconds delay{0};
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Takes the last label off `name` and returns it.
std::string_view pop_label(std::string_view& name) {
  const std::size_t dot = name.rfind('.');
  const std::string_view label = dot == std::string_view::npos ? name : name.substr(dot + 1);
  name = dot == std::string_view::npos ? std::string_view{} : name.substr(0, dot);
  return label;
}

std::optional<Answer> answer_named(std::string_view label) {
  constexpr std::array<std::pair<std::string_view, Answer>, 5> kAnswers{{
      {"found", Answer::found},
      {"nx", Answer::nx},
      {"again", Answer::again},
      {"fail", Answer::fail},
      {"hang", Answer::hang},
  }};
  for (const auto& [word, answer] : kAnswers) {
    if (equals_ignoring_case(label, word)) {
      return answer;
    }
  }
  return std::nullopt;
}

// "slow-<N>ms" as N milliseconds; nullopt if the label is not that.
std::optional<std::chrono::milliseconds> delay_named(std::string_view label) {
  constexpr std::string_view kPrefix = "slow-";
  constexpr std::string_view kSuffix = "ms";
  if (label.size() <= kPrefix.size() + kSuffix.size() ||
      !equals_ignoring_case(label.substr(0, kPrefix.size()), kPrefix) ||
      !equals_ignoring_case(label.substr(label.size() - kSuffix.size()), kSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits =
      label.substr(kPrefix.size(), label.size() - kPrefix.size() - kSuffix.size());
  long ms = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (error != std::errc{} || end != digits.data() + digits.size() || ms > kMaxDelayMs) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

// What to answer for `name`: nullopt for a name outside .test (the real resolver's).
std::optional<Plan> plan_for(std::string_view name) {
  if (name.ends_with('.')) {
    name.remove_suffix(1);  // the fully qualified form
  }
  if (!equals_ignoring_case(pop_label(name), "test") || name.empty()) {
    return std::nullopt;
  }
  const std::optional<Answer> answer = answer_named(pop_label(name));
  if (!answer) {
    return Plan{};  // misspelled: EAI_FAIL
  }
  Plan plan{*answer, {}};
  if (const std::optional<std::chrono::milliseconds> delay = delay_named(pop_label(name))) {
    plan.delay = *delay;
  }
  return plan;
}

// 127.0.0.1 as the one entry, of the socket type asked for (a stream if none).
int found(const char* name, const addrinfo* hints, addrinfo** result) {
  const int family = hints != nullptr ? hints->ai_family : AF_UNSPEC;
  if (family != AF_UNSPEC && family != AF_INET) {
    return EAI_ADDRFAMILY;  // the name has an IPv4 address only
  }
  auto* answer = static_cast<FakeAnswer*>(std::calloc(1, sizeof(FakeAnswer)));
  if (answer == nullptr) {
    return EAI_MEMORY;
  }
  answer->address.sin_family = AF_INET;
  answer->address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addrinfo& entry = answer->entry;
  entry.ai_family = AF_INET;
  entry.ai_socktype =
      hints != nullptr && hints->ai_socktype != 0 ? hints->ai_socktype : SOCK_STREAM;
  entry.ai_protocol = hints != nullptr ? hints->ai_protocol : 0;
  entry.ai_addrlen = sizeof(answer->address);
  entry.ai_addr = reinterpret_cast<sockaddr*>(&answer->address);  // NOLINT: the C API's shape
  if (hints != nullptr && (hints->ai_flags & AI_CANONNAME) != 0) {
    std::strncpy(answer->canonical_name.data(), name, answer->canonical_name.size() - 1);
    entry.ai_canonname = answer->canonical_name.data();
  }
  Answers::all().add(&entry);
  *result = &entry;
  return 0;
}

// Read once: getenv is safe on any thread while nobody sets the environment.
bool announcing() {
  static const bool announce = [] {
    const char* value = std::getenv("FAKE_RESOLVER_ANNOUNCE");  // NOLINT(concurrency-mt-unsafe)
    return value != nullptr && std::string_view(value) == "1";
  }();
  return announce;
}

// One write(2), so that lines from lookups on several threads never interleave.
void announce(const char* name) {
  std::array<char, NI_MAXHOST + 32> line{};
  const int length = std::snprintf(line.data(), line.size(), "fake resolver: asked %s\n", name);
  if (length > 0) {
    const auto size = std::min(static_cast<std::size_t>(length), line.size() - 1);
    static_cast<void>(::write(STDERR_FILENO, line.data(), size));  // best effort, as a log is
  }
}

int answer(const Plan& plan, const char* name, const addrinfo* hints, addrinfo** result) {
  if (announcing()) {
    announce(name);
  }
  std::this_thread::sleep_for(plan.delay);
  switch (plan.answer) {
    case Answer::found: return found(name, hints, result);
    case Answer::nx: return EAI_NONAME;
    case Answer::again: return EAI_AGAIN;
    case Answer::hang: std::this_thread::sleep_for(kHangFor); return EAI_AGAIN;
    case Answer::fail: break;
  }
  return EAI_FAIL;
}

}  // namespace

// Declared by <netdb.h> (extern "C", and so are these definitions). A service
// is the real resolver's business: names that carry one are passed on.
int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** result) {
  if (node != nullptr && service == nullptr && result != nullptr) {
    if (const std::optional<Plan> plan = plan_for(node)) {
      return answer(*plan, node, hints, result);
    }
  }
  return real_getaddrinfo()(node, service, hints, result);
}

void freeaddrinfo(addrinfo* result) {
  if (result != nullptr && Answers::all().take(result)) {
    std::free(result);  // NOLINT(cppcoreguidelines-no-malloc): made by calloc in found()
    return;
  }
  real_freeaddrinfo()(result);
}
