#pragma once
// What the server scenario takes for a request: a line of text. Anything else a peer may send
// (binary, terminal escapes, a stray NUL) is junk, answered with an error and shown, never
// echoed back into a terminal or the event log as it came.

#include <string_view>

namespace asyncdemo {

/// Whether `line` is text: valid UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF) without control characters, a tab aside.
[[nodiscard]] bool is_text_line(std::string_view line) noexcept;

}  // namespace asyncdemo
