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

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;
using asyncdemo::testing::signal_when_output;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A socket listening on 127.0.0.1, on a port the system picked: a port in use.
class HeldPort {
 public:
  HeldPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 1) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  HeldPort(HeldPort&&) = delete;
  HeldPort& operator=(HeldPort&&) = delete;
  ~HeldPort() { ::close(fd_); }

  [[nodiscard]] std::string port() const { return std::to_string(port_); }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

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
