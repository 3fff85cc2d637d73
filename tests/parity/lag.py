"""asyncdemo lag, in asyncio: don't block the loop with CPU work. Each offload mode is a phase: a
heartbeat task ticks every --tick and measures how late each tick wakes, while J jobs each count
primes for --cost of CPU time (or below --size).

  inline   count_primes runs in the task itself and holds the loop: the jobs run back to back in
           one iteration, and the tick that fell due meanwhile is late by about J x cost - tick.
           It is the last tick: in the next iteration gather's callback runs before the expired
           timer's, so main (which sets stop) resumes before the heartbeat, which then ends.
  thread   asyncio.to_thread: the loop stays free, the heartbeat on time. The GIL lets one thread
           run Python at a time (handed over every 5 ms), so J jobs take about J x cost together.
           asyncdemo's threads have no GIL unless run with --gil; the parity cases pass it.
  process  run_in_executor on a ProcessPoolExecutor: on time, and the jobs run in parallel as far
           as there are cores. The pool is created and warmed up (one trivial job) before main's
           clock starts, so its workers' start-up is not measured; asyncdemo starts a fresh
           process per job instead (as many at once as the pool has workers, os.cpu_count()),
           so its process jobs end a few ms later.

results: {"jobs": [{"job": "inline-1", "primes": N, "cpu_s": x}, ...] in submission order,
"modes": {mode: {"max_lag_s": x, "ticks": n, "elapsed_s": x}}}, as asyncdemo's results and
figures.modes. Only the job names and each mode's max_lag_s are comparable: how many primes fit in
the CPU time, and how many ticks in the phase, depend on the machine."""

import argparse
import asyncio
import concurrent.futures
import functools
import time

from record import duration, run

MODES = ["inline", "thread", "process"]
CHECK_EVERY = 1000  # candidates between two looks at the CPU time used


def is_prime(n):
    divisor = 2
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 1
    return n >= 2


def count_primes(cost=None, size=None):
    """CPU-bound: trial division counting primes upward from 2, until this thread has used `cost`
    seconds of CPU (checked every CHECK_EVERY candidates), or below `size`. Returns
    (primes_counted, cpu_seconds_used)."""
    started = time.thread_time()
    primes = 0
    candidate = 2
    while True:
        if size is not None:
            if candidate >= size:
                break
        elif (candidate - 2) % CHECK_EVERY == 0 and time.thread_time() - started >= cost:
            break
        if is_prime(candidate):
            primes += 1
        candidate += 1
    return primes, time.thread_time() - started


async def heartbeat(tick, stop, lags):
    loop = asyncio.get_running_loop()
    while not stop[0]:  # a flag main sets once the work is done
        expected = loop.time() + tick
        await asyncio.sleep(tick)
        lags.append(loop.time() - expected)  # how late this tick was


async def crunch(mode, work, processes):
    if mode == "inline":
        return count_primes(**work)  # blocks the loop
    if mode == "thread":
        return await asyncio.to_thread(count_primes, **work)
    return await asyncio.get_running_loop().run_in_executor(
        processes, functools.partial(count_primes, **work))


async def phase(record, mode, args, work, processes, results):
    loop = asyncio.get_running_loop()
    started = loop.time()
    stop, lags = [False], []
    beat = record.task(heartbeat(args.tick, stop, lags), f"{mode}-beat")  # created first
    jobs = [record.task(crunch(mode, work, processes), f"{mode}-{i}")
            for i in range(1, args.jobs + 1)]
    counted = await asyncio.gather(*jobs)
    stop[0] = True
    await beat  # it ends after its current tick: the late tick is recorded
    results["jobs"] += [{"job": f"{mode}-{i}", "primes": primes, "cpu_s": cpu_s}
                        for i, (primes, cpu_s) in enumerate(counted, 1)]
    results["modes"][mode] = {"max_lag_s": max(lags), "ticks": len(lags),
                              "elapsed_s": loop.time() - started}


async def main(record, args, work, processes, results):
    record.start_main()
    for mode in MODES if args.offload == "all" else [args.offload]:  # one phase after another
        await phase(record, mode, args, work, processes, results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1)
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument("--cost", type=duration, default=0.5)
    amount.add_argument("--size", type=int)
    parser.add_argument("--tick", type=duration, default=0.1)
    parser.add_argument("--offload", default="all", choices=[*MODES, "all"])
    args = parser.parse_args()
    work = {"size": args.size} if args.size is not None else {"cost": args.cost}
    results = {"jobs": [], "modes": {}}
    with concurrent.futures.ProcessPoolExecutor() as processes:
        processes.submit(int).result()  # warm-up: the workers start now, before main's clock
        run(lambda record: main(record, args, work, processes, results), results)
