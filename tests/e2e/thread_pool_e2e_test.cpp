// End to end: the thread pool of the real binary. asyncio's default executor size,
// min(32, cpus + 4), unless UV_THREADPOOL_SIZE is set; a value libuv would read as something
// else is refused (exit 2); the header of a run that uses the pool, and the JSON, say its size
// and where it came from; and libuv's pool really has that many threads.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/cli/run_binary.hpp"
#include "tests/e2e/valid_against_schema.hpp"

using asyncdemo::testing::run_asyncdemo;
using asyncdemo::testing::RunOptions;
using asyncdemo::testing::RunResult;

namespace {

using Json = nlohmann::json;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The variable as given; nullopt: not set at all (whatever the test's own environment says).
RunOptions with_pool_variable(std::optional<std::string> value) {
  RunOptions options;
  options.env = {{"UV_THREADPOOL_SIZE", std::move(value)}};
  return options;
}

// asyncio's default executor on this machine: min(32, os.cpu_count() + 4).
std::size_t asyncio_default() {
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return std::min<std::size_t>(32, static_cast<std::size_t>(std::max(cpus, 1L)) + 4);
}

// The header: everything before the first blank line.
std::string header_of(const std::string& out) { return out.substr(0, out.find("\n\n")); }

// When each task's thread work began ("thread-start" events), in seconds from the start.
std::vector<double> thread_starts(const Json& document) {
  std::vector<double> starts;
  for (const Json& event : document["events"]) {
    if (event["kind"] == "thread-start") {
      starts.push_back(event["t_s"].get<double>());
    }
  }
  std::ranges::sort(starts);
  return starts;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("UV_THREADPOOL_SIZE that libuv would misread is a usage error, and nothing runs") {
    for (const char* value : {"-1", "abc", "8x", "0", "2000", ""}) {
      const RunResult result = run_asyncdemo(
          {"sleep", "--n", "2", "--delay", "10ms", "--mode", "threads"}, with_pool_variable(value));
      INFO(result);
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK(contains(result.err, "asyncdemo: error: UV_THREADPOOL_SIZE=\""));
      CHECK(contains(result.err, "libuv would run"));
      CHECK(contains(result.err, "set it to a whole number from 1 to 1024"));
    }
    const RunResult minus_one =
        run_asyncdemo({"sleep", "--mode", "threads"}, with_pool_variable("-1"));
    CHECK(contains(minus_one.err,
                   "UV_THREADPOOL_SIZE=\"-1\": not a whole number of threads, and "
                   "libuv would run 1024 threads for it"));
  }

  TEST_CASE("a valid UV_THREADPOOL_SIZE sizes the pool, and the run says where it came from") {
    const RunResult result = run_asyncdemo({"sleep", "--n", "8", "--delay", "100ms", "--mode",
                                            "threads", "--virtual-time", "--json", "--check"},
                                           with_pool_variable("8"));
    INFO(result);
    REQUIRE(result.exit_code == 0);
    CHECK(asyncdemo::test::valid_against_schema(result.out));
    const Json document = Json::parse(result.out);
    CHECK(document["thread_pool"] ==
          Json{{"threads", 8}, {"source", "UV_THREADPOOL_SIZE"}, {"cpus", nullptr}});
    CHECK(document["figures"]["pool_size"] == 8);
    CHECK(document["elapsed_s"].get<double>() == doctest::Approx(0.1));  // one round of 8
    const RunResult text = run_asyncdemo(
        {"sleep", "--n", "8", "--delay", "100ms", "--mode", "threads", "--virtual-time"},
        with_pool_variable("8"));
    CHECK(contains(header_of(text.out), "\n  thread pool: 8 threads (UV_THREADPOOL_SIZE)"));
  }

  TEST_CASE("unset, the pool is asyncio's default executor, and the header says so") {
    const RunResult result = run_asyncdemo(
        {"sleep", "--n", "2", "--delay", "10ms", "--mode", "threads", "--virtual-time", "--json"},
        with_pool_variable(std::nullopt));
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const Json document = Json::parse(result.out);
    CHECK(document["thread_pool"]["threads"] == asyncio_default());
    CHECK(document["thread_pool"]["source"] == "asyncio-default");
    CHECK(document["thread_pool"]["cpus"] == sysconf(_SC_NPROCESSORS_ONLN));
    CHECK(document["figures"]["pool_size"] == asyncio_default());
    const RunResult text = run_asyncdemo(
        {"sleep", "--n", "2", "--delay", "10ms", "--mode", "threads", "--virtual-time"},
        with_pool_variable(std::nullopt));
    CHECK(contains(header_of(text.out),
                   fmt::format("\n  thread pool: {} threads (asyncio's default executor, "
                               "min(32, cpus + 4) with {} cpu",
                               asyncio_default(), sysconf(_SC_NPROCESSORS_ONLN))));
  }

  TEST_CASE("the header shows the pool only for runs whose work goes to threads") {
    const auto header = [](std::vector<std::string> args) {
      args.emplace_back("--virtual-time");
      const RunResult result = run_asyncdemo(args, with_pool_variable("4"));
      INFO(result);
      CHECK(result.exit_code == 0);
      return header_of(result.out);
    };
    const std::string pool_line = "thread pool: 4 threads (UV_THREADPOOL_SIZE)";
    CHECK(contains(header({"sleep", "--n", "2", "--mode", "threads"}), pool_line));
    CHECK(contains(header({"sleep", "--n", "2", "--mode", "all"}), pool_line));
    CHECK(contains(header({"cancel", "--n", "2", "--offload"}), pool_line));
    CHECK(contains(header({"probe", "one.invalid", "--resolver", "system"}), pool_line));
    CHECK_FALSE(contains(header({"sleep", "--n", "2", "--mode", "async"}), "thread pool:"));
    CHECK_FALSE(contains(header({"sleep", "--n", "2", "--mode", "blocking"}), "thread pool:"));
    CHECK_FALSE(contains(header({"cancel", "--n", "2"}), "thread pool:"));
    CHECK_FALSE(contains(header({"gather", "--n", "2"}), "thread pool:"));
    // The fake resolver answers on the loop, with no thread (the default on the virtual clock).
    CHECK_FALSE(contains(header({"probe", "one.invalid"}), "thread pool:"));
  }

  TEST_CASE("libuv's pool really has asyncio's size: that many blocking sleeps start at once") {
    // On the real clock, as many one-second sleeps on threads as the default pool has: all
    // start at once. With libuv's own 4 threads the fifth and sixth would start 1 s later.
    const std::size_t threads = asyncio_default();
    const RunResult result = run_asyncdemo(
        {"sleep", "--n", std::to_string(threads), "--delay", "1s", "--mode", "threads", "--json"},
        with_pool_variable(std::nullopt));
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const std::vector<double> starts = thread_starts(Json::parse(result.out));
    REQUIRE(starts.size() == threads);
    CHECK(starts.back() < 0.5);
  }

  TEST_CASE("libuv's pool keeps the user's size: with one thread the sleeps take turns") {
    const RunResult result =
        run_asyncdemo({"sleep", "--n", "2", "--delay", "500ms", "--mode", "threads", "--json"},
                      with_pool_variable("1"));
    INFO(result);
    REQUIRE(result.exit_code == 0);
    const std::vector<double> starts = thread_starts(Json::parse(result.out));
    REQUIRE(starts.size() == 2);
    CHECK(starts[0] < 0.25);
    CHECK(starts[1] >= 0.45);  // after the first one's 500 ms
  }

  TEST_CASE("--help tells of UV_THREADPOOL_SIZE and asyncio's default") {
    const RunResult result = run_asyncdemo({"--help"});
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "UV_THREADPOOL_SIZE"));
    CHECK(contains(result.out, "min(32, cpus + 4)"));
  }
}
