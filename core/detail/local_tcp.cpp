#include "core/detail/local_tcp.hpp"

#include <algorithm>
#include <utility>

#include "core/detail/listen_socket.hpp"
#include "core/detail/tcp_socket.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

LocalLink::~LocalLink() {
  // Both ends are gone (they hold the link), and each zeroed its count as it closed.
  for (int side : {kClient, kServer}) {
    ends_.at(side) = nullptr;
    set_count(side, 0);
  }
}

void LocalLink::attach(int side, TcpSocket* end) noexcept {
  ends_.at(side) = end;
  end->update_ref();
}

void LocalLink::detach(int side) noexcept {
  ends_.at(side) = nullptr;
  set_deaf(side, true);
}

void LocalLink::sent(int to, std::size_t units) noexcept {
  if (!deaf_.at(to)) {
    set_count(to, in_flight_.at(to) + units);
  }
}

void LocalLink::received(int side, std::size_t units) noexcept {
  set_count(side, in_flight_.at(side) - std::min(units, in_flight_.at(side)));
}

void LocalLink::set_deaf(int side, bool deaf) noexcept {
  deaf_.at(side) = deaf;
  if (deaf) {
    set_count(side, 0);
  }
}

void LocalLink::set_count(int side, std::size_t count) noexcept {
  const std::size_t before = std::exchange(in_flight_.at(side), count);
  if ((before == 0) == (count == 0)) {
    return;
  }
  if (count > 0) {
    runtime_.begin_real_work();
  } else {
    runtime_.end_real_work();
  }
  if (TcpSocket* end = ends_.at(side)) {
    end->update_ref();
  }
}

void LocalTcp::add_listener(const SocketAddress& bound, ListenSocket* listener) {
  listeners_.insert_or_assign(bound.port(), Listening{bound, listener});
}

void LocalTcp::remove_listener(std::uint16_t port) noexcept {
  listeners_.erase(port);
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    if (it->second.port == port) {
      forget(it);
    }
    it = next;
  }
}

bool LocalTcp::ours(const SocketAddress& target) const noexcept {
  const auto it = listeners_.find(target.port());
  if (it == listeners_.end()) {
    return false;
  }
  const SocketAddress& bound = it->second.bound;
  return target.same_host(bound) || (target.loopback() && (bound.any_host() || bound.loopback()));
}

std::shared_ptr<LocalLink> LocalTcp::connecting(const SocketAddress& client,
                                                const SocketAddress& target) {
  auto link = std::make_shared<LocalLink>(runtime_);
  pending_.insert_or_assign(client.text(), Pending{target.port(), link});
  runtime_.begin_real_work();  // the connect, until the listener takes it
  notify(target.port());
  return link;
}

void LocalTcp::abandon(const std::string& client) noexcept {
  if (const auto it = pending_.find(client); it != pending_.end()) {
    forget(it);
  }
}

std::shared_ptr<LocalLink> LocalTcp::accepted(std::uint16_t port,
                                              const std::string& peer) noexcept {
  const auto it = pending_.find(peer);
  if (it == pending_.end() || it->second.port != port) {
    return nullptr;  // from outside this process: never counted
  }
  std::shared_ptr<LocalLink> link = std::move(it->second.link);
  pending_.erase(it);
  runtime_.end_real_work();
  notify(port);
  return link;
}

std::size_t LocalTcp::pending_to(std::uint16_t port) const noexcept {
  return static_cast<std::size_t>(std::ranges::count_if(
      pending_, [port](const auto& entry) { return entry.second.port == port; }));
}

void LocalTcp::forget(std::map<std::string, Pending>::iterator it) noexcept {
  const std::uint16_t port = it->second.port;
  // The server end will never be: what the client sent it is not on its way any more.
  it->second.link->set_deaf(LocalLink::kServer, true);
  pending_.erase(it);
  runtime_.end_real_work();
  notify(port);
}

void LocalTcp::notify(std::uint16_t port) noexcept {
  if (const auto it = listeners_.find(port); it != listeners_.end()) {
    it->second.listener->update_ref();
  }
}

}  // namespace asyncdemo::detail
