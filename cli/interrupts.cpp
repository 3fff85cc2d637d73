#include "cli/interrupts.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>
#include <system_error>

namespace asyncdemo::interrupts {

namespace {

constexpr int kExitBase = 128;  // a shell's "killed by signal N" is 128 + N
// One per file output (--trace, --svg, --html, --junit) with room to spare.
constexpr std::size_t kSlots = 8;

struct Temporary {
  std::atomic<bool> used{false};
  std::array<char, PATH_MAX> path{};
};

// TRICKY: the handler may run on any thread (libuv's pool threads do not block
// signals) and between any two instructions of the main thread, so the state
// it reads is lock-free atomics, and a slot's path is written before `used`
// is set (release) and only read after it is seen set (acquire).
std::atomic<bool> run_has_begun{false};
std::atomic<int> first_signal{0};
std::array<Temporary, kSlots> temporaries;

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

void say(std::string_view text) noexcept {
  // Best effort: stderr may be gone; nothing else is safe here anyway.
  static_cast<void>(::write(STDERR_FILENO, text.data(), text.size()));
}

void remove_temporaries() noexcept {
  for (Temporary& temporary : temporaries) {
    if (temporary.used.load(std::memory_order_acquire)) {
      ::unlink(temporary.path.data());
    }
  }
}

[[noreturn]] void exit_now(int signal) noexcept {
  remove_temporaries();
  ::_exit(kExitBase + signal);
}

void on_signal(int signal) {
  const int saved_errno = errno;  // the interrupted code may be about to read it
  if (!run_has_begun.load()) {
    say(signal == SIGINT ? "asyncdemo: interrupted (SIGINT) before the run began: nothing ran\n"
                         : "asyncdemo: interrupted (SIGTERM) before the run began: nothing ran\n");
    exit_now(signal);
  }
  int none = 0;
  if (!first_signal.compare_exchange_strong(none, signal)) {
    exit_now(signal);  // the second: the user wants out now
  }
  say(signal == SIGINT
          ? "asyncdemo: interrupted (SIGINT): finishing the report; Ctrl-C again quits at once\n"
          : "asyncdemo: interrupted (SIGTERM): finishing the report; again quits at once\n");
  errno = saved_errno;
}

}  // namespace

void install() {
  struct sigaction action{};
  action.sa_handler = &on_signal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a blocking read of stdin returns EINTR rather than resuming, although
  // before the run the handler exits anyway.
  action.sa_flags = 0;
  for (const int signal : {SIGINT, SIGTERM}) {
    if (::sigaction(signal, &action, nullptr) != 0) {
      throw std::system_error(errno, std::generic_category(), "sigaction");
    }
  }
}

void run_began() noexcept { run_has_begun.store(true); }

int received() noexcept { return first_signal.load(); }

int remove_on_exit(const char* path) noexcept {
  const std::size_t length = std::strlen(path);
  for (std::size_t slot = 0; slot < kSlots; ++slot) {
    Temporary& temporary = temporaries[slot];
    if (length >= temporary.path.size() || temporary.used.load(std::memory_order_acquire)) {
      continue;
    }
    std::memcpy(temporary.path.data(), path, length + 1);
    temporary.used.store(true, std::memory_order_release);
    return static_cast<int>(slot);
  }
  return -1;
}

void forget(int slot) noexcept {
  if (slot >= 0 && static_cast<std::size_t>(slot) < kSlots) {
    temporaries[static_cast<std::size_t>(slot)].used.store(false, std::memory_order_release);
  }
}

}  // namespace asyncdemo::interrupts
