"""asyncdemo timeout, in asyncio 3.11: asyncio.wait_for on slow work. At the deadline the work is
cancelled, its cleanup (which itself awaits) runs to the end, and only then does wait_for raise
TimeoutError. With several tasks, they run in a TaskGroup under the one deadline."""

import argparse
import asyncio

from record import duration, durations, run


async def worker(i, work, cleanup):
    try:
        await asyncio.sleep(work)
    except asyncio.CancelledError:
        await asyncio.sleep(cleanup)  # e.g. closing a connection politely
        raise  # swallowing the cancel would hide the timeout
    return i


async def all_workers(record, delays, cleanup):
    async with asyncio.TaskGroup() as tg:  # on cancellation it waits for every cleanup
        for i, work in enumerate(delays, 1):
            record.task(worker(i, work, cleanup), f"work-{i}", tg.create_task)
    return len(delays)


async def main(record, args):
    record.start_main()
    delays = args.delays or [args.work] * args.n
    if len(delays) == 1:
        work = record.task(worker(1, delays[0], args.cleanup), "work")
    else:
        work = record.task(all_workers(record, delays, args.cleanup), "all-work")
    try:
        await asyncio.wait_for(work, args.timeout)
    except TimeoutError:
        pass  # the lesson: it came after the deadline, by the cleanup


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=duration, default=10.0)
    parser.add_argument("--timeout", type=duration, default=2.0)
    parser.add_argument("--cleanup", type=duration, default=0.1)
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--delays", type=durations)
    args = parser.parse_args()
    run(lambda record: main(record, args))
