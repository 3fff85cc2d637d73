#include "cli/output_stream.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace asyncdemo {

OutputStream::OutputStream(int fd) : fd_(fd) {
  // glibc's fopencookie: a stdio stream whose writes all come to write_all.
  cookie_io_functions_t functions{};
  functions.write = &OutputStream::write;
  file_ = fopencookie(this, "w", functions);
  if (file_ == nullptr) {
    throw std::system_error(errno, std::generic_category(), "fopencookie");
  }
}

OutputStream::~OutputStream() { std::fclose(file_); }

int OutputStream::error() {
  std::fflush(file_);
  return error_;
}

ssize_t OutputStream::write(void* cookie, const char* data, std::size_t size) noexcept {
  auto* self = static_cast<OutputStream*>(cookie);
  self->write_all(data, size);
  if (self->error_ != 0 && self->end_on_error_) {
    errno = self->error_;
    return -1;
  }
  return static_cast<ssize_t>(size);  // written or dropped: the writer sees no error
}

void OutputStream::write_all(const char* data, std::size_t size) noexcept {
  while (size > 0 && error_ == 0) {
    const ssize_t written = ::write(fd_, data, size);
    if (written >= 0) {
      data += written;
      size -= static_cast<std::size_t>(written);
    } else if (errno == EAGAIN) {
      // The descriptor may be shared with a parent that made it non-blocking:
      // wait until it takes more rather than lose output.
      pollfd writable{fd_, POLLOUT, 0};
      ::poll(&writable, 1, -1);
    } else if (errno != EINTR) {
      error_ = errno;
    }
  }
}

}  // namespace asyncdemo
