"""asyncdemo cancel, in asyncio: cancel() is a request, delivered as CancelledError at the task's
next await, and its cleanup runs. Work already handed to a thread (asyncio.to_thread) cannot be
stopped: the task moves on at once, the thread runs to its end, and asyncio.run waits for it.

--swallow: each worker's job has a length (--work), and a worker that gets CancelledError cleans
up, swallows it and beats on until its job is done, then returns its value: the task ends done,
not cancelled, and main's gather gets the value. (Not with --offload: a cancelled worker cannot
await its thread's result again, so there is no job left to run on to.)"""

import argparse
import asyncio
import math
import time

from record import duration, run


async def heartbeats(args, until=math.inf):
    """A beat every args.beat until the loop's clock reaches `until` (the last beat shorter)."""
    loop = asyncio.get_running_loop()
    while (left := until - loop.time()) > 0:
        await asyncio.sleep(min(args.beat, left))


async def work_loop(args, job_done_at):
    if args.offload:
        await asyncio.to_thread(time.sleep, args.work)
        return
    await heartbeats(args, job_done_at)


async def worker(i, args):
    # With --swallow the job has a length: it is done --work after the worker starts.
    job_done_at = asyncio.get_running_loop().time() + args.work if args.swallow else math.inf
    try:
        await work_loop(args, job_done_at)
    except asyncio.CancelledError:
        await asyncio.sleep(args.cleanup)
        if not args.swallow:
            raise
        await heartbeats(args, job_done_at)  # swallowed: the job goes on to its end
    return i


async def main(record, args, results):
    record.start_main()
    tasks = [record.task(worker(i, args), f"worker-{i}")
             for i in range(1, args.n + 1)]
    await asyncio.sleep(args.after)
    for task in tasks:
        task.cancel()
    ended = await asyncio.gather(*tasks, return_exceptions=True)  # wait for every cleanup
    results += [{"cancelled": True} if isinstance(result, asyncio.CancelledError) else result
                for result in ended]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--after", type=duration, default=1.5)
    parser.add_argument("--beat", type=duration, default=0.5)
    parser.add_argument("--cleanup", type=duration, default=0.1)
    parser.add_argument("--offload", action="store_true")
    parser.add_argument("--work", type=duration, default=3.0)
    parser.add_argument("--swallow", action="store_true")
    args = parser.parse_args()
    if args.swallow and args.offload:
        parser.error("--swallow does not go with --offload")
    results = []
    run(lambda record: main(record, args, results), results)
