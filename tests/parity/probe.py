"""asyncdemo probe, in asyncio: concurrent getaddrinfo (the loop's, on the default executor), at
most --limit at once, results taken as they complete (asyncio.as_completed). Each task's result
is its status, FOUND or NOT FOUND. The parity cases give only localhost and loopback addresses,
which are answered without the network, or use the fake resolver (--resolver fake, --hosts FILE):
then the loop's getaddrinfo is replaced by a coroutine that sleeps the answer's latency and
answers as asyncdemo's does (scenarios/fake_dns.hpp: a hosts file, or a hash of each name)."""

import argparse
import asyncio
import ipaddress
import socket

from record import duration, run

MASK = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def key(name):
    """How the fake resolver compares names: ASCII lowercase, without a trailing dot."""
    return (name[:-1] if name.endswith(".") else name).lower()


def under(name, domain):
    return name == domain or name.endswith("." + domain)


def hashed_answer(name):
    """(latency_s, outcome, addresses), as asyncdemo's hashed_answer makes them up."""
    name = key(name)
    if under(name, "localhost"):
        return 0.0, "found", ["127.0.0.1", "::1"]
    try:
        return 0.0, "found", [str(ipaddress.ip_address(name))]
    except ValueError:
        pass
    if under(name, "invalid"):
        return 0.0, "not-found", []
    h = 0
    for byte in name.encode():
        h = splitmix64(h ^ byte)
    latency = (20 + h % 181) / 1000
    if (h >> 32) % 3 == 0:
        return latency, "not-found", []
    return latency, "found", [f"198.51.100.{1 + (h >> 16) % 254}"]


def hosts_answers(path):
    """The hosts file's answers by name: NAME LATENCY OUTCOME [ADDRESS...] a line."""
    answers = {}
    with open(path, encoding="utf-8") as hosts:
        for line in hosts:
            fields = line.split("#")[0].split()
            if fields:
                answers[key(fields[0])] = (duration(fields[1]), fields[2], fields[3:])
    return answers


def fake_getaddrinfo(answer_of):
    """loop.getaddrinfo as the fake resolver answers: after the latency, addresses or gaierror;
    no-answer never answers (only wait_for's timeout or a cancel ends the wait)."""
    async def getaddrinfo(host, port, **_):
        latency, outcome, addresses = answer_of(host)
        if outcome == "no-answer":
            await asyncio.get_running_loop().create_future()
        await asyncio.sleep(latency)
        if outcome == "not-found":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if outcome == "temporary-failure":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0)) for address in addresses]
    return getaddrinfo


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
    if args.resolver == "fake" or args.hosts:
        answers = hosts_answers(args.hosts) if args.hosts else {}
        answer_of = ((lambda name: answers.get(key(name), (0.0, "not-found", [])))
                     if args.hosts else hashed_answer)
        asyncio.get_running_loop().getaddrinfo = fake_getaddrinfo(answer_of)
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
    parser.add_argument("--resolver", choices=["system", "fake"], default="system")
    parser.add_argument("--hosts")
    args = parser.parse_args()
    statuses = {}
    run(lambda record: main(record, args, statuses), results=statuses)
