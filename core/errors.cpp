#include "core/errors.hpp"

#include <fmt/format.h>
#include <uv.h>

#include <cstring>

namespace asyncdemo {

namespace {

std::string describe(const char* call, int code) {
  return std::string(call) + ": " + uv_err_name(code) + ": " + uv_strerror(code);
}

// "SIGKILL" where glibc knows the signal's abbreviation, else "signal 70".
std::string signal_name(int signal) {
  if (const char* abbreviation = sigabbrev_np(signal)) {
    return std::string("SIG") + abbreviation;
  }
  return fmt::format("signal {}", signal);
}

std::string describe_end(int pid, std::int64_t exit_status, int term_signal) {
  if (term_signal != 0) {
    return fmt::format("worker process {} was killed by {}", pid, signal_name(term_signal));
  }
  return fmt::format("worker process {} exited with status {}", pid, exit_status);
}

}  // namespace

UvError::UvError(const char* call, int code)
    : std::runtime_error(describe(call, code)), code_(code) {}

void check_uv(const char* call, int code) {
  if (code < 0) {
    throw UvError(call, code);
  }
}

ResolveError::ResolveError(const std::string& name, int code)
    : std::runtime_error(name + ": " + uv_err_name(code) + ": " + uv_strerror(code)), code_(code) {}

ProcessFailed::ProcessFailed(int pid, std::int64_t exit_status, int term_signal)
    : std::runtime_error(describe_end(pid, exit_status, term_signal)),
      pid_(pid),
      exit_status_(exit_status),
      term_signal_(term_signal) {}

ProcessOutputTooLarge::ProcessOutputTooLarge(int pid, std::size_t limit)
    : ProcessFailed(
          fmt::format("worker process {} wrote more than {} bytes on its stdout", pid, limit),
          pid) {}

namespace {

// "permission denied (EACCES)": what a user reads first, then the name to search for.
std::string reason(int code) {
  return fmt::format("{} ({})", uv_strerror(code), uv_err_name(code));
}

}  // namespace

ListenError::ListenError(const std::string& address, int code)
    : UvError(code, fmt::format("cannot listen on {}: {}", address, reason(code))) {}

ConnectError::ConnectError(const std::string& address, int code)
    : UvError(code, fmt::format("cannot connect to {}: {}", address, reason(code))) {}

ConnectionReset::ConnectionReset(const std::string& peer, int code)
    : UvError(code, fmt::format("connection with {} {}", peer,
                                code == UV_EPIPE ? "broken: the peer is gone (EPIPE)"
                                                 : "reset by the peer (" +
                                                       std::string(uv_err_name(code)) + ")")) {}

LineTooLong::LineTooLong(const std::string& peer, std::size_t limit)
    : std::runtime_error(fmt::format("a line from {} is longer than {} bytes", peer, limit)),
      limit_(limit) {}

void fail_task(int id) { throw std::runtime_error(fmt::format("task-{} failed", id)); }

}  // namespace asyncdemo
