#include "core/tcp_stream.hpp"

#include <uv.h>

#include <utility>

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

namespace detail {

// One uv_write in flight. It owns its bytes and outlives an awaiter that stopped waiting
// (cancelled, or its frame destroyed): libuv calls back into it once, always — with
// UV_ECANCELED if the handle closes first — and the callback frees it.
struct WriteRequest {
  uv_write_t request{};
  std::string data;
  WriteAwaiter* awaiter = nullptr;  // null once nobody waits for it

  static void written(uv_write_t* request, int status) noexcept {
    auto* self = static_cast<WriteRequest*>(request->data);
    if (self->awaiter != nullptr) {
      self->awaiter->written(status);
    }
    delete self;
  }
};

}  // namespace detail

detail::TcpSocket& TcpStream::socket() const {
  if (!socket_) {
    throw RuntimeMisuse("a TcpStream was used after it was moved from");
  }
  return *socket_;
}

// ---- read_line ---------------------------------------------------------------------------

ReadLineAwaiter::~ReadLineAwaiter() {
  if (socket_ != nullptr && pending()) {
    socket_->set_waiter(nullptr);  // a frame destroyed while it waited (an abandoned task)
  }
}

bool ReadLineAwaiter::await_ready() const noexcept {
  // Another task waits already: not ready, so that await_suspend says so.
  return !socket_->has_waiter() && socket_->line_ready(limit_);
}

bool ReadLineAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (socket_->has_waiter()) {
    throw RuntimeMisuse("read_line: another task is already waiting for a line on " +
                        socket_->peer());
  }
  if (!begin_wait(awaiting, WaitKind::read)) {
    return false;
  }
  socket_->set_waiter(this);
  return true;
}

std::optional<std::string> ReadLineAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  if (socket_ == nullptr) {
    throw SocketClosed("the connection was destroyed while a task waited for a line");
  }
  return socket_->take_line(limit_);
}

bool ReadLineAwaiter::cancel() noexcept {
  if (socket_ != nullptr) {
    socket_->set_waiter(nullptr);  // what arrives meanwhile stays buffered
  }
  wake();
  return false;
}

void ReadLineAwaiter::readable() noexcept {
  socket_->set_waiter(nullptr);
  wake();
}

void ReadLineAwaiter::socket_gone() noexcept {
  socket_ = nullptr;
  wake();
}

// ---- write -------------------------------------------------------------------------------

WriteAwaiter::~WriteAwaiter() {
  if (request_ != nullptr) {
    request_->awaiter = nullptr;  // the write goes on; its callback must not find us
  }
}

bool WriteAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::write)) {
    return false;
  }
  try {
    submit();
  } catch (...) {
    // TRICKY: the wait is begun; an exception thrown from here would leave the task
    // registered as waiting on this awaiter. Resume it instead, and raise at the await.
    error_ = std::current_exception();
    wake();
  }
  return true;
}

void WriteAwaiter::submit() {
  peer_ = socket_->peer();
  if (socket_->closed()) {
    throw SocketClosed(detail::closed_message(peer_));
  }
  auto request = std::make_unique<detail::WriteRequest>();
  request->request.data = request.get();
  request->data = std::move(data_);
  request->awaiter = this;
  const std::size_t size = request->data.size();
  const uv_buf_t buffer = uv_buf_init(request->data.data(), static_cast<unsigned int>(size));
  const int rc = uv_write(&request->request, reinterpret_cast<uv_stream_t*>(socket_->handle()),
                          &buffer, 1, detail::WriteRequest::written);
  if (rc < 0) {
    status_ = rc;  // no callback will come: the request is ours to free
    wake();
    return;
  }
  request_ = request.release();  // libuv's now, until its callback frees it
  socket_->sent(size);
}

void WriteAwaiter::written(int status) noexcept {
  request_ = nullptr;
  status_ = status;
  wake();
}

void WriteAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  if (error_) {
    std::rethrow_exception(error_);
  }
  if (status_ == UV_ECONNRESET || status_ == UV_EPIPE) {
    throw ConnectionReset(peer_, status_);
  }
  if (status_ == UV_ECANCELED || status_ == UV_EBADF) {
    throw SocketClosed(detail::closed_message(peer_));  // closed before the bytes went out
  }
  check_uv("uv_write", status_);
}

bool WriteAwaiter::cancel() noexcept {
  if (request_ != nullptr) {
    request_->awaiter = nullptr;  // the bytes still go: only the drain is given up
    request_ = nullptr;
  }
  wake();
  return false;
}

}  // namespace asyncdemo
