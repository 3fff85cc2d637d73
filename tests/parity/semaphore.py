"""asyncdemo semaphore, in asyncio: N tasks, at most K inside `async with semaphore` at once; the
others wait their turn, first come first served."""

import argparse
import asyncio

from record import duration, run


async def throttled(i, semaphore, delay):
    async with semaphore:
        await asyncio.sleep(delay)
    return i


async def main(record, args):
    record.start_main()
    semaphore = asyncio.Semaphore(args.limit)
    tasks = [record.task(throttled(i, semaphore, args.delay), f"task-{i}")
             for i in range(1, args.n + 1)]
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--limit", type=int, default=3)
    parser.add_argument("--delay", type=duration, default=1.0)
    args = parser.parse_args()
    run(lambda record: main(record, args))
