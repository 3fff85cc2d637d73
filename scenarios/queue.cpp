// queue: producers and consumers through an asyncio.Queue, as in asyncio's documentation:
//
//   async def producer(queue, items):
//       for item in items:
//           await asyncio.sleep(produce)     # making it
//           await queue.put(item)            # waits while the queue is full
//
//   async def consumer(queue):
//       while True:
//           item = await queue.get()         # waits while it is empty
//           await asyncio.sleep(consume)     # working on it
//           queue.task_done()
//
//   producers finish, `await queue.join()` waits until every item is done with, and the
//   consumers, idle in their get, are cancelled.
//
// With a maxsize, fast producers wait on put for the consumers: backpressure. Unbounded, the
// queue grows as long as they outrun them.

#include "core/queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/gather.hpp"
#include "core/run.hpp"
#include "core/sleep.hpp"
#include "core/spawn.hpp"
#include "scenarios/all.hpp"
#include "scenarios/kit.hpp"
#include "scenarios/options.hpp"

namespace asyncdemo {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kName = "queue";
constexpr std::string_view kLesson =
    "A Queue hands items from producers to consumers first in, first out; with a maxsize, "
    "producers that outrun the consumers wait on put (backpressure), and join waits until every "
    "item is done with.";

// Each item writes three notes (put, got, done): a bound on the record's size.
constexpr std::size_t kMaxItems = 100'000;

struct QueueOptions {
  std::size_t producers = 2;
  std::size_t consumers = 2;
  std::size_t items = 8;    // in all, shared out among the producers
  std::size_t maxsize = 2;  // 0: unbounded
  Duration produce = 100ms;
  Duration consume = 300ms;
};

struct Item {
  std::size_t producer;  // 1-based
  std::size_t number;    // 1-based, in all
};

struct QueueRecord {
  std::vector<std::size_t> put_order;  // item numbers as put
  std::vector<std::size_t> got_order;  // as got
  std::size_t max_depth = 0;           // the most items the queue held at once (Queue::max_size)
  std::size_t done = 0;
  std::size_t consumers_cancelled = 0;
};

// Items 1..N, dealt out in turn: producer p makes items p, p + P, p + 2P, ...
Task<void> producer(std::size_t id, QueueOptions options, Queue<Item> queue,
                    std::shared_ptr<QueueRecord> record) {
  Runtime& runtime = Runtime::current();
  for (std::size_t number = id; number <= options.items; number += options.producers) {
    co_await sleep(options.produce);       // making it
    co_await queue.put(Item{id, number});  // waits while the queue is full
    record->put_order.push_back(number);
    runtime.note(fmt::format("put item {} (queue: {})", number, queue.size()));
  }
}

Task<void> consumer(QueueOptions options, Queue<Item> queue, std::shared_ptr<QueueRecord> record) {
  Runtime& runtime = Runtime::current();
  while (true) {
    const Item item = co_await queue.get();  // waits while it is empty
    record->got_order.push_back(item.number);
    runtime.note(fmt::format("got item {} (queue: {})", item.number, queue.size()));
    co_await sleep(options.consume);  // working on it
    ++record->done;
    queue.task_done();
  }
}

Task<void> queue_main(QueueOptions options, std::shared_ptr<QueueRecord> record) {
  const Queue<Item> queue(options.maxsize);
  std::vector<TaskHandle<void>> consumers;
  for (std::size_t c = 1; c <= options.consumers; ++c) {
    consumers.push_back(spawn(consumer(options, queue, record), kit::numbered_name("consumer", c)));
  }
  std::vector<TaskHandle<void>> producers;
  for (std::size_t p = 1; p <= options.producers; ++p) {
    producers.push_back(
        spawn(producer(p, options, queue, record), kit::numbered_name("producer", p)));
  }
  co_await gather(std::move(producers));
  co_await queue.join();  // every item put is done with
  record->max_depth = queue.max_size();
  Runtime::current().note("every item done: cancelling the idle consumers");
  for (TaskHandle<void>& idle : consumers) {
    idle.cancel();
  }
  for (const Outcome<void>& ended :
       co_await gather(std::move(consumers), OnError::collect)) {  // return_exceptions=True
    record->consumers_cancelled += ended.cancelled() ? 1 : 0;
  }
}

void judge(ScenarioReport& report, const QueueOptions& options, const QueueRecord& record) {
  // Each side's waits on the queue: producers on put, consumers on get.
  const kit::WaitTimes puts = kit::wait_times(report.timeline, WaitKind::queue_put);
  const double put_s = kit::seconds(puts.total_ns);
  const double get_s = kit::seconds(kit::wait_times(report.timeline, WaitKind::queue_get).total_ns);
  report.figures["items"] = options.items;
  report.figures["max_depth"] = record.max_depth;
  report.figures["put_wait_s"] = put_s;
  report.figures["get_wait_s"] = get_s;
  report.figures["puts_waited"] = puts.count;
  report.figures["throughput_per_s"] =
      report.elapsed_s > 0 ? Json(static_cast<double>(record.done) / report.elapsed_s)
                           : Json(nullptr);
  report.results.push_back(Json{{"done", record.done}, {"got_order", record.got_order}});
  report.checks.push_back(kit::equals("items came out in the order they went in",
                                      record.got_order == record.put_order ? 1 : 0, 1, ""));
  report.checks.push_back(kit::equals("join waited for every item",
                                      static_cast<double>(record.done),
                                      static_cast<double>(options.items), ""));
  if (options.maxsize > 0) {
    report.checks.push_back(kit::at_most("never more than --maxsize items in the queue",
                                         static_cast<double>(record.max_depth),
                                         static_cast<double>(options.maxsize), ""));
  }
  const std::string pressure =
      puts.count == 0
          ? std::string("no put had to wait")
          : fmt::format("the producers waited on put {} time{}, {} in all (backpressure)",
                        puts.count, puts.count == 1 ? "" : "s", format_seconds(put_s));
  report.takeaways.push_back(fmt::format(
      "{} went through the queue in the order they were put; it held at most {}{}; {}, and the "
      "consumers waited on get {} in all; join returned once the last was done, and the {} idle "
      "consumer{} {} cancelled",
      kit::count_of(options.items, "item"), record.max_depth,
      options.maxsize > 0 ? fmt::format(" of its {}", options.maxsize)
                          : std::string(" (unbounded)"),
      pressure, format_seconds(get_s), record.consumers_cancelled,
      record.consumers_cancelled == 1 ? "" : "s",
      record.consumers_cancelled == 1 ? "was" : "were"));
}

ScenarioReport run_queue(const QueueOptions& options, const RunContext& context) {
  if (options.items > kMaxItems) {
    throw UsageError(fmt::format("--items {} is more than {}", options.items, kMaxItems));
  }
  Runtime runtime(context.runtime);
  Json params = {{"producers", options.producers},
                 {"consumers", options.consumers},
                 {"items", options.items},
                 {"maxsize", options.maxsize},
                 {"produce", format_duration(options.produce)},
                 {"consume", format_duration(options.consume)}};
  std::string longest = kit::numbered_name("producer", options.producers);
  if (const std::string consumers = kit::numbered_name("consumer", options.consumers);
      consumers.size() > longest.size()) {
    longest = consumers;
  }
  ScenarioReport report =
      kit::begin(kName, kLesson, std::move(params), context, runtime, std::move(longest));
  auto record = std::make_shared<QueueRecord>();
  kit::drive(report, runtime, queue_main(options, record));
  kit::finish(report, runtime);
  if (!report.partial()) {  // a partial record proves nothing either way
    judge(report, options, *record);
  }
  return report;
}

ScenarioRunner setup_queue(CLI::App& app) {
  auto options = std::make_shared<QueueOptions>();
  add_count_option(app, "--producers", options->producers, "how many tasks put items", 1, 1000);
  add_count_option(app, "--consumers", options->consumers, "how many tasks get them", 1, 1000);
  add_count_option(app, "--items", options->items, "how many items in all", 1, kMaxItems);
  add_count_option(app, "--maxsize", options->maxsize,
                   "the most items the queue holds (0: unbounded)", 0, kMaxItems);
  add_duration_option(app, "--produce", options->produce, "how long making one item takes");
  add_duration_option(app, "--consume", options->consume, "how long working on one takes");
  return [options](const RunContext& context) { return run_queue(*options, context); };
}

// What the queue's event log keeps to (ScenarioEntry::lesson_events): each put and get as the
// items go through, each wait on the queue (a producer on put, a consumer on get), each end,
// and main.
bool is_through_the_queue(const Event& event, const Timeline& timeline) {
  const bool of_main = timeline.parent(event.task) == kNoParent;
  const bool on_the_queue =
      event.kind == EventKind::suspended &&
      (event.wait == WaitKind::queue_put || event.wait == WaitKind::queue_get);
  return of_main || on_the_queue || event.kind == EventKind::note || ends_task(event.kind);
}

}  // namespace

ScenarioEntry queue_scenario() {
  return {kName, kLesson,
          "asyncdemo queue\n"
          "asyncdemo queue --maxsize 0\n"
          "asyncdemo queue --producers 1 --consumers 4 --items 8\n"
          "asyncdemo queue --items 10000 --produce 0 --consume 0 --quiet",
          &setup_queue, &is_through_the_queue};
}

}  // namespace asyncdemo
