#pragma once
// What a renderer writes to a FILE*, as a string: for a picture that shows a text part of the
// report in its own words (--svg shows the summary), and for the tests.

#include <cstdio>
#include <functional>
#include <string>

namespace asyncdemo {

/// Everything `render` writes to the FILE* it is given (a stream in memory). Throws
/// std::system_error if no memory stream can be opened.
[[nodiscard]] std::string capture_text(const std::function<void(std::FILE*)>& render);

}  // namespace asyncdemo
