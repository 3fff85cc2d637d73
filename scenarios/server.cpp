// server: an asyncio TCP server and its clients, on real sockets on 127.0.0.1. The server
// accepts each connection into a task of its own that reads request lines and answers each
// after --delay; the clients, in the same process, each send --requests requests one after
// another. An awaited sleep in the handler lets the loop serve every connection at once; a
// blocking one (--blocking) freezes the loop, and the connections are served one at a time.
//
// The asyncio program it mirrors (tests/parity/server.py):
//
//     async def handle(reader, writer):                   # a task per connection
//         while line := await reader.readline():
//             await asyncio.sleep(delay)                  # or time.sleep(delay): --blocking
//             writer.write(f"ok {n}: {line}\n".encode())
//             await writer.drain()
//         writer.close()
//
//     async def client(i):
//         reader, writer = await asyncio.open_connection("127.0.0.1", port)
//         for r in range(1, requests + 1):
//             writer.write(f"request {i}.{r}\n".encode())
//             await writer.drain()
//             await reader.readline()
//         writer.close()
//
//     server = await asyncio.start_server(handle, "127.0.0.1", port)
//     await asyncio.gather(*(client(i) for i in range(1, clients + 1)))
//     server.close()

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "core/tcp.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"
#include "scenarios/request_line.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "server";
constexpr std::string_view kLesson =
    "An asyncio server runs a task per connection: a handler that awaits serves every "
    "connection at once, while one that blocks freezes them all and serves one at a time.";
constexpr std::string_view kHost = "127.0.0.1";
// start_server's default backlog.
constexpr std::size_t kBacklog = 100;
// asyncio's retry after accept() fails for want of descriptors (ACCEPT_RETRY_DELAY).
constexpr Duration kAcceptRetry = 1s;

struct ServerOptions {
  std::size_t clients = 3;
  std::size_t requests = 3;
  Duration delay = 200ms;
  bool blocking = false;
  std::size_t port = 0;
  std::size_t max_line = 1024;
  Duration serve = Duration::zero();
};

// One request of an in-process client, as the client saw it.
struct Request {
  std::size_t client = 0;
  Nanos sent_ns = 0;
  Nanos answered_ns = 0;
};

// What one connection's handler met, beyond the requests it answered.
struct Connection {
  std::size_t answered = 0;
  std::size_t junk = 0;           // lines that were not text, answered with an error
  bool too_long = false;          // a line over --max-line: refused, and the connection closed
  bool reset = false;             // the peer reset the connection
  bool left_early = false;        // the peer was gone before its answer could be written
  bool cut_short = false;         // the peer closed the connection in the middle of a line
  bool closed_by_server = false;  // still open when the server closed (the end of --serve)
};

struct ServerRecord {
  std::uint16_t port = 0;
  std::vector<Request> requests;        // the in-process clients', in the order answered
  std::vector<Connection> connections;  // by accept order: conn-1 first
  std::size_t handling = 0;             // requests being handled right now
  std::size_t max_handling = 0;         // counted by the handlers themselves
  Nanos clients_done_ns = -1;           // when the last in-process client was done
  std::vector<TaskId> conn_tasks;       // conn-N's ids, in accept order
};

// Writes `line` and a newline on the caller's stream (which outlives the await); false if the
// peer was gone.
Task<bool> answer(const TcpStream* stream, std::string line) {
  try {
    co_await stream->write(std::move(line) + "\n");
  } catch (const ConnectionReset&) {
    co_return false;
  } catch (const SocketClosed&) {
    co_return false;
  }
  co_return true;
}

// handle(reader, writer): the requests of one connection, one after another.
Task<void> serve_connection(TcpStream stream, std::size_t number, ServerOptions options,
                            std::shared_ptr<ServerRecord> record) {
  Runtime& runtime = Runtime::current();
  // The peer's port is the system's pick, another every run: the virtual clock's output, the
  // same every time, leaves it out.
  runtime.note(runtime.virtual_time() ? "accepted a connection from 127.0.0.1"
                                      : fmt::format("accepted {}", stream.peer()));
  auto connection = [&record, number]() -> Connection& { return record->connections[number - 1]; };
  for (;;) {
    std::optional<std::string> line;
    bool too_long = false;
    try {
      line = co_await stream.read_line(options.max_line);
    } catch (const LineTooLong&) {
      too_long = true;
    } catch (const ConnectionReset&) {
      connection().reset = true;
      runtime.note("the peer reset the connection");
      break;
    }
    if (too_long) {
      connection().too_long = true;
      runtime.note(fmt::format("a line over {} bytes: refused, closing", options.max_line));
      // Whether the peer is still there to read it or not, the connection closes next.
      static_cast<void>(co_await answer(
          &stream, fmt::format("error: line too long (over {} bytes)", options.max_line)));
      break;
    }
    if (!line) {
      runtime.note(fmt::format("the peer closed the connection after {}",
                               kit::count_of(connection().answered, "request")));
      break;
    }
    if (!stream.last_line_complete()) {  // its last bytes, then EOF: a request cut short
      connection().cut_short = true;
      runtime.note(fmt::format("the peer left mid-request: {} without a newline, unanswered",
                               kit::count_of(line->size(), "byte")));
      break;
    }
    if (!is_text_line(*line)) {
      ++connection().junk;
      runtime.note(
          fmt::format("junk: {}, not a line of text", kit::count_of(line->size(), "byte")));
      if (!co_await answer(&stream, "error: not a line of text")) {
        connection().left_early = true;
        runtime.note("the peer left before its answer");
        break;
      }
      continue;
    }
    if (*line == "quit") {
      static_cast<void>(co_await answer(&stream, "bye"));
      runtime.note("quit: closing");
      break;
    }
    record->max_handling = std::max(record->max_handling, ++record->handling);
    if (options.blocking) {
      block_sleep(options.delay);  // time.sleep(): every other connection waits
    } else {
      co_await sleep(options.delay);  // asyncio.sleep(): the loop serves the others meanwhile
    }
    --record->handling;
    const std::size_t count = connection().answered + 1;
    if (!co_await answer(&stream, fmt::format("ok {}: {}", count, *line))) {
      connection().left_early = true;
      runtime.note("the peer left before its answer");
      break;
    }
    connection().answered = count;
  }
  stream.close();
}

// The server's accept loop (start_server's): a task per connection, until the listener closes.
Task<void> accept_loop(std::shared_ptr<TcpListener> listener, ServerOptions options,
                       std::shared_ptr<ServerRecord> record) {
  Runtime& runtime = Runtime::current();
  std::vector<TaskHandle<void>> connections;
  for (;;) {
    std::optional<TcpStream> stream;
    bool retry = false;
    try {
      stream = co_await listener->accept();
    } catch (const SocketClosed&) {
      break;  // Server.close()
    } catch (const UvError& error) {
      runtime.note(fmt::format("accept failed: {}; trying again in {}", error.what(),
                               format_duration(kAcceptRetry)));
      retry = true;
    }
    if (retry) {
      co_await sleep(kAcceptRetry);
      continue;
    }
    const std::size_t number = connections.size() + 1;
    record->connections.emplace_back();
    connections.push_back(spawn(serve_connection(std::move(*stream), number, options, record),
                                kit::numbered_name("conn", number)));
    record->conn_tasks.push_back(connections.back().id());
  }
  // Connections still open when the server closes (outside clients, at the end of --serve)
  // are closed now: their handlers are cancelled at the read they wait in.
  std::size_t open = 0;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    if (!connections[i].done() && connections[i].cancel()) {
      record->connections[i].closed_by_server = true;
      ++open;
    }
  }
  if (open > 0) {
    runtime.note(fmt::format("closing {} still open", kit::count_of(open, "connection")));
  }
  co_await gather(std::move(connections), OnError::collect);
}

// One in-process client: its requests one after another, each awaiting its answer.
Task<std::size_t> client(std::size_t id, std::uint16_t port, ServerOptions options,
                         std::shared_ptr<ServerRecord> record) {
  Runtime& runtime = Runtime::current();
  TcpStream stream = co_await connect(std::string(kHost), port);
  for (std::size_t r = 1; r <= options.requests; ++r) {
    const Nanos sent = runtime.now();
    co_await stream.write(fmt::format("request {}.{}\n", id, r));
    const std::optional<std::string> reply = co_await stream.read_line();
    if (!reply) {
      throw std::runtime_error(
          fmt::format("the server closed the connection before answering "
                      "request {}.{}",
                      id, r));
    }
    record->requests.push_back({id, sent, runtime.now()});
  }
  stream.close();
  co_return options.requests;
}

// "listening on 127.0.0.1:40123". On the virtual clock, whose output is the same every run, a
// port the system picked is not named (--serve, which needs it, needs the real clock).
std::string listening_on(const ServerOptions& options, const ServerRecord& record,
                         const Runtime& runtime) {
  if (runtime.virtual_time() && options.port == 0) {
    return fmt::format("listening on {}, on a port the system picked", kHost);
  }
  return fmt::format("listening on {}:{}", kHost, record.port);
}

// Closes the listener however server_main ends: at the end of its work, or when a failed client
// or Ctrl-C ends it early. A listener left open would keep the loop from closing.
class ClosesListener {
 public:
  explicit ClosesListener(std::shared_ptr<TcpListener> listener) : listener_(std::move(listener)) {}
  ClosesListener(const ClosesListener&) = delete;
  ClosesListener& operator=(const ClosesListener&) = delete;
  ClosesListener(ClosesListener&&) = delete;
  ClosesListener& operator=(ClosesListener&&) = delete;
  ~ClosesListener() { listener_->close(); }

 private:
  std::shared_ptr<TcpListener> listener_;
};

Task<void> server_main(ServerOptions options, std::shared_ptr<TcpListener> listener,
                       std::shared_ptr<ServerRecord> record) {
  Runtime& runtime = Runtime::current();
  const ClosesListener closes(listener);
  runtime.note(listening_on(options, *record, runtime));
  TaskHandle<void> server = spawn(accept_loop(listener, options, record), "server");
  std::vector<TaskHandle<std::size_t>> clients;
  clients.reserve(options.clients);
  for (std::size_t i = 1; i <= options.clients; ++i) {
    clients.push_back(spawn(kit::noting_error(client(i, record->port, options, record)),
                            kit::numbered_name("client", i)));
  }
  if (!clients.empty()) {
    co_await gather(std::move(clients));  // a client that fails is the run's failure
    record->clients_done_ns = runtime.now();
  }
  if (options.serve > Duration::zero()) {
    runtime.note(fmt::format("serving outside clients for {} (nc {} {})",
                             format_duration(options.serve), kHost, record->port));
    co_await sleep(options.serve);
  }
  listener->close();  // Server.close(): no new connections
  co_await server;
}

// ---- what the record shows ----------------------------------------------------------------

// The most connection handlers alive at the same moment, in the order the events were recorded.
std::size_t connections_at_once(const Timeline& timeline, const std::vector<TaskId>& conns) {
  std::vector<bool> is_conn(timeline.task_count(), false);
  for (const TaskId id : conns) {
    is_conn[id] = true;
  }
  std::size_t open = 0;
  std::size_t most = 0;
  for (const Event& event : timeline.events()) {
    if (event.task >= is_conn.size() || !is_conn[event.task]) {
      continue;
    }
    if (event.kind == EventKind::started) {
      most = std::max(most, ++open);
    } else if (ends_task(event.kind) && open > 0) {
      --open;
    }
  }
  return most;
}

// What the loop thread did, from the record: how long it ran the tasks' steps, all added up
// (the work it did besides waiting, which a real-clock run adds to the overlapped waits), and
// how long blocking calls held it (each time.sleep, from its await to the step after it, as
// long as the sleep really took). On the virtual clock steps take no time, and the blocking
// exactly its --delay.
struct LoopTime {
  Nanos busy = 0;
  Nanos blocked = 0;
};

LoopTime loop_time(const Timeline& timeline) {
  std::vector<Nanos> since(timeline.task_count(), -1);
  std::vector<Nanos> blocked_since(timeline.task_count(), -1);
  LoopTime time;
  for (const Event& event : timeline.events()) {
    Nanos& open = since[event.task];
    Nanos& blocked = blocked_since[event.task];
    if (blocked >= 0 && (event.kind == EventKind::resumed || ends_task(event.kind))) {
      time.blocked += event.t_ns - blocked;
      blocked = -1;
    }
    if (event.kind == EventKind::started || event.kind == EventKind::resumed) {
      open = event.t_ns;
    } else if ((event.kind == EventKind::suspended || ends_task(event.kind)) && open >= 0) {
      time.busy += event.t_ns - open;
      open = -1;
      if (event.kind == EventKind::suspended && event.wait == WaitKind::blocked) {
        blocked = event.t_ns;
      }
    }
  }
  return time;
}

void judge(ScenarioReport& report, const ServerOptions& options, const ServerRecord& record,
           double slack) {
  std::vector<Nanos> latencies;
  latencies.reserve(record.requests.size());
  for (const Request& request : record.requests) {
    latencies.push_back(request.answered_ns - request.sent_ns);
  }
  const std::size_t accepted = record.connections.size();
  const std::size_t outside = accepted - std::min(accepted, options.clients);
  std::size_t answered = 0;
  std::size_t junk = 0;
  std::size_t too_long = 0;
  std::size_t resets = 0;
  std::size_t left_early = 0;
  std::size_t cut_short = 0;
  std::size_t closed_by_server = 0;
  for (const Connection& c : record.connections) {
    answered += c.answered;
    junk += c.junk;
    too_long += c.too_long ? 1 : 0;
    resets += c.reset ? 1 : 0;
    left_early += c.left_early ? 1 : 0;
    cut_short += c.cut_short ? 1 : 0;
    closed_by_server += c.closed_by_server ? 1 : 0;
  }
  const double clients_s = record.clients_done_ns >= 0 ? kit::seconds(record.clients_done_ns) : 0;
  const double per_second =
      clients_s > 0 ? static_cast<double>(record.requests.size()) / clients_s : 0;
  const std::size_t at_once = connections_at_once(report.timeline, record.conn_tasks);
  const bool port_varies = report.clock == ClockKind::virtual_time && options.port == 0;
  report.figures = {
      {"port", port_varies ? Json(nullptr) : Json(record.port)},
      {"connections", accepted},
      {"max_connections", at_once},
      {"outside_connections", outside},
      {"requests_answered", answered},
      {"client_requests", record.requests.size()},
      {"clients_s", clients_s},
      {"requests_per_s", per_second},
      {"latency_p50_s", kit::seconds(kit::nearest_rank(latencies, 0.50))},
      {"latency_p99_s", kit::seconds(kit::nearest_rank(latencies, 0.99))},
      {"max_handled_at_once", record.max_handling},
      {"junk_lines", junk},
      {"lines_too_long", too_long},
      {"resets", resets},
      {"left_before_answer", left_early},
      {"left_mid_request", cut_short},
      {"closed_by_server", closed_by_server},
  };
  report.summary.max_in_flight = at_once;
  const std::size_t expected = options.clients * options.requests;
  if (options.clients > 0) {
    report.checks.push_back(kit::equals("every client's request got its answer",
                                        static_cast<double>(record.requests.size()),
                                        static_cast<double>(expected), ""));
  }
  const double delay = kit::seconds(options.delay);
  const double stall = report.summary.max_loop_stall_s;
  // On the real clock the loop's own work (hundreds of connections' reads and writes) comes on
  // top of the waits: the claims allow what the record says it spent.
  const LoopTime loop = loop_time(report.timeline);
  const double busy = kit::seconds(loop.busy);
  report.figures["loop_busy_s"] = busy;
  report.figures["loop_blocked_s"] = kit::seconds(loop.blocked);
  if (options.clients > 0 && outside == 0) {  // outside clients share the server's time
    if (options.blocking) {
      const double ideal = static_cast<double>(expected) * delay;
      report.checks.push_back(
          kit::between("blocking: one request at a time, C x R x --delay (and the loop's own work)",
                       clients_s, ideal,
                       // each time.sleep takes --delay and on the real clock a little more:
                       // they took what they took, one after another
                       std::max(ideal, kit::seconds(loop.blocked)) + busy + slack, "s"));
    } else {
      const double ideal = static_cast<double>(options.requests) * delay;
      report.checks.push_back(kit::between(
          "async: every connection served at once, R x --delay (and the loop's own work)",
          clients_s, ideal, ideal + busy + slack, "s"));
    }
  }
  if (options.blocking && answered > 0) {
    report.checks.push_back(
        kit::at_least("blocking: each request's time.sleep held the loop", stall, delay, "s"));
  } else if (!options.blocking) {
    report.checks.push_back(kit::at_most("async: the loop was never held", stall, slack, "s"));
  }

  if (options.clients > 0) {
    const std::string latency =
        fmt::format("{} open at once; latency p50 {}, p99 {}", kit::count_of(at_once, "connection"),
                    format_measured(kit::nearest_rank(latencies, 0.50)),
                    format_measured(kit::nearest_rank(latencies, 0.99)));
    if (options.blocking) {
      report.takeaways.push_back(fmt::format(
          "blocking: time.sleep() in the handler froze the loop, so while one request was "
          "handled no connection was read or answered: {} one at a time in {}, {:.1f} "
          "requests/s, {}",
          kit::count_of(record.requests.size(), "request"), format_seconds(clients_s), per_second,
          latency));
    } else {
      report.takeaways.push_back(fmt::format(
          "async: the handler awaited its sleep, so the loop went on serving the other "
          "connections meanwhile, up to {} at a time: the {} {} {} took {}, {:.1f} requests/s, "
          "{}",
          kit::count_of(record.max_handling, "request"), options.clients,
          options.clients == 1 ? "client's" : "clients'",
          kit::count_of(record.requests.size(), "request"), format_seconds(clients_s), per_second,
          latency));
    }
  }
  if (options.clients > kBacklog) {  // where asyncdemo differs from start_server, on purpose
    report.takeaways.push_back(fmt::format(
        "model: the listen backlog is {}, one for each client, where start_server's default is "
        "{}: connects beyond it at once would be dropped and tried again a second later",
        options.clients, kBacklog));
  }
  if (outside > 0) {
    std::vector<std::string> met;
    if (junk > 0) {
      met.push_back(kit::count_of(junk, "junk line"));
    }
    if (too_long > 0) {
      met.push_back(fmt::format("{} (refused)", kit::count_of(too_long, "over-long line")));
    }
    if (resets > 0) {
      met.push_back(kit::count_of(resets, "reset"));
    }
    if (cut_short > 0) {
      met.push_back(
          fmt::format("{} mid-request", kit::count_of(cut_short, "peer", "left", "left")));
    }
    if (left_early > 0) {
      met.push_back(fmt::format("{} before an answer",
                                kit::count_of(left_early, "peer", "was gone", "were gone")));
    }
    if (closed_by_server > 0) {
      met.push_back(
          fmt::format("{} at the end", kit::count_of(closed_by_server, "connection",
                                                     "still open, closed", "still open, closed")));
    }
    report.takeaways.push_back(
        fmt::format("outside clients: {}, {} answered{}", kit::count_of(outside, "connection"),
                    kit::count_of(answered - std::min(answered, record.requests.size()), "request"),
                    met.empty() ? "" : fmt::format("; {}", fmt::join(met, ", "))));
  }
}

ScenarioReport run_server(const ServerOptions& options, const RunContext& context) {
  if (options.serve > Duration::zero() && context.runtime.clock == ClockKind::virtual_time) {
    throw UsageError(
        "--serve keeps the server up for outside clients, in real time: it needs the real "
        "clock (leave out --virtual-time)");
  }
  if (options.clients == 0 && options.serve == Duration::zero()) {
    throw UsageError("--clients 0 leaves the server with nobody to serve: give --serve too");
  }
  Runtime runtime(context.runtime);
  // Listening first, before anything is printed or started: a port in use or not permitted is
  // the run's one line of error (exit 1), with nothing half-started.
  // The backlog holds every client's connect: asyncio's default of 100 would drop the SYNs
  // of a larger crowd connecting at once, and each would come back a second later.
  const int backlog = static_cast<int>(std::max<std::size_t>(kBacklog, options.clients));
  auto listener = std::make_shared<TcpListener>(
      TcpListener::listen(kHost, static_cast<std::uint16_t>(options.port), backlog));
  auto record = std::make_shared<ServerRecord>();
  record->port = listener->port();
  Json params = {{"clients", options.clients},
                 {"requests", options.requests},
                 {"delay", format_duration(options.delay)},
                 {"blocking", options.blocking},
                 {"port", options.port},
                 {"max_line", options.max_line},
                 {"serve", format_duration(options.serve)}};
  std::string longest_name =
      kit::numbered_name("client", std::max<std::size_t>(options.clients, 1));
  ScenarioReport report =
      kit::begin(kName, kLesson, std::move(params), context, runtime, std::move(longest_name));
  kit::drive(report, runtime, server_main(options, std::move(listener), record));
  kit::finish(report, runtime);
  for (const Request& request : record->requests) {
    report.results.push_back({{"client", kit::numbered_name("client", request.client)},
                              {"latency_s", kit::seconds(request.answered_ns - request.sent_ns)}});
  }
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record, kit::slack(context));
  }
  return report;
}

ScenarioRunner setup_server(CLI::App& app) {
  auto options = std::make_shared<ServerOptions>();
  add_count_option(app, "--clients", options->clients,
                   "clients in this process, each on its own connection", 0, 500);
  add_count_option(app, "--requests", options->requests,
                   "requests each client sends, one after another", 1, 10000);
  add_duration_option(app, "--delay", options->delay, "how long the handler takes per request");
  app.add_flag("--blocking", options->blocking,
               "the handler blocks (time.sleep) instead of awaiting: every connection waits");
  add_count_option(app, "--port", options->port,
                   "the port on 127.0.0.1; 0: one the system picks (the log says which)", 0, 65535);
  add_count_option(app, "--max-line", options->max_line,
                   "the longest request line, in bytes; a longer one is refused and its "
                   "connection closed",
                   16, 1 << 20);
  add_duration_option(app, "--serve", options->serve,
                      "then keep serving outside clients this long (real clock; Ctrl-C ends "
                      "it): each line sent is a request, answered after --delay with `ok N: "
                      "<line>`; `quit` closes the connection; a line that is not text gets "
                      "`error: not a line of text`");
  return [options](const RunContext& context) { return run_server(*options, context); };
}

// What the live log keeps to once the opening is shown: what the server and its handlers note
// (a port, each connection, what a peer did), each task's end, and main: with --serve the
// outside clients' connections stay in view however long the run.
bool is_news(const Event& event, const Timeline& timeline) {
  return timeline.parent(event.task) == kNoParent || ends_task(event.kind) ||
         event.kind == EventKind::note;
}

}  // namespace

ScenarioEntry server_scenario() {
  return {kName,
          kLesson,
          "asyncdemo server\n"
          "asyncdemo server --blocking\n"
          "asyncdemo server --clients 10 --requests 5 --delay 50ms",
          &setup_server,
          &is_news,
          kLogOpeningLines};
}

}  // namespace asyncdemo
