#pragma once
// UvHandle<H>: the single owner of one libuv handle. libuv's rule is law here:
// a handle's memory is freed only in its close callback, so the owner never
// deletes it directly once initialised — it calls uv_close and hands the
// memory to the callback. As in uvw, the owner keeps the pointer until that
// callback has run, and knows meanwhile that the handle is closing: get()
// refuses a closing handle instead of passing it (or null) to a uv_*_start.

#include <uv.h>

#include <utility>

#include "core/detail/loop_guard.hpp"
#include "core/errors.hpp"

namespace asyncdemo::detail {

template <class H>
class UvHandle {
 public:
  UvHandle() = default;
  /// Allocates and initialises a handle with `init(loop, handle)`; throws
  /// UvError (and frees the memory, never initialised) if init fails.
  template <class Init>
  UvHandle(uv_loop_t* loop, Init init, const char* call) : box_(new Box{}) {
    const int rc = init(loop, &box_->handle);
    if (rc < 0) {
      delete box_;  // never initialised, so libuv does not know it
      box_ = nullptr;
      throw UvError(call, rc);
    }
    box_->owner = this;
  }
  UvHandle(UvHandle&& other) noexcept : box_(std::exchange(other.box_, nullptr)) { adopt(); }
  UvHandle& operator=(UvHandle&& other) noexcept {
    if (this != &other) {
      close();
      detach();
      box_ = std::exchange(other.box_, nullptr);
      adopt();
    }
    return *this;
  }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;
  ~UvHandle() {
    close();
    detach();
  }

  /// The handle, open. Throws RuntimeMisuse if there is none or it is closing:
  /// libuv must not be asked to start or stop a handle it is closing.
  [[nodiscard]] H* get() const {
    if (box_ == nullptr || closing()) {
      throw RuntimeMisuse("a libuv handle was used after it was closed");
    }
    return &box_->handle;
  }
  /// The handle if it is open, else null: for the noexcept paths that only adjust an open
  /// handle (uv_ref, uv_unref) and have nothing to do otherwise.
  [[nodiscard]] H* get_if_open() const noexcept {
    return box_ != nullptr && !closing() ? &box_->handle : nullptr;
  }
  /// True while uv_close was called and its callback has not run yet.
  [[nodiscard]] bool closing() const noexcept {
    return box_ != nullptr && uv_is_closing(base()) != 0;
  }
  /// True if there is a handle and it is not closing.
  [[nodiscard]] explicit operator bool() const noexcept { return box_ != nullptr && !closing(); }

  /// Starts closing; the memory is freed by the close callback when the loop
  /// next runs, and until then closing() is true. The loop must run again
  /// before uv_loop_close can succeed.
  void close() noexcept {
    if (box_ != nullptr && uv_is_closing(base()) == 0) {
      uv_close(base(), on_close);
    }
  }

 private:
  // The handle first: the uv_handle_t* libuv passes back is the Box's own address.
  struct Box {
    H handle{};
    UvHandle* owner = nullptr;  // null once the owner is gone: the callback frees alone
  };

  [[nodiscard]] uv_handle_t* base() const noexcept {
    return reinterpret_cast<uv_handle_t*>(&box_->handle);
  }
  void adopt() noexcept {
    if (box_ != nullptr) {
      box_->owner = this;
    }
  }
  // Still closing when the owner goes: the close callback will free the box by itself.
  void detach() noexcept {
    if (box_ != nullptr) {
      box_->owner = nullptr;
      box_ = nullptr;
    }
  }
  static void on_close(uv_handle_t* closed) noexcept {
    guarded(closed->loop, [closed] {
      auto* box = reinterpret_cast<Box*>(closed);
      if (box->owner != nullptr) {
        box->owner->box_ = nullptr;  // only now does the owner let go of the pointer
      }
      delete box;
    });
  }

  Box* box_ = nullptr;
};

}  // namespace asyncdemo::detail
