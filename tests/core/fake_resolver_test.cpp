// The fake resolver (core/fake_resolver.hpp): its hosts-file format, and resolve() answering
// from it on the runtime's own clock, with no thread and no network.
#include "core/fake_resolver.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/resolve.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::ClockKind;
using asyncdemo::Duration;
using asyncdemo::FakeAnswer;
using asyncdemo::FakeOutcome;
using asyncdemo::FakeResolver;
using asyncdemo::HostsFileError;
using asyncdemo::Nanos;
using asyncdemo::parse_fake_hosts;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::test::at;

namespace {

// The message parse_fake_hosts throws for `text`, or "" if it accepts it.
std::string hosts_error(std::string_view text) {
  try {
    static_cast<void>(parse_fake_hosts(text, "names.hosts"));
  } catch (const HostsFileError& error) {
    return error.what();
  }
  return "";
}

std::shared_ptr<const FakeResolver> fake_of(std::string_view hosts) {
  return std::make_shared<const FakeResolver>(parse_fake_hosts(hosts, "test.hosts"));
}

RuntimeOptions with_fake(ClockKind clock, std::string_view hosts) {
  RuntimeOptions options{clock};
  options.fake_resolver = fake_of(hosts);
  return options;
}

// How one resolve ended: its addresses joined, or the error's kind; and when, and the latency.
struct Lookup {
  std::string answer;
  Nanos ended_ns = -1;
  Nanos latency_ns = -1;
};

Task<Lookup> look_up(std::string name, Duration timeout) {
  Lookup lookup;
  asyncdemo::ResolveAwaiter awaiter = asyncdemo::resolve(name, timeout);
  try {
    for (const std::string& address : co_await awaiter) {
      lookup.answer += (lookup.answer.empty() ? "" : " ") + address;
    }
  } catch (const asyncdemo::NameNotFound& error) {
    lookup.answer = std::string("NameNotFound: ") + error.what();
  } catch (const asyncdemo::TemporaryFailure& error) {
    lookup.answer = std::string("TemporaryFailure: ") + error.what();
  } catch (const asyncdemo::TimeoutError&) {
    lookup.answer = "TimeoutError";
  } catch (const asyncdemo::Cancelled&) {
    lookup.answer = "Cancelled";
  }
  lookup.ended_ns = Runtime::current().now();
  lookup.latency_ns = asyncdemo::to_nanos(awaiter.latency());
  co_return lookup;
}

constexpr std::string_view kHosts =
    "# name          latency  outcome            addresses\n"
    "up.test         150ms    found              192.0.2.7 2001:db8::7\n"
    "bare.test       10ms     found\n"
    "gone.test       40ms     not-found\n"
    "flaky.test      1.5s     temporary-failure  # the resolver could not say\n"
    "silent.test     0        no-answer\n"
    "\n";

Lookup run_lookup(std::string name, Duration timeout = Duration::max()) {
  Runtime rt(with_fake(ClockKind::virtual_time, kHosts));
  return asyncdemo::run(rt, look_up(std::move(name), timeout));
}

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("a hosts file gives each name its latency, outcome and addresses") {
    const FakeResolver resolver = parse_fake_hosts(kHosts, "test.hosts");
    CHECK(resolver.size() == 5);
    const FakeAnswer* up = resolver.find("UP.test.");  // any case, with or without the dot
    REQUIRE(up != nullptr);
    CHECK(up->latency == 150ms);
    CHECK(up->outcome == FakeOutcome::found);
    CHECK(up->addresses == std::vector<std::string>{"192.0.2.7", "2001:db8::7"});
    CHECK(resolver.find("bare.test")->addresses == std::vector<std::string>{"192.0.2.1"});
    CHECK(resolver.find("flaky.test")->outcome == FakeOutcome::temporary_failure);
    CHECK(resolver.find("flaky.test")->latency == 1500ms);
    CHECK(resolver.find("silent.test")->outcome == FakeOutcome::no_answer);
    CHECK(resolver.find("other.test") == nullptr);
    CHECK(resolver.answer("other.test").outcome == FakeOutcome::not_found);
  }

  TEST_CASE("a hosts file that is not one is refused with its line and the word meant") {
    CHECK(hosts_error("a.test 1s found\nb.test 2s not-fund\n") ==
          "names.hosts:2: \"not-fund\" is not an outcome; write found, not-found, "
          "temporary-failure, no-answer (did you mean not-found?)");
    CHECK(hosts_error("# fine\n\nb.test 2s\n") ==
          "names.hosts:3: expected NAME LATENCY OUTCOME [ADDRESS...]; got \"b.test 2s\"");
    CHECK(hosts_error("b.test 2x found") ==
          "names.hosts:1: latency: \"2x\" has an unknown unit \"x\"; use ns, us, ms, s, m or h");
    CHECK(hosts_error("b.test -1s found") ==
          "names.hosts:1: latency: \"-1s\" is negative; a duration is 0 or more");
    CHECK(hosts_error("b.test 1s found example.org") ==
          "names.hosts:1: \"example.org\" is not a numeric address; write one like 192.0.2.7 "
          "or 2001:db8::7");
    CHECK(hosts_error("b.test 1s not-found 192.0.2.1") ==
          "names.hosts:1: \"192.0.2.1\": only a name that is found has addresses");
    CHECK(hosts_error("b.test 1s found\r\nB.TEST. 2s found\r\n") ==
          "names.hosts:2: \"B.TEST.\" is listed already, on line 1");
    CHECK(hosts_error("b.test 1s xyzzy") ==
          "names.hosts:1: \"xyzzy\" is not an outcome; write found, not-found, "
          "temporary-failure, no-answer");
    CHECK(hosts_error("").empty());
    CHECK(hosts_error("  # only a comment\n\t\n").empty());
  }

  TEST_CASE("resolve answers from the fake resolver after its latency, on the virtual clock") {
    const Lookup up = run_lookup("up.test");
    CHECK(up.answer == "192.0.2.7 2001:db8::7");
    CHECK(up.ended_ns == at(150ms));
    CHECK(up.latency_ns == at(150ms));
    const Lookup gone = run_lookup("gone.test");
    CHECK(gone.answer == "NameNotFound: gone.test: EAI_NONAME: unknown node or service");
    CHECK(gone.ended_ns == at(40ms));
    const Lookup flaky = run_lookup("flaky.test");
    CHECK(flaky.answer.starts_with("TemporaryFailure: flaky.test: EAI_AGAIN: "));
    CHECK(flaky.ended_ns == at(1500ms));
    const Lookup unlisted = run_lookup("unlisted.test");
    CHECK(unlisted.answer.starts_with("NameNotFound: "));
    CHECK(unlisted.ended_ns == 0);
  }

  TEST_CASE("with a timeout, a fake answer comes if it is due before the deadline, else Timeout") {
    CHECK(run_lookup("up.test", 1s).answer == "192.0.2.7 2001:db8::7");
    CHECK(run_lookup("gone.test", 1s).answer.starts_with("NameNotFound"));
    const Lookup flaky = run_lookup("flaky.test", 1s);
    CHECK(flaky.answer == "TimeoutError");
    CHECK(flaky.ended_ns == at(1s));
    CHECK(flaky.latency_ns == at(1s));
    const Lookup late = run_lookup("up.test", 150ms);  // due at the deadline: too late
    CHECK(late.answer == "TimeoutError");
    CHECK(late.ended_ns == at(150ms));
    const Lookup silent = run_lookup("silent.test", 2s);
    CHECK(silent.answer == "TimeoutError");
    CHECK(silent.ended_ns == at(2s));
  }
}

namespace {

Task<Lookup> cancel_lookup_after(std::string name, Duration after) {
  asyncdemo::TaskHandle<Lookup> lookup = asyncdemo::spawn(look_up(std::move(name), 5s), "lookup");
  co_await asyncdemo::sleep(after);
  lookup.cancel();
  co_return co_await lookup;
}

struct DeadlockSeen {
  int calls = 0;
  Nanos at = -1;
};

Task<Lookup> wait_for_silence(std::shared_ptr<DeadlockSeen> seen) {
  asyncdemo::TaskHandle<Lookup> lookup =
      asyncdemo::spawn(look_up("silent.test", Duration::max()), "lookup");
  Runtime& runtime = Runtime::current();
  runtime.on_deadlock([seen, lookup, &runtime]() mutable {
    ++seen->calls;
    seen->at = runtime.now();
    lookup.cancel();
  });
  co_await asyncdemo::sleep(300ms);
  co_return co_await lookup;
}

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("cancelling a fake lookup ends it at once, exactly, and its answer never comes") {
    Runtime rt(with_fake(ClockKind::virtual_time, kHosts));
    const Lookup cancelled = asyncdemo::run(rt, cancel_lookup_after("flaky.test", 700ms));
    CHECK(cancelled.answer == "Cancelled");
    CHECK(cancelled.ended_ns == at(700ms));
    CHECK(cancelled.latency_ns == at(700ms));
    CHECK(rt.now() == at(700ms));  // nothing left waiting for the 1.5s answer
  }

  TEST_CASE("a name that never answers, without a timeout, is a deadlock the loop reports") {
    auto seen = std::make_shared<DeadlockSeen>();
    Runtime rt(with_fake(ClockKind::virtual_time, kHosts));
    const Lookup lookup = asyncdemo::run(rt, wait_for_silence(seen));
    CHECK(seen->calls == 1);
    CHECK(seen->at == at(300ms));  // once main's sleep is over, nothing is left to happen
    CHECK(lookup.answer == "Cancelled");
  }

  TEST_CASE("a fake lookup's wait is recorded as a lookup's is: a dns wait") {
    Runtime rt(with_fake(ClockKind::virtual_time, kHosts));
    static_cast<void>(asyncdemo::run(rt, look_up("up.test", 1s)));
    const asyncdemo::Timeline& timeline = rt.timeline();
    bool waited_on_dns = false;
    for (const asyncdemo::Event& event : timeline.events()) {
      waited_on_dns = waited_on_dns || (event.kind == asyncdemo::EventKind::suspended &&
                                        event.wait == asyncdemo::WaitKind::dns);
    }
    CHECK(waited_on_dns);
  }

  TEST_CASE("on the real clock a fake lookup takes its latency, give or take the loop") {
    Runtime rt(with_fake(ClockKind::real, "slow.test 200ms found 192.0.2.9\n"));
    const Lookup lookup = asyncdemo::run(rt, look_up("slow.test", 5s));
    CHECK(lookup.answer == "192.0.2.9");
    CHECK(lookup.latency_ns >= at(200ms));
    CHECK(lookup.latency_ns < at(450ms));
  }
}
