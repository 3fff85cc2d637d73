"""asyncdemo timeout, in asyncio 3.11: asyncio.wait_for on slow work. At the deadline the work is
cancelled, its cleanup (which itself awaits) runs to the end, and only then does wait_for raise
TimeoutError. With several tasks, they run in a TaskGroup under the one deadline.

--swallow: the work catches CancelledError, cleans up and returns its value anyway. wait_for then
returns that value, late by the cleanup, and raises no TimeoutError. Not so in a TaskGroup: the
group's own task was cancelled, and the group re-raises that once its tasks have ended, whatever
they returned. Nor with a timeout of 0: the task is cancelled before its first step, so its body,
and the except clause in it, never runs."""

import argparse
import asyncio

from record import duration, durations, run


async def worker(i, work, cleanup, swallow):
    try:
        await asyncio.sleep(work)
    except asyncio.CancelledError:
        await asyncio.sleep(cleanup)  # e.g. closing a connection politely
        if not swallow:
            raise  # swallowing the cancel would hide the timeout
        # --swallow: no raise. The cancel is swallowed, and the value returned all the same.
    return i


async def all_workers(record, delays, cleanup, swallow):
    async with asyncio.TaskGroup() as tg:  # on cancellation it waits for every cleanup
        for i, work in enumerate(delays, 1):
            record.task(worker(i, work, cleanup, swallow), f"work-{i}", tg.create_task)
    return len(delays)


async def main(record, args, results):
    record.start_main()
    delays = args.delays or [args.work] * args.n
    if len(delays) == 1:
        work = record.task(worker(1, delays[0], args.cleanup, args.swallow), "work")
    else:
        work = record.task(all_workers(record, delays, args.cleanup, args.swallow), "all-work")
    try:
        value = await asyncio.wait_for(work, args.timeout)
    except TimeoutError:
        results.append({"error": "TimeoutError"})  # the lesson: after the deadline, by the cleanup
    else:
        results.append({"value": value})  # in time, or late by a cleanup that swallowed the cancel


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=duration, default=10.0)
    parser.add_argument("--timeout", type=duration, default=2.0)
    parser.add_argument("--cleanup", type=duration, default=0.1)
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--delays", type=durations)
    parser.add_argument("--swallow", action="store_true")
    args = parser.parse_args()
    results = []
    run(lambda record: main(record, args, results), results)
