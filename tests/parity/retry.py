"""asyncdemo retry, in asyncio: N clients call a flaky service that serves --capacity calls per
--window and turns the rest away; each retries after an exponential backoff (--base doubling up
to --cap), with --jitter none, full or equal, and gives up after --max-attempts calls. The
service and the jitter are asyncdemo's own, drawn the same way (splitmix64 over the seed, the
client, the attempt and the purpose), so both programs make the same random choices whatever
order the clients run in.

results: [{"client": "none-1", "attempts": 1, "answered": true}, ...] in submission order, per
mode in the order run: as asyncdemo's results."""

import argparse
import asyncio
import itertools

from record import duration, run

MODES = ["none", "full", "equal"]
MASK = (1 << 64) - 1
JITTER, ERROR = 1, 2  # what a draw is for


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def draw(seed, client, attempt, purpose):
    """A number in [0, 1), the same as asyncdemo's seeded_draw."""
    h = splitmix64(seed)
    for part in (client, attempt, purpose):
        h = splitmix64(h ^ part)
    return (h >> 11) * 2.0 ** -53


class ServiceUnavailable(Exception):
    pass


class FlakyService:
    """A token window: `capacity` calls served per `window` seconds from `start`, the rest
    turned away; of those served, `error_rate` fail at random."""

    def __init__(self, args, start):
        self.args, self.start = args, start
        self.window, self.served = 0, 0

    def call(self, client, attempt):
        now = asyncio.get_running_loop().time() - self.start
        window = int(now // self.args.window)
        if window != self.window:
            self.window, self.served = window, 0
        if self.served >= self.args.capacity:
            return "turned away"
        self.served += 1
        if self.args.error_rate > 0 and draw(self.args.seed, client, attempt, ERROR) < \
                self.args.error_rate:
            return "error"
        return "served"


def backoff(args, mode, client, failures):
    ceiling = min(args.cap, args.base * 2 ** (failures - 1))
    low = {"none": ceiling, "full": 0.0, "equal": ceiling / 2}[mode]
    return low + draw(args.seed, client, failures, JITTER) * (ceiling - low)


async def client(args, mode, service, i):
    for attempt in itertools.count(1):
        answer = service.call(i, attempt)
        await asyncio.sleep(args.latency)  # the round trip
        if answer == "served":
            return attempt
        if attempt == args.max_attempts:
            raise ServiceUnavailable(f"gave up after {attempt} attempts")
        await asyncio.sleep(backoff(args, mode, i, attempt))


async def phase(record, args, mode, results):
    service = FlakyService(args, asyncio.get_running_loop().time())
    tasks = [record.task(client(args, mode, service, i), f"{mode}-{i}")
             for i in range(1, args.n + 1)]
    answers = await asyncio.gather(*tasks, return_exceptions=True)
    for i, answer in enumerate(answers, start=1):
        given_up = isinstance(answer, ServiceUnavailable)
        results.append({"client": f"{mode}-{i}",
                        "attempts": args.max_attempts if given_up else answer,
                        "answered": not given_up})


async def main(record, args, results):
    record.start_main()
    for mode in MODES if args.jitter == "all" else [args.jitter]:  # one phase after another
        await phase(record, args, mode, results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--capacity", type=int, default=1)
    parser.add_argument("--window", type=duration, default=0.1)
    parser.add_argument("--latency", type=duration, default=0.01)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base", type=duration, default=0.1)
    parser.add_argument("--max-attempts", type=int, default=6)
    parser.add_argument("--cap", type=duration, default=5.0)
    parser.add_argument("--jitter", default="all", choices=[*MODES, "all"])
    args = parser.parse_args()
    results = []
    run(lambda record: main(record, args, results), results)
