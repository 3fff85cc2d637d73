#include "scenarios/names.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

using asyncdemo::gather_names;
using asyncdemo::hostname_problem;

TEST_SUITE("scenarios") {
  TEST_CASE("a host name of letters, digits, hyphens and dots has no problem") {
    for (const char* name : {"localhost", "python.org", "a-b.example.", "x_y.example", "1.2.3.4"}) {
      CAPTURE(name);
      CHECK(hostname_problem(name).empty());
    }
  }

  TEST_CASE("hostname_problem names each kind of bad name") {
    const std::string label63(63, 'a');
    CHECK(hostname_problem("") == "empty name");
    CHECK(hostname_problem(".") == "empty name");
    CHECK(hostname_problem(label63 + "." + label63 + "." + label63 + "." + label63) ==
          "name of 255 bytes; at most 253 are allowed");
    // 253 bytes and a final dot: the longest name there is.
    CHECK(
        hostname_problem(label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a') + ".")
            .empty());
    CHECK(hostname_problem(label63 + "a.example") == "label of 64 bytes; at most 63 are allowed");
    CHECK(hostname_problem("a..b").starts_with("empty label"));
    CHECK(hostname_problem("-a.example") == "a label may not start or end with '-'");
    CHECK(hostname_problem("a b.example") == "character ' ' not allowed");
  }

  TEST_CASE("bytes that are not UTF-8 are told apart from UTF-8 that is not ASCII") {
    const std::string not_ascii =
        "non-ASCII characters; write an international name in its "
        "ASCII (xn--) form";
    CHECK(hostname_problem("b\xC3\xBC"
                           "cher.example") == not_ascii);
    CHECK(hostname_problem("\xF0\x9F\x98\x80.example") == not_ascii);  // U+1F600
    CHECK(hostname_problem("ab\xFF.example") == "not valid UTF-8 (byte 0xFF at offset 2)");
    CHECK(hostname_problem("caf\xC3") == "not valid UTF-8 (byte 0xC3 at offset 3)");   // cut short
    CHECK(hostname_problem("\xC0\xAF") == "not valid UTF-8 (byte 0xC0 at offset 0)");  // overlong
    CHECK(hostname_problem("\xED\xA0\x80") ==
          "not valid UTF-8 (byte 0xED at offset 0)");  // a surrogate
    CHECK(hostname_problem("\xF4\x90\x80\x80") ==
          "not valid UTF-8 (byte 0xF4 at offset 0)");  // past U+10FFFF
    CHECK(hostname_problem("a\x80") == "not valid UTF-8 (byte 0x80 at offset 1)");
  }

  TEST_CASE("gather_names checks every name and says which one is bad") {
    CHECK(gather_names({"localhost", "python.org"}, "", "dev").size() == 2);
    CHECK(gather_names({}, "", "dev").size() == 19);  // the 18 short keywords and localhost
    CHECK_THROWS_WITH_AS(gather_names({"ok.example", "a\x1b.example"}, "", "dev"),
                         R"(invalid name "a\x1B.example": byte 0x1B not allowed)",
                         asyncdemo::UsageError);
    CHECK_THROWS_WITH_AS(gather_names({}, "", "a..b"),
                         doctest::Contains(R"(--tld: invalid name "none.a..b": empty label)"),
                         asyncdemo::UsageError);
    CHECK_THROWS_WITH_AS(gather_names({"a..b", "c..d", "e..f"}, "", "dev"),
                         doctest::Contains("(and 2 more invalid names)"), asyncdemo::UsageError);
  }

  TEST_CASE("gather_names takes an IP literal, which getaddrinfo takes, but not a broken one") {
    const std::vector<std::string> literals{"::1", "1.2.3", "fe80::1%lo", "::ffff:10.0.0.1"};
    CHECK(gather_names(literals, "", "dev") == literals);
    CHECK_THROWS_WITH_AS(gather_names({"::1::2"}, "", "dev"),
                         R"(invalid name "::1::2": character ':' not allowed)",
                         asyncdemo::UsageError);
  }
}
