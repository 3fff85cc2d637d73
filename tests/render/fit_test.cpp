// Every line of human output fits the width: fit_line and FittedStream.
#include <doctest/doctest.h>

#include <string>

#include "cli/render_fit.hpp"
#include "tests/render/render_kit.hpp"

namespace asyncdemo {
namespace {

TEST_SUITE("render") {
  TEST_CASE("a line that fits passes as it is, with its newline") {
    CHECK(fit_line("  elapsed  1.000s", 40) == "  elapsed  1.000s\n");
    CHECK(fit_line("", 40) == "\n");
    CHECK(fit_line(std::string(40, 'x'), 40) == std::string(40, 'x') + "\n");
  }

  TEST_CASE("a long labelled line continues at its value column") {
    CHECK(fit_line("  sequential        3.000s (the same work, one task after another)", 40) ==
          "  sequential        3.000s (the same\n"
          "                    work, one task after\n"
          "                    another)\n");
  }

  TEST_CASE("prose continues at its own indent when nothing is aligned") {
    CHECK(fit_line("  gather runs N tasks at once: it takes as long as the slowest", 30) ==
          "  gather runs N tasks at once:\n"
          "  it takes as long as the\n"
          "  slowest\n");
  }

  TEST_CASE("a word longer than a line is broken across lines, nothing is cut") {
    CHECK(fit_line("name  abcdefghijklmnopqrstuvwxyz", 12) ==
          "name  abcdef\n"
          "      ghijkl\n"
          "      mnopqr\n"
          "      stuvwx\n"
          "      yz\n");
  }

  TEST_CASE("colour codes take no columns and UTF-8 counts by code point") {
    const std::string painted = "\x1b[33mab cd\x1b[0m";
    CHECK(fit_line(painted, 5) == painted + "\n");
    CHECK(fit_line("µµµ µµµ", 5) == "µµµ\nµµµ\n");
  }

  TEST_CASE("a fitted stream passes whole lines on and keeps a last line without newline") {
    const std::string text = testing::capture([](std::FILE* out) {
      FittedStream fitted(out, 12);
      std::fputs("one two three four\nfive", fitted.get());
      std::fflush(fitted.get());
      std::fputs(" six", fitted.get());
    });
    CHECK(text == "one two\nthree four\nfive six");
  }
}

}  // namespace
}  // namespace asyncdemo
