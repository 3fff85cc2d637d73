"""asyncdemo probe, in asyncio: concurrent getaddrinfo (the loop's, on the default executor), at
most --limit at once, results taken as they complete (asyncio.as_completed). Each task's result
is its status, FOUND or NOT FOUND. The parity cases give only localhost and loopback addresses,
which are answered without the network."""

import argparse
import asyncio
import socket

from record import duration, run


async def probe_one(name, timeout, limit):
    async with limit:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.getaddrinfo(name, None), timeout)
            return "FOUND"
        except socket.gaierror as error:
            return "NOT FOUND" if error.errno == socket.EAI_NONAME else "ERROR"
        except TimeoutError:
            return "TIMEOUT"


async def main(record, args, statuses):
    record.start_main()
    limit = asyncio.Semaphore(args.limit)
    if args.sequential:
        for name in args.names:
            statuses[name] = await record.task(probe_one(name, args.timeout, limit), name)
        return
    tasks = [record.task(probe_one(name, args.timeout, limit), name) for name in args.names]
    for next_done in asyncio.as_completed(tasks):
        await next_done
    for name, task in zip(args.names, tasks):
        statuses[name] = task.result()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--timeout", type=duration, default=5.0)
    parser.add_argument("--sequential", action="store_true")
    args = parser.parse_args()
    statuses = {}
    run(lambda record: main(record, args, statuses), results=statuses)
