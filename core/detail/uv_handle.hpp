#pragma once
// UvHandle<H>: the single owner of one libuv handle. libuv's rule is law here:
// a handle's memory is freed only in its close callback, so the owner never
// deletes it directly once initialised — it calls uv_close and hands the
// memory to the callback.

#include <uv.h>

#include <utility>

#include "core/errors.hpp"

namespace asyncdemo::detail {

template <class H>
class UvHandle {
 public:
  UvHandle() = default;
  /// Allocates and initialises a handle with `init(loop, handle)`; throws
  /// UvError (and frees the memory, never initialised) if init fails.
  template <class Init>
  UvHandle(uv_loop_t* loop, Init init, const char* call) : handle_(new H{}) {
    const int rc = init(loop, handle_);
    if (rc < 0) {
      delete handle_;  // never initialised, so libuv does not know it
      handle_ = nullptr;
      throw UvError(call, rc);
    }
  }
  UvHandle(UvHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UvHandle& operator=(UvHandle&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;
  ~UvHandle() { close(); }

  [[nodiscard]] H* get() const noexcept { return handle_; }
  [[nodiscard]] explicit operator bool() const noexcept { return handle_ != nullptr; }

  /// Starts closing; the memory is freed by the close callback when the loop
  /// next runs. The loop must run again before uv_loop_close can succeed.
  void close() noexcept {
    if (handle_ == nullptr) {
      return;
    }
    auto* base = reinterpret_cast<uv_handle_t*>(handle_);
    if (uv_is_closing(base) == 0) {
      uv_close(base, [](uv_handle_t* closed) { delete reinterpret_cast<H*>(closed); });
    }
    handle_ = nullptr;
  }

 private:
  H* handle_ = nullptr;
};

}  // namespace asyncdemo::detail
