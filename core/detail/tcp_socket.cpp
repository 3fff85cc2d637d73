#include "core/detail/tcp_socket.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <string_view>
#include <utility>

#include "core/errors.hpp"
#include "core/runtime.hpp"

namespace asyncdemo::detail {

std::string closed_message(const std::string& peer) {
  return fmt::format("the connection with {} is closed", peer.empty() ? "its peer" : peer);
}

TcpSocket::TcpSocket(Runtime& runtime)
    : runtime_(runtime), handle_(runtime.loop(), uv_tcp_init, "uv_tcp_init") {
  handle_.get()->data = this;
  // Unreferenced until something waits on it (see update_ref).
  uv_unref(reinterpret_cast<uv_handle_t*>(handle_.get()));
}

TcpSocket::~TcpSocket() {
  if (waiter_ != nullptr) {
    std::exchange(waiter_, nullptr)->socket_gone();  // first: close() would say "readable"
  }
  close();
}

void TcpSocket::join(std::shared_ptr<LocalLink> link, int side) noexcept {
  link_ = std::move(link);
  side_ = side;
  if (link_) {
    link_->attach(side_, this);
  }
}

void TcpSocket::join_as_client(std::shared_ptr<LocalLink> link, std::string local) noexcept {
  local_ = std::move(local);
  join(std::move(link), LocalLink::kClient);
}

void TcpSocket::start(std::string peer, std::shared_ptr<LocalLink> link, int side) {
  peer_ = std::move(peer);
  if (link) {
    join(std::move(link), side);
  }
  // Lines go out as they are written, not held back for the peer's ACK (Nagle's algorithm
  // with a delayed ACK costs a request-response 40 ms); asyncio sets TCP_NODELAY too.
  check_uv("uv_tcp_nodelay", uv_tcp_nodelay(handle(), 1));
  check_uv("uv_read_start",
           uv_read_start(reinterpret_cast<uv_stream_t*>(handle()), alloc_cb, read_cb));
  reading_ = true;
}

void TcpSocket::close() noexcept {
  if (closed_) {
    return;
  }
  closed_ = true;
  reading_ = false;
  if (link_) {
    link_->sent(LocalLink::other(side_), 1);  // the FIN: the peer will read EOF
    link_->detach(side_);
    link_.reset();
  }
  handle_.close();
  notify();
}

void TcpSocket::abort() noexcept {
  if (closed_) {
    return;
  }
  // TRICKY: a linger of 0 s makes close() send a reset instead of a FIN. The fd is there
  // only while the socket is open and connected; failing that, a plain close will do.
  uv_os_fd_t fd = -1;
  if (const uv_tcp_t* tcp = handle_.get_if_open();
      tcp != nullptr && uv_fileno(reinterpret_cast<const uv_handle_t*>(tcp), &fd) == 0) {
    const linger reset{1, 0};
    static_cast<void>(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)));
  }
  if (!local_.empty()) {
    // Reset before our listener took it, the connection may never be matched to this
    // client (its peer address is gone): it must not stay counted as on its way.
    runtime_.local_tcp().abandon(local_);
  }
  close();
}

void TcpSocket::set_waiter(LineWaiter* waiter) noexcept {
  waiter_ = waiter;
  update_ref();
}

void TcpSocket::sent(std::size_t bytes) noexcept {
  if (link_) {
    link_->sent(LocalLink::other(side_), bytes);
  }
}

void TcpSocket::update_ref() noexcept {
  auto* base = reinterpret_cast<uv_handle_t*>(handle_.get_if_open());
  if (base == nullptr) {
    return;  // closing: its ref no longer matters
  }
  if (waiter_ != nullptr || (link_ && link_->incoming(side_))) {
    uv_ref(base);
  } else {
    uv_unref(base);
  }
}

bool TcpSocket::line_ready(std::size_t limit) noexcept {
  limit_ = limit;
  resume_if_room();
  return unread().find('\n') != std::string_view::npos || unread().size() > limit || eof_ ||
         error_ != 0 || closed_;
}

std::optional<std::string> TcpSocket::take_line(std::size_t limit) {
  std::optional<std::string> line;
  try {
    line = take_complete_line(limit);
  } catch (const LineTooLong&) {
    resume_if_room();  // the over-long line is gone: there may be room to read again
    throw;
  }
  resume_if_room();
  last_line_complete_ = true;
  if (line) {
    return line;
  }
  if (error_ != 0) {
    raise_error();
  }
  if (eof_) {
    // StreamReader.readline at EOF: the bytes of a last line without its "\n" as they
    // are, then nothing (b'': here std::nullopt).
    if (unread().empty()) {
      return std::nullopt;
    }
    std::string last(unread());
    drop(unread().size());
    last_line_complete_ = false;
    return last;
  }
  if (closed_) {
    throw SocketClosed(closed_message(peer_));
  }
  // Woken for a line that another task's read_line took meanwhile (without waiting).
  throw RuntimeMisuse("read_line: two tasks read lines from " + peer_ + " at once");
}

std::optional<std::string> TcpSocket::take_complete_line(std::size_t limit) {
  const std::size_t end = unread().find('\n');
  if (end != std::string_view::npos && end <= limit) {
    std::string line(unread().substr(0, end));
    drop(end + 1);
    if (line.ends_with('\r')) {
      line.pop_back();
    }
    return line;
  }
  if (end != std::string_view::npos) {
    drop(end + 1);  // the over-long line goes, the lines after it stay
    throw LineTooLong(peer_, limit);
  }
  if (unread().size() > limit) {
    // Its end has not come yet: what comes until it is dropped as it arrives.
    drop(unread().size());
    skipping_ = !eof_ && error_ == 0;
    throw LineTooLong(peer_, limit);
  }
  return std::nullopt;
}

void TcpSocket::drop(std::size_t bytes) noexcept {
  taken_ += bytes;
  if (taken_ == in_.size()) {
    in_.clear();  // all taken: start over at the front, nothing to move
    taken_ = 0;
  }
}

void TcpSocket::raise_error() const {
  if (error_ == UV_ECONNRESET || error_ == UV_EPIPE) {
    throw ConnectionReset(peer_, error_);
  }
  throw UvError("uv_read", error_);
}

void TcpSocket::on_read(ssize_t nread, const uv_buf_t* buf) noexcept {
  if (nread > 0) {
    const auto size = static_cast<std::size_t>(nread);
    if (link_) {
      link_->received(side_, size);
    }
    try {
      keep(buf->base, size);
    } catch (...) {  // out of memory: the connection fails, the run goes on
      error_ = UV_ENOMEM;
      stop_reading();
    }
  } else if (nread < 0) {
    // EOF or an error: nothing more will come. (0 is EAGAIN: nothing this time.)
    if (nread == UV_EOF) {
      eof_ = true;
    } else {
      error_ = static_cast<int>(nread);
    }
    stop_reading();
  }
  pause_if_full();
  notify();
}

void TcpSocket::keep(const char* data, std::size_t size) {
  std::string_view chunk(data, size);
  if (skipping_) {
    const std::size_t end = chunk.find('\n');
    if (end == std::string_view::npos) {
      return;  // still inside the over-long line
    }
    skipping_ = false;
    chunk.remove_prefix(end + 1);
  }
  // Lines are taken by moving taken_ on; the bytes before it go once per chunk read, not
  // once per line (a buffer of many short lines would be moved for every one of them).
  in_.erase(0, std::exchange(taken_, 0));
  in_.append(chunk);
}

void TcpSocket::stop_reading() noexcept {
  if (uv_tcp_t* tcp = handle_.get_if_open(); reading_ && tcp != nullptr) {
    // Always 0: uv_read_stop only stops watching the socket.
    static_cast<void>(uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp)));
  }
  reading_ = false;
  if (link_) {
    link_->set_deaf(side_, true);
  }
}

void TcpSocket::pause_if_full() noexcept {
  if (reading_ && unread().size() > 2 * limit_) {
    stop_reading();
    paused_ = true;
  }
}

void TcpSocket::resume_if_room() noexcept {
  if (!paused_ || unread().size() > limit_ || closed_ || eof_ || error_ != 0) {
    return;
  }
  paused_ = false;
  uv_tcp_t* tcp = handle_.get_if_open();  // open: not closed_
  const int rc = tcp == nullptr
                     ? UV_EBADF
                     : uv_read_start(reinterpret_cast<uv_stream_t*>(tcp), alloc_cb, read_cb);
  if (rc < 0) {
    error_ = rc;  // the next read_line raises it
    return;
  }
  reading_ = true;
  if (link_) {
    link_->set_deaf(side_, false);
  }
}

void TcpSocket::notify() noexcept {
  if (waiter_ != nullptr && line_ready(limit_)) {
    waiter_->readable();
  }
}

void TcpSocket::alloc_cb(uv_handle_t* handle, std::size_t /*suggested*/, uv_buf_t* buf) noexcept {
  auto* self = static_cast<TcpSocket*>(handle->data);
  *buf = uv_buf_init(self->chunk_.data(), static_cast<unsigned int>(self->chunk_.size()));
}

void TcpSocket::read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  static_cast<TcpSocket*>(stream->data)->on_read(nread, buf);
}

}  // namespace asyncdemo::detail
