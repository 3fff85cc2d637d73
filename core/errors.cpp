#include "core/errors.hpp"

#include <fmt/format.h>
#include <uv.h>

namespace asyncdemo {

namespace {

std::string describe(const char* call, int code) {
  return std::string(call) + ": " + uv_err_name(code) + ": " + uv_strerror(code);
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

void fail_task(int id) { throw std::runtime_error(fmt::format("task-{} failed", id)); }

}  // namespace asyncdemo
