// The server scenario as a user runs it: Ctrl-C while it serves outside clients, and a port
// that another program holds.

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "tests/cli/run_binary.hpp"
#include "tests/held_port.hpp"

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;
using asyncdemo::testing::signal_when_output;

using asyncdemo::testing::HeldPort;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("Ctrl-C while the server serves outside clients: the report, then exit 130") {
    RunOptions options;
    options.signals = {signal_when_output("serving outside clients")};
    const RunResult result = run_asyncdemo(
        {"server", "--clients", "2", "--requests", "1", "--serve", "1m", "--color", "never"},
        options);
    INFO(result);
    CHECK(result.exit_code == 130);
    CHECK(contains(result.out, "interrupted (Ctrl-C)"));
    CHECK(contains(result.out, "summary"));
    CHECK(contains(result.out, "completion order"));
    CHECK(result.err.empty());  // the listener and connections closed: nothing left open
  }

  TEST_CASE("a port in use is one line of error and exit 1, with nothing started") {
    const HeldPort held;
    const RunResult result = run_asyncdemo({"server", "--port", held.port()});
    INFO(result);
    CHECK(result.exit_code == 1);
    CHECK(result.out.empty());
    CHECK(result.err == "asyncdemo: error: cannot listen on 127.0.0.1:" + held.port() +
                            ": address already in use (EADDRINUSE)\n");
  }

  TEST_CASE("a port out of range is a usage error, exit 2") {
    const RunResult result = run_asyncdemo({"server", "--port", "65536"});
    INFO(result);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "--port must be between 0 and 65535; got 65536"));
  }
}
