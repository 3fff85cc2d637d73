#pragma once
// An allocator for the few buffers that grow with the number of tasks (the
// timeline's events: 80 MB at a million tasks). Small buffers come from
// operator new; large ones are mapped on their own and advised to use
// transparent huge pages, so that filling one takes a fault per 2 MiB
// instead of one per 4 KiB page. Under AddressSanitizer or ThreadSanitizer
// every buffer comes from operator new, so the sanitizers see each one.

#include <cstddef>
#include <new>

namespace asyncdemo::detail {

/// Raw memory for a large buffer of `bytes`; see LargeBufferAllocator.
[[nodiscard]] void* allocate_large_buffer(std::size_t bytes);
void free_large_buffer(void* buffer, std::size_t bytes) noexcept;

template <class T>
class LargeBufferAllocator {
 public:
  using value_type = T;

  LargeBufferAllocator() noexcept = default;
  template <class U>
  explicit LargeBufferAllocator(const LargeBufferAllocator<U>& /*other*/) noexcept {}

  [[nodiscard]] T* allocate(std::size_t count) {
    if (count > static_cast<std::size_t>(-1) / sizeof(T)) {
      throw std::bad_array_new_length();
    }
    return static_cast<T*>(allocate_large_buffer(count * sizeof(T)));
  }
  void deallocate(T* buffer, std::size_t count) noexcept {
    free_large_buffer(buffer, count * sizeof(T));
  }

  template <class U>
  bool operator==(const LargeBufferAllocator<U>& /*other*/) const noexcept {
    return true;  // stateless: any instance frees what another allocated
  }
};

}  // namespace asyncdemo::detail
