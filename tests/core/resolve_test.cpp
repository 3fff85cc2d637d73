// resolve (loop.getaddrinfo): getaddrinfo on the thread pool (core/resolve.hpp). Every case
// must pass offline: localhost comes from the hosts file, and .invalid never exists (RFC 6761).
#include "core/resolve.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::EventKind;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskOutcome;

namespace {

Task<std::vector<std::string>> resolve_name(std::string name) {
  co_return co_await asyncdemo::resolve(name);
}

bool is_loopback(const std::string& address) {
  return address.starts_with("127.") || address == "::1";
}

/// What resolving a name raised: "NameNotFound", "TemporaryFailure", another error, or "".
Task<std::string> resolve_error(std::string name) {
  try {
    static_cast<void>(co_await asyncdemo::resolve(name));
  } catch (const asyncdemo::NameNotFound&) {
    co_return "NameNotFound";
  } catch (const asyncdemo::TemporaryFailure&) {
    co_return "TemporaryFailure";
  } catch (const std::exception& e) {
    co_return e.what();
  }
  co_return "";
}

Task<void> sleep_for(asyncdemo::Duration delay) { co_await asyncdemo::sleep(delay); }

Task<asyncdemo::Nanos> resolve_beside_a_sleeper() {
  asyncdemo::TaskHandle<void> sleeper = asyncdemo::spawn(sleep_for(1s));
  static_cast<void>(co_await asyncdemo::resolve("localhost"));
  const asyncdemo::Nanos after_lookup = Runtime::current().now();
  co_await sleeper;
  co_return after_lookup;
}

TEST_SUITE("core") {
  TEST_CASE("numeric_host reads an address as getaddrinfo does, in its standard form") {
    using asyncdemo::numeric_host;
    CHECK(numeric_host("127.0.0.1") == "127.0.0.1");
    CHECK(numeric_host("1.2.3") == "1.2.0.3");  // inet_aton: the last part fills the rest
    CHECK(numeric_host("127.1") == "127.0.0.1");
    CHECK(numeric_host("0x7f.1") == "127.0.0.1");
    CHECK(numeric_host("2130706433") == "127.0.0.1");
    CHECK(numeric_host("::1") == "::1");
    CHECK(numeric_host("0:0:0:0:0:0:0:1") == "::1");
    CHECK(numeric_host("::ffff:1.2.3.4") == "::ffff:1.2.3.4");
    CHECK(numeric_host("fe80::1%lo") == "fe80::1%lo");  // the zone is getaddrinfo's to judge
    for (const char* name : {"localhost", "example.com", "256.1.1.1", "1.2.3.4.5", "::1::2",
                             "fe80::1%", "1.2.3 x", "", "1.2.3.4."}) {
      CAPTURE(name);
      CHECK_FALSE(numeric_host(name).has_value());
    }
  }
}

TEST_SUITE("threads") {
  TEST_CASE("an address given as a name resolves to itself, as getaddrinfo reads it") {
    for (const auto& [name, address] :
         {std::pair{"::1", "::1"}, {"1.2.3", "1.2.0.3"}, {"0x7f.1", "127.0.0.1"}}) {
      CAPTURE(name);
      Runtime rt;
      CHECK(asyncdemo::run(rt, resolve_name(name)) == std::vector<std::string>{address});
    }
  }

  TEST_CASE("localhost resolves to at least one loopback address") {
    Runtime rt;
    const std::vector<std::string> addresses = asyncdemo::run(rt, resolve_name("localhost"));
    REQUIRE_FALSE(addresses.empty());
    bool any_loopback = false;
    for (const std::string& address : addresses) {
      CAPTURE(address);
      any_loopback = any_loopback || is_loopback(address);
    }
    CHECK(any_loopback);
    // The lookup is recorded as a DNS wait of main.
    const asyncdemo::TaskId main = asyncdemo::test::task_named(rt.timeline(), "main");
    bool waited_for_dns = false;
    for (const asyncdemo::Event& e : rt.timeline().events()) {
      waited_for_dns = waited_for_dns || (e.task == main && e.kind == EventKind::suspended &&
                                          e.wait == asyncdemo::WaitKind::dns);
    }
    CHECK(waited_for_dns);
  }

  TEST_CASE("a name under .invalid raises NameNotFound, also offline") {
    for (const char* name : {"nosuchname.invalid", "a.b.Example.INVALID.", "invalid"}) {
      CAPTURE(name);
      Runtime rt;
      CHECK(asyncdemo::run(rt, resolve_error(name)) == "NameNotFound");
      const asyncdemo::TaskId main = asyncdemo::test::task_named(rt.timeline(), "main");
      CHECK(asyncdemo::test::summary_of(rt.timeline(), main).outcome == TaskOutcome::ok);
    }
  }

  TEST_CASE("on the virtual clock, time stands still while a lookup is in flight") {
    Runtime rt(RuntimeOptions{ClockKind::virtual_time});
    CHECK(asyncdemo::run(rt, resolve_beside_a_sleeper()) == 0);  // the sleeper did not jump it
    CHECK(rt.now() == asyncdemo::test::at(1s));
  }
}

}  // namespace
