"""asyncdemo lock, in asyncio: N tasks each make --increments read-await-write increments of a
shared counter. Unguarded, the tasks read the same value before any of them writes it back, and
each write overwrites the others': updates are lost. With --lock, asyncio.Lock lets one task at a
time from its read to its write: the count is exact, and the sections run one after another, first
come first served (a task that releases the lock and asks again queues behind those waiting).

--deadlock: two tasks take lock-a and lock-b in opposite order, so each waits for the other's.
Here asyncio waits forever, so only the --timeout form has a program: wait_for's deadline
cancels the TaskGroup of the two, each leaves its async with, and TimeoutError comes."""

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


async def take_both(first, second, delay):
    async with first:
        await asyncio.sleep(delay)  # meanwhile the other task takes its first lock
        async with second:  # ...and now each waits for the other's
            pass


async def both_tasks(record, locks, delay):
    a, b = locks
    async with asyncio.TaskGroup() as tg:  # on cancellation it waits for both to leave
        record.task(take_both(a, b, delay), "task-1", tg.create_task)
        record.task(take_both(b, a, delay), "task-2", tg.create_task)
    return 2


async def deadlock(record, args, results):
    record.start_main()
    both = record.task(both_tasks(record, (asyncio.Lock(), asyncio.Lock()), args.delay), "both")
    try:
        await asyncio.wait_for(both, args.timeout)
    except TimeoutError:
        results.append({"error": "TimeoutError"})
    else:
        results.append({"value": 2})


async def main(record, args, results):
    if args.deadlock:
        await deadlock(record, args, results)
        return
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
    parser.add_argument("--deadlock", action="store_true")
    parser.add_argument("--timeout", type=duration)
    args = parser.parse_args()
    results = []
    run(lambda record: main(record, args, results), results)
