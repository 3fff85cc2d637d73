#!/usr/bin/env python3
"""The sweep (issue 14, item 5): random option combinations of every scenario, each run as
`asyncdemo SCENARIO OPTIONS --virtual-time --check --json`, held to two rules.

    sweep.py --asyncdemo BUILD/asyncdemo          the sweep (ASYNCDEMO_SWEEP_SEED, _RUNS)
    sweep.py --asyncdemo BUILD/asyncdemo --list   the commands it would run, one a line

1. A run without a fault passes its own --check: exit 0, no error, every claim held.
2. Every number the run says is one its record gives. The record is the JSON's tasks and
   events (in integer nanoseconds); the sentences are its takeaways and comparisons:
   - every sentence that quotes a number has a known form below, and each number in it is
     checked against the record by that form: a count of tasks that failed, were cancelled,
     finished, queued or ran on is the number of tasks with that outcome; "at 2s" is the
     time of the event it names; "ran for 100ms" the distance between two events; a ratio
     the ratio of the figures it compares, as printed ({:.2f});
   - besides, every duration quoted must be an event's time or the distance between two
     event times (within 1 us), unless its form says what else it is: an option (a deadline
     that nothing reached), a mean, a real-time latency (probe, whose lookups the virtual
     clock does not see), a heartbeat's lag (lag: a tick's resume less its due time, which
     format_measured prints to three significant digits), a CPU time added up over jobs, or a
     constant (the GIL's 5ms switch interval);
   - the figures: elapsed_s is the last event's time; each task's start, end and outcome are
     those of its events; sequential_s the sum of the tasks' own work, ideal_s the shortest
     run of that work, overhead_s = max(0, elapsed - ideal) (never negative), speedup =
     sequential / elapsed (null or positive); max_in_flight and max_loop_stall_s as the
     events give them; and the scenario's own figures (timeout's returned_s and overrun_s,
     cancel's counts, semaphore's waits, probe's counts and completion order, lag's figures
     for each --offload phase: elapsed, ticks, worst and p99 lag, how long the jobs held the
     loop, the longest step and its task, CPU time, jobs at once; retry's calls replayed from
     each client's notes: the calls and what each window served, never over --capacity, each
     backoff within its jitter's bounds, every client's attempts and outcome, the finish times;
     server's requests, latencies and handlers at once from the clients' and handlers' events).

The combinations come from a seeded generator: a fixed list of edges (zero durations, ties,
--n 1, a limit above n, a cancel after the work ended, timeouts equal to the work, --fail on
the first and last task with each --on-error, --sequential, more thread work than pool
threads, --swallow on timeout and cancel, lag's work shorter than a tick, equal to one and
none at all, more jobs than cores, the GIL with one job and several; retry with one client, room
for all, no latency, every call failing, one attempt), then random ones around
them. The seed is printed on failure, with the way to replay it (the edges sized by the thread
pool use this machine's pool, so a replay is exact on the same machine; each failure also
prints its command). n stays at 50 or below (lag: 9 jobs at most, of 1s each), and each run is
instant on the virtual clock: the sweep takes a few seconds. probe runs with `localhost`, IPv4
literals and names that the fake resolver (the default on the virtual clock) makes up answers
for, found or not after 20ms to 200ms, some past a short --timeout: no name goes to DNS.

Left out, and why: `cancel --beat 0`. A worker whose heartbeat is `await sleep(0)` is always
ready, so the virtual clock, which jumps only when nothing can run, never reaches the cancel:
the run spins (millions of events a minute) instead of ending.

Exit status: 0 every run kept both rules; 1 one did not (each failure is printed with its
command); 2 the sweep itself could not run (no binary, a bad argument).
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import json
import math
import os
import random
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

SEED_VARIABLE = "ASYNCDEMO_SWEEP_SEED"
RUNS_VARIABLE = "ASYNCDEMO_SWEEP_RUNS"
DEFAULT_SEED = 14005
DEFAULT_RUNS = 320  # edges included
RUN_TIMEOUT_S = 30
MICRO_NS = 1000  # "within 1 us"
SCENARIOS = ("sleep", "gather", "timeout", "cancel", "semaphore", "lock", "queue", "probe",
             "lag", "retry", "server")

# --- durations ----------------------------------------------------------------------------------

UNIT_NS = {"ns": 1, "us": 1000, "µs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
           "h": 3600 * 10**9}
DURATION_TOKEN = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)(?![\w])")


def ns_of(text: str) -> int:
    """Nanoseconds of a duration as asyncdemo writes one: 0, 150ms, 1.5s, 2.004s, 250us."""
    if text == "0":
        return 0
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    whole, _, frac = m.group(1).partition(".")
    unit = UNIT_NS[m.group(2)]
    return int(whole) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)


def ns_of_seconds(seconds: float) -> int:
    return round(seconds * 1e9)


def arg(ms: int) -> str:
    """A duration of whole milliseconds in the asyncdemo syntax: 0, 250ms, 1s, 1.5s, 2.004s."""
    if ms == 0:
        return "0"
    if ms < 1000:
        return f"{ms}ms"
    if ms % 1000 == 0:
        return f"{ms // 1000}s"
    return f"{ms / 1000:g}s"


def format_seconds(seconds: float) -> str:
    """format_seconds (scenarios/durations.cpp): whole milliseconds in the short forms, else three decimals."""
    rounded_ms = float(int(abs(seconds) * 1e3 + 0.5)) * (1 if seconds >= 0 else -1)
    if abs(seconds * 1e3 - rounded_ms) < 1e-6:
        if rounded_ms != 0 and abs(rounded_ms) < 1000:
            return f"{rounded_ms:g}ms"
        return f"{rounded_ms / 1e3:g}s"
    return f"{seconds:.3f}s"


def format_measured(ns: int) -> str:
    """format_measured (scenarios/durations.cpp): three significant digits, the unit that reads
    best, no decimals past 100."""
    if ns < 0:
        return "-" + format_measured(-ns)
    place = 1
    while ns // place >= 1000:
        place *= 10
    rounded = (ns + place // 2) // place * place
    for unit_ns, suffix in ((1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")):
        if rounded >= unit_ns:
            value = rounded / unit_ns
            return f"{value:.0f}{suffix}" if value >= 100 else f"{value:.3g}{suffix}"
    return f"{rounded}ns" if rounded else "0s"


def printed_ratio_matches(printed: str, ratio: float) -> bool:
    """A ratio printed {:.2f}, against the exact one (allowing for the last bit either way)."""
    return any(f"{ratio * k:.2f}" == printed for k in (1 - 1e-12, 1.0, 1 + 1e-12))


# --- the combinations ---------------------------------------------------------------------------

PROBE_NAMES = ("localhost", "127.0.0.1", "127.0.0.2", "10.20.30.40", "192.0.2.7",
               # The fake resolver's made-up answers (scenarios/fake_dns.hpp): found in 32ms,
               # 66ms, 72ms; not found in 174ms, 120ms, 115ms.
               "def.dev", "none.dev", "true.dev", "and.dev", "elif.dev", "else.dev")
POLICIES = ("propagate", "collect", "cancel-siblings")
SPECIAL_MS = (0, 1, 50, 100, 250, 300, 400, 500, 1000, 1500, 2000, 3000)


def edges(pool: int) -> list[list[str]]:
    """The combinations every sweep runs: the edges where the narration is easiest to get wrong."""
    cases = [
        # sleep: a zero delay, one sleep, the pool exactly full and one over.
        "sleep --n 1 --delay 0", "sleep --n 1 --delay 1s", "sleep --n 3 --delay 0 --mode threads",
        f"sleep --n {pool} --delay 100ms --mode threads",
        f"sleep --n {pool + 1} --delay 100ms --mode threads",
        f"sleep --n {2 * pool + 1} --delay 0 --mode all",
        "sleep --n 4 --delay 1.5s --mode blocking",
        "sleep --n 5 --delay 250ms --mode async", "sleep --n 2 --delay 2.004s",
        # gather: --n 1, ties, zeros, the first and the last task failing under each policy.
        "gather --n 1", "gather --n 3", "gather --n 3 --delay 0", "gather --delays 2s,1s,3s",
        "gather --n 3 --sequential", "gather --delays 0,0,1s --sequential",
        "gather --delays 1s,1s,2s --fail 1 --on-error cancel-siblings",
        "gather --delays 3s,2s,1s --fail 3 --on-error cancel-siblings",
        "gather --delays 0,0,0 --fail 2 --on-error cancel-siblings",
        # timeout: the deadline at 0, on the work exactly, after it; a zero cleanup; several tasks.
        "timeout", "timeout --work 1s --timeout 1s", "timeout --timeout 0",
        "timeout --work 0 --timeout 0", "timeout --work 0 --timeout 1s",
        "timeout --work 1s --timeout 2s", "timeout --work 3s --timeout 1s --cleanup 0",
        "timeout --delays 1s,3s,5s --timeout 2s", "timeout --delays 1s,2s,3s --timeout 2s",
        "timeout --delays 1s,1s --timeout 1s", "timeout --n 3 --work 500ms --timeout 1s",
        "timeout --n 3 --timeout 0", "timeout --delays 0,5s --timeout 1s --cleanup 0",
        # timeout --swallow: a lone task returns its value late; a TaskGroup re-raises; a zero
        # timeout cancels before the except clause could run; a tie; work that beats the deadline.
        "timeout --swallow", "timeout --work 1s --timeout 1s --swallow",
        "timeout --timeout 0 --swallow", "timeout --work 1s --timeout 2s --swallow",
        "timeout --work 3s --timeout 1s --cleanup 0 --swallow",
        "timeout --delays 1s,3s,5s --timeout 2s --swallow",
        "timeout --delays 3s,5s --timeout 2s --swallow", "timeout --n 3 --timeout 0 --swallow",
        # cancel: the cancel after the work ended, on its end exactly, at 0, on a heartbeat;
        # more thread work than pool threads, cancelled before and after the first round.
        "cancel", "cancel --offload", "cancel --offload --after 400ms --work 300ms",
        "cancel --offload --after 300ms --work 300ms", "cancel --offload --after 0 --work 1s",
        "cancel --offload --after 1s --work 0", "cancel --after 0", "cancel --cleanup 0",
        "cancel --n 1 --after 1s --beat 1s",
        "cancel --n 1 --offload --after 1s --work 2s --cleanup 0",
        f"cancel --offload --n {pool + 2} --after 1s --work 2s",
        f"cancel --offload --n {pool + 2} --after 3s --work 2s",
        f"cancel --offload --n {pool + 2} --after 1s --work 1s",
        f"cancel --offload --n {pool + 2} --after 0 --work 0",
        # cancel --swallow: the workers run on to the end of their jobs; a job done before the
        # cancel, on its very moment, already due when the cleanup ends; a cancel at 0.
        "cancel --swallow", "cancel --n 1 --swallow --after 1s --work 3s",
        "cancel --swallow --after 2s --work 1s", "cancel --swallow --after 1s --work 1s",
        "cancel --swallow --after 1s --work 1.05s --cleanup 200ms",
        "cancel --swallow --after 1s --work 1s --cleanup 0",
        "cancel --swallow --after 0 --work 1s", "cancel --swallow --after 0 --work 0",
        "cancel --swallow --cleanup 0 --beat 1s --work 2.5s",
        # semaphore: one task, a limit equal to n and above it, zero delays.
        "semaphore", "semaphore --n 1 --limit 1", "semaphore --n 5 --limit 10",
        "semaphore --n 5 --limit 5", "semaphore --n 5 --limit 1 --delay 0",
        "semaphore --n 10 --limit 3 --delay 0", "semaphore --n 50 --limit 7 --delay 10ms",
        # lock: one task, one increment each, no delay (sleep(0) still yields), with the lock.
        "lock", "lock --lock", "lock --n 1", "lock --n 1 --lock", "lock --delay 0",
        "lock --delay 0 --lock", "lock --n 2 --increments 1", "lock --n 7 --increments 1 --lock",
        "lock --n 5 --increments 4 --delay 10ms",
        # lock --deadlock: at once, with a deadline after it, before it, on it, and at 0.
        "lock --deadlock", "lock --deadlock --delay 0", "lock --deadlock --timeout 1s",
        "lock --deadlock --timeout 50ms", "lock --deadlock --timeout 100ms",
        "lock --deadlock --timeout 0", "lock --deadlock --delay 0 --timeout 0",
        # queue: bounded and not, one item, more consumers than items, no delays at all.
        "queue", "queue --maxsize 0", "queue --items 1", "queue --maxsize 1 --producers 3",
        "queue --consumers 9 --items 3", "queue --produce 0 --consume 0 --items 20",
        "queue --produce 300ms --consume 100ms",
        # probe: no DNS. The fake resolver's classic nineteen names, with timeouts, a limit of
        # one and one after another.
        "probe localhost", "probe 127.0.0.1", "probe localhost 127.0.0.1 127.0.0.2 --limit 1",
        "probe localhost 127.0.0.1 --sequential", "probe", "probe --timeout 100ms --limit 3",
        "probe --limit 1", "probe --sequential --timeout 50ms",
        # lag: the three offloads; no work at all; work shorter than a tick, equal to one (a
        # tie), twenty ticks long; the GIL with several jobs and with one; more jobs than the
        # process pool and than the cores.
        "lag", "lag --cost 0", "lag --jobs 1 --offload inline --cost 50ms",
        "lag --offload inline --cost 100ms --tick 100ms", "lag --tick 1ms --cost 20ms",
        "lag --jobs 5 --offload thread --gil", "lag --jobs 5 --offload process",
        "lag --jobs 9 --offload thread", "lag --jobs 1 --offload thread --gil",
        # retry: the defaults; one client; room for everyone; no latency; every call failing;
        # one attempt only; a cap at the base; windows shorter than a call.
        "retry", "retry --n 1", "retry --n 5 --capacity 9", "retry --latency 0",
        "retry --error-rate 1 --n 3", "retry --max-attempts 1", "retry --cap 100ms",
        "retry --window 1ms --latency 5ms", "retry --n 50 --capacity 2 --error-rate 0.5",
        # server: both handlers; one client and one request; no delay; more clients than
        # start_server's backlog (the model line); many requests, blocking.
        "server", "server --blocking", "server --clients 1 --requests 1", "server --delay 0",
        "server --delay 0 --blocking", "server --clients 120 --requests 1 --delay 10ms",
        "server --clients 20 --requests 5 --blocking --delay 1ms",
    ]
    for policy in POLICIES:
        cases += [f"gather --n 1 --fail 1 --on-error {policy}",
                  f"gather --n 3 --fail 1 --on-error {policy}",
                  f"gather --n 3 --fail 3 --on-error {policy}",
                  f"gather --delays 2s,1s,3s --fail 2 --on-error {policy}",
                  f"gather --delays 2s,1s,3s --fail 2 --on-error {policy} --sequential",
                  f"gather --n 3 --fail 1 --on-error {policy} --sequential",
                  f"gather --n 3 --fail 3 --on-error {policy} --sequential",
                  f"gather --n 3 --delay 0 --fail 2 --on-error {policy}"]
    return [shlex.split(case) for case in cases]


def pick_ms(rng: random.Random, high: int = 3000, zero: bool = True) -> int:
    if rng.random() < 0.6:
        choices = [ms for ms in SPECIAL_MS if ms <= high and (zero or ms > 0)]
        return rng.choice(choices)
    return rng.randint(0 if zero else 1, high)


def random_sleep(rng: random.Random, pool: int) -> list[str]:
    n = rng.choice([1, 2, 3, pool, pool + 1, rng.randint(1, 50)])
    mode = rng.choice(["blocking", "async", "threads", "all"])
    return ["sleep", "--n", str(n), "--delay", arg(pick_ms(rng, 2000)), "--mode", mode]


def random_gather(rng: random.Random, pool: int) -> list[str]:
    if rng.random() < 0.5:
        n = rng.choice([1, 2, 3, rng.randint(1, 50)])
        options = ["--n", str(n), "--delay", arg(pick_ms(rng, 2000))]
    else:
        n = rng.randint(1, 12)
        palette = [pick_ms(rng, 3000) for _ in range(rng.randint(1, 3))]  # few values: ties
        options = ["--delays", ",".join(arg(rng.choice(palette)) for _ in range(n))]
    fail = rng.choice([0, 0, 1, n, rng.randint(1, n)])
    if fail:
        options += ["--fail", str(fail)]
    if fail or rng.random() < 0.3:
        options += ["--on-error", rng.choice(POLICIES)]
    if rng.random() < 0.25:
        options.append("--sequential")
    return ["gather", *options]


def random_timeout(rng: random.Random, pool: int) -> list[str]:
    if rng.random() < 0.5:
        works = [pick_ms(rng, 5000)]
        options = ["--work", arg(works[0])]
        if rng.random() < 0.4:
            options += ["--n", str(rng.randint(1, 8))]
    else:
        works = [pick_ms(rng, 5000) for _ in range(rng.randint(1, 8))]
        options = ["--delays", ",".join(arg(ms) for ms in works)]
    r = rng.random()
    timeout = rng.choice(works) if r < 0.3 else 0 if r < 0.4 else pick_ms(rng, 5000)
    options += ["--timeout", arg(timeout)]
    if rng.random() < 0.7:
        options += ["--cleanup", arg(pick_ms(rng, 1000))]
    if rng.random() < 0.3:
        options.append("--swallow")
    return ["timeout", *options]


def random_cancel(rng: random.Random, pool: int) -> list[str]:
    n = rng.choice([1, 2, 3, pool, pool + 2, rng.randint(1, 16)])
    after = pick_ms(rng, 3000)
    # --beat above 0 (see the module's docstring), and not so small that a run is all heartbeats.
    beat = max(pick_ms(rng, 1000, zero=False), after // 100, 1)
    if rng.random() < 0.15:
        beat = after or 1  # the heartbeat due as the cancel comes
    options = ["--n", str(n), "--after", arg(after), "--beat", arg(beat)]
    if rng.random() < 0.7:
        options += ["--cleanup", arg(pick_ms(rng, 1000))]
    r = rng.random()
    work = after if r < 0.25 else pick_ms(rng, 4000)
    r = rng.random()
    if r < 0.4:
        options += ["--offload", "--work", arg(work)]
    elif r < 0.65:  # not with --offload: a usage error
        options += ["--swallow", "--work", arg(work)]
    return ["cancel", *options]


def random_semaphore(rng: random.Random, pool: int) -> list[str]:
    n = rng.choice([1, 2, rng.randint(1, 50), rng.randint(1, 50)])
    limit = rng.choice([1, n, n + 1, rng.randint(1, 60), rng.randint(1, max(1, n // 2))])
    return ["semaphore", "--n", str(n), "--limit", str(limit), "--delay", arg(pick_ms(rng, 2000))]


def random_lock(rng: random.Random, pool: int) -> list[str]:
    if rng.random() < 0.2:
        options = ["--deadlock", "--delay", arg(pick_ms(rng, 1000))]
        if rng.random() < 0.6:
            options += ["--timeout", arg(pick_ms(rng, 2000))]
        return ["lock", *options]
    options = ["--n", str(rng.choice([1, 2, rng.randint(1, 20)])),
               "--increments", str(rng.choice([1, rng.randint(1, 10)])),
               "--delay", arg(pick_ms(rng, 1000))]
    if rng.random() < 0.5:
        options.append("--lock")
    return ["lock", *options]


def random_queue(rng: random.Random, pool: int) -> list[str]:
    return ["queue", "--producers", str(rng.randint(1, 4)), "--consumers", str(rng.randint(1, 4)),
            "--items", str(rng.choice([1, rng.randint(1, 30)])),
            "--maxsize", str(rng.choice([0, 1, rng.randint(1, 5)])),
            "--produce", arg(pick_ms(rng, 500)), "--consume", arg(pick_ms(rng, 500))]


def random_probe(rng: random.Random, pool: int) -> list[str]:
    names = rng.sample(PROBE_NAMES, rng.randint(1, len(PROBE_NAMES)))
    options = ["--limit", str(rng.choice([1, 2, 10, 1000]))]
    if rng.random() < 0.3:
        options.append("--sequential")
    if rng.random() < 0.3:
        options += ["--timeout", rng.choice(["50ms", "100ms", "120ms"])]
    return ["probe", *names, *options]


def random_lag(rng: random.Random, pool: int) -> list[str]:
    jobs = rng.choice([1, 2, rng.randint(1, 8)])
    cost = rng.choice([0, pick_ms(rng, 1000), rng.randint(0, 1000)])
    r = rng.random()
    # a tick equal to the work (a tie), the shortest, the default, or any up to 300ms
    tick = (cost if 1 <= cost <= 300 and r < 0.2 else 1 if r < 0.3 else 100 if r < 0.45
            else rng.randint(1, 300))
    options = ["--jobs", str(jobs), "--cost", arg(cost), "--tick", arg(tick),
               "--offload", rng.choice(["inline", "thread", "process", "all"])]
    if rng.random() < 0.5:
        options.append("--gil")
    return ["lag", *options]


def random_retry(rng: random.Random, pool: int) -> list[str]:
    base = rng.randint(1, 300)
    options = ["--n", str(rng.choice([1, 2, rng.randint(1, 50)])),
               "--capacity", str(rng.choice([1, 2, rng.randint(1, 20)])),
               "--window", arg(rng.choice([100, 1000, rng.randint(1, 2000)])),
               "--latency", arg(rng.choice([0, 10, rng.randint(0, 200)])),
               "--base", arg(base), "--cap", arg(rng.choice([base, base * 8, 5000])),
               "--max-attempts", str(rng.choice([1, 6, rng.randint(1, 12)])),
               "--seed", str(rng.randint(0, 2**32 - 1)),
               "--jitter", rng.choice(["none", "full", "equal", "all"])]
    if rng.random() < 0.4:
        options += ["--error-rate", rng.choice(["0.1", "0.5", "1", f"{rng.random():.3f}"])]
    return ["retry", *options]


def random_server(rng: random.Random, pool: int) -> list[str]:
    options = ["--clients", str(rng.choice([1, 3, rng.randint(1, 30)])),
               "--requests", str(rng.choice([1, 3, rng.randint(1, 6)])),
               "--delay", arg(rng.choice([0, 200, rng.randint(0, 300)]))]
    if rng.random() < 0.5:
        options.append("--blocking")
    return ["server", *options]


GENERATORS = ((random_sleep, 15), (random_gather, 30), (random_timeout, 20),
              (random_cancel, 20), (random_semaphore, 13), (random_lock, 10), (random_queue, 10),
              (random_probe, 2), (random_lag, 15), (random_retry, 15), (random_server, 10))


def combinations(seed: int, runs: int, pool: int) -> list[list[str]]:
    rng = random.Random(seed)
    cases = edges(pool)
    functions = [f for f, _ in GENERATORS]
    weights = [w for _, w in GENERATORS]
    while len(cases) < runs:
        cases.append(rng.choices(functions, weights)[0](rng, pool))
    return cases


# --- the record ---------------------------------------------------------------------------------

TERMINAL = {"done": "ok", "failed": "failed", "cancelled": "cancelled"}
QUEUE_WAITS = ("permit", "lock", "put", "get", "child")


class Record:
    """One run's JSON, with the times in integer nanoseconds and the questions the forms ask."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.params = doc["params"]
        self.tasks = doc["tasks"]
        self.events = doc["events"]
        for e in self.events:
            e["t"] = ns_of_seconds(e["t_s"])
        self.elapsed = ns_of_seconds(doc["elapsed_s"])
        self.times = sorted({e["t"] for e in self.events})
        self.by_name = {t["name"]: t for t in self.tasks}
        self.children = [t for t in self.tasks if t["parent"] is not None]
        self.root = next(t for t in self.tasks if t["parent"] is None)
        self.first = {}  # (task id, kind) -> the first such event
        for e in self.events:
            self.first.setdefault((e["task"], e["kind"]), e)

    def start(self, task: dict):
        e = self.first.get((task["id"], "start"))
        return None if e is None else e["t"]

    def end(self, task: dict):
        for kind in TERMINAL:
            e = self.first.get((task["id"], kind))
            if e is not None:
                return e["t"]
        return None

    def notes(self, prefix: str, tasks=None) -> list[dict]:
        ids = None if tasks is None else {t["id"] for t in tasks}
        return [e for e in self.events if e["kind"] == "note" and e.get("detail", "").startswith(
            prefix) and (ids is None or e["task"] in ids)]

    def events_of(self, task: dict, kind: str) -> list[dict]:
        return [e for e in self.events if e["task"] == task["id"] and e["kind"] == kind]

    def is_time(self, ns: int) -> bool:
        i = bisect.bisect_left(self.times, ns - MICRO_NS)
        return i < len(self.times) and self.times[i] <= ns + MICRO_NS

    def is_distance(self, ns: int) -> bool:
        return any(self.is_time(t + ns) for t in self.times)

    def own_work(self) -> dict:
        """kit's own work per task: running, or awaiting its work (sleep, thread, DNS, blocked)."""
        work = Counter()
        since = {}
        for e in self.events:
            if e["kind"] not in ("start", "resume", "await", *TERMINAL):
                continue
            if since.get(e["task"], -1) >= 0:
                work[e["task"]] += e["t"] - since[e["task"]]
            queues = e["kind"] == "await" and e.get("detail") in QUEUE_WAITS
            working = e["kind"] in ("start", "resume") or (e["kind"] == "await" and not queues)
            since[e["task"]] = e["t"] if working else -1
        return work

    def loop_figures(self) -> tuple[int, int]:
        """Timeline::loop_figures: the most non-root tasks alive at once, the longest step."""
        in_flight = most = stall = 0
        open_task, open_since, started = None, 0, set()
        for e in self.events:
            kind, task = e["kind"], e["task"]
            if kind in ("start", "resume"):
                if open_task != task:
                    open_task, open_since = task, e["t"]
            elif task == open_task and ((kind == "await" and e.get("detail") != "blocked")
                                        or kind in TERMINAL):
                stall = max(stall, e["t"] - open_since)
                open_task = None
            if kind == "start" and self.tasks[task]["parent"] is not None:
                started.add(task)
                in_flight += 1
                most = max(most, in_flight)
            elif kind in TERMINAL and task in started:
                in_flight -= 1
        return most, stall

    def most_at_once(self, opens, closes, tasks) -> int:
        """The most of `tasks` between an opening and a closing event, in the record's order."""
        ids = {t["id"] for t in tasks}
        count = most = 0
        for e in self.events:
            if e["task"] in ids:
                if opens(e):
                    count += 1
                    most = max(most, count)
                elif closes(e):
                    count -= 1
        return most


def wait_times(r: Record, detail: str) -> tuple[int, Counter]:
    """The awaits on `detail` (permit, lock, put, get): how many, and each task's time in them,
    from the await to its next step, or to its end if it was cancelled there."""
    since, waited, count = {}, Counter(), 0
    for e in r.events:
        if e["kind"] == "await" and e.get("detail") == detail:
            since[e["task"]] = e["t"]
            count += 1
        elif e["task"] in since and (e["kind"] == "resume" or e["kind"] in TERMINAL):
            waited[e["task"]] += e["t"] - since.pop(e["task"])
    return count, waited


def shortest_run(pieces: list[int], at_a_time: int) -> int:
    """kit's ideal: the pieces in order, each on the slot that frees first."""
    if not pieces:
        return 0
    if at_a_time >= len(pieces):
        return max(pieces)
    if at_a_time <= 1:
        return sum(pieces)
    frees = [0] * at_a_time
    last = 0
    for piece in pieces:
        end = heapq.heappop(frees) + piece
        heapq.heappush(frees, end)
        last = max(last, end)
    return last


# --- the sentences ------------------------------------------------------------------------------

PLACEHOLDER = {"D": r"\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)", "N": r"\d+", "R": r"\d+\.\d\d",
               "F": r"\d+\.\d",
               "Q": r'[^"]*', "L": r"[^()]*", "W": r"[a-z]+", "E": ""}


# The template's structure marks, each two characters, and the regular expression they stand for.
TEMPLATE_MARKERS = {"[[": "(?:", "]]": ")?", "((": "(?:", "))": ")", "||": "|"}


def compile_form(template: str) -> re.Pattern:
    """{name:D} a duration, {name:N} a count, {name:R} a ratio, {name:F} a rate (one decimal), {name:Q} quoted text,
    {name:L} a list, {name:W} a word, {name:E} nothing (a marker: was the optional part there?),
    {name:a|b} one of the words given; [[...]] is optional, ((a||b)) one of two; the rest
    is literal."""
    out, i = [], 0
    while i < len(template):
        marker = template[i:i + 2]
        if marker in TEMPLATE_MARKERS:
            out.append(TEMPLATE_MARKERS[marker])
            i += 2
        elif template[i] == "{":
            close = template.index("}", i)
            name, kind = template[i + 1:close].split(":", 1)
            if kind in PLACEHOLDER:
                out.append(f"(?P<{name}>{PLACEHOLDER[kind]})")
            else:  # one of the words given: {verb:was|were}, {ks:s|} (a plural s or nothing)
                out.append(f"(?P<{name}>{'|'.join(re.escape(w) for w in kind.split('|'))})")
            i = close + 1
        else:
            out.append(re.escape(template[i]))
            i += 1
    return re.compile("".join(out))


class Form:
    """A sentence a scenario prints, the checks of the numbers it quotes, and the durations in it
    that are not times of the record (`exempt`: an option, a mean, a real-time latency)."""

    def __init__(self, name: str, template: str, check, exempt=()):
        self.name = name
        self.regex = compile_form(template)
        self.check = check
        self.exempt = exempt


class Judge:
    """Collects what one run got wrong."""

    def __init__(self, record: Record):
        self.r = record
        self.problems: list[str] = []

    def fail(self, text: str):
        self.problems.append(text)

    def time(self, what: str, printed: str, ns):
        if ns is None:
            self.fail(f"{what}: the text says {printed}, but the record has no such moment")
        elif abs(ns_of(printed) - ns) > MICRO_NS:
            self.fail(f"{what}: the text says {printed}, the record gives "
                      f"{format_seconds(ns / 1e9)} ({ns / 1e9:.9f} s)")

    def count(self, what: str, printed, actual: int):
        if printed is None or int(printed) != actual:
            self.fail(f"{what}: the run says {printed}, its record gives {actual}")

    def true(self, what: str, holds: bool):
        if not holds:
            self.fail(what)


def plural(suffix, count, j: Judge, what: str):
    """The noun's plural s (the group {x:s|}: "s" or "") fits the count before it."""
    if (suffix == "s") != (int(count) != 1):
        j.fail(f"{what}: \"{count}\" with the noun in the {'plural' if suffix else 'singular'}")


# sleep ------------------------------------------------------------------------------------------

def phase(r: Record, mode: str) -> list[dict]:
    return [t for t in r.children if re.fullmatch(rf"{mode}-\d+", t["name"])]


def phase_elapsed(r: Record, mode: str):
    tasks = phase(r, mode)
    if not tasks:
        return None
    begin = min(r.first[(t["id"], "created")]["t"] for t in tasks)
    return max(r.end(t) for t in tasks) - begin


def sleep_length(r: Record, t: dict, mode: str):
    """How long one sleep of a phase lasted, from its events."""
    if mode == "threads":
        s, e = r.first.get((t["id"], "thread-start")), r.first.get((t["id"], "thread-end"))
    else:
        wait = "blocked" if mode == "blocking" else "sleep"
        s = next((e for e in r.events_of(t, "await") if e.get("detail") == wait), None)
        e = next((x for x in r.events_of(t, "resume") if s and x["t"] >= s["t"]), None)
    return None if s is None or e is None else e["t"] - s["t"]


def check_phase_figure(j: Judge, mode: str, printed: str):
    r = j.r
    elapsed = phase_elapsed(r, mode)
    j.time(f"{mode}: the phase's elapsed time", printed, elapsed)
    figure = r.doc["figures"].get("modes", {}).get(mode, {}).get("elapsed_s")
    if figure is not None and elapsed is not None and abs(ns_of_seconds(figure) - elapsed) > \
            MICRO_NS:
        j.fail(f"figures.modes.{mode}.elapsed_s is {figure}, the events give {elapsed / 1e9}")


def sleep_blocking(j: Judge, m):
    r, tasks = j.r, phase(j.r, "blocking")
    j.count("blocking: the number of sleeps", m["n"], len(tasks))
    for t in tasks:
        j.time(f"blocking: the sleep of {t['name']}", m["delay"], sleep_length(r, t, "blocking"))
    for a, b in zip(tasks, tasks[1:]):
        j.true(f"blocking: {b['name']} started before {a['name']} had finished",
               r.start(b) is not None and r.start(b) >= r.end(a))
    check_phase_figure(j, "blocking", m["elapsed"])


def sleep_async(j: Judge, m):
    r, tasks = j.r, phase(j.r, "async")
    j.count("async: the number that slept", m["n"] if m["n"] is not None else 1,
            sum(t["outcome"] == "ok" for t in tasks))
    starts, ends = [r.start(t) for t in tasks], [r.end(t) for t in tasks]
    j.true("async: \"all slept at once\", but the sleeps did not overlap",
           bool(tasks) and max(starts) <= min(ends))
    check_phase_figure(j, "async", m["elapsed"])


def sleep_threads(j: Judge, m):
    r, tasks = j.r, phase(j.r, "threads")
    j.count("threads: the number of sleeps", m["n"], len(tasks))
    plural(m["ns"], m["n"], j, "threads: the sleeps")
    j.count("threads: the pool size", m["pool"], r.doc["thread_pool"]["threads"])
    most = r.most_at_once(lambda e: e["kind"] == "thread-start",
                          lambda e: e["kind"] == "thread-end", tasks)
    j.count("threads: the most sleeps on pool threads at once (thread-start .. thread-end)",
            m["at_once"], most)
    check_phase_figure(j, "threads", m["elapsed"])


def sleep_faster(j: Judge, m):
    fast, slow = phase_elapsed(j.r, m["fast"]), phase_elapsed(j.r, m["slow"])
    if fast is None or slow is None:
        j.fail(f"compares {m['fast']} with {m['slow']}, but the record has no such phase")
    elif fast == 0:
        j.fail(f"\"{m['fast']} ran {m['r']}x faster than {m['slow']}\": {m['fast']} took 0s "
               f"and {m['slow']} {format_seconds(slow / 1e9)}, a ratio with no value "
               "(the summary's speedup is null for it)")
    elif not printed_ratio_matches(m["r"], slow / fast):
        j.fail(f"{m['fast']} vs {m['slow']}: the text says {m['r']}x, the events give "
               f"{slow / fast:.4f}x ({slow / 1e9} s / {fast / 1e9} s)")


# gather -----------------------------------------------------------------------------------------

def gather_failure(j: Judge, m):
    """The failing task: its number, its time, the error; returns (task, failed at, others)."""
    r = j.r
    fail = int(m["f"])
    j.count("the failing task", m["f"], r.params.get("fail", 0))
    task = r.by_name.get(f"task-{fail}")
    if task is None:
        j.fail(f"task-{fail} is not in the record")
        return None, None, []
    j.true(f"task-{fail}'s outcome is {task['outcome']}, not failed", task["outcome"] == "failed")
    failed_at = r.end(task)
    if "t" in m.groupdict() and m["t"] is not None:
        j.time(f"when task-{fail} failed", m["t"], failed_at)
    if m.groupdict().get("msg") is not None:
        raised = r.doc["figures"].get("raised", "")
        j.true(f"the error quoted, \"{m['msg']}\", is not the one raised ({raised!r})",
               m["msg"] == f"task-{fail} failed" and raised.endswith(m["msg"]))
    others = [t for t in r.children if t is not task]
    return task, failed_at, others


def raised_at(r: Record, failed: dict):
    """When main heard: its first resume after the failing task's end."""
    index = r.events.index(r.first[(failed["id"], "failed")])
    return next((e["t"] for e in r.events[index:] if e["task"] == r.root["id"]
                 and e["kind"] == "resume"), None)


def gather_propagate(j: Judge, m):
    r = j.r
    task, failed_at, others = gather_failure(j, m)
    if task is None:
        return
    heard = raised_at(r, task)
    j.true(f"\"gather raised at once\", but main heard of it at "
           f"{None if heard is None else heard / 1e9} s, the failure was at {failed_at / 1e9} s",
           heard is not None and abs(heard - failed_at) <= MICRO_NS)
    j.count("the other tasks", m["others"] if m["others"] is not None else 0, len(others))
    running = [t for t in others if r.end(t) is not None and heard is not None and r.end(t) > heard]
    if m["running"] is None:
        j.true("\"the other tasks had all ended by then\", but "
               f"{len(running)} ended after gather raised", not running)
    else:
        j.count("the tasks still running when gather raised", m["running"], len(running))
        j.true("\"they ran on to the end\", but not all ended ok",
               all(t["outcome"] == "ok" for t in running))
    j.count("tasks cancelled (\"cancelled none\")", 0,
            sum(t["outcome"] == "cancelled" for t in others))


def gather_collect(j: Judge, m):
    r = j.r
    task, failed_at, others = gather_failure(j, m)
    cancelled = sum(t["outcome"] == "cancelled" for t in others)
    j.count("tasks cancelled", m["k"] if m["k"] is not None else 0, cancelled)
    if m["k"] is not None:
        plural(m["ks"], m["k"], j, "collect: the cancelled")
    j.true("\"gather waited for all\", but main ended before a task",
           r.end(r.root) >= max((r.end(t) or 0) for t in r.children))


def gather_cancel_siblings(j: Judge, m):
    r = j.r
    task, failed_at, others = gather_failure(j, m)
    if task is None:
        return
    cancelled = [t for t in others if t["outcome"] == "cancelled"]
    if m["k"] is not None:
        j.count("the tasks the group cancelled", m["k"], len(cancelled))
        plural(m["ks"], m["k"], j, "cancel-siblings: the cancelled")
        j.true("it/them does not fit the count", (m["them"] == "it") == (m["k"] == "1"))
        j.true("a task the group cancelled had ended before the failure",
               all(r.end(t) >= failed_at for t in cancelled))
    else:
        j.count("tasks cancelled (\"found no task still running to cancel\")", 0, len(cancelled))
    same = [t for t in others if t["outcome"] == "ok" and abs(r.end(t) - failed_at) <= MICRO_NS]
    j.count("the tasks that ended in the same loop iteration as the failure",
            m["m"] if m["m"] is not None else 0, len(same))
    if m["m"] is not None:
        plural(m["ms"], m["m"], j, "cancel-siblings: the same-iteration")
    ran_on = [t for t in others if t["outcome"] == "ok" and r.end(t) > failed_at + MICRO_NS]
    j.true(f"{len(ran_on)} task(s) ran on past the failure under a TaskGroup", not ran_on)


def gather_sequential_collect(j: Judge, m):
    r = j.r
    gather_failure(j, m)
    ran = [t for t in r.children if r.start(t) is not None]
    j.count("the tasks that ran", m["k"], len(ran))
    j.count("the tasks that ran, against --n", m["k"], r.params["n"])
    plural(m["ks"], m["k"], j, "one by one: the tasks that ran")


def gather_sequential_stop(j: Judge, m):
    r = j.r
    gather_failure(j, m)
    started = [t for t in r.children if r.start(t) is not None]
    j.count("the tasks that never started", m["k"], r.params["n"] - len(started))
    late = [t for t in started if int(t["name"].split("-")[1]) > int(m["f"])]
    j.true(f"a task after the failed one started: {[t['name'] for t in late]}", not late)
    plural(m["ks"], m["k"], j, "one by one: the tasks that never started")


def ratio_to_sequential(j: Judge, m, what: str):
    r = j.r
    sequential = sum(r.own_work()[t["id"]] for t in r.children)
    if r.elapsed == 0:
        j.fail(f"{what}: a ratio over an elapsed time of 0s")
    elif not printed_ratio_matches(m["r"], sequential / r.elapsed):
        j.fail(f"{what}: the text says {m['r']}x, the events give {sequential / r.elapsed:.4f}x "
               f"({sequential / 1e9} s of work in {r.elapsed / 1e9} s)")


def gather_faster(j: Judge, m):
    ratio_to_sequential(j, m, "gather vs one by one")


# timeout ----------------------------------------------------------------------------------------

def work_tasks(r: Record) -> list[dict]:
    return [t for t in r.tasks if re.fullmatch(r"work(-\d+)?", t["name"])]


def planned_work(r: Record) -> list[int]:
    if "delays" in r.params:
        return [ns_of(x) for x in r.params["delays"].split(",")]
    return [ns_of(r.params["work"])] * r.params["n"]


def outcome_note(r: Record, text: str):
    notes = r.notes(text, [r.root])
    return notes[0]["t"] if notes else None


def check_tie(j: Judge, m):
    r = j.r
    tie = max(planned_work(r)) == ns_of(r.params["timeout"])
    said = m["tie"] is not None
    j.true("the text says the work was due with the deadline" if said else
           "the work was due with the deadline, and the text does not say so", said == tie)


def timeout_returned(j: Judge, m):
    r, work = j.r, work_tasks(j.r)
    deadline = ns_of(r.params["timeout"])
    j.time("the deadline (the option)", m["d"], deadline)
    back = outcome_note(r, "finished in time")
    j.time("when wait_for returned (its \"finished in time\")", m["r"], back)
    j.time("when the work was done", m["r"], max((r.end(t) for t in work), default=None))
    j.true("\"before the deadline\", but the work was not done before it",
           back is not None and back < deadline)
    j.true("\"wait_for returned its result\", but a work task did not end ok",
           all(t["outcome"] == "ok" for t in work))
    no_cancel = bool(r.params.get("swallow")) and not r.notes("CancelledError: cleanup")
    j.true("the text says there was no cancel to swallow" if m["sw"] is not None else
           "--swallow, and the deadline never fired, but the text does not say so",
           (m["sw"] is not None) == no_cancel)


def timeout_before_start(j: Judge, m):
    r, work = j.r, work_tasks(j.r)
    j.time("the deadline", m["d"], ns_of(r.params["timeout"]))
    j.time("when TimeoutError came", m["r"], outcome_note(r, "TimeoutError"))
    check_tie(j, m)
    j.true("\"cancelled it before it ran\", but a work task started: "
           f"{[t['name'] for t in work if r.start(t) is not None]}",
           all(r.start(t) is None for t in work))
    j.true("\"no cleanup ran\", but one did", not r.notes("CancelledError: cleanup"))
    j.true("the text speaks of an except clause that would have swallowed the cancel" if m["sw"]
           is not None else "--swallow, and the text does not say that its except clause never ran",
           (m["sw"] is not None) == bool(r.params.get("swallow")))
    j.true("a work task swallowed the cancel before it ran", not r.notes(SWALLOWED_NOTE))


def timeout_cancelled(j: Judge, m):
    r, work = j.r, work_tasks(j.r)
    deadline = ns_of(r.params["timeout"])
    j.time("the deadline", m["d"], deadline)
    check_tie(j, m)
    notes = r.notes("CancelledError: cleanup", work)
    for note in notes:
        j.time(f"when CancelledError reached {r.tasks[note['task']]['name']} (\"the deadline passed "
               "at\")", m["d"], note["t"])
    single = m["f"] is None
    j.true(f"the text speaks of {'one task' if single else 'several'}, the record has "
           f"{len(work)} work task(s)", single == (len(work) == 1))
    j.true("\"its\"/\"their\" does not fit the number of tasks still running",
           (m["whose"] == "its") == (len(notes) == 1))
    cancelled = [t for t in work if t["outcome"] == "cancelled"]
    if single:
        j.true("\"the work got CancelledError\", but it did not end cancelled",
               len(cancelled) == 1 and len(notes) == 1)
    else:
        finished = [t for t in work if t["outcome"] == "ok"]
        j.count("the tasks that finished in time", m["f"], len(finished))
        j.true("a task \"finished in time\" ended after the deadline",
               all(r.end(t) <= deadline for t in finished))
        j.count("the tasks still running that got CancelledError", m["k"], len(notes))
        j.count("the tasks still running that ended cancelled", m["k"], len(cancelled))
        plural(m["fs"], m["f"], j, "timeout: finished")
        plural(m["ks"], m["k"], j, "timeout: still running")
        j.true("\"its await\"/\"their awaits\" does not fit the number still running",
               (m["aw"] == "its await") == (m["k"] == "1"))
    cleanup = max((r.end(r.tasks[n["task"]]) - n["t"] for n in notes), default=None)
    j.time("how long the cleanup ran (its CancelledError to its end)", m["c"], cleanup)
    back = outcome_note(r, "TimeoutError")
    j.true("\"only then did wait_for raise\", but it raised before a cleanup ended",
           back is not None and all(back >= r.end(t) for t in cancelled))
    j.time("how far past the deadline TimeoutError came", m["o"],
           None if back is None else back - deadline)


SWALLOWED_NOTE = "swallowed the cancel"  # both scenarios: a worker that caught it and went on


def swallowed_cancel(j: Judge, m, work):
    """What the two timeout forms of --swallow share: the deadline cancelled each task still
    running, and each ran its cleanup, swallowed the cancel and returned its value (ended ok).
    Returns the tasks that swallowed it and when control came back."""
    r = j.r
    deadline = ns_of(r.params["timeout"])
    j.true("the text says the work swallowed the cancel, but --swallow was not given",
           bool(r.params.get("swallow")))
    j.time("the deadline", m["d"], deadline)
    check_tie(j, m)
    cancels = r.notes("CancelledError: cleanup", work)
    swallowers = [r.tasks[n["task"]] for n in r.notes(SWALLOWED_NOTE, work)]
    for note in cancels:
        j.time(f"when CancelledError reached {r.tasks[note['task']]['name']} (\"the deadline passed "
               "at\")", m["d"], note["t"])
    j.true("a task the deadline cancelled did not swallow it",
           {n["task"] for n in cancels} == {t["id"] for t in swallowers})
    j.true("a task that swallowed the cancel did not end ok",
           bool(swallowers) and all(t["outcome"] == "ok" for t in swallowers))
    cleanup = max((r.end(r.tasks[n["task"]]) - n["t"] for n in cancels), default=None)
    j.time("how long the cleanup ran (its CancelledError to its end)", m["c"], cleanup)
    return swallowers, deadline


def timeout_swallowed(j: Judge, m):
    r, work = j.r, work_tasks(j.r)
    swallowers, deadline = swallowed_cancel(j, m, work)
    j.true(f"the text speaks of one task, the record has {len(work)} work tasks",
           len(work) == 1 and len(swallowers) == 1)
    back = outcome_note(r, "returned late")
    j.true("\"wait_for returned that value instead of raising TimeoutError\", but it raised",
           outcome_note(r, "TimeoutError") is None and back is not None)
    j.true("wait_for returned before the work that swallowed the cancel had ended",
           back is not None and all(back >= r.end(t) for t in swallowers))
    j.time("how far past the deadline wait_for returned", m["o"],
           None if back is None else back - deadline)


def timeout_swallowed_group(j: Judge, m):
    r, work = j.r, work_tasks(j.r)
    swallowers, deadline = swallowed_cancel(j, m, work)
    group = r.by_name.get("all-work")
    j.true("\"the TaskGroup ... re-raised\", but the group's task did not end cancelled",
           group is not None and group["outcome"] == "cancelled")
    in_time = [t for t in work if t not in swallowers]
    j.count("the tasks that finished in time", m["f"], len(in_time))
    j.true("a task \"finished in time\" ended after the deadline, or not ok",
           all(t["outcome"] == "ok" and r.end(t) <= deadline for t in in_time))
    j.count("the tasks still running that swallowed the cancel", m["k"], len(swallowers))
    plural(m["fs"], m["f"], j, "timeout: finished")
    plural(m["ks"], m["k"], j, "timeout: still running")
    j.true("its await/their awaits, its/their, it/they and its value/their values do not fit "
           "the count", all((choice == one) == (m["k"] == "1") for choice, one in
                            ((m["aw"], "its await"), (m["whose"], "its"), (m["they"], "it"),
                             (m["vals"], "its value"))))
    back = outcome_note(r, "TimeoutError")
    j.true("\"wait_for raised TimeoutError all the same\", but it did not, or before the group "
           "ended", back is not None and group is not None and back >= r.end(group))
    j.time("how far past the deadline TimeoutError came", m["o"],
           None if back is None else back - deadline)


# cancel -----------------------------------------------------------------------------------------

def cancel_at(r: Record):
    notes = r.notes("cancel() all", [r.root])
    return notes[0]["t"] if notes else None


def swallowers_of(r: Record) -> set:
    """The ids of the workers that swallowed the cancel (--swallow): they ended ok after it."""
    return {n["task"] for n in r.notes(SWALLOWED_NOTE)}


def cancel_finished_first(j: Judge, m, workers, at):
    swallowed = swallowers_of(j.r)
    done = [t for t in workers if t["outcome"] == "ok" and t["id"] not in swallowed]
    j.count("the workers that had finished before the cancel",
            m["j"] if m["j"] is not None else 0, len(done))
    if m["j"] is not None:
        plural(m["js"], m["j"], j, "cancel: finished before it")
    j.true("a worker that \"had finished before\" the cancel ended after it",
           at is not None and all(j.r.end(t) <= at for t in done))


def cancel_nothing(j: Judge, m):
    r, workers = j.r, j.r.children
    at = cancel_at(r)
    j.time("when cancel() came", m["t"], at)
    j.count("the workers", m["n"], len(workers))
    plural(m["ns"], m["n"], j, "cancel: the workers")
    j.true("\"every result arrived\", but not every worker ended ok before the cancel",
           at is not None and all(t["outcome"] == "ok" and r.end(t) <= at for t in workers))


def cancel_delivered(j: Judge, m, cancelled, at):
    r = j.r
    for t in cancelled:
        notes = r.notes("CancelledError: cleanup", [t])
        j.true(f"{t['name']} ended cancelled but the record has no CancelledError for it", bool(notes))
        if notes:
            j.time(f"when CancelledError reached {t['name']} (\"at once\")", m["t"], notes[0]["t"])


def cancel_heartbeats(j: Judge, m):
    r, workers = j.r, j.r.children
    at = cancel_at(r)
    j.time("when cancel() came", m["t"], at)
    cancelled = [t for t in workers if t["outcome"] == "cancelled"]
    j.true(f"\"{m['who']}\" with {len(cancelled)} cancelled",
           bool(cancelled) and (m["who"] == "the worker") == (len(cancelled) == 1))
    cancel_delivered(j, m, cancelled, at)
    for t in cancelled:
        notes = r.notes("CancelledError: cleanup", [t])
        if notes:
            j.time(f"{t['name']}'s cleanup (its CancelledError to its end)", m["c"],
                   r.end(t) - notes[0]["t"])
    cancel_finished_first(j, m, workers, at)


def cancel_abandoned(j: Judge, m):
    r, workers = j.r, j.r.children
    at = cancel_at(r)
    j.time("when cancel() came", m["t"], at)
    cancelled = [t for t in workers if t["outcome"] == "cancelled"]
    j.count("the tasks cancelled", m["k"], len(cancelled))
    plural(m["ks"], m["k"], j, "cancel: cancelled")
    j.true("was/were does not fit the count", (m["verb"] == "was") == (len(cancelled) == 1))
    cancel_delivered(j, m, cancelled, at)
    # In the record's order: work running on a thread when cancel() came (thread-start before
    # the cancel's note, thread-end after it), work that had ended just before it (its task not
    # yet resumed), and work dropped from the queue.
    notes = r.notes("cancel() all", [r.root])
    cancel_index = r.events.index(notes[0]) if notes else len(r.events)
    position = {id(e): i for i, e in enumerate(r.events)}

    def index(t, kind, otherwise):
        e = r.first.get((t["id"], kind))
        return otherwise if e is None else position[id(e)]

    never = len(r.events)
    running = [t for t in cancelled if index(t, "thread-start", never) < cancel_index
               and index(t, "thread-end", never) > cancel_index]
    unclaimed = [t for t in cancelled if index(t, "thread-end", never) < cancel_index]
    dropped = [t for t in cancelled if (t["id"], "thread-drop") in r.first]
    if m["e"] is not None:
        said = len(cancelled) if m["r"] is None else int(m["r"])
        j.count("\"was already on pool threads\" (and ran on): the cancelled tasks whose thread "
                "work was running when cancel() came", said, len(running))
        if m["r"] is not None:
            plural(m["rs"], m["r"], j, "cancel: ran on")
        ends = [e["t"] for e in r.events if e["kind"] == "thread-end"]
        j.time("\"the threads ran on to\": the last thread-end", m["e"], max(ends, default=None))
    else:
        j.count("thread work running past the cancel, not said", 0, len(running))
    j.count("work that had just ended before the cancel",
            m["u"] if m["u"] is not None else 0, len(unclaimed))
    if m["u"] is not None:
        plural(m["us"], m["u"], j, "cancel: unclaimed")
        j.true("its/their does not fit the count", (m["tt"] == "its task") == (m["u"] == "1"))
    j.count("work dropped from the queue", m["d"] if m["d"] is not None else 0, len(dropped))
    if m["d"] is not None:
        plural(m["ds"], m["d"], j, "cancel: dropped")
    cancel_finished_first(j, m, workers, at)


def cancel_swallowed(j: Judge, m):
    r, workers = j.r, j.r.children
    at = cancel_at(r)
    j.time("when cancel() came", m["t"], at)
    j.true("the text says the workers swallowed the cancel, but --swallow was not given",
           bool(r.params.get("swallow")))
    swallowed = swallowers_of(r)
    reached = [t for t in workers if r.notes("CancelledError: cleanup", [t])]
    j.true("a worker the cancel reached did not swallow it",
           bool(reached) and {t["id"] for t in reached} == swallowed)
    j.true(f"\"{m['who']}\" with {len(reached)} that swallowed the cancel",
           (m["who"] == "the worker") == (len(reached) == 1))
    one = len(reached) == 1
    j.true("it/each and its value/every value do not fit the count",
           m["ended"] == ("it ended" if one else "each ended")
           and m["vals"] == ("its value" if one else "every value"))
    cancel_delivered(j, m, reached, at)
    work = ns_of(r.params["work"])
    ran_on = False
    for t in reached:
        cancelled = r.notes("CancelledError: cleanup", [t])[0]["t"]
        swallowed_at = r.notes(SWALLOWED_NOTE, [t])[0]["t"]
        j.time(f"{t['name']}'s cleanup (its CancelledError to its swallowing it)", m["c"],
               swallowed_at - cancelled)
        j.true(f"{t['name']} swallowed the cancel but did not end ok", t["outcome"] == "ok")
        job_done = r.start(t) + work
        ran_on = ran_on or job_done > swallowed_at
        j.true(f"{t['name']} ended at {r.end(t) / 1e9} s, not at its job's end "
               f"({job_done / 1e9} s) or its cleanup's ({swallowed_at / 1e9} s), whichever came "
               "later", abs(r.end(t) - max(job_done, swallowed_at)) <= MICRO_NS)
    j.true("\"beat on to the end of its job\", but every job was due when its cleanup ended"
           if m["e"] is not None else
           "\"returned at once, its job already due\", but a job was not yet due", ran_on ==
           (m["e"] is not None))
    j.time("the last worker's end", m["e"] or m["e2"], max((r.end(t) for t in reached),
                                                         default=None))
    cancel_finished_first(j, m, workers, at)


# semaphore --------------------------------------------------------------------------------------

def inside(r: Record) -> int:
    """The most tasks holding a permit at once, in the record's order: a task holds one from
    its start (if it did not queue) or from the resume that ends its wait, to its end."""
    queued = {e["task"] for e in r.events if e["kind"] == "await" and e.get("detail") == "permit"}
    waiting, holding, most = set(), 0, 0
    for e in r.events:
        task, kind = e["task"], e["kind"]
        if r.tasks[task]["parent"] is None:
            continue
        if kind == "await" and e.get("detail") == "permit":
            waiting.add(task)
        elif (kind == "start" and task not in queued) or (kind == "resume" and task in waiting):
            waiting.discard(task)
            holding += 1
            most = max(most, holding)
        elif kind in TERMINAL:
            holding -= 1
    return most


def waits(r: Record) -> list[int]:
    """Each task's wait for its permit, in submission order."""
    waited = wait_times(r, "permit")[1]
    return [waited[t["id"]] for t in r.children]


def semaphore_common(j: Judge, m):
    r = j.r
    j.count("the tasks", m["n"], len(r.children))
    plural(m["ns"], m["n"], j, "semaphore: the tasks")
    most = inside(r)
    j.count("the most inside at once (holding a permit, from the events)", m["m"], most)
    j.count("the most inside at once, against summary.max_in_flight", m["m"],
            r.doc["summary"]["max_in_flight"])
    j.true(f"more inside at once ({most}) than --limit {r.params['limit']}",
           most <= r.params["limit"])


def semaphore_none_queued(j: Judge, m):
    r = j.r
    semaphore_common(j, m)
    j.count("the permits", m["k"], r.params["limit"])
    queued = [t for t in r.children if any(e.get("detail") == "permit"
                                           for e in r.events_of(t, "await"))]
    j.count("tasks that queued (\"none queued\")", 0, len(queued))


def semaphore_queued(j: Judge, m):
    r = j.r
    semaphore_common(j, m)
    queued = [t for t in r.children if any(e.get("detail") == "permit"
                                           for e in r.events_of(t, "await"))]
    j.count("the tasks that queued for a permit", m["q"], len(queued))
    j.count("the tasks that went straight in", m["s"], len(r.children) - len(queued))
    waited = waits(r)
    j.time("the longest wait for a permit", m["w"], max(waited, default=0))
    mean = sum(w / 1e9 for w in waited) / len(waited) if waited else 0.0
    j.true(f"the mean wait: the text says {m['a']}, the events give {format_seconds(mean)} "
           f"({mean:.9f} s)", m["a"] == format_seconds(mean)
           or abs(ns_of(m["a"]) - mean * 1e9) <= MICRO_NS)


def semaphore_faster(j: Judge, m):
    j.count("the limit compared", m["k"], j.r.params["limit"])
    ratio_to_sequential(j, m, f"limit {m['k']} vs one at a time")


# lock -------------------------------------------------------------------------------------------

@dataclass
class Increments:
    """The counter, replayed from each task's notes "read V" and "wrote V ..." in record order."""
    counter: int = 0
    max_inside: int = 0  # tasks between their read and their write at once
    stale: int = 0  # writes on a counter changed since their read
    lost_notes: int = 0  # the updates the write notes say they wiped out


def increments(r: Record) -> Increments:
    replay, seen = Increments(), {}
    for e in r.events:
        text = e.get("detail", "") if e["kind"] == "note" else ""
        if text.startswith("read "):
            seen[e["task"]] = int(text.split()[1])
            replay.max_inside = max(replay.max_inside, len(seen))
        elif text.startswith("wrote "):
            read = seen.pop(e["task"])
            written = int(text.split()[1])
            if written != read + 1:
                raise ValueError(f"{text!r} after \"read {read}\"")
            if replay.counter != read:
                replay.stale += 1
                over = re.fullmatch(r"wrote \d+ over (\d+)(?:: (\d+) updates? lost)?", text)
                if over is None or int(over[1]) != replay.counter:
                    raise ValueError(f"{text!r} with the counter at {replay.counter}")
                replay.lost_notes += int(over[2] or 0)
            elif text != f"wrote {written}":
                raise ValueError(f"{text!r} with the counter unchanged since its read")
            replay.counter = written
    return replay


def lock_common(j: Judge, m) -> Increments:
    r = j.r
    try:
        replay = increments(r)
    except ValueError as error:
        j.fail(f"the notes do not replay: {error}")
        replay = Increments()
    if m["e"] is not None:
        j.count("the updates in all (N x M)", m["e"], r.params["n"] * r.params["increments"])
    j.count("the counter at the end", m["c"], replay.counter)
    return replay


def lock_race(j: Judge, m):
    r, replay = j.r, lock_common(j, m)
    j.true("\"without a lock\", but the run held one", not r.params["lock"])
    j.count("the most between their read and their write at once", m["m"], replay.max_inside)
    j.count("the writes on a counter changed since their read", m["w"], replay.stale)
    j.count("the updates lost", m["l"], r.params["n"] * r.params["increments"] - replay.counter)
    j.true("the write notes' lost updates do not add up to the updates lost",
           replay.lost_notes == int(m["l"]))
    j.true("its/their, was/were do not fit the counts",
           (m["whose"] == "its") == (m["w"] == "1") and (m["was"] == "was") == (m["l"] == "1"))
    plural(m["ws"], m["w"], j, "lock: the writes")


def lock_one_at_a_time(j: Judge, m):
    r, replay = j.r, lock_common(j, m)
    j.true("\"no two read-await-writes overlapped\", but some did", replay.max_inside <= 1)
    j.true("\"one task alone\" does not fit --n", (m["why"] == "one task alone cannot race")
           == (r.params["n"] == 1))
    j.true("the count is not exact", int(m["c"]) == int(m["e"]))


def lock_locked(j: Judge, m):
    r, replay = j.r, lock_common(j, m)
    j.true("\"with asyncio.Lock\", but the run held none", r.params["lock"])
    j.true("\"one task at a time\", but two overlapped", replay.max_inside <= 1)
    j.count("the updates counted", m["c"], replay.counter)
    plural(m["cs"], m["c"], j, "lock: the updates")
    queued, waited = wait_times(r, "lock")
    if m["q"] is None:
        j.true("\"no task had to queue for it\", but some did", queued == 0)
    else:
        j.count("the times a task queued for the lock", m["q"], queued)
        plural(m["qs"], m["q"], j, "lock: the times queued")
        j.time("the time queued for the lock in all", m["w"], sum(waited.values()))


def deadlock_links(r: Record) -> list[tuple[str, str, str]]:
    """(task, the lock it waits for, its holder), from the notes the deadlock left, by task."""
    links = []
    for note in r.notes("deadlock: waits for "):
        match = re.fullmatch(r"deadlock: waits for (\S+), held by (\S+)", note["detail"])
        if match:
            links.append((note["task"], r.tasks[note["task"]]["name"], match[1], match[2]))
    return [link[1:] for link in sorted(links)]


def deadlock_cycle(j: Judge, m):
    r = j.r
    links = deadlock_links(r)
    j.true(f"the cycle {m['links']!r} is not the one the notes give {links}",
           m["links"] == "; ".join(f"{t} waits for {lock}, held by {by}" for t, lock, by in links))
    holders = {lock: by for _, lock, by in links}
    j.true("the links do not close a cycle", len(links) >= 2 and all(
        any(t == holder for t, _, _ in links) for holder in holders.values()))
    j.time("when nothing could run again", m["d"], next((e["t"] for e in r.notes("deadlock:")),
                                                         None))
    for name in ("task-1", "task-2"):
        t = r.by_name.get(name)
        j.true(f"{name} did not end cancelled", t is not None and t["outcome"] == "cancelled")
    j.true(f"figures.cycle {r.doc['figures'].get('cycle')} is not the notes' cycle",
           [(c["task"], c["waits_for"], c["held_by"]) for c in r.doc["figures"].get("cycle", [])]
           == links)


def deadlock_deadline(j: Judge, m):
    r = j.r
    j.time("wait_for's deadline", m["d"] or m["d2"], ns_of(r.params["timeout"]))
    j.time("when TimeoutError came", m["r"], outcome_note(r, "TimeoutError"))
    took = [n for n in r.notes("took lock-")]
    asked_second = {e["task"] for e in r.events if e["kind"] == "await"
                    and e.get("detail") == "lock"} | {
        t for t in {n["task"] for n in took} if sum(n["task"] == t for n in took) == 2}
    if m["never"] is not None:
        j.true("\"no lock was ever taken\", but one was", not took)
        j.true("\"before it started them\", but a task ran",
               "task-1" not in r.by_name and "task-2" not in r.by_name)
    elif m["asked"] is not None:
        j.true(f"\"{m['asked']}\", but {len(asked_second)} had asked for its second lock",
               len(asked_second) == (0 if m["asked"] == "the tasks asked" else 1))
    else:
        j.true("\"each ... waited for the other's\", but the two did not both ask",
               len(asked_second) == 2)
    j.true("figures.timed_out is not true", r.doc["figures"].get("timed_out") is True)


# queue ------------------------------------------------------------------------------------------

def queue_replay(r: Record):
    """The items as put and as got, and the most in the queue, from the notes, in record order."""
    put, got, most = [], [], 0
    for note in r.notes(""):
        match = re.fullmatch(r"(put|got) item (\d+) \(queue: (\d+)\)", note["detail"])
        if match:
            (put if match[1] == "put" else got).append(int(match[2]))
            if match[1] == "put":
                most = max(most, int(match[3]))
    return put, got, most


def queue_waits(r: Record, detail: str) -> tuple[int, int]:
    """How many waits on put (or get), and for how long in all."""
    count, waited = wait_times(r, detail)
    return count, sum(waited.values())


def queue_story(j: Judge, m):
    r = j.r
    put, got, most = queue_replay(r)
    j.count("the items", m["n"], r.params["items"])
    plural(m["ns"], m["n"], j, "queue: the items")
    j.true(f"\"in the order they were put\", but put {put} and got {got}", put == got)
    j.count("the most in the queue", m["m"], most)
    j.true("\"of its K\"/\"(unbounded)\" does not fit --maxsize",
           (m["k"] is None) == (r.params["maxsize"] == 0)
           and (m["k"] is None or int(m["k"]) == r.params["maxsize"]))
    waits, waited = queue_waits(r, "put")
    if m["p"] is None:
        j.true("\"no put had to wait\", but one did", waits == 0)
    else:
        j.count("the waits on put", m["p"], waits)
        plural(m["ps"], m["p"], j, "queue: the waits on put")
        j.time("the time waited on put in all", m["pw"], waited)
    j.time("the time waited on get in all", m["gw"], queue_waits(r, "get")[1])
    consumers = [t for t in r.children if t["name"].startswith("consumer-")]
    j.count("the consumers cancelled", m["c"], sum(t["outcome"] == "cancelled" for t in consumers))
    plural(m["cs"], m["c"], j, "queue: the consumers")
    j.true("was/were does not fit", (m["was"] == "was") == (m["c"] == "1"))


# probe ------------------------------------------------------------------------------------------

def probe_tally(j: Judge, m):
    r = j.r
    rows = r.doc["results"]
    counts = r.doc["figures"].get("counts", {})
    j.count("the names", m["names"], len(rows))
    j.count("the names, against params.names", m["names"], r.params["names"])
    plural(m["namess"], m["names"], j, "probe: names")
    found = [row["name"] for row in rows if row.get("status") == "FOUND"]
    j.count("the names found (status FOUND)", m["f"], len(found))
    if m["list"] is not None:
        j.true(f"the names listed as found, {m['list']!r}, are not those FOUND: {found}",
               sorted(m["list"].split(", ")) == sorted(found))
    j.count("the names not found (status NOT FOUND)", m["nf"],
            sum(row.get("status") == "NOT FOUND" for row in rows))
    j.count("the errors, against figures.counts", m["e"], counts.get("errors"))
    j.count("the timeouts, against figures.counts", m["to"], counts.get("timeouts"))
    plural(m["es"], m["e"], j, "probe: errors")
    plural(m["tos"], m["to"], j, "probe: timeouts")
    cancelled = int(m["c"]) if m["c"] is not None else 0
    j.count("the cancelled, against figures.counts", cancelled, counts.get("cancelled", 0))
    j.true("the tally does not add up to the names",
           int(m["f"]) + int(m["nf"]) + int(m["e"]) + int(m["to"]) + cancelled == len(rows))


def probe_invalid(j: Judge, m):
    j.count("the names answered without the resolver", m["k"],
            j.r.doc["figures"].get("counts", {}).get("not_asked"))


def probe_waited(j: Judge, m):
    r = j.r
    answered = ns_of_seconds(r.doc["figures"]["answered_s"])
    j.time("when every name had its row", m["t"], answered)
    j.time("how long the run waited after", m["w"], r.elapsed - answered)


def probe_lookups(j: Judge, m):
    r = j.r
    rows = r.doc["results"]
    counts = r.doc["figures"].get("counts", {})
    asked = len(rows) - counts.get("not_asked", 0)
    j.count("the lookups", m["k"], asked)
    plural(m["ks"], m["k"], j, "probe: lookups")
    j.count("lookups at a time", m["lim"], r.params["limit"])
    in_order = r.doc["figures"].get("completion_order") == [row["name"] for row in rows]
    said = m["order"] is not None
    j.true("the text says the completion order was " + ("" if said else "not ") +
           "the submission order; the record says otherwise", said == in_order)
    latencies = [row["latency_s"] for row in rows if row.get("latency_s") is not None]
    slowest, total = max(latencies, default=0.0), sum(latencies)
    slowest_text, total_text = (format_measured(round(s * 1e9)) for s in (slowest, total))
    j.true(f"the slowest lookup: the text says {m['x']}, the results give {slowest_text}",
           m["x"] == slowest_text)
    j.true(f"the lookups together: the text says {m['y']}, the results give {total_text}",
           m["y"] == total_text)
    if m["tot"] is not None:
        j.time("the run's total", m["tot"], r.elapsed)
    else:
        j.true("\"in real time\", but the run is on the real clock", r.doc["clock"] == "virtual")


# lag --------------------------------------------------------------------------------------------

LAG_MODES = ("inline", "thread", "process")
# The events that bracket a job's work off the loop, by phase.
LAG_OFF_LOOP = {"thread": ("thread-start", "thread-end"),
                "process": ("process-start", "process-end")}
GIL_SWITCH = "5ms"  # CPython's sys.getswitchinterval(), the GIL's hand-over (Gil::kSwitchInterval)


@dataclass
class LagPhase:
    """One --offload phase of lag, from its events: the `<mode>-beat` heartbeat and its jobs."""
    mode: str
    beat: dict
    jobs: list
    lags: list  # each tick's lag, from the heartbeat's sleeps: resume - (await + --tick)
    notes: list  # the heartbeat's "tick N: X late" notes
    blocked: list  # (job, from index, to index, ns): each await blocked to its next step
    work: dict  # job id -> its CPU time on the record (blocked, or work-start to work-end)
    off_loop: Counter  # kinds of the work events (thread-start ...) the jobs left
    stall: int  # the longest step among the phase's tasks (Timeline::loop_figures on them)
    stall_task: object  # the first task to reach it, or None (no step took any time)
    at_once: int  # the most jobs between their work-start and work-end at once
    begin: int  # the heartbeat's creation (run_phase's start)
    end: object  # main's first resume after the heartbeat ended (run_phase's end)
    work_begin: object  # the first job's start
    work_end: object  # the last job's end

    @property
    def held(self) -> int:
        return sum(span[3] for span in self.blocked)

    @property
    def worst(self) -> int:
        return max(self.lags, default=0)


def modes_run(chosen: str, modes: tuple) -> list[str]:
    """The phases a run ran, in their order: the one way chosen, or all of them (--offload,
    --jitter)."""
    return list(modes) if chosen == "all" else [chosen]


def cached_phase(r: Record, make, mode: str):
    """make(r, mode), made once per run and mode."""
    cache = r.__dict__.setdefault("phases", {})
    if (make, mode) not in cache:
        cache[(make, mode)] = make(r, mode)
    return cache[(make, mode)]


def lag_modes(r: Record) -> list[str]:
    """The phases the run's --offload ran, in their order."""
    return modes_run(r.params["offload"], LAG_MODES)


def lag_phase(r: Record, mode: str):
    """The phase `mode` as its events give it, or None if the record has no heartbeat for it."""
    return cached_phase(r, make_lag_phase, mode)


def make_lag_phase(r: Record, mode: str):
    beat = r.by_name.get(f"{mode}-beat")
    if beat is None:
        return None
    jobs = phase(r, mode)
    job_ids = {t["id"] for t in jobs}
    ids = job_ids | {beat["id"]}
    tick = ns_of(r.params["tick"])
    lags, slept = [], None
    blocked, opened = [], {}
    work, started = Counter(), {}
    off_loop = Counter()
    stall, stall_task, open_task, open_since = 0, None, None, 0
    beat_end = None
    end = None
    for i, e in enumerate(r.events):
        task, kind = e["task"], e["kind"]
        if beat_end is not None and end is None and task == r.root["id"] and kind == "resume":
            end = e["t"]
        if task not in ids:
            continue
        if task == beat["id"]:
            if kind == "await" and e.get("detail") == "sleep":
                slept = e["t"]
            elif kind == "resume" and slept is not None:
                lags.append(e["t"] - (slept + tick))
                slept = None
            elif kind in TERMINAL:
                beat_end = e["t"]
        else:
            if kind == "await" and e.get("detail") == "blocked":
                opened[task] = (i, e["t"])
            elif task in opened and (kind == "resume" or kind in TERMINAL):
                at, since = opened.pop(task)
                blocked.append((task, at, i, e["t"] - since))
                work[task] += e["t"] - since
            elif kind in ("thread-start", "thread-end", "process-start", "process-end"):
                off_loop[kind] += 1
                if kind.endswith("-start"):
                    started[task] = e["t"]
                elif task in started:
                    work[task] += e["t"] - started.pop(task)
        # Timeline::loop_figures over the phase's tasks: a step from a start or a resume (a
        # resume after a blocking call continues the same step) to an await or an end.
        if kind in ("start", "resume"):
            if open_task != task:
                open_task, open_since = task, e["t"]
        elif task == open_task and ((kind == "await" and e.get("detail") != "blocked")
                                    or kind in TERMINAL):
            if e["t"] - open_since > stall:
                stall, stall_task = e["t"] - open_since, task
            open_task = None
    if mode in LAG_OFF_LOOP:
        work_start, work_end = LAG_OFF_LOOP[mode]
        at_once = r.most_at_once(lambda e: e["kind"] == work_start,
                                 lambda e: e["kind"] == work_end, jobs)
    else:
        at_once = 0
    starts = [r.start(t) for t in jobs if r.start(t) is not None]
    ends = [r.end(t) for t in jobs if r.end(t) is not None]
    created = r.first.get((beat["id"], "created"))
    return LagPhase(mode=mode, beat=beat, jobs=jobs, lags=lags, notes=r.notes("tick ", [beat]),
                    blocked=blocked, work=work, off_loop=off_loop, stall=stall,
                    stall_task=stall_task, at_once=at_once,
                    begin=None if created is None else created["t"], end=end,
                    work_begin=min(starts, default=None), work_end=max(ends, default=None))


def nearest_rank(values: list, share: float) -> int:
    """kit::nearest_rank (scenarios/kit.cpp): the sorted values' ceil(share n)th, in doubles as
    there (at least the first); 0 when there are none."""
    if not values:
        return 0
    rank = math.ceil(share * len(values))
    return sorted(values)[min(max(rank, 1), len(values)) - 1]


def lag_p99(lags: list[int]) -> int:
    """lag's p99: the nearest rank."""
    return nearest_rank(lags, 0.99)


def lag_phase_of(j: Judge, mode: str):
    p = lag_phase(j.r, mode)
    if p is None:
        j.fail(f"the text speaks of the {mode} phase, but the record has no {mode}-beat")
    elif mode not in lag_modes(j.r):
        j.fail(f"the text speaks of the {mode} phase, but --offload {j.r.params['offload']}")
    return p


def lag_worst_said(j: Judge, p: LagPhase, printed: str):
    """The worst tick's lag, as format_measured prints it (three significant digits), or
    exactly (within 1 us)."""
    j.true(f"{p.mode}: the worst tick: the text says {printed} late, the heartbeat's sleeps "
           f"(resume - (await sleep + --tick)) give {format_measured(p.worst)} ({p.worst} ns)",
           printed == format_measured(p.worst) or abs(ns_of(printed) - p.worst) <= MICRO_NS)


def lag_stall_name(r: Record, p: LagPhase) -> str:
    return "no task" if p.stall_task is None else r.tasks[p.stall_task]["name"]


def lag_ticks_said(j: Judge, p: LagPhase, m):
    """"N ticks came on time" / "at most X late" (format_measured)."""
    j.count(f"{p.mode}: the ticks (the heartbeat's \"tick N\" notes)", m["t"], len(p.notes))
    j.count(f"{p.mode}: the ticks (the heartbeat's sleeps that ended)", m["t"], len(p.lags))
    j.true(f"{p.mode}: \"{m['t']} {m['tw']}\": the noun does not fit the count",
           (m["tw"] == "tick") == (m["t"] == "1"))
    if m["lag"] is None:
        j.true(f"{p.mode}: \"on time\", but the worst tick came "
               f"{format_measured(p.worst)} late ({p.worst} ns)", p.worst == 0)
    else:
        j.true(f"{p.mode}: \"at most {m['lag']} late\", but every tick came on time",
               p.worst > 0)
        lag_worst_said(j, p, m["lag"])


def lag_loop_free(j: Judge, p: LagPhase):
    j.true(f"{p.mode}: \"the loop stayed free\", but its jobs held it for "
           f"{format_seconds(p.held / 1e9)} (await blocked)", not p.blocked)


def lag_cpu_said(j: Judge, p: LagPhase, m):
    """"C of CPU in W": the jobs' CPU time (on the virtual clock, each job's work is its --cost)
    and the first job's start to the last job's end."""
    r = j.r
    j.time(f"{p.mode}: the jobs' CPU time in all (each job's work on the record)", m["cpu"],
           sum(p.work.values()))
    j.time(f"{p.mode}: the jobs' CPU time in all, against --jobs x --cost", m["cpu"],
           r.params["jobs"] * ns_of(r.params["cost"]))
    j.time(f"{p.mode}: the time the work took (the first job's start to the last one's end)",
           m["w"], None if p.work_begin is None or p.work_end is None
           else p.work_end - p.work_begin)


def lag_one_after_another(j: Judge, p: LagPhase):
    """Inline work: while a job was blocked (await blocked .. its next step) no other task did
    anything, and the jobs' blocked spans did not overlap."""
    r = j.r
    for task, at, to, _ in p.blocked:
        others = {r.tasks[e["task"]]["name"] for e in r.events[at + 1:to] if e["task"] != task}
        j.true(f"inline: \"nothing else could\", but {sorted(others)} had events while "
               f"{r.tasks[task]['name']} held the loop", not others)


def lag_inline_held(j: Judge, p: LagPhase, m):
    r = j.r
    tick = ns_of(r.params["tick"])
    j.true(f"inline: the text says the work held the loop longer than a tick, but it held it for "
           f"{format_seconds(p.held / 1e9)} and --tick is {r.params['tick']}", p.held > tick)
    j.time("inline: how long the jobs held the loop (their await blocked spans, added up)",
           m["held"], p.held)
    lag_worst_said(j, p, m["lag"])
    j.true(f"inline: the worst tick came {format_seconds(p.worst / 1e9)} late, less than the "
           f"held time less a tick ({format_seconds((p.held - tick) / 1e9)})",
           p.worst >= p.held - tick)
    j.true(f"inline: the holder named, {m['holder']!r}, is not the task with the phase's longest "
           f"step ({lag_stall_name(r, p)}, {format_seconds(p.stall / 1e9)})",
           m["holder"] == lag_stall_name(r, p))
    lag_one_after_another(j, p)


def lag_inline_one(j: Judge, m):
    p = lag_phase_of(j, "inline")
    if p is None:
        return
    j.true(f"\"{m['holder']} held the loop\" (one job), but --jobs is {j.r.params['jobs']}",
           j.r.params["jobs"] == 1 and len(p.jobs) == 1)
    lag_inline_held(j, p, m)


def lag_inline_all(j: Judge, m):
    r = j.r
    p = lag_phase_of(j, "inline")
    if p is None:
        return
    j.count("inline: the jobs", m["n"], len(p.jobs))
    j.count("inline: the jobs, against --jobs", m["n"], r.params["jobs"])
    j.true("inline: several jobs, but the text speaks of them in all", int(m["n"]) > 1)
    plural(m["ns"], m["n"], j, "inline: the jobs")
    j.time("inline: the longest single step of the phase (\"at once\")", m["stall"], p.stall)
    lag_inline_held(j, p, m)


def lag_inline_short(j: Judge, m):
    r = j.r
    p = lag_phase_of(j, "inline")
    if p is None:
        return
    tick = ns_of(r.params["tick"])
    j.time("inline: how long the jobs held the loop (their await blocked spans, added up)",
           m["held"], p.held)
    j.time("inline: one tick (--tick)", m["tick"], tick)
    j.true(f"inline: \"no longer than one tick\", but the jobs held the loop for "
           f"{format_seconds(p.held / 1e9)}, --tick {r.params['tick']}", p.held <= tick)
    lag_worst_said(j, p, m["lag"])
    j.true("inline: the hint speaks of --size, but the run gave --cost" if m["size"] is not None
           else "inline: the hint speaks of --cost, but the run gave --size",
           (m["size"] is not None) == (r.params.get("size") is not None))


def lag_thread(j: Judge, m):
    r = j.r
    p = lag_phase_of(j, "thread")
    if p is None:
        return
    j.true("thread: the text leaves out the GIL, but the run had --gil", not r.params["gil"])
    lag_loop_free(j, p)
    lag_ticks_said(j, p, m)
    lag_cpu_said(j, p, m)
    j.count("thread: the most jobs on threads at once (thread-start .. thread-end)", m["k"],
            p.at_once)
    j.count("thread: the cores, against figures.cores", m["cores"], r.doc["figures"].get("cores"))
    plural(m["cs"], m["cores"], j, "thread: the cores")
    j.true(f"thread: up to {p.at_once} at once on {m['cores']} cores", p.at_once <= int(m["cores"]))


def lag_thread_gil(j: Judge, m):
    r = j.r
    p = lag_phase_of(j, "thread")
    if p is None:
        return
    j.true("thread: the text speaks of the GIL, but the run had no --gil", r.params["gil"])
    lag_loop_free(j, p)
    lag_ticks_said(j, p, m)
    lag_cpu_said(j, p, m)
    if m["one"] is not None:
        j.true(f"thread: \"the one job\", but the phase has {len(p.jobs)}",
               len(p.jobs) == 1 and r.params["jobs"] == 1)
    else:
        j.count("thread: the jobs that took turns at the GIL", m["n"], len(p.jobs))
        j.count("thread: the jobs that took turns, against --jobs", m["n"], r.params["jobs"])
        j.true("thread: \"the 1 jobs took turns\"", int(m["n"]) > 1)
    j.true(f"thread: with the GIL the jobs took turns, but {p.at_once} were on threads at once "
           "(thread-start .. thread-end)", p.at_once <= 1)


def lag_process(j: Judge, m):
    r = j.r
    p = lag_phase_of(j, "process")
    if p is None:
        return
    j.count("process: the jobs", m["n"], len(p.jobs))
    j.count("process: the jobs, against --jobs", m["n"], r.params["jobs"])
    plural(m["ns"], m["n"], j, "process: the jobs")
    j.true("process: \"a simulated child process\" does not fit the number of jobs",
           (m["one"] is not None) == (m["n"] == "1"))
    j.count("process: the most jobs in processes at once (process-start .. process-end)", m["k"],
            p.at_once)
    pool = r.doc["figures"].get("process_pool_size")
    j.true(f"process: {p.at_once} at once in a process pool of {pool}",
           pool is not None and p.at_once <= pool)
    lag_loop_free(j, p)
    lag_ticks_said(j, p, m)


def lag_model(j: Judge, m):
    r, f = j.r, j.r.doc["figures"]
    modes = lag_modes(r)
    threads, processes, gil = "thread" in modes, "process" in modes, bool(r.params["gil"])
    for group, present, what in (
            ("gil", threads and gil, "thread work taking turns at one lock (threads, --gil)"),
            ("par", threads and not gil, "C++ threads in parallel (threads, no --gil)"),
            ("proc", processes, "the process pool (processes)"),
            ("sc", (threads and not gil) or processes,
             "the simulated cores (threads without --gil, or processes)"),
            ("gil2", threads and gil, "the GIL's turns on the virtual clock (threads, --gil)")):
        j.true(f"model: the part on {what} is {'missing' if present else 'there'}, with "
               f"--offload {r.params['offload']}{' --gil' if gil else ''}",
               (m[group] is not None) == present)
    for group in ("g1", "g2"):
        if m[group] is not None:
            j.true(f"model: the GIL's switch interval is {GIL_SWITCH} "
                   f"(sys.getswitchinterval()), not {m[group]}", m[group] == GIL_SWITCH)
    if m["cores"] is not None:
        j.count("model: the cores, against figures.cores", m["cores"], f.get("cores"))
        plural(m["cs"], m["cores"], j, "model: the cores")
    if m["pp"] is not None:
        j.count("model: the process pool, against figures.process_pool_size", m["pp"],
                f.get("process_pool_size"))
        plural(m["pps"], m["pp"], j, "model: the process pool's workers")
    if m["sc"] is not None:
        j.count("model: the simulated cores, against figures.cores", m["sc"], f.get("cores"))
        plural(m["scs"], m["sc"], j, "model: the simulated cores")
    # What the model says, against what the phases did: "a job at a time on each of N
    # simulated cores" (threads without the GIL, and processes), a process pool of P workers,
    # one lock for threads with the GIL.
    jobs = r.params["jobs"]
    for mode in modes:
        p = lag_phase(r, mode)
        if p is None or mode == "inline":
            continue
        widths = []
        if mode == "thread":
            widths.append(("one lock", 1) if gil else (f"{m['sc']} simulated cores",
                                                       int(m["sc"] or 0)))
        else:
            widths.append((f"a process pool of {m['pp']} workers", int(m["pp"] or 0)))
            widths.append((f"{m['sc']} simulated cores", int(m["sc"] or 0)))
        for what, width in widths:
            j.true(f"model: {jobs} jobs on {what} run {min(jobs, width)} at once, but the "
                   f"{mode} phase ran {p.at_once} at once", p.at_once == min(jobs, width))


def lag_compare(j: Judge, m):
    r = j.r
    parts = [re.fullmatch(rf"([a-z]+) ({PLACEHOLDER['D']}) / ({PLACEHOLDER['D']})", part)
             for part in m["parts"].split(", ")]
    if not all(parts):
        j.fail(f"heartbeat lag: cannot read {m['parts']!r}")
        return
    said = [(part[1], part[2], part[3]) for part in parts]
    j.true(f"heartbeat lag: the phases {[mode for mode, _, _ in said]} are not those run, in "
           f"order ({lag_modes(r)})", [mode for mode, _, _ in said] == lag_modes(r))
    for mode, worst, p99 in said:
        p = lag_phase(r, mode)
        if p is None:
            j.fail(f"heartbeat lag: the record has no {mode} phase")
            continue
        lag_worst_said(j, p, worst)
        expected = lag_p99(p.lags)
        j.true(f"{mode}: the p99 lag: the text says {p99}, the heartbeat's sleeps give "
               f"{format_measured(expected)} ({expected} ns)",
               p99 == format_measured(expected) or abs(ns_of(p99) - expected) <= MICRO_NS)


def lag_figures(j: Judge):
    """lag's figures and results, against the events: each phase's elapsed_s (the heartbeat's
    creation to main's resume after it ended), ticks, max_lag_s and p99_lag_s (from the
    heartbeat's sleeps, which its notes must say), held_loop_s (the jobs' await blocked),
    max_loop_stall_s and its task (the phase's longest step), cpu_s and jobs_at_once."""
    r, f = j.r, j.r.doc["figures"]

    def same(name, value, ns):
        j.true(f"figures.{name} {value} is not what the events give "
               f"({None if ns is None else ns / 1e9})",
               value is not None and ns is not None and abs(ns_of_seconds(value) - ns) <= MICRO_NS)

    modes = lag_modes(r)
    # The cores the process may compute on (its affinity counts), which size the process pool.
    j.count("figures.cores, against figures.process_pool_size", f.get("cores"),
            f.get("process_pool_size"))
    j.true(f"figures.cores {f.get('cores')} is more than the {r.doc['thread_pool']['cpus']} "
           "CPUs online", 1 <= (f.get("cores") or 0) <= max(r.doc["thread_pool"]["cpus"], 1))
    j.count("figures.pool_size, against thread_pool.threads", f.get("pool_size"),
            r.doc["thread_pool"]["threads"])
    j.true(f"figures.modes has {sorted(f.get('modes', {}))}, --offload {r.params['offload']} "
           f"runs {modes}", sorted(f.get("modes", {})) == sorted(modes))
    cost, jobs = ns_of(r.params["cost"]), r.params["jobs"]
    rows = []
    previous_end = 0
    for mode in modes:
        p = lag_phase(r, mode)
        if p is None:
            j.fail(f"--offload {r.params['offload']}, but the record has no {mode}-beat")
            continue
        figure = f.get("modes", {}).get(mode, {})
        j.count(f"{mode}: the jobs, against --jobs", len(p.jobs), jobs)
        j.true(f"{mode}: a job did not end ok", all(t["outcome"] == "ok" for t in p.jobs))
        j.true(f"{mode}: the phase began ({p.begin}) before the one before it ended "
               f"({previous_end})", p.begin is not None and p.begin >= previous_end)
        previous_end = p.end if p.end is not None else previous_end
        # The heartbeat's notes, "tick N: X late", one for each of its sleeps, in order.
        said = [n["detail"] for n in p.notes]
        expected = [f"tick {i}: {format_measured(lag)} late" for i, lag in enumerate(p.lags, 1)]
        j.true(f"{mode}: the heartbeat's notes {said[:5]}... do not say what its sleeps give "
               f"{expected[:5]}...", said == expected)
        j.true(f"{mode}: a tick came before it was due: {min(p.lags, default=0)} ns",
               all(lag >= 0 for lag in p.lags))
        # Where the work ran: on the loop (await blocked), on a thread, in a process.
        kinds = LAG_OFF_LOOP.get(mode, ())
        j.true(f"{mode}: work events {dict(p.off_loop)}, not {kinds or 'none'}",
               set(p.off_loop) <= set(kinds) and (mode != "inline" or not p.off_loop))
        j.true(f"{mode}: an offloaded job held the loop (await blocked)",
               mode == "inline" or not p.blocked)
        for t in p.jobs:
            j.time(f"{mode}: {t['name']}'s CPU time on the record (virtual clock: its --cost)",
                   r.params["cost"], p.work[t["id"]])
            rows.append({"job": t["name"], "cpu_s": p.work[t["id"]]})
        same(f"modes.{mode}.elapsed_s", figure.get("elapsed_s"),
             None if p.end is None or p.begin is None else p.end - p.begin)
        j.count(f"figures.modes.{mode}.ticks (the heartbeat's notes)", figure.get("ticks"),
                len(p.notes))
        same(f"modes.{mode}.max_lag_s", figure.get("max_lag_s"), p.worst)
        same(f"modes.{mode}.p99_lag_s", figure.get("p99_lag_s"), lag_p99(p.lags))
        same(f"modes.{mode}.held_loop_s", figure.get("held_loop_s"), p.held)
        same(f"modes.{mode}.max_loop_stall_s", figure.get("max_loop_stall_s"), p.stall)
        holder = None if p.stall_task is None else r.tasks[p.stall_task]["name"]
        j.true(f"figures.modes.{mode}.max_loop_stall_task {figure.get('max_loop_stall_task')!r} "
               f"is not the first task with the phase's longest step ({holder!r})",
               figure.get("max_loop_stall_task") == holder)
        same(f"modes.{mode}.cpu_s", figure.get("cpu_s"), sum(p.work.values()))
        same(f"modes.{mode}.cpu_s (against --jobs x --cost)", figure.get("cpu_s"), jobs * cost)
        j.count(f"figures.modes.{mode}.jobs_at_once", figure.get("jobs_at_once"), p.at_once)
    results = r.doc["results"]
    j.true(f"results {results[:3]}... are not each job's CPU time on the record, by phase",
           len(results) == len(rows) and all(
               a.get("job") == b["job"] and a.get("cpu_s") is not None
               and abs(ns_of_seconds(a["cpu_s"]) - b["cpu_s"]) <= MICRO_NS
               for a, b in zip(results, rows)))


# retry ------------------------------------------------------------------------------------------

RETRY_MODES = ("none", "full", "equal")
RETRY_BURST = 10_000_000  # "the most retries in any 10ms"
RETRY_WINDOWS_SHOWN = 16
RETRY_NOTE = re.compile(r"attempt (\d+): (answered|turned away \(over capacity\)|failed \(a "
                        r"transient error\))(?:; (retrying in (\S+)|giving up))?")
RETRY_ANSWERS = {"answered": "served", "turned away (over capacity)": "turned away",
                 "failed (a transient error)": "error"}


@dataclass
class RetryCall:
    client: int  # its number in the phase, 1-based
    attempt: int
    arrived: int  # from the phase's start: the client's await of the round trip
    answered: int  # from the phase's start: its note
    answer: str  # served, turned away, error


@dataclass
class RetryPhase:
    """One --jitter phase of retry, from its events: each call is a client's `await sleep` (the
    round trip) and the note that follows it, "attempt K: <answer>"."""
    mode: str
    clients: list
    begin: int  # the first client's creation
    calls: list  # in arrival order
    problems: list  # what did not replay

    def windows(self, window: int):
        count = max((c.arrived // window for c in self.calls), default=-1) + 1
        calls, served = [0] * count, [0] * count
        for c in self.calls:
            calls[c.arrived // window] += 1
            served[c.arrived // window] += c.answer != "turned away"
        return calls, served

    def done(self) -> list:
        """Each client's last answer, in submission order."""
        last = {}
        for c in self.calls:
            last[c.client] = c.answered
        return [last.get(i, 0) for i in range(1, len(self.clients) + 1)]

    def busiest_retries(self) -> int:
        arrivals = sorted(c.arrived for c in self.calls if c.attempt > 1)
        most, lo = 0, 0
        for hi, t in enumerate(arrivals):
            while t - arrivals[lo] >= RETRY_BURST:
                lo += 1
            most = max(most, hi - lo + 1)
        return most


def retry_modes(r: Record) -> list[str]:
    """The phases the run's --jitter ran, in their order."""
    return modes_run(r.params["jitter"], RETRY_MODES)


def retry_phase(r: Record, mode: str):
    """The phase `mode` as its clients' notes give it, or None if the record has no clients."""
    return cached_phase(r, make_retry_phase, mode)


def make_retry_phase(r: Record, mode: str):
    clients = phase(r, mode)
    if not clients:
        return None
    number = {t["id"]: int(t["name"].rsplit("-", 1)[1]) for t in clients}
    begin = min(r.first[(t["id"], "created")]["t"] for t in clients)
    calls, problems, awaited, backing_off = [], [], {}, set()
    for e in r.events:
        task = e["task"]
        if task not in number:
            continue
        if e["kind"] == "await" and e.get("detail") == "sleep":
            if task in backing_off:  # the backoff that the note before it announced
                backing_off.discard(task)
            else:
                awaited[task] = e["t"]  # the round trip of a call
        elif e["kind"] == "note":
            m = RETRY_NOTE.fullmatch(e.get("detail", ""))
            if m is None or task not in awaited:
                problems.append(f"{r.tasks[task]['name']}: a note that is no call's answer: "
                                f"{e.get('detail')!r}")
                continue
            calls.append(RetryCall(number[task], int(m[1]), awaited.pop(task) - begin,
                                   e["t"] - begin, RETRY_ANSWERS[m[2]]))
            if m[3] is not None and m[3].startswith("retrying"):
                backing_off.add(task)
    calls.sort(key=lambda c: c.arrived)  # stable: the order they were made in, at equal times
    return RetryPhase(mode=mode, clients=clients, begin=begin, calls=calls, problems=problems)


def retry_measured_said(j: Judge, what: str, printed: str, ns: int):
    j.true(f"{what}: the text says {printed}, the record gives {format_measured(ns)} ({ns} ns)",
           printed == format_measured(ns) or abs(ns_of(printed) - ns) <= MICRO_NS)


def retry_phase_of(j: Judge, mode: str):
    p = retry_phase(j.r, mode)
    if p is None:
        j.fail(f"the text speaks of the {mode} phase, but the record has no {mode}-N clients")
    elif mode not in retry_modes(j.r):
        j.fail(f"the text speaks of the {mode} phase, but --jitter {j.r.params['jitter']}")
    return p


def retry_outcome(j: Judge, m):
    r = j.r
    p = retry_phase_of(j, m["mode"])
    if p is None:
        return
    mode, n = p.mode, len(p.clients)
    j.count(f"{mode}: the clients", m["n"], n)
    j.count(f"{mode}: the clients, against --n", m["n"], r.params["n"])
    plural(m["ns"], m["n"], j, f"{mode}: the clients")
    j.count(f"{mode}: the calls (each client's notes)", m["a"], len(p.calls))
    plural(m["as"], m["a"], j, f"{mode}: the attempts")
    answered = [t for t in p.clients if t["outcome"] == "ok"]
    gave_up = [t for t in p.clients if t["outcome"] == "failed"]
    j.count(f"{mode}: the clients that got an answer (ended ok)", m["ok"], len(answered))
    j.count(f"{mode}: the clients that got an answer (their last note)", m["ok"],
            sum(1 for i in range(1, n + 1) if any(
                c.client == i and c.answer == "served" for c in p.calls)))
    j.count(f"{mode}: the clients that gave up (ended failed)", m["g"] or 0, len(gave_up))
    if m["g"] is not None:
        j.count(f"{mode}: --max-attempts", m["max"], r.params["max_attempts"])
        plural(m["maxs"], m["max"], j, f"{mode}: the attempts before giving up")
        for t in gave_up:
            tries = sum(1 for c in p.calls if c.client == int(t["name"].rsplit("-", 1)[1]))
            j.count(f"{mode}: {t['name']} gave up after", m["max"], tries)
    j.count(f"{mode}: the calls turned away", m["t"],
            sum(c.answer == "turned away" for c in p.calls))
    j.count(f"{mode}: the calls that failed at random", m["e"] or 0,
            sum(c.answer == "error" for c in p.calls))
    done = p.done()
    for key, share, what in (("p50", 0.5, "half"), ("p99", 0.99, "99%"), ("all", 1.0, "all")):
        retry_measured_said(j, f"{mode}: {what} of the clients done", m[key],
                            nearest_rank(done, share))


def retry_windows(j: Judge, m):
    r = j.r
    p = retry_phase_of(j, m["mode"])
    if p is None:
        return
    window = ns_of(r.params["window"])
    j.time(f"{p.mode}: the window, against --window", m["w"], window)
    calls, _ = p.windows(window)
    expected = " ".join(str(c) for c in calls[:RETRY_WINDOWS_SHOWN])
    if len(calls) > RETRY_WINDOWS_SHOWN:
        expected += " ..."
    j.true(f"{p.mode}: calls per window: the text says {m['h']!r}, the notes give {expected!r}",
           m["h"] == expected)
    j.time(f"{p.mode}: the burst's width (a constant)", m["burst"], RETRY_BURST)
    j.count(f"{p.mode}: the most retries in any 10ms", m["k"], p.busiest_retries())


def retry_compare(j: Judge, m):
    r = j.r
    parts = [re.fullmatch(rf"([a-z]+) (\d+) / (\d+) / ({PLACEHOLDER['D']})", part)
             for part in m["parts"].split(", ")]
    if not all(parts):
        j.fail(f"attempts / answered / all done: cannot read {m['parts']!r}")
        return
    j.true(f"attempts / answered / all done: the phases {[x[1] for x in parts]} are not those "
           f"run, in order ({retry_modes(r)})", [x[1] for x in parts] == retry_modes(r))
    for x in parts:
        p = retry_phase(r, x[1])
        if p is None:
            j.fail(f"attempts / answered / all done: the record has no {x[1]} phase")
            continue
        j.count(f"{p.mode}: the calls", x[2], len(p.calls))
        j.count(f"{p.mode}: the clients answered", x[3],
                sum(t["outcome"] == "ok" for t in p.clients))
        retry_measured_said(j, f"{p.mode}: all done", x[4], max(p.done(), default=0))


def retry_figures(j: Judge):
    """retry's figures and results against the notes: every call's answer, each client's
    attempts and outcome, the windows and what they served (never above --capacity), each
    backoff within its jitter's bounds, and each phase's times."""
    r, f = j.r, j.r.doc["figures"]
    modes = retry_modes(r)
    j.true(f"figures.modes has {sorted(f.get('modes', {}))}, --jitter {r.params['jitter']} "
           f"runs {modes}", sorted(f.get("modes", {})) == sorted(modes))
    window, capacity = ns_of(r.params["window"]), r.params["capacity"]
    base, cap, most = ns_of(r.params["base"]), ns_of(r.params["cap"]), r.params["max_attempts"]
    latency = ns_of(r.params["latency"])
    rows = []
    for mode in modes:
        p = retry_phase(r, mode)
        if p is None:
            j.fail(f"--jitter {r.params['jitter']}, but the record has no {mode} clients")
            continue
        for problem in p.problems:
            j.fail(problem)
        figure = f.get("modes", {}).get(mode, {})
        calls, served = p.windows(window)
        j.true(f"figures.modes.{mode}.calls_per_window {figure.get('calls_per_window')} is not "
               f"what the notes give ({calls})", figure.get("calls_per_window") == calls)
        j.true(f"figures.modes.{mode}.served_per_window {figure.get('served_per_window')} is "
               f"not what the notes give ({served})", figure.get("served_per_window") == served)
        j.true(f"{mode}: a window served {max(served, default=0)} calls, over --capacity "
               f"{capacity}", max(served, default=0) <= capacity)
        for name, expected in (("attempts", len(p.calls)),
                               ("answered", sum(t["outcome"] == "ok" for t in p.clients)),
                               ("gave_up", sum(t["outcome"] == "failed" for t in p.clients)),
                               ("turned_away", sum(c.answer == "turned away" for c in p.calls)),
                               ("errors", sum(c.answer == "error" for c in p.calls)),
                               ("busiest_10ms_retries", p.busiest_retries())):
            j.count(f"figures.modes.{mode}.{name}", figure.get(name), expected)
        done = p.done()
        for name, share in (("p50_done_s", 0.5), ("p99_done_s", 0.99), ("last_done_s", 1.0)):
            value = figure.get(name)
            expected = nearest_rank(done, share)
            j.true(f"figures.modes.{mode}.{name} {value} is not what the notes give "
                   f"({expected / 1e9})",
                   value is not None and abs(ns_of_seconds(value) - expected) <= MICRO_NS)
        by_client = {}
        for c in p.calls:
            by_client.setdefault(c.client, []).append(c)
        for t in p.clients:
            number = int(t["name"].rsplit("-", 1)[1])
            own = by_client.get(number, [])
            j.true(f"{t['name']}: its calls are not attempts 1, 2, ... in order: "
                   f"{[c.attempt for c in own]}",
                   [c.attempt for c in own] == list(range(1, len(own) + 1)))
            j.true(f"{t['name']}: {len(own)} calls, over --max-attempts {most}", len(own) <= most)
            answered = bool(own) and own[-1].answer == "served"
            j.true(f"{t['name']}: outcome {t['outcome']}, but its last call was "
                   f"{own[-1].answer if own else 'none'}",
                   t["outcome"] == ("ok" if answered else "failed"))
            j.true(f"{t['name']}: gave up after {len(own)} calls, not --max-attempts {most}",
                   answered or len(own) == most)
            j.true(f"{t['name']}: a call served before its last",
                   all(c.answer != "served" for c in own[:-1]))
            for c in own:
                j.true(f"{t['name']}: attempt {c.attempt} took {c.answered - c.arrived} ns, not "
                       f"--latency {r.params['latency']}", c.answered - c.arrived == latency)
            for before, after in zip(own, own[1:]):
                ceiling = min(cap, base * 2 ** (before.attempt - 1))
                low = {"none": ceiling, "full": 0, "equal": ceiling // 2}[mode]
                waited = after.arrived - before.answered
                j.true(f"{t['name']}: waited {waited} ns after attempt {before.attempt}, outside "
                       f"[{low}, {ceiling}] ns (--jitter {mode})", low <= waited <= ceiling)
            rows.append({"client": t["name"], "attempts": len(own), "answered": answered})
    j.true(f"results {r.doc['results'][:3]}... are not each client's calls, by phase",
           r.doc["results"] == rows)


# server -----------------------------------------------------------------------------------------

SERVER_BACKLOG = 100  # start_server's default backlog


@dataclass
class ServerRun:
    """server's clients and handlers, from their events: each request is a client's `await
    write` (it writes the request, then reads the answer), answered when the client next awaits
    a write or ends; each handling a handler's sleep (awaited) or block (--blocking)."""
    clients: list
    conns: list
    latencies: list  # each request's, in ns
    clients_done: int  # the last client's end


def server_run(r: Record) -> ServerRun:
    if "server_run" not in r.__dict__:
        clients = [t for t in r.children if re.fullmatch(r"client-\d+", t["name"])]
        conns = [t for t in r.children if re.fullmatch(r"conn-\d+", t["name"])]
        ids = {t["id"] for t in clients}
        latencies, sent = [], {}
        for e in r.events:
            task = e["task"]
            if task not in ids:
                continue
            writes = e["kind"] == "await" and e.get("detail") == "write"
            if (writes or e["kind"] in TERMINAL) and task in sent:
                latencies.append(e["t"] - sent.pop(task))
            if writes:
                sent[task] = e["t"]
        ends = [r.end(t) for t in clients if r.end(t) is not None]
        r.__dict__["server_run"] = ServerRun(clients=clients, conns=conns, latencies=latencies,
                                             clients_done=max(ends, default=0))
    return r.__dict__["server_run"]


def server_handled_at_once(r: Record, run: ServerRun) -> int:
    """The most handlers in their sleep at once (an await sleep to the resume after it)."""
    return r.most_at_once(lambda e: e["kind"] == "await" and e.get("detail") == "sleep",
                          lambda e: e["kind"] == "resume", run.conns)


def server_requests_said(j: Judge, m, run: ServerRun):
    r = j.r
    j.count("the clients' requests (their awaits of a write)", m["m"], len(run.latencies))
    j.count("the clients' requests, against --clients x --requests", m["m"],
            r.params["clients"] * r.params["requests"])
    plural(m["ms"], m["m"], j, "the requests")
    j.time("the clients' time (the last client's end)", m["t"], run.clients_done)
    rate = len(run.latencies) / (run.clients_done / 1e9) if run.clients_done > 0 else 0
    j.true(f"requests/s: the text says {m['x']}, the record gives {rate:.1f}",
           m["x"] == f"{rate:.1f}")
    most = r.most_at_once(lambda e: e["kind"] == "start", lambda e: e["kind"] in TERMINAL,
                          run.conns)
    j.count("the connections open at once (handlers alive at once)", m["o"], most)
    plural(m["os"], m["o"], j, "the connections open at once")
    for key, share in (("p50", 0.5), ("p99", 0.99)):
        expected = nearest_rank(run.latencies, share)
        j.true(f"latency {key}: the text says {m[key]}, the clients' writes and answers give "
               f"{format_measured(expected)} ({expected} ns)",
               m[key] == format_measured(expected) or abs(ns_of(m[key]) - expected) <= MICRO_NS)


def server_async(j: Judge, m):
    r = j.r
    run = server_run(r)
    j.true("async: the text speaks of an awaiting handler, but the run had --blocking",
           not r.params["blocking"])
    j.count("async: the most requests handled at once (handlers between await sleep and resume)",
            m["k"], server_handled_at_once(r, run))
    plural(m["ks"], m["k"], j, "async: the requests at a time")
    j.count("async: the clients", m["c"], len(run.clients))
    j.true(f"async: \"{m['c']} {m['cw']}\": the word does not fit the count",
           (m["cw"] == "client's") == (m["c"] == "1"))
    server_requests_said(j, m, run)


def server_blocking(j: Judge, m):
    r = j.r
    run = server_run(r)
    j.true("blocking: the text speaks of a blocking handler, but the run had no --blocking",
           r.params["blocking"])
    blocked = [e for e in r.events if e["task"] in {t["id"] for t in run.conns}
               and e["kind"] == "await" and e.get("detail") == "blocked"]
    j.count("blocking: the handlers' blocking sleeps, against the requests", len(blocked),
            len(run.latencies))
    server_requests_said(j, m, run)


def server_model(j: Judge, m):
    r = j.r
    j.count("model: the backlog, against --clients", m["b"], r.params["clients"])
    j.count("model: start_server's default backlog", m["d"], SERVER_BACKLOG)
    j.true(f"model: the backlog line, but --clients {r.params['clients']} is no more than "
           f"{SERVER_BACKLOG}", r.params["clients"] > SERVER_BACKLOG)


def server_figures(j: Judge):
    """server's figures against the events: the requests and their latencies, the clients' time,
    connections and handlers at once, the loop's blocked time."""
    r, f = j.r, j.r.doc["figures"]
    run = server_run(r)
    n = r.params["clients"] * r.params["requests"]
    j.count("figures.client_requests (the clients' awaits of a write)", f.get("client_requests"),
            len(run.latencies))
    j.count("figures.requests_answered (no outside client: the clients' requests)",
            f.get("requests_answered"), n)
    j.count("figures.connections (the handlers)", f.get("connections"), len(run.conns))
    j.count("figures.outside_connections", f.get("outside_connections"), 0)
    most = r.most_at_once(lambda e: e["kind"] == "start", lambda e: e["kind"] in TERMINAL,
                          run.conns)
    j.count("figures.max_connections (handlers alive at once)", f.get("max_connections"), most)
    j.count("summary.max_in_flight (handlers alive at once)", r.doc["summary"]["max_in_flight"],
            most)
    if not r.params["blocking"]:
        j.count("figures.max_handled_at_once (handlers in their sleep at once)",
                f.get("max_handled_at_once"), server_handled_at_once(r, run))
    for name, ns in (("clients_s", run.clients_done),
                     ("latency_p50_s", nearest_rank(run.latencies, 0.5)),
                     ("latency_p99_s", nearest_rank(run.latencies, 0.99)),
                     ("loop_busy_s", 0)):
        value = f.get(name)
        j.true(f"figures.{name} {value} is not what the events give ({ns / 1e9})",
               value is not None and abs(ns_of_seconds(value) - ns) <= MICRO_NS)
    blocked = ns_of(r.params["delay"]) * n if r.params["blocking"] else 0
    j.true(f"figures.loop_blocked_s {f.get('loop_blocked_s')} is not --delay x the requests "
           f"({blocked / 1e9})", abs(ns_of_seconds(f.get("loop_blocked_s", -1)) - blocked)
           <= MICRO_NS)
    j.true(f"figures.port {f.get('port')}: a port the system picked, in reproducible output",
           f.get("port") is None)
    j.true(f"results: {len(r.doc['results'])} rows, not one per request ({n})",
           len(r.doc["results"]) == n)


FORMS = {
    "sleep": [
        Form("blocking", "blocking: time.sleep() held the loop thread, so each task started only "
             "when the one before it had finished: {n:N} x {delay:D} took {elapsed:D}",
             sleep_blocking),
        Form("async", "async: each await handed the loop back, so ((all {n:N} slept at once||"
             "its one task slept without holding it)): {elapsed:D}", sleep_async),
        Form("threads", "threads: {n:N} blocking sleep{ns:s|} on a pool of {pool:N} threads ran "
             "at most {at_once:N} at a time, in {elapsed:D}", sleep_threads),
        Form("faster", "{fast:W} ran {r:R}x faster than {slow:W}", sleep_faster),
    ],
    "gather": [
        Form("propagate", "propagate: task-{f:N} failed at {t:D} and gather raised \"{msg:Q}\" "
             "at once; ((the other {others:N} had all ended by then||there was no other task))",
             gather_propagate),
        Form("propagate-ran-on", "propagate: task-{f:N} failed at {t:D} and gather raised "
             "\"{msg:Q}\" at once; it cancelled none of the other {others:N}: the {running:N} "
             "still running ran on to the end (main waited for them to show it; left uncaught, "
             "the error would end main and asyncio.run would cancel them)", gather_propagate),
        Form("collect", "collect (return_exceptions=True): task-{f:N} failed at {t:D}; gather "
             "waited for all and returned the error in its place: nothing raised, "
             "((nothing||{k:N} task{ks:s|})) cancelled", gather_collect),
        Form("cancel-siblings", "cancel-siblings (TaskGroup): task-{f:N} failed at {t:D}; the "
             "group ((cancelled the {k:N} task{ks:s|} still running and waited for {them:it|them}||found "
             "no task still running to cancel))[[ ({m:N} task{ms:s|} ended in the same loop "
             "iteration as the failure, and a TaskGroup hears of an end one iteration later, as "
             "asyncio runs done-callbacks through call_soon)]], then raised an ExceptionGroup "
             "holding \"{msg:Q}\"", gather_cancel_siblings),
        Form("sequential-collect", "one by one, collecting errors: task-{f:N} failed and the "
             "loop went on; all {k:N} task{ks:s|} ran", gather_sequential_collect),
        Form("sequential-stop", "one by one: the error of task-{f:N} ended the loop, so {k:N} "
             "task{ks:s|} after it never started", gather_sequential_stop),
        Form("faster", "gather ran {r:R}x faster than awaiting one by one", gather_faster),
    ],
    "timeout": [
        Form("returned", "the work was done at {r:D}, before the deadline at {d:D}: wait_for "
             "simply returned its result[[{sw:E}; the deadline never fired, so there was no "
             "cancel to swallow]]", timeout_returned, exempt=("d",)),
        Form("before-start", "the deadline ({d:D}) came before the work's first step[[{tie:E} "
             "(the work was due at the same moment, but the deadline was set first, so it fired "
             "first, as in asyncio)]]: wait_for cancelled it before it ran, so no cleanup ran"
             "[[{sw:E} and the except clause that would have swallowed the cancel never ran]], "
             "and TimeoutError came at {r:D}", timeout_before_start),
        Form("cancelled", "the deadline passed at {d:D}[[{tie:E} (the work was due at the same "
             "moment, but the deadline was set first, so it fired first, as in asyncio)]]; ((the "
             "work got CancelledError at its await||{f:N} task{fs:s|} finished in time; the {k:N} "
             "task{ks:s|} still running got CancelledError at {aw:its await|their awaits})), "
             "{whose:its|their} "
             "cleanup ran for {c:D}, and only then did wait_for raise TimeoutError: {o:D} past "
             "the deadline", timeout_cancelled),
        Form("swallowed", "the deadline passed at {d:D}[[{tie:E} (the work was due at the same "
             "moment, but the deadline was set first, so it fired first, as in asyncio)]]; the "
             "work got CancelledError at its await, its cleanup ran for {c:D}, and then it swallowed "
             "the cancel and returned its value, so wait_for returned that value instead of "
             "raising TimeoutError: {o:D} past the deadline", timeout_swallowed),
        Form("swallowed-group", "the deadline passed at {d:D}[[{tie:E} (the work was due at the "
             "same moment, but the deadline was set first, so it fired first, as in asyncio)]]; "
             "{f:N} task{fs:s|} finished in time; the {k:N} task{ks:s|} still running got "
             "CancelledError at {aw:its await|their awaits}, {whose:its|their} cleanup ran for "
             "{c:D}, and {they:it|they} "
             "swallowed the cancel and returned {vals:its value|their values}; but the TaskGroup "
             "holding them had been cancelled itself and re-raised that, so wait_for raised "
             "TimeoutError all the same: {o:D} past the deadline", timeout_swallowed_group),
    ],
    "cancel": [
        Form("nothing", "the work of all {n:N} worker{ns:s|} had ended before the cancel at "
             "{t:D}: cancel() on a finished task does nothing (it returns False), so every "
             "result arrived", cancel_nothing),
        Form("heartbeats", "at {t:D} {who:the worker|each worker} got CancelledError inside its "
             "`await sleep`, ran its cleanup ({c:D}), and ended cancelled[[ ({j:N} "
             "worker{js:s|} had finished before it: cancel() did nothing to them)]]",
             cancel_heartbeats),
        Form("abandoned", "{k:N} task{ks:s|} {verb:was|were} cancelled at {t:D} and moved on "
             "at once; [[((their work||its work||the work of {r:N} task{rs:s|})) was already on "
             "pool threads, and uv_cancel cannot stop running work, so the threads ran on to "
             "{e:D} (the pretense of cancellation)]][[; ]][[the work of {u:N} task{us:s|} had "
             "just ended, but the cancel came before {tt:its task|their tasks} resumed to take "
             "{res:the result|the results}, so {itw:it was|they were} dropped]][[; ]][[the work "
             "of {d:N} task{ds:s|} was still queued for a thread, and was dropped]][[ ({j:N} "
             "worker{js:s|} had finished before it: cancel() did nothing to them)]]",
             cancel_abandoned),
        Form("swallowed", "at {t:D} {who:the worker|each worker} got CancelledError inside its "
             "`await sleep`, ran its cleanup ({c:D}), then swallowed the cancel and ((beat on to "
             "the end of its job at {e:D}||returned at once, at {e2:D}, its job already due)): "
             "{ended:it ended|each ended} done, not cancelled (task.cancelled() is False), and "
             "main's gather got {vals:its value|every value}[[ ({j:N} worker{js:s|} had "
             "finished before it: cancel() did nothing to them)]]", cancel_swallowed),
    ],
    "semaphore": [
        Form("none-queued", "{n:N} task{ns:s|}, at most {m:N} inside at once: with {k:N} "
             "permits every task went straight in, none queued", semaphore_none_queued),
        Form("queued", "{n:N} task{ns:s|}, at most {m:N} inside at once: {s:N} went straight "
             "in, the other {q:N} queued; the longest wait was {w:D} (mean {a:D})",
             semaphore_queued, exempt=("a",)),
        Form("faster", "limit {k:N} ran {r:R}x faster than one at a time", semaphore_faster),
    ],
    "lock": [
        Form("race", "without a lock, up to {m:N} tasks were between their read and their write "
             "at once: {w:N} write{ws:s|} landed on a counter changed since {whose:its|their} read, "
             "and {l:N} of {e:N} updates {was:was|were} lost (the counter ended at {c:N})",
             lock_race),
        Form("one-at-a-time", "no two read-await-writes overlapped ({why:one task alone cannot "
             "race|each ran on its own}), so no update was lost: the counter ended at {c:N} of "
             "{e:N}", lock_one_at_a_time),
        Form("deadlock", "each task took its first lock, then waited for the other's: {links:L}. "
             "At {d:D} nothing could run again (no step, no timer, no thread work), where "
             "asyncio would wait forever; asyncdemo reported the cycle and cancelled both, and "
             "their locks went back as they left their async with", deadlock_cycle),
        Form("deadlock-deadline", "((wait_for's deadline, {d:D}, came before ((the TaskGroup of "
             "the two ran its first step: it was cancelled before it started them, so no lock "
             "was ever taken{never:E}||{asked:the tasks asked|both tasks had asked} for their "
             "second lock: it cancelled them, and each left its async with, giving back what it "
             "held))||each task took its first lock and waited for the other's, a deadlock; "
             "wait_for's deadline, {d2:D}, broke it: it cancelled both, and each left its async "
             "with, giving back its first lock)); TimeoutError came at {r:D}",
             deadlock_deadline),
        Form("locked", "with asyncio.Lock, one task at a time went from its read to its write: "
             "all {c:N} update{cs:s|} counted, one after another, and ((no task had to queue for "
             "it||the tasks queued for it {q:N} time{qs:s|}, {w:D} in all))", lock_locked,
             exempt=("w",)),
    ],
    "queue": [
        Form("story", "{n:N} item{ns:s|} went through the queue in the order they were put; it "
             "held at most {m:N}(( (unbounded)|| of its {k:N})); ((the producers waited on put "
             "{p:N} time{ps:s|}, {pw:D} in all (backpressure)||no put had to wait)), and "
             "the consumers waited on get {gw:D} in all; join returned once the last was done, "
             "and the {c:N} idle consumer{cs:s|} {was:was|were} cancelled", queue_story,
             exempt=("pw", "gw")),
    ],
    "probe": [
        Form("tally", "{names:N} name{namess:s|}: {f:N} found[[ ({list:L})]], {nf:N} not "
             "found, {e:N} error{es:s|}, {to:N} timeout{tos:s|}[[, {c:N} cancelled]]",
             probe_tally),
        Form("invalid", "{k:N} name{ks:s|} under .invalid answered NOT FOUND without asking the"
             " resolver: {rest:Q}", probe_invalid),
        Form("waited", "every name had its row by {t:D}; the run then waited {w:D} more for "
             "lookups it had given up on: getaddrinfo cannot be interrupted, so (as asyncio.run "
             "waits for its executor) the run ends when their threads return", probe_waited),
        Form("lookups", "{k:N} lookup{ks:s|}, {lim:N} at a time: results arrived in completion"
             " order((, {order:E}which here was the submission order||, not submission order));"
             " the slowest took {x:D}, all of them {y:D} together((, in real time (the virtual "
             "clock stands still while a lookup runs, so the run's total says nothing about "
             "them)||, {tot:D} in total))", probe_lookups, exempt=("x", "y")),
    ],    # lag: a lag (resume less due time) and a CPU time (a sum of the jobs' work) are checked
    # by their forms, not as event times; so is the GIL's switch interval, a constant.
    "lag": [
        Form("model", "model: [[thread work takes turns at one lock, handed over every {g1:D}, "
             "as CPython's threads do under the GIL{gil:E}; ]][[C++ threads compute in parallel "
             "on all {cores:N} core{cs:s|} (--gil shows CPython's GIL){par:E}; ]][[a process pool "
             "of {pp:N} worker{pps:s|}, one per core, as ProcessPoolExecutor's default{proc:E}; ]]"
             "virtual "
             "clock: CPU work is not run but simulated by --cost[[, a job at a time on each of "
             "{sc:N} simulated core{scs:s|}]][[; the GIL's {g2:D} turns are taken a whole job at "
             "a time (the total is the same){gil2:E}]]", lag_model, exempt=("g1", "g2")),
        Form("inline-one", "inline: count_primes() ran on the loop thread, so nothing else "
             "could: {holder:L} held the loop for {held:D}, and the heartbeat's tick came {lag:D} "
             "late", lag_inline_one, exempt=("lag",)),
        Form("inline-all", "inline: count_primes() ran on the loop thread, so nothing else "
             "could: {n:N} job{ns:s|} held the loop for {held:D} in all, one after another "
             "({stall:D} at once, by {holder:L}), and the heartbeat's tick came {lag:D} late",
             lag_inline_all, exempt=("lag",)),
        Form("inline-short", "inline: the work held the loop for {held:D}, no longer than one "
             "tick ({tick:D}), so the worst tick came {lag:D} late: ((make --cost longer than "
             "--tick||a larger --size, or a shorter --tick,{size:E})) to see the heartbeat stall",
             lag_inline_short, exempt=("lag",)),
        Form("thread", "thread: asyncio.to_thread moved the work to the pool; the loop stayed "
             "free: {t:N} {tw:tick|ticks} came ((on time||at most {lag:D} late)); {cpu:D} of CPU "
             "in {w:D}, up to {k:N} at once on {cores:N} core{cs:s|}", lag_thread,
             exempt=("lag", "cpu")),
        Form("thread-gil", "thread, with the GIL: the loop stayed free: {t:N} {tw:tick|ticks} "
             "came ((on time||at most {lag:D} late)); ((the one job had the GIL to itself{one:E}"
             "||the {n:N} jobs took turns at the GIL)), {cpu:D} of CPU in {w:D}", lag_thread_gil,
             exempt=("lag", "cpu")),
        Form("process", "process: {n:N} job{ns:s|} ran in ((a simulated child process{one:E}||"
             "simulated child processes)), {k:N} at once; the loop stayed free: {t:N} "
             "{tw:tick|ticks} came ((on time||at most {lag:D} late))", lag_process,
             exempt=("lag",)),
        Form("compare", "heartbeat lag, worst / p99: {parts:L}", lag_compare,
             exempt=("parts",)),
    ],
    "retry": [
        Form("outcome", "{mode:none|full|equal}: {n:N} client{ns:s|} made {a:N} attempt{as:s|}: "
             "{ok:N} got an answer[[ and {g:N} gave up after {max:N} attempt{maxs:s|}]]; the "
             "service turned away {t:N}[[ and {e:N} failed at random]]. Done: half by {p50:D}, "
             "99% by {p99:D}, all by {all:D}", retry_outcome, exempt=("p50", "p99", "all")),
        Form("windows", "{mode:none|full|equal}: calls per {w:D} window: {h:L}; the most "
             "retries in any {burst:D}: {k:N}", retry_windows, exempt=("w", "burst")),
        Form("compare", "attempts / answered / all done: {parts:L}", retry_compare,
             exempt=("parts",)),
    ],
    "server": [
        Form("async", "async: the handler awaited its sleep, so the loop went on serving the "
             "other connections meanwhile, up to {k:N} request{ks:s|} at a time: the {c:N} "
             "{cw:client's|clients'} {m:N} request{ms:s|} took {t:D}, {x:F} requests/s, {o:N} "
             "connection{os:s|} open at once; latency p50 {p50:D}, p99 {p99:D}", server_async,
             exempt=("p50", "p99")),
        Form("blocking", "blocking: time.sleep() in the handler froze the loop, so while one "
             "request was handled no connection was read or answered: {m:N} request{ms:s|} one "
             "at a time in {t:D}, {x:F} requests/s, {o:N} connection{os:s|} open at once; latency "
             "p50 {p50:D}, p99 {p99:D}", server_blocking, exempt=("p50", "p99")),
        Form("model", "model: the listen backlog is {b:N}, one for each client, where "
             "start_server's default is {d:N}: connects beyond it at once would be dropped and "
             "tried again a second later", server_model),
    ],
}


class Groups(dict):
    """A match's named groups: a group the form does not have, or did not match, is None."""

    def __getitem__(self, key):
        return self.get(key)

    def groupdict(self):
        return self


def check_sentences(j: Judge, scenario: str, counts: Counter):
    r = j.r
    for sentence in [*r.doc["takeaways"], *r.doc["comparisons"]]:
        form = next((f for f in FORMS.get(scenario, []) if f.regex.fullmatch(sentence)), None)
        if form is None:
            if re.search(r"\d", sentence):
                j.fail(f"a sentence the sweep does not know quotes numbers it cannot check; "
                       f"teach tests/sweep/sweep.py its form: {sentence!r}")
            continue
        counts[f"{scenario}/{form.name}"] += 1
        m = form.regex.fullmatch(sentence)
        before = len(j.problems)
        form.check(j, Groups(m.groupdict()))
        exempt = [m.span(g) for g in form.exempt if m.group(g) is not None]
        for token in DURATION_TOKEN.finditer(sentence):
            if any(a <= token.start() < b for a, b in exempt):
                continue
            ns = ns_of(token.group(0))
            if not (r.is_time(ns) or r.is_distance(ns)):
                j.fail(f"{token.group(0)} is neither the time of an event nor the distance "
                       "between two")
        for i in range(before, len(j.problems)):
            j.problems[i] = f"{j.problems[i]}\n      in: {sentence!r}"


# --- the figures and the record itself ----------------------------------------------------------

def close(a, b, rel=1e-9) -> bool:
    return abs(a - b) <= max(abs(a), abs(b)) * rel + 1e-9


def check_record(j: Judge, scenario: str):
    r, doc = j.r, j.r.doc
    j.true(f"schema {doc.get('schema')!r}", doc.get("schema") == "asyncdemo/1")
    j.true(f"clock {doc.get('clock')!r}, not virtual", doc.get("clock") == "virtual")
    j.true(f"error {doc.get('error')!r} in a run without a fault", doc.get("error") is None)
    j.true("interrupted", doc.get("interrupted") is False)
    j.true("no checks: --check gave no claims", bool(doc["checks"]))
    for claim in doc["checks"]:
        j.true(f"claim failed: {claim['name']}: measured {claim['measured']}{claim['unit']}, "
               f"expected {claim['expected']}", claim["passed"])
    ts = [e["t"] for e in r.events]
    j.true("events out of time order", all(a <= b for a, b in zip(ts, ts[1:])))
    j.true(f"elapsed_s {doc['elapsed_s']} is not the last event's time "
           f"({max(ts, default=0) / 1e9})", abs(r.elapsed - max(ts, default=0)) <= MICRO_NS)
    for t in r.tasks:
        start, end = r.start(t), r.end(t)
        if (start is None) != (t["start_s"] is None) or (
                start is not None and abs(start - ns_of_seconds(t["start_s"])) > MICRO_NS):
            j.fail(f"{t['name']}: start_s {t['start_s']}, its start event at "
                   f"{None if start is None else start / 1e9}")
        if (end is None) != (t["end_s"] is None) or (
                end is not None and abs(end - ns_of_seconds(t["end_s"])) > MICRO_NS):
            j.fail(f"{t['name']}: end_s {t['end_s']}, its end event at "
                   f"{None if end is None else end / 1e9}")
        kind = next((k for k in TERMINAL if (t["id"], k) in r.first), None)
        expected = TERMINAL[kind] if kind else "running"
        j.true(f"{t['name']}: outcome {t['outcome']}, its events say {expected}",
               t["outcome"] == expected)
        j.true(f"{t['name']}: still running at the end of a complete run", expected != "running")
    check_summary(j, scenario)


def dns_wait(r, task: dict) -> int:
    """How long a probe task awaited its lookup: from its dns await to the step after it."""
    began = None
    for e in r.events:
        if e["task"] != task["id"]:
            continue
        if e["kind"] == "await" and e.get("detail") == "dns":
            began = e["t"]
        elif began is not None and e["kind"] in ("resume", *TERMINAL):
            return e["t"] - began
    return 0


def check_summary(j: Judge, scenario: str):
    r, s = j.r, j.r.doc["summary"]
    elapsed = r.doc["elapsed_s"]
    sequential, ideal, speedup, overhead = (s["sequential_s"], s["ideal_s"], s["speedup"],
                                            s["overhead_s"])
    j.true(f"overhead_s {overhead} is negative", overhead is None or overhead >= 0)
    j.true(f"speedup {speedup} is not positive", speedup is None or speedup > 0)
    if speedup is not None:
        j.true(f"speedup {speedup} is not sequential_s / elapsed_s ({sequential} / {elapsed})",
               sequential is not None and elapsed > 0 and close(speedup, sequential / elapsed))
    if overhead is not None:
        j.true(f"overhead_s {overhead} is not max(0, elapsed_s - ideal_s) ({elapsed} - {ideal})",
               ideal is not None and close(overhead, max(0.0, elapsed - ideal)))
    if ideal is not None:
        j.true(f"ideal_s {ideal} beats the run itself ({elapsed} s)", ideal <= elapsed + 1e-6)
    work = r.own_work()
    pieces = [work[t["id"]] for t in r.children]
    if scenario == "sleep":
        lengths = []
        for t in r.children:
            mode = t["name"].rsplit("-", 1)[0]
            lengths.append(sleep_length(r, t, mode) or 0)
        expected_seq = sum(lengths)
        pool, n, delay = r.doc["thread_pool"]["threads"], r.params["n"], ns_of(r.params["delay"])
        modes = [r.params["mode"]] if r.params["mode"] != "all" else ["blocking", "async",
                                                                       "threads"]
        expected_ideal = sum(n * delay if m == "blocking" else delay if m == "async"
                             else -(-n // pool) * delay for m in modes)
    elif scenario == "gather":
        expected_seq = sum(pieces)
        expected_ideal = sum(pieces) if r.params["sequential"] else max(pieces, default=0)
    elif scenario == "semaphore":
        expected_seq = sum(pieces)
        expected_ideal = shortest_run(pieces, r.params["limit"])
    elif scenario == "probe":  # on the fake resolver: each lookup from its await to its resume
        lookups = [dns_wait(r, t) for t in r.children]
        expected_seq = sum(lookups)
        expected_ideal = shortest_run(lookups, 1 if r.params["sequential"] else r.params["limit"])
    else:
        expected_seq = expected_ideal = None
    for name, value, expected in (("sequential_s", sequential, expected_seq),
                                  ("ideal_s", ideal, expected_ideal)):
        if value is None:
            j.true(f"{name} is null, but the work adds up to {expected} ns",
                   not expected)  # kit leaves a figure <= 0 unset
        elif expected is None:
            j.fail(f"{name} {value}: a figure the sweep cannot tie to the events")
        else:
            j.true(f"{name} {value} is not what the events give ({expected / 1e9} s)",
                   abs(ns_of_seconds(value) - expected) <= MICRO_NS)
    most, stall = r.loop_figures()
    if scenario == "probe":  # there: the most lookups at once (a task between await dns and resume)
        most = r.most_at_once(lambda e: e["kind"] == "await" and e.get("detail") == "dns",
                              lambda e: e["kind"] == "resume", r.children)
        j.count("summary.max_in_flight (lookups at once)", s["max_in_flight"], most)
    elif scenario == "server":  # there: the handlers alive at once (see server_figures)
        pass
    elif scenario == "semaphore":  # there: the most holding a permit
        j.count("summary.max_in_flight (tasks holding a permit at once)", s["max_in_flight"],
                inside(r))
    else:
        j.count("summary.max_in_flight (tasks alive at once)", s["max_in_flight"], most)
    j.true(f"summary.max_loop_stall_s {s['max_loop_stall_s']} is not the longest step the "
           f"events give ({stall / 1e9})", s["max_loop_stall_s"] is not None
           and abs(ns_of_seconds(s["max_loop_stall_s"]) - stall) <= MICRO_NS)


def check_figures(j: Judge, scenario: str):
    """The scenario's own figures, against the events they summarise."""
    r, f = j.r, j.r.doc["figures"]

    def same(name, value, ns):
        j.true(f"figures.{name} {value} is not what the events give "
               f"({None if ns is None else ns / 1e9})",
               value is not None and ns is not None and abs(ns_of_seconds(value) - ns) <= MICRO_NS)

    if scenario == "timeout":
        timed_out = outcome_note(r, "TimeoutError")
        back = next((t for t in (timed_out, outcome_note(r, "finished in time"),
                                 outcome_note(r, "returned late")) if t is not None), None)
        deadline = ns_of(r.params["timeout"])
        j.true(f"figures.timed_out {f.get('timed_out')}, the events say {timed_out is not None}",
               f.get("timed_out") == (timed_out is not None))
        # wait_for's value: the work's id, 1; with several, the TaskGroup's count of them.
        work = work_tasks(r)
        j.true(f"results {r.doc['results']} do not say what the events do",
               r.doc["results"] == ([{"error": "TimeoutError"}] if timed_out is not None
                                    else [{"value": len(work)}]))
        same("deadline_s", f.get("deadline_s"), deadline)
        same("returned_s", f.get("returned_s"), back)
        same("overrun_s", f.get("overrun_s"), None if back is None else max(0, back - deadline))
        if r.params.get("swallow"):
            j.count("figures.swallowed", f.get("swallowed"), len(r.notes(SWALLOWED_NOTE)))
    elif scenario == "cancel":
        workers = r.children
        j.count("figures.cancelled", f.get("cancelled"),
                sum(t["outcome"] == "cancelled" for t in workers))
        swallowed = swallowers_of(r)
        j.count("figures.finished_before_cancel", f.get("finished_before_cancel"),
                sum(t["outcome"] == "ok" and t["id"] not in swallowed for t in workers))
        if r.params.get("swallow"):
            j.count("figures.swallowed", f.get("swallowed"), len(swallowed))
        if "thread_work_finished_s" in f:
            same("thread_work_finished_s", f["thread_work_finished_s"],
                 max((e["t"] for e in r.events if e["kind"] == "thread-end"), default=None))
        for t, result in zip(workers, r.doc["results"]):
            expected = {"cancelled": True} if t["outcome"] == "cancelled" else int(
                t["name"].split("-")[1])
            j.true(f"{t['name']}: result {result}, its outcome {t['outcome']}", result == expected)
    elif scenario == "semaphore":
        waited = waits(r)
        same("max_wait_s", f.get("max_wait_s"), max(waited, default=0))
        if f.get("waits_s") is not None:
            j.true("figures.waits_s is not each task's wait for its permit, from the events",
                   len(f["waits_s"]) == len(waited) and all(
                       abs(ns_of_seconds(a) - b) <= MICRO_NS for a, b in zip(f["waits_s"], waited)))
    elif scenario == "lock" and r.params.get("deadlock"):
        links = deadlock_links(r)
        cycle = f.get("cycle", [])
        j.true("figures.cycle is not the notes' cycle",
               [(c["task"], c["waits_for"], c["held_by"]) for c in cycle] == links)
        timed_out = outcome_note(r, "TimeoutError")
        j.true("figures.timed_out does not say what the events do",
               f.get("timed_out") == (timed_out is not None))
        if links:
            same("deadlocked_at_s", f.get("deadlocked_at_s"),
                 r.notes("deadlock:")[0]["t"])
        j.count("figures.took_both", f.get("took_both"), sum(
            len(r.notes("took lock-", [t])) == 2 for t in r.children))
        expected = ([{"error": "TimeoutError"}] if timed_out is not None
                    else [{"deadlock": True}] if links else [{"value": f.get("took_both")}])
        j.true(f"results {r.doc['results']} do not say what the events do",
               r.doc["results"] == expected)
    elif scenario == "lock":
        try:
            replay = increments(r)
        except ValueError as error:
            j.fail(f"the notes do not replay: {error}")
            return
        expected = r.params["n"] * r.params["increments"]
        j.count("figures.expected", f.get("expected"), expected)
        j.count("figures.counter", f.get("counter"), replay.counter)
        j.count("figures.lost", f.get("lost"), expected - replay.counter)
        j.count("figures.stale_writes", f.get("stale_writes"), replay.stale)
        j.count("figures.max_inside", f.get("max_inside"), replay.max_inside)
        j.true(f"results {r.doc['results']} are not the counter",
               r.doc["results"] == [{"counter": replay.counter}])
    elif scenario == "queue":
        put, got, most = queue_replay(r)
        j.count("figures.max_depth", f.get("max_depth"), most)
        put_waits, put_waited = queue_waits(r, "put")
        j.count("figures.puts_waited", f.get("puts_waited"), put_waits)
        same("put_wait_s", f.get("put_wait_s"), put_waited)
        same("get_wait_s", f.get("get_wait_s"), queue_waits(r, "get")[1])
        j.true(f"results {r.doc['results']} are not the items got, in order",
               r.doc["results"] == [{"done": len(got), "got_order": got}])
    elif scenario == "lag":
        lag_figures(j)
    elif scenario == "retry":
        retry_figures(j)
    elif scenario == "server":
        server_figures(j)
    elif scenario == "probe":
        rows = r.doc["results"]
        counts = f.get("counts", {})
        j.count("figures.counts.found", counts.get("found"),
                sum(row.get("status") == "FOUND" for row in rows))
        j.count("figures.counts.not_found", counts.get("not_found"),
                sum(row.get("status") == "NOT FOUND" for row in rows))
        ended = [e for e in r.events if e["kind"] in TERMINAL and e["task"] != r.root["id"]]
        j.true(f"figures.completion_order {f.get('completion_order')} is not the order in which "
               "the lookups ended", f.get("completion_order") == [r.tasks[e["task"]]["name"]
                                                                 for e in ended])


# --- running ------------------------------------------------------------------------------------

def run_one(binary: str, case: list[str]):
    command = [binary, *case, "--virtual-time", "--check", "--json"]
    started = time.monotonic()
    try:
        proc = subprocess.run(command, capture_output=True, timeout=RUN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return command, None, f"did not end within {RUN_TIMEOUT_S} s", time.monotonic() - started
    return command, proc, None, time.monotonic() - started


def judge_one(scenario: str, proc, counts: Counter) -> list[str]:
    problems = []
    if proc.returncode != 0:
        problems.append(f"exit {proc.returncode}, not 0 (stderr: "
                        f"{proc.stderr.decode(errors='replace').strip()[:500]!r})")
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as error:
        return problems + [f"stdout is not JSON: {error}"]
    j = Judge(Record(doc))
    check_record(j, scenario)
    check_figures(j, scenario)
    check_sentences(j, scenario, counts)
    return problems + j.problems


def pool_size(binary: str) -> int:
    out = subprocess.run([binary, "sleep", "--n", "1", "--delay", "0", "--mode", "async",
                          "--virtual-time", "--json"], capture_output=True, check=True,
                         timeout=RUN_TIMEOUT_S)
    return json.loads(out.stdout)["thread_pool"]["threads"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asyncdemo", required=True, help="the binary under test")
    parser.add_argument("--list", action="store_true", help="print the commands, run nothing")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    try:
        seed = int(os.environ.get(SEED_VARIABLE, DEFAULT_SEED))
        runs = int(os.environ.get(RUNS_VARIABLE, DEFAULT_RUNS))
    except ValueError as error:
        print(f"sweep: {SEED_VARIABLE} and {RUNS_VARIABLE} are whole numbers: {error}",
              file=sys.stderr)
        return 2
    if not os.access(args.asyncdemo, os.X_OK):
        print(f"sweep: {args.asyncdemo} is not an executable", file=sys.stderr)
        return 2
    try:
        pool = pool_size(args.asyncdemo)
    except (subprocess.SubprocessError, OSError, ValueError, KeyError) as error:
        print(f"sweep: cannot read the thread pool's size from {args.asyncdemo}: {error}",
              file=sys.stderr)
        return 2
    cases = combinations(seed, runs, pool)
    if args.list:
        for case in cases:
            print(shlex.join([args.asyncdemo, *case, "--virtual-time", "--check", "--json"]))
        return 0
    started = time.monotonic()
    counts = Counter()
    failures = []
    slowest = (0.0, "")
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool_of_runs:
        for case, (command, proc, error, seconds) in zip(
                cases, pool_of_runs.map(lambda c: run_one(args.asyncdemo, c), cases)):
            slowest = max(slowest, (seconds, shlex.join(case)))
            problems = [error] if error else judge_one(case[0], proc, counts)
            if problems:
                failures.append((command, problems))
    took = time.monotonic() - started
    scenarios = Counter(case[0] for case in cases)
    print(f"sweep: {len(cases)} runs ({', '.join(f'{s} {scenarios[s]}' for s in SCENARIOS)}), "
          f"seed {seed}, {took:.1f} s (slowest run {slowest[0]:.2f} s: {slowest[1]})")
    print("sweep: sentences checked by form: " +
          ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if not failures:
        print("sweep: every run passed its --check, and every number it quoted is in its record")
        return 0
    for command, problems in failures:
        print(f"\nFAIL: {shlex.join(command)}")
        for problem in problems:
            print(f"  - {problem}")
    print(f"\nsweep: {len(failures)} of {len(cases)} runs failed (seed {seed}). Replay: "
          f"{SEED_VARIABLE}={seed} {RUNS_VARIABLE}={runs} python3 {sys.argv[0]} "
          f"--asyncdemo {args.asyncdemo}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
