#pragma once
// Runs the built asyncdemo binary (ASYNCDEMO_BINARY) for end-to-end tests and
// captures what it did: stdout, stderr and the exit code, separately.
//
//   const RunResult result = run_asyncdemo({"gather", "--n", "3", "--virtual-time"});
//   INFO(result);  // on failure, doctest shows the command, exit code and output
//   CHECK(result.exit_code == 0);
//
// The arguments go to the binary exactly as given (posix_spawn, no shell), so
// spaces, quotes and `$` need no escaping. The child's stdout and stderr are
// pipes, so it sees no terminal (no colour, width from COLUMNS or 100).
// Header-only: the test build compiles only tests/*.cpp and tests/**/*_test.cpp.

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT(readability-identifier-naming): POSIX's name

namespace asyncdemo::testing {

/// One signal to send the child, at a moment found by a handshake with it
/// rather than a fixed time after start, so that a slow start (a sanitizer
/// build, a loaded machine) cannot make it land too early: once what the
/// child wrote (stdout and stderr) holds `after_output`, and its main thread
/// waits in a kernel function whose name (as /proc/PID/wchan gives it)
/// contains one of the '|'-separated words of `after_waiting_in`, then
/// `delay` later. Empty conditions hold at once; the plan before it must have
/// been sent first.
struct SignalPlan {
  int signal = SIGINT;
  std::string after_output;
  std::string after_waiting_in;
  /// And at least `threads_waiting` of the child's other threads wait in one
  /// of `threads_waiting_in` (pool threads inside their jobs: a sanitizer
  /// build starts them well after the loop has gone idle).
  std::string threads_waiting_in;
  std::size_t threads_waiting = 0;
  std::chrono::milliseconds delay{0};
};

/// The kernel's names for an event loop waiting with nothing to run, for a read of a pipe,
/// and for a thread in a blocking sleep (a pool thread running thread_sleep's job).
inline constexpr const char* kWaitingForEvents = "epoll_wait|ep_poll";
inline constexpr const char* kReadingPipe = "pipe_read|pipe_wait";
inline constexpr const char* kSleepingThread = "nanosleep";

/// `signal` once the output holds `text` and then the main thread waits in one of `waiting_in`.
inline SignalPlan signal_when(std::string text, std::string waiting_in, int signal = SIGINT) {
  SignalPlan plan;
  plan.signal = signal;
  plan.after_output = std::move(text);
  plan.after_waiting_in = std::move(waiting_in);
  return plan;
}

/// `signal` once the output holds `text`.
inline SignalPlan signal_when_output(std::string text, int signal = SIGINT) {
  return signal_when(std::move(text), "", signal);
}

/// `signal` once the main thread waits in one of `waiting_in` (see SignalPlan).
inline SignalPlan signal_when_waiting(std::string waiting_in, int signal = SIGINT) {
  return signal_when("", std::move(waiting_in), signal);
}

/// Ctrl-C once the event loop waits with nothing to run: every task has made its first step.
inline SignalPlan interrupt_when_idle(int signal = SIGINT) {
  return signal_when_waiting(kWaitingForEvents, signal);
}

/// Ctrl-C once the loop is idle and `count` pool threads sleep inside their jobs.
inline SignalPlan interrupt_when_threads_sleep(std::size_t count, int signal = SIGINT) {
  SignalPlan plan = interrupt_when_idle(signal);
  plan.threads_waiting_in = kSleepingThread;
  plan.threads_waiting = count;
  return plan;
}

struct RunOptions {
  /// Written to the child's stdin, which is then closed (`probe --from -`)...
  std::string input;
  /// ...unless this is set: then it stays open until the child exits, as a
  /// terminal's would while nobody types.
  bool keep_stdin_open = false;
  /// Changes to the inherited environment: a value sets the variable,
  /// nullopt removes it. COLUMNS and NO_COLOR are removed before these apply,
  /// so that a developer's shell cannot change what a test sees.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  /// The child is killed (SIGKILL) after this long; then `timed_out` is set.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Signals to send the child, each once, in order: the harness for
  /// interrupting a run at a chosen moment (see SignalPlan).
  std::vector<SignalPlan> signals;
  /// A command that starts the binary (then given as its next arguments,
  /// followed by `args`), to change the child's world before it runs:
  /// {"prlimit", "--nofile=8", "--"} or {"unshare", "-rn", "--"}. Its first
  /// word is looked up in PATH. SIGINTs go to the launcher's process, so use
  /// one that execs the binary.
  std::vector<std::string> launcher;
  /// Descriptors among 0, 1 and 2 that the child starts with closed, as a
  /// shell's `<&-`, `>&-` and `2>&-` do; what it would write there is lost.
  std::vector<int> closed;
  /// The child's stdout is this file, opened for writing ("/dev/full"),
  /// instead of a pipe; `out` stays empty.
  std::string stdout_path;
  /// The read end of the child's stdout pipe is closed once this many bytes
  /// have arrived, as `| head -c N` does; 0 closes it before the child can
  /// write anything, so that every write it makes fails (EPIPE).
  std::optional<std::size_t> close_stdout_after;
};

struct RunResult {
  std::vector<std::string> args;
  std::string out;
  std::string err;
  /// The exit status; 128 + N if signal N ended the child (as a shell says).
  int exit_code = -1;
  bool timed_out = false;
};

/// The command, its exit code and (up to a few KiB of) both outputs: for INFO().
inline std::ostream& operator<<(std::ostream& os, const RunResult& result) {
  constexpr std::size_t kShown = 4000;
  os << "$ asyncdemo";
  for (const auto& arg : result.args) {
    os << " '" << arg << "'";
  }
  os << "\nexit code " << result.exit_code << (result.timed_out ? " (timed out, killed)" : "");
  for (const auto& [name, text] : {std::pair{"stdout", &result.out}, {"stderr", &result.err}}) {
    os << "\n--- " << name << " (" << text->size() << " bytes) ---\n" << text->substr(0, kShown);
  }
  return os;
}

namespace detail {

[[noreturn]] inline void fail(const char* what, int error) {
  throw std::system_error(error, std::generic_category(), what);
}

// Closes the descriptor it owns; -1 owns nothing.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// O_CLOEXEC: the child gets only the ends dup2'd onto its 0, 1 and 2 (dup2
// clears the flag on the copy); no other test's pipe leaks into it.
inline Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    fail("pipe2", errno);
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

inline std::vector<std::string> child_environment(const RunOptions& options) {
  std::vector<std::pair<std::string, std::optional<std::string>>> changes{
      {"COLUMNS", std::nullopt}, {"NO_COLOR", std::nullopt}};
  changes.insert(changes.end(), options.env.begin(), options.env.end());
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    env.emplace_back(*entry);
  }
  for (const auto& [name, value] : changes) {
    std::erase_if(env, [&name](const std::string& entry) {
      return entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=';
    });
    if (value) {
      env.push_back(name + "=" + *value);
    }
  }
  return env;
}

// The argv/envp shape posix_spawn wants: pointers into `strings`, then null.
inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& string : strings) {
    pointers.push_back(string.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

// The child gets default signal dispositions (a test runner may ignore
// SIGPIPE, and ignored signals survive exec) and an empty signal mask.
class SpawnAttributes {
 public:
  SpawnAttributes() {
    ::posix_spawnattr_init(&attr_);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigset_t mask;
    sigemptyset(&mask);
    ::posix_spawnattr_setsigdefault(&attr_, &defaults);
    ::posix_spawnattr_setsigmask(&attr_, &mask);
    ::posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  SpawnAttributes(SpawnAttributes&&) = delete;
  SpawnAttributes& operator=(SpawnAttributes&&) = delete;
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&attr_); }
  [[nodiscard]] const posix_spawnattr_t* get() const { return &attr_; }

 private:
  posix_spawnattr_t attr_{};
};

class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  FileActions(FileActions&&) = delete;
  FileActions& operator=(FileActions&&) = delete;
  ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  void dup2(int from, int to) { ::posix_spawn_file_actions_adddup2(&actions_, from, to); }
  void open(int fd, const char* path, int flags) {
    ::posix_spawn_file_actions_addopen(&actions_, fd, path, flags, 0);
  }
  void close(int fd) { ::posix_spawn_file_actions_addclose(&actions_, fd); }
  [[nodiscard]] const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

// Reads what is there; returns false at end of file (the child closed it).
inline bool drain(const Fd& fd, std::string& into) {
  std::array<char, 65536> buffer{};
  const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
  if (got < 0) {
    return errno == EINTR || errno == EAGAIN;
  }
  into.append(buffer.data(), static_cast<std::size_t>(got));
  return got > 0;
}

// Writes what the pipe takes now; closes it when all is written or the child
// stopped reading (EPIPE: SIGPIPE is ignored in the test process, see below).
inline void feed(Fd& fd, std::string_view& input, bool keep_open) {
  const ssize_t put = ::write(fd.get(), input.data(), input.size());
  if (put > 0) {
    input.remove_prefix(static_cast<std::size_t>(put));
  }
  if ((input.empty() && !keep_open) || (put < 0 && errno != EINTR && errno != EAGAIN)) {
    fd.reset();
  }
}

// The kernel function a thread sleeps in ("0" or "" when running); the main thread's by default.
inline std::string waiting_in(pid_t pid, pid_t thread = 0) {
  std::string name;
  const std::string path = "/proc/" + std::to_string(pid) +
                           (thread == 0 ? "" : "/task/" + std::to_string(thread)) + "/wchan";
  if (const int fd = ::open(path.c_str(), O_RDONLY); fd >= 0) {
    std::array<char, 128> buffer{};
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    name.assign(buffer.data(), static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
    ::close(fd);
  }
  return name;
}

// Whether it sleeps in a function whose name contains one of the '|'-separated `names`.
inline bool waits_in(pid_t pid, std::string_view names, pid_t thread = 0) {
  const std::string function = waiting_in(pid, thread);
  while (!names.empty()) {
    const std::size_t bar = std::min(names.find('|'), names.size());
    if (function.find(names.substr(0, bar)) != std::string::npos) {
      return true;
    }
    names.remove_prefix(std::min(bar + 1, names.size()));
  }
  return false;
}

// How many of the process's threads other than the main one wait in one of `names`.
inline std::size_t threads_waiting_in(pid_t pid, std::string_view names) {
  std::size_t count = 0;
  std::error_code ignored;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ignored)) {
    const pid_t thread = static_cast<pid_t>(std::stol(entry.path().filename().string()));
    count += thread != pid && waits_in(pid, names, thread) ? 1 : 0;
  }
  return count;
}

// Sends the child each planned signal once its moment has come (see SignalPlan).
class Signals {
 public:
  Signals(pid_t pid, std::vector<SignalPlan> plans) : pid_(pid), plans_(std::move(plans)) {}

  void send_due(const RunResult& result) {
    const auto now = std::chrono::steady_clock::now();
    while (next_ < plans_.size()) {
      const SignalPlan& plan = plans_[next_];
      if (!ready_since_) {
        if (result.out.find(plan.after_output) == std::string::npos &&
            result.err.find(plan.after_output) == std::string::npos) {
          return;
        }
        if (!plan.after_waiting_in.empty() && !waits_in(pid_, plan.after_waiting_in)) {
          return;
        }
        if (plan.threads_waiting > 0 &&
            threads_waiting_in(pid_, plan.threads_waiting_in) < plan.threads_waiting) {
          return;
        }
        ready_since_ = now;
      }
      if (now < *ready_since_ + plan.delay) {
        return;
      }
      ::kill(pid_, plan.signal);
      ready_since_.reset();
      ++next_;
    }
  }

  /// How long the pump may wait before looking again: not at all while a
  /// signal is due, a few ms while a handshake waits for the child's state
  /// (which no descriptor reports), else until `deadline`.
  [[nodiscard]] std::chrono::steady_clock::time_point next(
      std::chrono::steady_clock::time_point deadline) const {
    if (next_ >= plans_.size()) {
      return deadline;
    }
    if (ready_since_) {
      return std::min(deadline, *ready_since_ + plans_[next_].delay);
    }
    constexpr auto kPollState = std::chrono::milliseconds(5);
    return std::min(deadline, std::chrono::steady_clock::now() + kPollState);
  }

 private:
  pid_t pid_;
  std::vector<SignalPlan> plans_;
  std::size_t next_ = 0;
  std::optional<std::chrono::steady_clock::time_point> ready_since_;
};

// Moves data between the three pipes until the child closes its output or the
// deadline passes; reading both outputs together means neither can fill up
// and stall the child. Returns false on timeout.
// Closes `out` once `close_after` bytes arrived (see RunOptions::close_stdout_after).
inline bool pump(Fd& in, Fd& out, Fd& err, std::string_view input, bool keep_stdin_open,
                 RunResult& result, std::chrono::steady_clock::time_point deadline,
                 Signals& signals, std::optional<std::size_t> close_after) {
  while (out.get() >= 0 || err.get() >= 0) {
    signals.send_due(result);
    // A kept-open stdin with nothing left to write is not polled: always writable, it would spin.
    const int in_fd = input.empty() && keep_stdin_open ? -1 : in.get();
    std::array<pollfd, 3> fds{
        {{in_fd, POLLOUT, 0}, {out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}}};
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        signals.next(deadline) - std::chrono::steady_clock::now());
    const int wait_ms = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) {
      fail("poll", errno);
    }
    if ((fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      feed(in, input, keep_stdin_open);
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
        (!drain(out, result.out) || (close_after && result.out.size() >= *close_after))) {
      out.reset();
    }
    if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !drain(err, result.err)) {
      err.reset();
    }
  }
  return true;
}

inline int wait_for_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      fail("waitpid", errno);
    }
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace detail

/// Runs asyncdemo with `args` (not including the program name) and waits for it.
/// Throws std::system_error if the binary cannot be started at all.
inline RunResult run_asyncdemo(std::vector<std::string> args, const RunOptions& options = {}) {
  // A child that exits before reading all of `input` must not kill the test
  // process with SIGPIPE: the write fails with EPIPE instead. (Children get
  // the default back, see SpawnAttributes.)
  std::signal(SIGPIPE, SIG_IGN);
  RunResult result;
  result.args = args;
  detail::Pipe in = detail::make_pipe();
  detail::Pipe out = detail::make_pipe();
  detail::Pipe err = detail::make_pipe();
  ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  detail::FileActions actions;
  actions.dup2(in.read.get(), STDIN_FILENO);
  if (options.stdout_path.empty()) {
    actions.dup2(out.write.get(), STDOUT_FILENO);
  } else {
    actions.open(STDOUT_FILENO, options.stdout_path.c_str(), O_WRONLY);
  }
  actions.dup2(err.write.get(), STDERR_FILENO);
  for (const int fd : options.closed) {
    actions.close(fd);
  }
  const detail::SpawnAttributes attributes;
  std::vector<std::string> argv = options.launcher;
  argv.emplace_back(ASYNCDEMO_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = detail::child_environment(options);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv.front().c_str(), actions.get(), attributes.get(),
                                     detail::c_strings(argv).data(), detail::c_strings(env).data());
  if (spawned != 0) {
    detail::fail(("posix_spawn " + argv.front()).c_str(), spawned);
  }
  // Our copies of the child's ends: without closing them we would never see EOF.
  in.read.reset();
  out.write.reset();
  err.write.reset();
  if (!options.stdout_path.empty() || options.close_stdout_after == 0) {
    out.read.reset();  // nothing to read, or a reader that has gone before the child writes
  }
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  detail::Signals signals(pid, options.signals);
  if (!detail::pump(in.write, out.read, err.read, options.input, options.keep_stdin_open, result,
                    deadline, signals, options.close_stdout_after)) {
    ::kill(pid, SIGKILL);
    result.timed_out = true;
  }
  result.exit_code = detail::wait_for_exit(pid);
  return result;
}

}  // namespace asyncdemo::testing
