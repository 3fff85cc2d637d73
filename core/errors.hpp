#pragma once
// The errors the runtime raises. They mirror asyncio's: CancelledError,
// TimeoutError, and the resolver's "not found" vs "try again".

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
