"""Python asyncio peer of `asyncdemo semaphore`: N tasks, each `async with` an
asyncio.Semaphore(LIMIT) around asyncio.sleep(DELAY), gathered; the plain idiomatic program,
with no per-task record (asyncdemo records a full timeline).

usage: python3 semaphore.py N LIMIT DELAY_MS
prints one JSON line: {"n", "limit", "elapsed_s"}, elapsed from the first task created to the
last one done.
"""

import asyncio
import json
import sys
import time


async def worker(semaphore, seconds):
    async with semaphore:
        await asyncio.sleep(seconds)


async def main(n, limit, seconds):
    start = time.perf_counter()
    semaphore = asyncio.Semaphore(limit)
    await asyncio.gather(*(worker(semaphore, seconds) for _ in range(n)))
    print(json.dumps({"n": n, "limit": limit, "elapsed_s": time.perf_counter() - start}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000))
