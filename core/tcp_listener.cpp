#include "core/tcp_listener.hpp"

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo {

TcpListener TcpListener::listen(std::string_view host, std::uint16_t port, int backlog) {
  const detail::SocketAddress address(host, port);
  return TcpListener(std::make_unique<detail::ListenSocket>(Runtime::current(), address, backlog));
}

detail::ListenSocket& TcpListener::socket() const {
  if (!socket_) {
    throw RuntimeMisuse("a TcpListener was used after it was moved from");
  }
  return *socket_;
}

AcceptAwaiter::~AcceptAwaiter() {
  if (listener_ != nullptr && pending()) {
    listener_->set_waiter(nullptr);  // a frame destroyed while it waited
  }
}

bool AcceptAwaiter::await_suspend(std::coroutine_handle<> awaiting) {
  if (listener_->has_waiter()) {
    throw RuntimeMisuse("accept: another task is already waiting for a connection");
  }
  if (!begin_wait(awaiting, WaitKind::accept)) {
    return false;
  }
  listener_->set_waiter(this);
  return true;
}

TcpStream AcceptAwaiter::await_resume() {
  if (take_cancel()) {
    throw Cancelled{};
  }
  if (listener_ == nullptr) {
    throw SocketClosed("the listener was destroyed while a task waited for a connection");
  }
  return TcpStream(listener_->take());
}

bool AcceptAwaiter::cancel() noexcept {
  if (listener_ != nullptr) {
    listener_->set_waiter(nullptr);  // a connection that comes later stays queued
  }
  wake();
  return false;
}

void AcceptAwaiter::acceptable() noexcept { wake(); }

void AcceptAwaiter::listener_gone() noexcept {
  listener_ = nullptr;
  wake();
}

}  // namespace asyncdemo
