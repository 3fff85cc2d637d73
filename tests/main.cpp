// The doctest runner for asyncdemo_tests. Test cases live in tests/**/*_test.cpp.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
