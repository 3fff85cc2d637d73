#include "cli/render_capture.hpp"

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace asyncdemo {

namespace {

// A FILE* writing into memory, closed and freed however the rendering ends.
class MemoryStream {
 public:
  MemoryStream() : file_(open_memstream(&buffer_, &size_)) {
    if (file_ == nullptr) {
      throw std::system_error(errno, std::generic_category(), "open_memstream");
    }
  }
  MemoryStream(const MemoryStream&) = delete;
  MemoryStream& operator=(const MemoryStream&) = delete;
  MemoryStream(MemoryStream&&) = delete;
  MemoryStream& operator=(MemoryStream&&) = delete;
  ~MemoryStream() {
    std::fclose(file_);
    std::free(buffer_);  // NOLINT(*-no-malloc): open_memstream allocates with malloc
  }

  [[nodiscard]] std::FILE* get() const { return file_; }
  // fflush makes buffer_ and size_ hold everything written so far.
  [[nodiscard]] std::string text() const {
    if (std::fflush(file_) != 0) {
      throw std::system_error(errno, std::generic_category(), "fflush");
    }
    return {buffer_, size_};
  }

 private:
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

}  // namespace

std::string capture_text(const std::function<void(std::FILE*)>& render) {
  const MemoryStream stream;
  render(stream.get());
  return stream.text();
}

}  // namespace asyncdemo
