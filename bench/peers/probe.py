"""Python asyncio peer of `asyncdemo probe`: resolve every name of a file with
loop.getaddrinfo (the default thread-pool executor), at most LIMIT at once under an
asyncio.Semaphore, results taken with as_completed; the plain idiomatic program. The hints are
asyncdemo's (any family, SOCK_STREAM: one entry per address).

usage: python3 probe.py FILE LIMIT
prints one JSON line: {"names", "found", "not_found", "errors", "elapsed_s"}, elapsed from the
first lookup submitted to the last answer.
"""

import asyncio
import json
import socket
import sys
import time


async def probe(loop, semaphore, name):
    async with semaphore:
        try:
            await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
            return "found"
        except socket.gaierror as error:
            if error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                return "not_found"
            return "errors"


async def main(path, limit):
    with open(path, encoding="utf-8") as lines:
        names = [line.strip() for line in lines if line.strip()]
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    semaphore = asyncio.Semaphore(limit)
    counts = {"found": 0, "not_found": 0, "errors": 0}
    for done in asyncio.as_completed([probe(loop, semaphore, name) for name in names]):
        counts[await done] += 1
    elapsed = time.perf_counter() - start
    print(json.dumps({"names": len(names), **counts, "elapsed_s": elapsed}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
