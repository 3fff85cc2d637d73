#include "scenarios/request_line.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using asyncdemo::is_text_line;

TEST_SUITE("scenarios") {
  TEST_CASE("a request line is text: UTF-8 without control characters, tabs allowed") {
    for (const std::string text : {"", "hello", "request 1.2", "tab\there", "caf\xc3\xa9",
                                   "\xe2\x82\xac 5", "\xf0\x9f\x98\x80 smile", "~ end"}) {
      CAPTURE(text);
      CHECK(is_text_line(text));
    }
  }

  TEST_CASE("junk is not text: control bytes, broken or overlong UTF-8, surrogates, DEL") {
    for (const std::string& text : std::vector<std::string>{
             std::string("nul\0in it", 9), "bell\a", "esc\x1b[31m", "del\x7f", "\xff", "\xc3",
             "\xc3(", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
             "\xc2\x85 next line (C1)", "\x80 lone continuation"}) {
      CAPTURE(text);
      CHECK_FALSE(is_text_line(text));
    }
  }
}
