"""asyncdemo queue, in asyncio: producers put items into an asyncio.Queue and consumers get them,
first in, first out. With a maxsize, producers that outrun the consumers wait on put
(backpressure). The producers end, join waits until every item is done with, and the consumers,
idle in their get, are cancelled, as in the asyncio documentation's queue example.

Named queue_program.py, not queue.py, which would hide the standard library's queue module."""

import argparse
import asyncio

from record import duration, run


async def producer(p, queue, args):
    for number in range(p, args.items + 1, args.producers):  # items dealt out in turn
        await asyncio.sleep(args.produce)  # making it
        await queue.put(number)  # waits while the queue is full


async def consumer(queue, args, got):
    while True:
        number = await queue.get()  # waits while it is empty
        got.append(number)
        await asyncio.sleep(args.consume)  # working on it
        queue.task_done()


async def main(record, args, results):
    record.start_main()
    queue = asyncio.Queue(args.maxsize)
    got = []
    consumers = [record.task(consumer(queue, args, got), f"consumer-{c}")
                 for c in range(1, args.consumers + 1)]
    producers = [record.task(producer(p, queue, args), f"producer-{p}")
                 for p in range(1, args.producers + 1)]
    await asyncio.gather(*producers)
    await queue.join()  # every item put is done with
    for idle in consumers:
        idle.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    results.append({"done": len(got), "got_order": got})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--producers", type=int, default=2)
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--maxsize", type=int, default=2)
    parser.add_argument("--produce", type=duration, default=0.1)
    parser.add_argument("--consume", type=duration, default=0.3)
    args = parser.parse_args()
    results = []
    run(lambda record: main(record, args, results), results)
