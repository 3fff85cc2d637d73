// TCP on loopback (core/tcp.hpp): a listener and its clients in one runtime, real sockets
// on 127.0.0.1, port 0. No fixed sleeps for synchronisation: every wait is on the peer.
#include "core/tcp.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/run.hpp"
#include "core/runtime.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "core/wait_for.hpp"
#include "tests/core/timeline_queries.hpp"

using namespace std::chrono_literals;
using asyncdemo::Cancelled;
using asyncdemo::ClockKind;
using asyncdemo::ConnectError;
using asyncdemo::ConnectionReset;
using asyncdemo::EventKind;
using asyncdemo::LineTooLong;
using asyncdemo::ListenError;
using asyncdemo::Nanos;
using asyncdemo::Runtime;
using asyncdemo::RuntimeOptions;
using asyncdemo::Task;
using asyncdemo::TaskHandle;
using asyncdemo::TcpListener;
using asyncdemo::TcpStream;
using asyncdemo::TimeoutError;
using asyncdemo::WaitKind;
using asyncdemo::test::at;
using asyncdemo::test::task_named;

namespace {

using Lines = std::vector<std::string>;

constexpr const char* kLoopback = "127.0.0.1";

// ---- a small echo server -------------------------------------------------------------------

/// Answers each line with "echo: <line>" until the peer's EOF; then closes.
Task<void> echo_handler(TcpStream stream) {
  while (std::optional<std::string> line = co_await stream.read_line()) {
    co_await stream.write("echo: " + *line + "\n");
  }
  stream.close();
}

/// Accepts `clients` connections, each handled by a task of its own, and waits for them.
Task<void> echo_server(TcpListener* listener, int clients) {
  std::vector<TaskHandle<void>> handlers;
  handlers.reserve(clients);
  for (int i = 0; i < clients; ++i) {
    handlers.push_back(asyncdemo::spawn(echo_handler(co_await listener->accept()),
                                        "handler-" + std::to_string(i)));
  }
  for (TaskHandle<void>& handler : handlers) {
    co_await handler;
  }
}

/// Sends `lines`, one at a time, and collects the answers.
Task<Lines> echo_client(std::uint16_t port, Lines lines) {
  TcpStream stream = co_await asyncdemo::connect(kLoopback, port);
  Lines answers;
  for (const std::string& line : lines) {
    co_await stream.write(line + "\n");
    std::optional<std::string> answer = co_await stream.read_line();
    answers.push_back(answer.value_or("<eof>"));
  }
  stream.close();
  co_return answers;
}

Task<Lines> echo_once(Lines lines) {
  TcpListener listener = TcpListener::listen(kLoopback, 0);
  TaskHandle<void> server = asyncdemo::spawn(echo_server(&listener, 1), "server");
  Lines answers =
      co_await asyncdemo::spawn(echo_client(listener.port(), std::move(lines)), "client");
  co_await server;
  co_return answers;
}

TEST_SUITE("tcp") {
  TEST_CASE("a client and a listener in one runtime echo several lines") {
    const Lines expected{"echo: one", "echo: two", "echo: three"};
    SUBCASE("on the real clock") {
      Runtime rt;
      CHECK(asyncdemo::run(rt, echo_once({"one", "two", "three"})) == expected);
    }
    SUBCASE("on the virtual clock, where it takes no time") {
      Runtime rt(RuntimeOptions{ClockKind::virtual_time});
      CHECK(asyncdemo::run(rt, echo_once({"one", "two", "three"})) == expected);
      CHECK(rt.now() == 0);
    }
  }

  TEST_CASE("every wait on the network is recorded with its kind") {
    Runtime rt;
    static_cast<void>(asyncdemo::run(rt, echo_once({"ping"})));
    const asyncdemo::Timeline& timeline = rt.timeline();
    auto waited = [&timeline](std::string_view task, WaitKind kind) {
      const asyncdemo::TaskId id = task_named(timeline, task);
      for (const asyncdemo::Event& e : timeline.events()) {
        if (e.task == id && e.kind == EventKind::suspended && e.wait == kind) {
          return true;
        }
      }
      return false;
    };
    CHECK(waited("server", WaitKind::accept));
    CHECK(waited("client", WaitKind::connect));
    CHECK(waited("client", WaitKind::read));
    CHECK(waited("handler-0", WaitKind::read));
    CHECK(asyncdemo::to_string(WaitKind::accept) == "accept");
    CHECK(asyncdemo::to_string(WaitKind::connect) == "connect");
    CHECK(asyncdemo::to_string(WaitKind::read) == "read");
    CHECK(asyncdemo::to_string(WaitKind::write) == "write");
  }

  // ---- many clients ------------------------------------------------------------------------

  Task<std::vector<Lines>> many_clients(int clients) {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TaskHandle<void> server = asyncdemo::spawn(echo_server(&listener, clients), "server");
    std::vector<TaskHandle<Lines>> handles;
    handles.reserve(clients);
    for (int i = 0; i < clients; ++i) {
      const std::string me = std::to_string(i);
      Lines request{me + "-a", me + "-b", me + "-c"};
      handles.push_back(
          asyncdemo::spawn(echo_client(listener.port(), std::move(request)), "client-" + me));
    }
    std::vector<Lines> answers;
    answers.reserve(handles.size());
    for (TaskHandle<Lines>& handle : handles) {
      answers.push_back(co_await handle);
    }
    co_await server;
    co_return answers;
  }

  TEST_CASE("many clients at once are each answered in order") {
    constexpr int kClients = 40;
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      CAPTURE(clock == ClockKind::real);
      Runtime rt(RuntimeOptions{clock});
      const std::vector<Lines> answers = asyncdemo::run(rt, many_clients(kClients));
      REQUIRE(answers.size() == kClients);
      for (int i = 0; i < kClients; ++i) {
        const std::string me = std::to_string(i);
        CHECK(answers[i] ==
              Lines{"echo: " + me + "-a", "echo: " + me + "-b", "echo: " + me + "-c"});
      }
    }
  }

  // ---- reading lines -----------------------------------------------------------------------

  /// Accepts one connection and reads lines (limit `limit`) until EOF; an error is kept as
  /// "<LineTooLong>" or "<ConnectionReset>" and reading goes on, except after a reset.
  Task<Lines> read_all(TcpListener * listener, std::size_t limit) {
    TcpStream stream = co_await listener->accept();
    Lines lines;
    for (;;) {
      try {
        std::optional<std::string> line = co_await stream.read_line(limit);
        if (!line) {
          break;
        }
        lines.push_back(*line);
      } catch (const LineTooLong&) {
        lines.emplace_back("<LineTooLong>");
      } catch (const ConnectionReset&) {
        lines.emplace_back("<ConnectionReset>");
        break;
      }
    }
    co_return lines;
  }

  /// Connects and writes each piece with a write of its own (a yield between them), then
  /// closes, or aborts (a reset) when `reset`.
  Task<void> write_pieces(std::uint16_t port, Lines pieces, bool reset) {
    TcpStream stream = co_await asyncdemo::connect(kLoopback, port);
    for (std::string& piece : pieces) {
      co_await stream.write(std::move(piece));
      co_await asyncdemo::sleep(0ms);
    }
    if (reset) {
      stream.abort();
    } else {
      stream.close();
    }
  }

  Task<Lines> send_and_read(Lines pieces, std::size_t limit, bool reset) {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TaskHandle<Lines> reader = asyncdemo::spawn(read_all(&listener, limit), "reader");
    co_await asyncdemo::spawn(write_pieces(listener.port(), std::move(pieces), reset), "writer");
    co_return co_await reader;
  }

  Lines sent_lines(Lines pieces, std::size_t limit = TcpStream::kDefaultLimit, bool reset = false) {
    Runtime rt;
    return asyncdemo::run(rt, send_and_read(std::move(pieces), limit, reset));
  }

  TEST_CASE("read_line joins a line written in pieces and splits a write of several lines") {
    CHECK(sent_lines({"hel", "lo\nwor", "ld\r\nfoo\nbar\n", "\n"}) ==
          Lines{"hello", "world", "foo", "bar", ""});
  }

  TEST_CASE("a partial line before EOF is returned as it is, then EOF") {
    CHECK(sent_lines({"first\nsecond, with no end"}) == Lines{"first", "second, with no end"});
    CHECK(sent_lines({}).empty());
  }

  TEST_CASE("an over-long line raises LineTooLong and is dropped, and the stream goes on") {
    SUBCASE("its end in the same write") {
      CHECK(sent_lines({"short\n0123456789ABCDEF\nafter\n"}, 10) ==
            Lines{"short", "<LineTooLong>", "after"});
    }
    SUBCASE("its end long after the limit was passed") {
      CHECK(sent_lines({"0123456789AB", "CDEFGHIJKLMNOPQRSTUVWXYZ", "tail\nafter\n"}, 10) ==
            Lines{"<LineTooLong>", "after"});
    }
    SUBCASE("a line of exactly the limit is not too long") {
      CHECK(sent_lines({"0123456789\n"}, 10) == Lines{"0123456789"});
    }
  }

  TEST_CASE("a peer that resets mid-line raises ConnectionReset, after the complete lines") {
    CHECK(sent_lines({"whole\n", "half a li"}, TcpStream::kDefaultLimit, true) ==
          Lines{"whole", "<ConnectionReset>"});
  }

  TEST_CASE("a reader's buffer past twice the limit pauses reading, and nothing is lost") {
    // 200 lines of 20 bytes with a limit of 32: the reader's buffer holds at most ~64 bytes
    // before it pauses; the writer's kernel buffers hold the rest until it resumes.
    Lines pieces;
    std::string all;
    Lines expected;
    for (int i = 0; i < 200; ++i) {
      std::string line = fmt::format("line {:014}", i);
      expected.push_back(line);
      all += line + "\n";
    }
    pieces.push_back(all);
    CHECK(sent_lines(pieces, 32) == expected);
  }

  Task<void> reset_at_once(TcpListener * listener) {
    TcpStream stream = co_await listener->accept();
    stream.abort();
  }

  Task<Lines> write_to_a_reset_peer() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TaskHandle<void> server = asyncdemo::spawn(reset_at_once(&listener), "server");
    TcpStream stream = co_await asyncdemo::connect(kLoopback, listener.port());
    Lines seen;
    try {
      static_cast<void>(co_await stream.read_line());  // until the reset has arrived
    } catch (const ConnectionReset&) {
      seen.emplace_back("read: reset");
    }
    try {
      co_await stream.write("anyone there?\n");
    } catch (const ConnectionReset&) {
      seen.emplace_back("write: reset");
    }
    stream.close();
    try {
      co_await stream.write("after close\n");
    } catch (const asyncdemo::SocketClosed&) {
      seen.emplace_back("write: closed");
    }
    co_await server;
    co_return seen;
  }

  TEST_CASE(
      "writing to a peer that reset raises ConnectionReset, and to a closed stream SocketClosed") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      CHECK(asyncdemo::run(rt, write_to_a_reset_peer()) ==
            Lines{"read: reset", "write: reset", "write: closed"});
    }
  }

  // ---- errors ------------------------------------------------------------------------------

  Task<std::string> listen_twice() {
    TcpListener first = TcpListener::listen(kLoopback, 0);
    try {
      TcpListener second = TcpListener::listen(kLoopback, first.port());
    } catch (const ListenError& e) {
      CHECK(e.code() == UV_EADDRINUSE);
      co_return std::string(e.what()) + "|" + std::to_string(first.port());
    }
    co_return "";
  }

  TEST_CASE("a port already in use is a ListenError that says so") {
    Runtime rt;
    const std::string said = asyncdemo::run(rt, listen_twice());
    const std::string port = said.substr(said.find('|') + 1);
    CHECK(said.substr(0, said.find('|')) ==
          "cannot listen on 127.0.0.1:" + port + ": address already in use (EADDRINUSE)");
  }

  Task<std::string> listen_on(std::string host, std::uint16_t port) {
    try {
      TcpListener listener = TcpListener::listen(host, port);
    } catch (const ListenError& e) {
      co_return e.what();
    } catch (const std::invalid_argument& e) {
      co_return e.what();
    }
    co_return "";
  }

  TEST_CASE("an address not of this machine, or not an address, cannot be listened on") {
    {
      Runtime rt;
      // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
      CHECK(asyncdemo::run(rt, listen_on("192.0.2.1", 0)) ==
            "cannot listen on 192.0.2.1:0: address not available (EADDRNOTAVAIL)");
    }
    Runtime rt;
    CHECK(asyncdemo::run(rt, listen_on("example.org", 0)).find("not a numeric IP address") !=
          std::string::npos);
  }

  TEST_CASE("a privileged port, for a user without the privilege, is a ListenError that says so") {
    std::ifstream start_file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    int unprivileged_start = 1024;
    start_file >> unprivileged_start;
    if (::geteuid() == 0 || unprivileged_start <= 1) {
      MESSAGE("skipped: this user may listen on port 1");
      return;
    }
    Runtime rt;
    CHECK(asyncdemo::run(rt, listen_on(kLoopback, 1)) ==
          "cannot listen on 127.0.0.1:1: permission denied (EACCES)");
  }

  Task<std::string> connect_to_closed_port() {
    std::uint16_t port = 0;
    {
      TcpListener listener = TcpListener::listen(kLoopback, 0);
      port = listener.port();
    }
    co_await asyncdemo::sleep(0ms);  // the listener's handle is closed now
    try {
      TcpStream stream = co_await asyncdemo::connect(kLoopback, port);
    } catch (const ConnectError& e) {
      CHECK(e.code() == UV_ECONNREFUSED);
      co_return std::string(e.what()) + "|" + std::to_string(port);
    }
    co_return "";
  }

  TEST_CASE("a refused connection is a ConnectError that says so") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      const std::string said = asyncdemo::run(rt, connect_to_closed_port());
      const std::string port = said.substr(said.find('|') + 1);
      CHECK(said.substr(0, said.find('|')) ==
            "cannot connect to 127.0.0.1:" + port + ": connection refused (ECONNREFUSED)");
    }
  }

  // ---- cancellation ------------------------------------------------------------------------

  Task<TcpStream> accept_one(TcpListener * listener) { co_return co_await listener->accept(); }

  Task<Lines> accept_times_out_then_serves() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    Lines seen;
    try {
      static_cast<void>(co_await asyncdemo::wait_for(accept_one(&listener), 20ms, "accept"));
    } catch (const TimeoutError&) {
      seen.emplace_back("timeout");
    }
    TaskHandle<void> server = asyncdemo::spawn(echo_server(&listener, 1), "server");
    Lines request{"x"};  // named: g++ 12 cannot copy a braced list into a coroutine's frame
    Lines answers = co_await asyncdemo::spawn(echo_client(listener.port(), std::move(request)));
    seen.insert(seen.end(), answers.begin(), answers.end());
    co_await server;
    co_return seen;
  }

  TEST_CASE("a cancelled accept leaves the listener usable") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      CHECK(asyncdemo::run(rt, accept_times_out_then_serves()) == Lines{"timeout", "echo: x"});
      const asyncdemo::Timeline& timeline = rt.timeline();
      CHECK(asyncdemo::test::summary_of(timeline, task_named(timeline, "accept")).outcome ==
            asyncdemo::TaskOutcome::cancelled);
    }
  }

  Task<std::optional<std::string>> read_one(TcpStream * stream) {
    co_return co_await stream->read_line();
  }

  Task<void> time_out_a_read(TcpStream * stream, Lines * seen) {
    try {
      static_cast<void>(co_await asyncdemo::wait_for(read_one(stream), 20ms, "read"));
    } catch (const TimeoutError&) {
      seen->emplace_back("timeout");
    }
  }

  Task<Lines> read_timeout_scenario() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TaskHandle<TcpStream> accepted = asyncdemo::spawn(accept_one(&listener), "acceptor");
    // The client connects; the server side times a read out before anything was written.
    TcpStream client = co_await asyncdemo::connect(kLoopback, listener.port());
    TcpStream server = co_await accepted;
    Lines seen;
    co_await asyncdemo::spawn(time_out_a_read(&server, &seen), "timer");
    co_await client.write("late\n");
    std::optional<std::string> line = co_await server.read_line();
    seen.push_back(line.value_or("<eof>"));
    client.close();
    line = co_await server.read_line();
    seen.push_back(line.value_or("<eof>"));
    co_return seen;
  }

  TEST_CASE("a cancelled read loses nothing: the next read_line has what came after") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      CHECK(asyncdemo::run(rt, read_timeout_scenario()) == Lines{"timeout", "late", "<eof>"});
    }
  }

  Task<std::string> connect_then_cancelled(std::uint16_t port) {
    try {
      TcpStream stream = co_await asyncdemo::connect(kLoopback, port);
    } catch (const Cancelled&) {
      co_return "cancelled";
    }
    co_return "connected";
  }

  Task<Lines> cancel_a_connect() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    Lines seen;
    TaskHandle<std::string> connecting =
        asyncdemo::spawn(connect_then_cancelled(listener.port()), "connecting");
    co_await asyncdemo::sleep(0ms);  // it has started its connect: its callback is yet to come
    connecting.cancel();
    seen.push_back(co_await connecting);
    // The listener may still have taken what the kernel connected: that stream reads EOF.
    // A real client is served after it.
    TaskHandle<void> server = asyncdemo::spawn(echo_server(&listener, 2), "server");
    Lines request{"y"};
    Lines answers = co_await asyncdemo::spawn(echo_client(listener.port(), std::move(request)));
    seen.insert(seen.end(), answers.begin(), answers.end());
    listener.close();  // if the cancelled connect never reached it, the server waits no more
    try {
      co_await server;
    } catch (const asyncdemo::SocketClosed&) {
      // Either way is right: whether the kernel had connected it first is a race.
      MESSAGE("the cancelled connect never reached the listener");
    }
    co_return seen;
  }

  TEST_CASE("a cancelled connect resumes with Cancelled and leaves the listener usable") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      CHECK(asyncdemo::run(rt, cancel_a_connect()) == Lines{"cancelled", "echo: y"});
    }
  }

  Task<void> write_all(TcpStream * stream, std::string data) {
    co_await stream->write(std::move(data));
  }

  Task<std::size_t> count_lines(TcpStream stream) {
    std::size_t lines = 0;
    while (std::optional<std::string> line = co_await stream.read_line()) {
      lines += *line == "end" ? 1000000 : 1;
    }
    co_return lines;
  }

  Task<std::size_t> cancel_a_big_write() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TaskHandle<TcpStream> accepted = asyncdemo::spawn(accept_one(&listener), "acceptor");
    TcpStream client = co_await asyncdemo::connect(kLoopback, listener.port());
    TcpStream server = co_await accepted;
    // 16 MiB while nobody takes a line: the server's buffer fills (128 KiB) and it stops
    // reading, the kernel's buffers fill (a few MiB), and the write waits for room.
    constexpr std::size_t kLines = 16384;
    const std::string line(1023, 'x');
    std::string big;
    big.reserve(kLines * (line.size() + 1));
    for (std::size_t i = 0; i < kLines; ++i) {
      big += line;
      big += '\n';
    }
    bool timed_out = false;
    try {
      co_await asyncdemo::wait_for(write_all(&client, std::move(big)), 20ms, "big-write");
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    CHECK(timed_out);  // else the kernel took 16 MiB at once, and this test proves nothing
    // Cancelled, the drain: the bytes still go, before what is written after them.
    TaskHandle<std::size_t> reader = asyncdemo::spawn(count_lines(std::move(server)), "reader");
    co_await client.write("end\n");
    client.close();
    co_return co_await reader;
  }

  TEST_CASE("a cancelled write cancels the drain, not the write: every byte still goes") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      CHECK(asyncdemo::run(rt, cancel_a_big_write()) == 16384 + 1000000);
      const asyncdemo::Timeline& timeline = rt.timeline();
      CHECK(asyncdemo::test::summary_of(timeline, task_named(timeline, "big-write")).outcome ==
            asyncdemo::TaskOutcome::cancelled);
    }
  }

  // ---- the virtual clock -------------------------------------------------------------------

  Task<void> slow_handler(TcpListener * listener) {
    TcpStream stream = co_await listener->accept();
    while (std::optional<std::string> line = co_await stream.read_line()) {
      co_await asyncdemo::sleep(100ms);
      co_await stream.write("re: " + *line + "\n");
    }
  }

  Task<Nanos> sleepy_client(std::uint16_t port) {
    TcpStream stream = co_await asyncdemo::connect(kLoopback, port);
    co_await asyncdemo::sleep(1s);
    co_await stream.write("ping\n");
    std::optional<std::string> answer = co_await stream.read_line();
    CHECK(answer == "re: ping");
    const Nanos answered = Runtime::current().now();
    stream.close();
    co_return answered;
  }

  Task<Nanos> sleepy_exchange() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TaskHandle<void> server = asyncdemo::spawn(slow_handler(&listener), "server");
    const Nanos answered = co_await asyncdemo::spawn(sleepy_client(listener.port()), "client");
    co_await server;
    co_return answered;
  }

  /// The run's record without task names: the times and kinds that must repeat exactly.
  std::vector<std::pair<Nanos, int>> record_of(const asyncdemo::Timeline& timeline) {
    std::vector<std::pair<Nanos, int>> record;
    for (const asyncdemo::Event& e : timeline.events()) {
      record.emplace_back(e.t_ns, static_cast<int>(e.kind) * 100 + static_cast<int>(e.wait) +
                                      static_cast<int>(e.task) * 10000);
    }
    return record;
  }

  TEST_CASE("on the virtual clock a request on its way is waited for: exact, repeatable times") {
    std::vector<std::pair<Nanos, int>> first_record;
    for (int run = 0; run < 3; ++run) {
      Runtime rt(RuntimeOptions{ClockKind::virtual_time});
      CHECK(asyncdemo::run(rt, sleepy_exchange()) == at(1100ms));
      const asyncdemo::Timeline& timeline = rt.timeline();
      const asyncdemo::TaskId server = task_named(timeline, "server");
      // The server's read resumes as the line arrives: at 1 s, not later, not before.
      Nanos read_resumed = -1;
      bool reading = false;
      for (const asyncdemo::Event& e : timeline.events()) {
        if (e.task == server && e.kind == EventKind::suspended) {
          reading = e.wait == WaitKind::read;
        } else if (e.task == server && e.kind == EventKind::resumed && reading) {
          read_resumed = e.t_ns;
          break;
        }
      }
      CHECK(read_resumed == at(1s));
      CHECK(rt.now() == at(1100ms));
      if (run == 0) {
        first_record = record_of(timeline);
      } else {
        CHECK(record_of(timeline) == first_record);
      }
    }
  }

  // ---- teardown ----------------------------------------------------------------------------

  Task<void> wait_forever_on(TcpStream stream) { static_cast<void>(co_await stream.read_line()); }

  Task<int> leave_connections_open() {
    TcpListener listener = TcpListener::listen(kLoopback, 0);
    TcpStream client = co_await asyncdemo::connect(kLoopback, listener.port());
    TcpStream server = co_await listener.accept();
    // A task left waiting on a line, a connection nobody reads, and a listener nobody
    // accepts on: main ends, and the run cancels, closes and frees them all.
    static_cast<void>(asyncdemo::spawn(wait_forever_on(std::move(server)), "stuck"));
    co_await client.write("no newline");
    co_return 7;
  }

  TEST_CASE("a run that ends with connections and a listener open closes them all") {
    for (const ClockKind clock : {ClockKind::real, ClockKind::virtual_time}) {
      Runtime rt(RuntimeOptions{clock});
      CHECK(asyncdemo::run(rt, leave_connections_open()) == 7);
      const asyncdemo::Timeline& timeline = rt.timeline();
      CHECK(asyncdemo::test::summary_of(timeline, task_named(timeline, "stuck")).outcome ==
            asyncdemo::TaskOutcome::cancelled);
    }
  }
}

}  // namespace
