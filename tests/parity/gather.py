"""asyncdemo gather, in asyncio: N tasks at once; on an error, the policy decides what happens to
the others. propagate is asyncio.gather, collect is gather(return_exceptions=True),
cancel-siblings is a TaskGroup; --sequential awaits the tasks one after another instead."""

import argparse
import asyncio

from record import duration, durations, run


async def worker(i, delay, fails):
    await asyncio.sleep(delay)
    if fails:
        raise RuntimeError(f"task-{i} failed")
    return i


async def concurrently(record, n, work, on_error):
    if on_error == "cancel-siblings":
        try:
            async with asyncio.TaskGroup() as tg:
                for i in range(1, n + 1):
                    record.task(work(i), f"task-{i}", tg.create_task)
        except* RuntimeError:
            pass  # the TaskGroup cancelled the others and waited for them, then raised
        return
    tasks = [record.task(work(i), f"task-{i}") for i in range(1, n + 1)]
    try:
        await asyncio.gather(*tasks, return_exceptions=on_error == "collect")
    except RuntimeError:
        await asyncio.wait(tasks)  # gather raised, but did not cancel the others: they run on


async def sequentially(record, n, work, on_error):
    for i in range(1, n + 1):
        task = record.task(work(i), f"task-{i}")  # a task: a name
        try:
            await task
        except RuntimeError:
            if on_error != "collect":
                break  # like `for t in tasks: await t`: the first error ends the loop


async def main(record, args):
    record.start_main()
    delays = args.delays or [args.delay] * args.n

    def work(i):
        return worker(i, delays[i - 1], i == args.fail)

    if args.sequential:
        await sequentially(record, len(delays), work, args.on_error)
    else:
        await concurrently(record, len(delays), work, args.on_error)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--delay", type=duration, default=1.0)
    parser.add_argument("--delays", type=durations)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--on-error", default="propagate",
                        choices=["propagate", "collect", "cancel-siblings"])
    parser.add_argument("--sequential", action="store_true")
    args = parser.parse_args()
    run(lambda record: main(record, args))
