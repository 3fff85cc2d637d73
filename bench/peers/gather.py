"""Python asyncio peer of `asyncdemo gather`: asyncio.gather of N asyncio.sleep coroutines, the
plain idiomatic program. It records nothing per task (asyncdemo records a full timeline),
except the wake time in overshoot mode.

usage: python3 gather.py N DELAY_MS [overshoot]
prints one JSON line: {"n", "elapsed_s"} and, in overshoot mode, the wake time minus the
deadline (time.perf_counter() before the sleep + DELAY_MS) as p50/p99/min/max in ms.
"""

import asyncio
import json
import math
import sys
import time


async def timed_sleep(seconds):
    deadline = time.perf_counter() + seconds
    await asyncio.sleep(seconds)
    return (time.perf_counter() - deadline) * 1000


def nearest_rank(ordered, p):
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


async def main(n, seconds, overshoot):
    start = time.perf_counter()
    work = timed_sleep if overshoot else asyncio.sleep
    results = await asyncio.gather(*(work(seconds) for _ in range(n)))
    report = {"n": n, "elapsed_s": time.perf_counter() - start}
    if overshoot:
        ms = sorted(results)
        report["overshoot_ms"] = {"p50": nearest_rank(ms, 0.5), "p99": nearest_rank(ms, 0.99),
                                  "min": ms[0], "max": ms[-1]}
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]) / 1000, len(sys.argv) > 3))
