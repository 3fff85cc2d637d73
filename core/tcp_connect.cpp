#include "core/tcp_connect.hpp"

#include <uv.h>

#include "core/detail/socket_address.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

namespace detail {

// One uv_tcp_connect in flight. It outlives an awaiter that stopped waiting (cancelled:
// the socket closed under it) because libuv always calls back, with UV_ECANCELED then; the
// callback frees it. It holds what the callback needs without the awaiter.
struct ConnectRequest {
  uv_connect_t request{};
  Runtime* runtime = nullptr;
  std::string local;  // to one of our listeners: the client's address, its registry key
  ConnectAwaiter* awaiter = nullptr;  // null once nobody waits for it

  static void connected(uv_connect_t* request, int status) noexcept {
    auto* self = static_cast<ConnectRequest*>(request->data);
    if (status < 0 && !self->local.empty()) {
      self->runtime->local_tcp().abandon(self->local);
    }
    self->runtime->end_real_work();
    if (self->awaiter != nullptr) {
      self->awaiter->connected(status);
    }
    delete self;
  }
};

}  // namespace detail

ConnectAwaiter::~ConnectAwaiter() {
  if (request_ != nullptr) {
    request_->awaiter = nullptr;
  }
}

bool ConnectAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (!begin_wait(awaiting, WaitKind::connect)) {
    return false;
  }
  try {
    start();
  } catch (...) {
    // TRICKY: the wait is begun; an exception thrown from here would leave the task
    // registered as waiting on this awaiter. Resume it instead, and raise at the await.
    error_ = std::current_exception();
    socket_.reset();
    wake();
  }
  return true;
}

void ConnectAwaiter::start() {
  Runtime& rt = runtime();
  const detail::SocketAddress target(host_, port_);
  target_ = target.text();
  socket_ = std::make_unique<detail::TcpSocket>(rt);
  auto request = std::make_unique<detail::ConnectRequest>();
  request->request.data = request.get();
  request->runtime = &rt;
  request->awaiter = this;
  if (rt.local_tcp().ours(target)) {
    // Our own listener: bind first, so that the client's address is known before the
    // connect, and the listener can tell this connection from an outside one.
    const int bound = uv_tcp_bind(socket_->handle(), target.with_port(0).get(), 0);
    if (bound < 0) {
      throw ConnectError(target_, bound);
    }
    const detail::SocketAddress local = detail::SocketAddress::local_of(socket_->handle());
    socket_->join_as_client(rt.local_tcp().connecting(local, target), local.text());
    request->local = local.text();
  }
  const int rc = uv_tcp_connect(&request->request, socket_->handle(), target.get(),
                                detail::ConnectRequest::connected);
  if (rc < 0) {
    if (!request->local.empty()) {
      rt.local_tcp().abandon(request->local);
    }
    throw ConnectError(target_, rc);
  }
  rt.begin_real_work();          // the connect itself, until its callback
  request_ = request.release();  // libuv's now, until its callback frees it
}

void ConnectAwaiter::connected(int status) noexcept {
  request_ = nullptr;
  status_ = status;
  wake();
}

TcpStream ConnectAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  if (error_) {
    std::rethrow_exception(error_);
  }
  if (status_ < 0) {
    throw ConnectError(target_, status_);
  }
  socket_->start(target_, nullptr, detail::LocalLink::kClient);  // joined its link already
  return TcpStream(std::move(socket_));
}

bool ConnectAwaiter::cancel() noexcept {
  if (request_ != nullptr) {
    request_->awaiter = nullptr;
    request_ = nullptr;
  }
  socket_.reset();  // closing the socket withdraws the connect (UV_ECANCELED)
  wake();
  return false;
}

}  // namespace asyncdemo
