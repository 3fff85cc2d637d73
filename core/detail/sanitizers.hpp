#pragma once
// Whether this build runs under AddressSanitizer or ThreadSanitizer: the
// memory pools step aside then, so that the sanitizers see every allocation.

namespace asyncdemo::detail {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)  // g++
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace asyncdemo::detail
