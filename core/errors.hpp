#pragma once
// The errors the runtime raises. They mirror asyncio's: CancelledError,
// TimeoutError, and the resolver's "not found" vs "try again".

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace asyncdemo {

/// asyncio.CancelledError. Like Python's (a BaseException, not an Exception),
/// it deliberately does not derive from std::exception, so a
/// `catch (const std::exception&)` meant for failures cannot swallow a cancel.
struct Cancelled {
  static constexpr const char* what() noexcept { return "cancelled"; }
};

/// asyncio.TimeoutError, raised by wait_for after the timed-out work was
/// cancelled and its cleanup finished.
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("timed out") {}
};

/// A libuv call returned an error code. Carries the call, uv_err_name and
/// uv_strerror, e.g. "uv_timer_start: EINVAL: invalid argument".
class UvError : public std::runtime_error {
 public:
  UvError(const char* call, int code);
  [[nodiscard]] int code() const noexcept { return code_; }

 protected:
  /// For the subclasses that word their message themselves.
  UvError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}

 private:
  int code_;
};

/// Throws UvError when a uv_* call failed (negative return code).
void check_uv(const char* call, int code);

/// A name resolution failed. The subclasses separate the answers that mean
/// different things to a user: the name does not exist vs the resolver could
/// not answer right now.
class ResolveError : public std::runtime_error {
 public:
  ResolveError(const std::string& name, int code);
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  int code_;
};

/// The resolver answered: no such name (EAI_NONAME / EAI_NODATA).
class NameNotFound : public ResolveError {
 public:
  using ResolveError::ResolveError;
};

/// The resolver could not answer now (EAI_AGAIN): not the same as "not found".
class TemporaryFailure : public ResolveError {
 public:
  using ResolveError::ResolveError;
};

/// A child process run by to_process did not succeed: it exited with a non-zero status
/// ("worker process 1234 exited with status 3") or was killed by a signal ("worker process
/// 1234 was killed by SIGKILL"), as ProcessPoolExecutor raises when its worker fails.
class ProcessFailed : public std::runtime_error {
 public:
  /// The child `pid` ended with `exit_status`, or by `term_signal` when that is not 0.
  ProcessFailed(int pid, std::int64_t exit_status, int term_signal);
  [[nodiscard]] int pid() const noexcept { return pid_; }
  /// The status it exited with; meaningless when term_signal() is not 0.
  [[nodiscard]] std::int64_t exit_status() const noexcept { return exit_status_; }
  /// The signal that ended it, or 0 if it exited by itself.
  [[nodiscard]] int term_signal() const noexcept { return term_signal_; }

 protected:
  ProcessFailed(const std::string& message, int pid) : std::runtime_error(message), pid_(pid) {}

 private:
  int pid_;
  std::int64_t exit_status_ = 0;
  int term_signal_ = 0;
};

/// A child process run by to_process wrote more on its stdout than to_process keeps
/// (`limit` bytes): the rest was refused, whatever the child's own end.
class ProcessOutputTooLarge : public ProcessFailed {
 public:
  ProcessOutputTooLarge(int pid, std::size_t limit);
};

/// A TCP listener could not be opened (asyncio.start_server's OSError): "cannot listen on
/// 127.0.0.1:80: permission denied (EACCES)". EADDRINUSE, EACCES, EADDRNOTAVAIL, ...
class ListenError : public UvError {
 public:
  ListenError(const std::string& address, int code);
};

/// A TCP connection could not be made (open_connection's ConnectionRefusedError, OSError):
/// "cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED)".
class ConnectError : public UvError {
 public:
  ConnectError(const std::string& address, int code);
};

/// The peer reset the connection, or a write found it gone (ConnectionResetError,
/// BrokenPipeError): "connection with 127.0.0.1:5000 reset by the peer (ECONNRESET)".
class ConnectionReset : public UvError {
 public:
  ConnectionReset(const std::string& peer, int code);
};

/// A read, write or accept on a stream or listener that was closed (by this process):
/// "the connection with 127.0.0.1:5000 is closed".
class SocketClosed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// read_line found a line longer than its limit (StreamReader.readline's ValueError, from
/// LimitOverrunError). The over-long line is dropped; the stream stays usable.
class LineTooLong : public std::runtime_error {
 public:
  LineTooLong(const std::string& peer, std::size_t limit);
  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
};

/// Raises RuntimeError("task-<id> failed"), the failure the demonstrations
/// inject. Out of line so that the message's temporaries are not laid out in
/// the coroutine frame of every task that might fail (a million of them).
[[noreturn]] void fail_task(int id);

/// The runtime was misused (e.g. no running Runtime, a task awaited twice).
class RuntimeMisuse : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace asyncdemo
