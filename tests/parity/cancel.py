"""asyncdemo cancel, in asyncio: cancel() is a request, delivered as CancelledError at the task's
next await, and its cleanup runs. Work already handed to a thread (asyncio.to_thread) cannot be
stopped: the task moves on at once, the thread runs to its end, and asyncio.run waits for it."""

import argparse
import asyncio
import time

from record import duration, run


async def work_loop(args):
    if args.offload:
        await asyncio.to_thread(time.sleep, args.work)
        return
    while True:  # heartbeats
        await asyncio.sleep(args.beat)


async def worker(i, args):
    try:
        await work_loop(args)
    except asyncio.CancelledError:
        await asyncio.sleep(args.cleanup)
        raise
    return i


async def main(record, args):
    record.start_main()
    tasks = [record.task(worker(i, args), f"worker-{i}")
             for i in range(1, args.n + 1)]
    await asyncio.sleep(args.after)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)  # wait for every cleanup


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--after", type=duration, default=1.5)
    parser.add_argument("--beat", type=duration, default=0.5)
    parser.add_argument("--cleanup", type=duration, default=0.1)
    parser.add_argument("--offload", action="store_true")
    parser.add_argument("--work", type=duration, default=3.0)
    args = parser.parse_args()
    run(lambda record: main(record, args))
