#include "core/detail/listen_socket.hpp"

#include <utility>

#include "core/detail/local_tcp.hpp"
#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

ListenSocket::ListenSocket(Runtime& runtime, const SocketAddress& address, int backlog)
    : runtime_(runtime),
      handle_(runtime.loop(), uv_tcp_init, "uv_tcp_init"),
      bound_(address),
      address_text_(address.text()) {
  uv_tcp_t* tcp = handle_.get();
  tcp->data = this;
  // libuv reports most bind errors (EADDRINUSE) only at uv_listen: both say the same.
  if (const int rc = uv_tcp_bind(tcp, address.get(), 0); rc < 0) {
    throw ListenError(address_text_, rc);
  }
  if (const int rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), backlog, connection_cb);
      rc < 0) {
    throw ListenError(address_text_, rc);
  }
  bound_ = SocketAddress::local_of(tcp);          // port 0 asked the kernel for one: which
  uv_unref(reinterpret_cast<uv_handle_t*>(tcp));  // until someone waits (see update_ref)
  runtime_.local_tcp().add_listener(bound_, this);
}

ListenSocket::~ListenSocket() {
  if (waiter_ != nullptr) {
    std::exchange(waiter_, nullptr)->listener_gone();  // first: close() would say "acceptable"
  }
  close();
}

void ListenSocket::close() noexcept {
  if (closed_) {
    return;
  }
  closed_ = true;
  runtime_.local_tcp().remove_listener(bound_.port());
  handle_.close();
  queue_.clear();  // their sockets close; their peers read EOF
  if (waiter_ != nullptr) {
    std::exchange(waiter_, nullptr)->acceptable();
  }
}

std::unique_ptr<TcpSocket> ListenSocket::take() {
  if (!queue_.empty()) {
    std::unique_ptr<TcpSocket> socket = std::move(queue_.front());
    queue_.pop_front();
    return socket;
  }
  if (error_ != 0) {
    throw UvError("uv_accept", std::exchange(error_, 0));
  }
  throw SocketClosed("the listener on " + bound_.text() + " is closed");
}

void ListenSocket::set_waiter(AcceptWaiter* waiter) noexcept {
  waiter_ = waiter;
  update_ref();
}

void ListenSocket::update_ref() noexcept {
  auto* base = reinterpret_cast<uv_handle_t*>(handle_.get_if_open());
  if (base == nullptr) {
    return;  // closing: its ref no longer matters
  }
  if (waiter_ != nullptr || runtime_.local_tcp().pending_to(bound_.port()) > 0) {
    uv_ref(base);
  } else {
    uv_unref(base);
  }
}

void ListenSocket::on_connection(int status) noexcept {
  if (status < 0) {
    error_ = status;
  } else {
    try {
      take_connection();
    } catch (const UvError& e) {
      error_ = e.code();  // e.g. EMFILE: the next accept raises it, the listener goes on
    } catch (...) {
      error_ = UV_ENOMEM;
    }
  }
  if (waiter_ != nullptr && ready()) {
    std::exchange(waiter_, nullptr)->acceptable();
    update_ref();
  }
}

void ListenSocket::take_connection() {
  auto socket = std::make_unique<TcpSocket>(runtime_);
  check_uv("uv_accept", uv_accept(reinterpret_cast<uv_stream_t*>(handle_.get()),
                                  reinterpret_cast<uv_stream_t*>(socket->handle())));
  std::string peer;
  try {
    peer = SocketAddress::peer_of(socket->handle()).text();
  } catch (const UvError&) {
    peer = "a peer already gone";  // reset before we took it: its read will say so
  }
  std::shared_ptr<LocalLink> link = runtime_.local_tcp().accepted(bound_.port(), peer);
  socket->start(std::move(peer), std::move(link), LocalLink::kServer);
  queue_.push_back(std::move(socket));
}

void ListenSocket::connection_cb(uv_stream_t* server, int status) noexcept {
  static_cast<ListenSocket*>(server->data)->on_connection(status);
}

}  // namespace asyncdemo::detail
