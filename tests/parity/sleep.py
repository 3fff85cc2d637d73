"""asyncdemo sleep, in asyncio: the same N sleeps three ways. time.sleep() holds the loop, so the
sleeps add up; asyncio.sleep() overlaps them; asyncio.to_thread(time.sleep) overlaps them as far
as the default executor has threads."""

import argparse
import asyncio
import time

from record import duration, run


async def blocking_sleeper(i, delay):
    time.sleep(delay)  # holds the loop: nothing else runs meanwhile
    return i


async def async_sleeper(i, delay):
    await asyncio.sleep(delay)
    return i


async def thread_sleeper(i, delay):
    await asyncio.to_thread(time.sleep, delay)
    return i


SLEEPERS = {"blocking": blocking_sleeper, "async": async_sleeper, "threads": thread_sleeper}


async def main(record, args):
    record.start_main()
    modes = list(SLEEPERS) if args.mode == "all" else [args.mode]
    for mode in modes:  # one phase after another
        sleeper = SLEEPERS[mode]
        tasks = [record.task(sleeper(i, args.delay), f"{mode}-{i}")
                 for i in range(1, args.n + 1)]
        await asyncio.gather(*tasks)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--delay", type=duration, default=1.0)
    parser.add_argument("--mode", default="all", choices=["blocking", "async", "threads", "all"])
    args = parser.parse_args()
    run(lambda record: main(record, args))
