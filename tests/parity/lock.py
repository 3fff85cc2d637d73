"""asyncdemo lock, in asyncio: N tasks each make --increments read-await-write increments of a
shared counter. Unguarded, the tasks read the same value before any of them writes it back, and
each write overwrites the others': updates are lost. With --lock, asyncio.Lock lets one task at a
time from its read to its write: the count is exact, and the sections run one after another, first
come first served (a task that releases the lock and asks again queues behind those waiting)."""

import argparse
import asyncio
import contextlib

from record import duration, run


counter = 0


async def incrementer(i, lock, increments, delay):
    global counter
    for _ in range(increments):
        async with lock:  # --lock; without it, a no-op context: the same lines unguarded
            seen = counter
            await asyncio.sleep(delay)  # sleep(0) still yields: the race happens all the same
            counter = seen + 1
    return i


async def main(record, args, results):
    record.start_main()
    lock = asyncio.Lock() if args.lock else contextlib.nullcontext()
    tasks = [record.task(incrementer(i, lock, args.increments, args.delay), f"task-{i}")
             for i in range(1, args.n + 1)]
    await asyncio.gather(*tasks)
    results.append({"counter": counter})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--increments", type=int, default=3)
    parser.add_argument("--delay", type=duration, default=0.1)
    parser.add_argument("--lock", action="store_true")
    args = parser.parse_args()
    results = []
    run(lambda record: main(record, args, results), results)
