#!/usr/bin/env python3
"""Parity of asyncdemo with asyncio: each case runs one scenario both ways on the real clock.

    compare.py --asyncdemo BUILD/asyncdemo CASE...    run these cases (--all: every case)
    compare.py --list                                 the case names, one a line

A case is `asyncdemo SCENARIO OPTIONS --json` against `python3 SCENARIO.py OPTIONS`, the asyncio
program beside this file that the scenario mirrors. They must agree on:
  - each task's outcome (done, failed, cancelled, or not started: never created), exactly;
  - the order in which the tasks ended, exactly, except among tasks that a case lists as
    unordered: asyncio itself does not decide their order (threads that finish together; the
    siblings a TaskGroup cancels, which it walks in the order of a set);
  - each task's end and the total elapsed time, within 60 ms + 15%, as are the times a scenario
    reports beside them: lag's worst heartbeat lag in each mode;
  - what main got, exactly, where a scenario reports it: probe's status per name, timeout's
    TimeoutError or value, cancel's value or cancellation per worker, lock's final counter,
    lag's jobs in submission order (not the primes each counted: that is the machine's speed),
    retry's attempts per client and whether each got an answer.
Ties are the point of several cases: equal delays end in one loop iteration, in creation order,
and what reacts to a task's end (gather, TaskGroup, wait_for) runs one iteration later. Where a
tie decides outcomes, the asyncio side runs three times and its most common answer counts.
A difference in timing alone is measured once more before it fails the case.

Exit status: 0 every case agreed; 1 a case disagreed (both sides are printed); 2 a run failed;
77 skipped (this python3 is older than 3.11, which has no TaskGroup).
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Both sides run in the repository's root, so that a case names a plan file as the README
# does: `run examples/sleep.toml`.
ROOT = HERE.parent.parent
SKIP = 77
TOLERANCE_S = 0.060
TOLERANCE_RATIO = 0.15
RUN_TIMEOUT_S = 30


@dataclass
class Case:
    name: str
    command: str  # the scenario and its options, as given to both programs
    unordered: tuple = ()  # groups of task names whose relative end order is not decided
    why: str = ""
    # How many times to run the asyncio side, taking the answer most runs give. Where a tie
    # decides outcomes, asyncio's answer rests on timers that are microseconds apart firing in
    # one iteration (its wait for the first is rounded up to a whole millisecond), which about
    # one run in a hundred misses on a loaded machine.
    asyncio_runs: int = 1
    # Options for asyncdemo only. `--virtual-time` where the case is a tie: asyncdemo's real-clock
    # timers keep their microseconds, so sleeps set microseconds apart fire one by one, where
    # asyncio's rounded wait groups them into one iteration; on the virtual clock equal delays
    # are an exact tie, decided by asyncio's scheduling order.
    asyncdemo_only: tuple = ()

    @property
    def cpu_bound(self):
        """Whether its times rest on CPU work (lag's jobs, a plan's cpu steps): work that takes
        longer when another test holds the core, on each side by another amount. The suite runs
        these alone (cmake/ParityTests.cmake)."""
        return self.scenario == "lag" or self.name == "run_cpu"

    @property
    def scenario(self):
        return self.command.split()[0]

    @property
    def options(self):
        return shlex.split(self.command)[1:]


def threads(prefix, n):
    return (tuple(f"{prefix}-{i}" for i in range(1, n + 1)),)


CASES = [
    # sleep: blocking adds up, async overlaps, threads overlap as far as the pool goes.
    Case("sleep_blocking_n3", "sleep --mode blocking --n 3 --delay 100ms",
         why="time.sleep holds the loop: the tasks end 100 ms apart, in order"),
    Case("sleep_async_n3", "sleep --mode async --n 3 --delay 200ms",
         why="equal sleeps end in one iteration, in creation order"),
    Case("sleep_threads_n3", "sleep --mode threads --n 3 --delay 200ms",
         unordered=threads("threads", 3)),
    Case("sleep_threads_n6", "sleep --mode threads --n 6 --delay 200ms",
         unordered=threads("threads", 6),
         why="more sleeps than libuv's 4 threads; asyncio's default executor has "
             "min(32, os.cpu_count() + 4) workers (6 on 2 cores), which DESIGN.md says "
             "asyncdemo's pool has"),
    Case("sleep_all_n1", "sleep --mode all --n 1 --delay 100ms"),
    Case("sleep_all_n2", "sleep --mode all --n 2 --delay 100ms",
         unordered=threads("threads", 2)),
    # gather: results in submission order, completion order by delay; the error policies.
    Case("gather_equal", "gather --n 3 --delay 200ms"),
    Case("gather_n1", "gather --n 1 --delay 100ms"),
    Case("gather_distinct", "gather --delays 300ms,100ms,200ms"),
    Case("gather_propagate_distinct",
         "gather --delays 300ms,100ms,200ms --fail 2 --on-error propagate",
         why="gather raises at 100 ms and cancels nothing: the others run to their end"),
    Case("gather_propagate_equal", "gather --n 3 --delay 200ms --fail 2 --on-error propagate"),
    Case("gather_collect_distinct",
         "gather --delays 300ms,100ms,200ms --fail 2 --on-error collect"),
    Case("gather_collect_equal", "gather --n 3 --delay 200ms --fail 2 --on-error collect"),
    Case("gather_cancel_siblings_distinct",
         "gather --delays 300ms,100ms,200ms --fail 2 --on-error cancel-siblings",
         unordered=(("task-1", "task-3"),),
         why="the TaskGroup cancels task-1 and task-3, still sleeping, one iteration after "
             "task-2 failed"),
    Case("gather_cancel_siblings_one_done",
         "gather --delays 100ms,200ms,300ms --fail 2 --on-error cancel-siblings",
         why="task-1 had finished before the failure; only task-3 is cancelled"),
    Case("gather_cancel_siblings_equal",
         "gather --n 3 --delay 200ms --fail 2 --on-error cancel-siblings",
         why="the tie: task-3 ends in the same iteration as task-2's failure, before the "
             "TaskGroup hears of it, so asyncio gives [1, RuntimeError, 3]",
         asyncio_runs=3, asyncdemo_only=("--virtual-time",)),
    Case("gather_cancel_siblings_equal_first_fails",
         "gather --n 3 --delay 200ms --fail 1 --on-error cancel-siblings",
         why="the tie again: task-2 and task-3 end in task-1's iteration and are not cancelled",
         asyncio_runs=3, asyncdemo_only=("--virtual-time",)),
    Case("gather_sequential", "gather --n 3 --delay 100ms --sequential"),
    Case("gather_sequential_fail", "gather --n 3 --delay 100ms --sequential --fail 2",
         why="the first error ends the loop: task-3 never starts"),
    Case("gather_sequential_fail_collect",
         "gather --n 3 --delay 100ms --sequential --fail 2 --on-error collect"),
    # timeout: wait_for cancels, waits for the cleanup, then raises TimeoutError.
    Case("timeout_work_shorter", "timeout --work 100ms --timeout 300ms --cleanup 100ms"),
    Case("timeout_work_longer", "timeout --work 400ms --timeout 200ms --cleanup 100ms"),
    Case("timeout_work_equal", "timeout --work 200ms --timeout 200ms --cleanup 100ms",
         why="wait_for arms its timer before the work's first step arms its sleep, so the "
             "deadline comes first: TimeoutError"),
    Case("timeout_zero", "timeout --work 200ms --timeout 0 --cleanup 100ms",
         why="wait_for(timeout=0) cancels the task before its first step: no cleanup runs"),
    Case("timeout_no_cleanup", "timeout --work 300ms --timeout 200ms --cleanup 0"),
    Case("timeout_cleanup_outlasts_work", "timeout --work 200ms --timeout 100ms --cleanup 300ms",
         why="the cleanup ends after the work would have: TimeoutError at 400 ms"),
    Case("timeout_n3", "timeout --delays 100ms,300ms,400ms --timeout 200ms --cleanup 100ms",
         unordered=(("work-2", "work-3"),),
         why="work-1 is done in time; the TaskGroup under the deadline cancels the other two"),
    Case("timeout_n2_in_time", "timeout --delays 100ms,200ms --timeout 300ms"),
    # timeout --swallow: the work catches CancelledError, cleans up and returns its value.
    Case("timeout_swallow", "timeout --work 400ms --timeout 200ms --cleanup 100ms --swallow",
         why="wait_for returns the value of work that swallowed the cancel, at the deadline plus "
             "the cleanup: no TimeoutError, and the work ends done"),
    Case("timeout_swallow_equal", "timeout --work 200ms --timeout 200ms --cleanup 100ms --swallow",
         why="the tie: the deadline, set first, fires first; the work swallows the cancel and "
             "wait_for returns its value at 300 ms"),
    Case("timeout_swallow_zero", "timeout --work 200ms --timeout 0 --cleanup 100ms --swallow",
         why="wait_for(timeout=0) cancels the task before its first step, so its except clause "
             "never runs to swallow anything: TimeoutError at once"),
    Case("timeout_swallow_work_shorter",
         "timeout --work 100ms --timeout 300ms --cleanup 100ms --swallow",
         why="the work beats the deadline: there is no cancel to swallow"),
    Case("timeout_swallow_n3", "timeout --delays 100ms,300ms,400ms --timeout 200ms --cleanup 100ms "
         "--swallow", unordered=(("work-2", "work-3"),),
         why="work-2 and work-3 swallow the cancel and end done, but the TaskGroup re-raises the "
             "cancel of its own task: all-work ends cancelled, and wait_for raises TimeoutError"),
    # cancel: Cancelled at the next await, cleanup runs; thread work runs on.
    Case("cancel_beats", "cancel --n 3 --after 300ms --beat 100ms --cleanup 100ms"),
    Case("cancel_no_cleanup", "cancel --n 2 --after 250ms --beat 100ms --cleanup 0"),
    Case("cancel_at_once", "cancel --n 3 --after 0 --beat 100ms --cleanup 100ms",
         why="sleep(0) still yields: the workers take their first step before the cancel"),
    Case("cancel_offload", "cancel --n 3 --after 200ms --offload --work 400ms --cleanup 100ms",
         why="the tasks end cancelled at 300 ms; the run waits for the threads until 400 ms"),
    Case("cancel_offload_work_ends_first", "cancel --n 3 --after 400ms --offload --work 300ms",
         unordered=threads("worker", 3),
         why="the work ended before the cancel: nothing left to cancel, every worker done"),
    # cancel --swallow: each worker cleans up, swallows the cancel and beats on to its job's end.
    Case("cancel_swallow", "cancel --n 2 --after 250ms --beat 100ms --cleanup 100ms --swallow "
         "--work 600ms", unordered=threads("worker", 2),
         why="the workers end done at 600 ms, not cancelled, and gather returns [1, 2]; their "
             "jobs end microseconds apart on the real clock, in either order"),
    Case("cancel_swallow_job_due", "cancel --n 1 --after 250ms --beat 100ms --cleanup 300ms "
         "--swallow --work 300ms",
         why="the job was due by the end of the cleanup: the worker returns at once, at 550 ms"),
    Case("cancel_swallow_work_ends_first", "cancel --n 2 --after 400ms --beat 100ms --swallow "
         "--work 200ms", unordered=threads("worker", 2),
         why="the jobs were done at 200 ms: the cancel at 400 ms finds nothing to cancel"),
    Case("cancel_swallow_tie", "cancel --n 2 --after 300ms --beat 100ms --swallow --work 300ms",
         why="the tie: main's sleep, set before the workers' first step, wakes first, so the "
             "cancel reaches the workers as their jobs fall due; they swallow it and return at "
             "400 ms",
         asyncio_runs=3, asyncdemo_only=("--virtual-time",)),
    Case("cancel_swallow_at_once", "cancel --n 2 --after 0 --beat 100ms --swallow --work 300ms",
         unordered=threads("worker", 2),
         why="sleep(0) still yields: the workers take their first step, then swallow the cancel "
             "and run on to 300 ms"),
    # semaphore: at most K at once, first come first served.
    Case("semaphore_limit_below_n", "semaphore --n 5 --limit 2 --delay 100ms"),
    Case("semaphore_limit_1", "semaphore --n 3 --limit 1 --delay 100ms"),
    Case("semaphore_limit_equal_n", "semaphore --n 3 --limit 3 --delay 200ms"),
    Case("semaphore_limit_above_n", "semaphore --n 2 --limit 4 --delay 200ms"),
    # lock: read-await-write loses updates unguarded; asyncio.Lock serialises, first come first
    # served. The counter must match exactly.
    Case("lock_unguarded", "lock",
         why="the three tasks read the same value before any writes it back: each round of "
             "three increments counts once, so the counter ends at 3 of 9"),
    Case("lock_guarded", "lock --lock --delay 30ms",
         why="one section at a time, 9 x 30 ms; a task that releases the lock and asks again "
             "queues behind the others: the turns go 1, 2, 3, 1, ..., and task-1 ends at "
             "210 ms, not 90 ms"),
    Case("lock_n1", "lock --n 1",
         why="one task alone cannot race: every update counts, with no lock"),
    Case("lock_delay_0", "lock --delay 0",
         why="sleep(0) still yields: the tasks read before the others write, and the counter "
             "ends at 3 of 9"),
    Case("lock_guarded_delay_0", "lock --lock --delay 0",
         why="sleep(0) yields inside the lock, but no other task can take it: 9 of 9"),
    Case("lock_n4_unguarded", "lock --n 4 --increments 2 --delay 20ms",
         why="the counter ends at 2 of 8"),
    Case("lock_n4_guarded", "lock --n 4 --increments 2 --delay 20ms --lock",
         why="8 sections one after another, 160 ms: the counter ends at 8"),
    # lock --deadlock: only with a deadline (without one, asyncio waits forever, where asyncdemo
    # reports the cycle and ends the run).
    Case("lock_deadlock_timeout", "lock --deadlock --delay 50ms --timeout 300ms",
         why="each task waits for the other's lock; wait_for's deadline cancels both at 300 ms"),
    Case("lock_deadlock_timeout_first", "lock --deadlock --delay 300ms --timeout 100ms",
         why="the deadline comes before either asks for its second lock"),
    # queue: FIFO through an asyncio.Queue; backpressure with a maxsize; join, then the idle
    # consumers cancelled. The order items were got in must match exactly.
    Case("queue_bounded", "queue --produce 30ms --consume 90ms",
         why="maxsize 2: the producers outrun the consumers and wait on put"),
    Case("queue_unbounded", "queue --maxsize 0 --produce 30ms --consume 90ms",
         why="no maxsize: nothing waits on put, the queue grows"),
    Case("queue_many_consumers", "queue --producers 1 --consumers 4 --produce 20ms --consume 60ms",
         why="more consumers than work: they wait on get"),
    Case("queue_instant", "queue --items 20 --maxsize 3 --produce 0 --consume 0",
         why="sleep(0) still yields: the order of puts and gets is the loop's alone"),
    # probe: only names answered without the network (localhost, loopback addresses); no
    # NOT FOUND case, which would need a real resolver.
    Case("probe_limit_1", "probe localhost 127.0.0.1 127.0.0.2 --limit 1",
         why="one lookup at a time: they end in submission order"),
    Case("probe_sequential", "probe localhost 127.0.0.1 --sequential"),
    Case("probe_concurrent", "probe localhost 127.0.0.1 127.0.0.2",
         unordered=(("localhost", "127.0.0.1", "127.0.0.2"),)),
    # probe on the fake resolver: asyncio's getaddrinfo replaced by a coroutine that sleeps each
    # answer's latency and answers the same way, from a hosts file or the hash of each name.
    Case("probe_fake_hosts",
         f"probe --hosts {HERE.parent / 'golden' / 'probe.hosts'} --timeout 500ms python.org "
         "blogdom.dev nosuchname.example flaky.example silent.example unlisted.example",
         why="every outcome: found, not found, try again, a timeout, a name not listed"),
    Case("probe_fake_hashed_limit_2",
         "probe --resolver fake def.dev none.dev true.dev and.dev elif.dev --limit 2",
         why="made-up latencies from a hash of each name, two lookups at a time"),
    # lag: CPU work inline holds the loop, and the heartbeat's tick is late by the work; on a
    # thread or a process the heartbeat stays on time. Costs are CPU time, and small: two cases
    # run at once on two cores. Where a job runs beside the heartbeat, its cost is no whole
    # number of ticks, so that its end and a tick never fall due together (a tie either way). asyncdemo's threads take --gil, as Python's always have the GIL.
    Case("lag_inline_1", "lag --offload inline --jobs 1 --cost 300ms --tick 100ms",
         why="the job holds the loop for 300 ms: the tick due at 100 ms wakes at 300 ms, 200 ms "
             "late, and it is the last: gather wakes main, which sets stop, before the heartbeat "
             "resumes, so the heartbeat ends with the job, last"),
    Case("lag_inline_2", "lag --offload inline --jobs 2 --cost 200ms --tick 50ms",
         why="both jobs run back to back in one loop iteration: the tick due at 50 ms is late by "
             "about 350 ms"),
    Case("lag_thread_gil_1", "lag --offload thread --jobs 1 --cost 250ms --tick 100ms",
         asyncdemo_only=("--gil",),
         why="to_thread leaves the loop free: the heartbeat stays on time, late by a few ms at "
             "most (the GIL is handed over every 5 ms)"),
    Case("lag_thread_gil_2", "lag --offload thread --jobs 2 --cost 180ms --tick 50ms",
         unordered=threads("thread", 2), asyncdemo_only=("--gil",),
         why="under the GIL one thread runs Python at a time: the two jobs take about 360 ms "
             "together and end close together, in either order"),
    Case("lag_process_1", "lag --offload process --jobs 1 --cost 250ms --tick 100ms",
         why="a process has its own interpreter: the heartbeat stays on time (asyncio's pool is "
             "warmed up before the clock; asyncdemo starts a process per job, a few ms more)"),
    Case("lag_all", "lag --offload all --jobs 1 --cost 250ms --tick 100ms",
         asyncdemo_only=("--gil",),
         why="the three phases one after another: only inline's tick is late, by about 150 ms"),
    # retry: the service's windows and the backoffs are the same arithmetic on both sides, and
    # the jitter the same seeded draws. Each case keeps every call at least 35 ms from a window's
    # edge (on the virtual clock), so the few ms that real timers add over five retries never
    # move a call into the next window, and its clients end apart (by 80 ms or more) or in one
    # iteration (calls made together, answered in the order they were made).
    Case("retry_none", "retry --jitter none --n 5 --capacity 2 --window 1s",
         why="the three turned away at 0 s retry together at 110, 320 and 730 ms, all in the "
             "first window: the herd. Two get in at 1.54 s, the last at 3.15 s"),
    Case("retry_gives_up", "retry --jitter none --n 4 --capacity 1 --window 1s --max-attempts 3",
         why="three calls each, all in the first window: three clients give up at 330 ms"),
    Case("retry_full", "retry --jitter full --n 5 --capacity 2 --window 1s --seed 2",
         why="full jitter: waits drawn from 0 to the backoff, the same draws on both sides"),
    Case("retry_equal_errors",
         "retry --jitter equal --n 5 --capacity 2 --window 1s --error-rate 0.3 --seed 6",
         why="equal jitter, and calls served that fail at random: the same ones on both sides"),
    Case("retry_all", "retry --jitter all --n 3 --capacity 1 --window 1s --max-attempts 4 "
         "--seed 3", why="the three jitters one after another, each with its own windows"),
    # run PLAN: asyncdemo's plan interpreter against run.py, which runs the same plan file with
    # the asyncio construct the README's table names for each step. Not here: plans that
    # deadlock (asyncio would wait forever, where asyncdemo reports the deadlock and ends the
    # run: the documented difference, tested in plan_run_test) and plans that resolve names
    # (they would need a real resolver).
    Case("run_example_sleep", "run examples/sleep.toml",
         why="three time.sleep(0.5) one after another, then three asyncio.sleep(0.5) at once: 2 s"),
    Case("run_example_flags2", "run examples/flags2.toml",
         unordered=(("download_one-BR", "download_one-CN", "download_one-ID"),
                    ("download_one-IN", "download_one-JP", "download_one-NG"),
                    ("download_one-PK", "download_one-RU", "download_one-US")),
         why="three at a time through the semaphore, first come first served; each round's "
             "files are saved on threads that end microseconds apart, in any order"),
    Case("run_example_taskgroup", "run examples/taskgroup.toml",
         unordered=(("fetch-1", "fetch-2", "fetch-3"),),
         why="broken fails at 300 ms; the TaskGroup cancels the fetches (in the order of a set) "
             "and raises"),
    # run PLAN with the plans of tests/parity/plans/, each small and written for one lesson.
    # Known difference, left out: when the task awaiting a TaskGroup (or a wait_for) is itself
    # cancelled, asyncio 3.11 wakes that task first, and it cancels the children one loop
    # iteration later; asyncdemo cancels them at once. Times and outcomes agree; only the order
    # among tasks ending within those iterations can differ (a taskgroup step under a cancel
    # step, with others ending in the same iterations).
    Case("run_gather_propagate", "run tests/parity/plans/gather_propagate.toml",
         why="gather raises bad's error in parent at 100 ms and cancels nothing: mid and slow run "
             "to 200 and 300 ms"),
    Case("run_gather_collect", "run tests/parity/plans/gather_collect.toml",
         why="return_exceptions=True: parent waits for all three, then sleeps 50 ms: 350 ms"),
    Case("run_gather_taskgroup", "run tests/parity/plans/gather_taskgroup.toml",
         unordered=(("slow", "mid"),),
         why="the TaskGroup cancels slow and mid at 100 ms, in the order of a set, then raises"),
    Case("run_taskgroup_tie", "run tests/parity/plans/taskgroup_tie.toml",
         asyncio_runs=3, asyncdemo_only=("--virtual-time",),
         why="the tie: mid ends in bad's iteration, before the group hears of the error, so it "
             "is done; only slow is cancelled"),
    Case("run_as_completed", "run tests/parity/plans/as_completed.toml",
         why="as_completed gives fast (100 ms), broken (200 ms, raised) and slow (cancelled at "
             "250 ms) in the order they end; parent notes each and ends done"),
    Case("run_wait_for", "run tests/parity/plans/wait_for.toml",
         why="at each deadline the block is cancelled and its cleanup awaited before "
             "TimeoutError: patient goes on (400 ms), strict fails (250 ms), quick's block is "
             "done in time, nested's inner deadline fires first"),
    Case("run_cancel", "run tests/parity/plans/cancel.toml",
         why="the workers are cancelled at 200 ms, offload too while its thread runs on to "
             "400 ms (the run waits for it); early had ended at 100 ms: nothing to cancel"),
    Case("run_cancel_nested", "run tests/parity/plans/cancel_nested.toml",
         why="a cancel passes on to gather's children, an awaited task and wait_for's block "
             "(after its cleanup, 150 ms), not to as_completed's child, cancelled only when main "
             "returns; each end one loop iteration after what it waits on"),
    Case("run_ties", "run tests/parity/plans/ties.toml",
         asyncio_runs=3, asyncdemo_only=("--virtual-time",),
         why="the ties: killer's sleep, set first, wakes first, and its cancel reaches target "
             "after its sleep ended but before it resumed: cancelled; late_killer's comes after "
             "early_target's end: done; wait_for's deadline, set before its block's sleep, "
             "fires first: the block is cancelled"),
    Case("run_queue", "run tests/parity/plans/queue.toml",
         why="maxsize 1: each get lets the next waiting put in, first come first served"),
    Case("run_semaphore", "run tests/parity/plans/semaphore.toml",
         why="two workers at a time; the lock's sections one after the other; gate has one "
             "permit left for good, so gated-2 waits for gated-1"),
    Case("run_spawn", "run tests/parity/plans/spawn.toml",
         unordered=(("worker-1", "worker-2"),),
         why="parent raises broken's error at 100 ms; main returns and asyncio.run cancels the "
             "two workers parent never awaited, in the order of a set (asyncio.all_tasks)"),
    Case("run_spawn_await", "run tests/parity/plans/spawn_await.toml",
         why="parent awaits worker to 200 ms, then broken, which failed at 100 ms: parent "
             "raises at once"),
    Case("run_cpu", "run tests/parity/plans/cpu.toml",
         why="200 ms of CPU on the loop thread holds sleeper's 100 ms sleep to about 210 ms; "
             "the thread's sleep is not held, but its task's next step waits for the loop"),
    # server: real sockets on 127.0.0.1 both sides; the handlers (conn-N) numbered in the order
    # the server accepted them. The clients connect at once, so which client's connection the
    # server accepts first is the kernel's to say: the clients' ends, and the handlers', are
    # compared as groups where they are microseconds apart.
    Case("server_async", "server --clients 3 --requests 2 --delay 100ms",
         unordered=(("client-1", "client-2", "client-3", "conn-1", "conn-2", "conn-3"),),
         why="the handler awaits: the three connections are served at once, 2 x 100 ms"),
    Case("server_blocking", "server --clients 3 --requests 2 --delay 100ms --blocking",
         unordered=(("client-1", "client-2", "client-3", "conn-1", "conn-2", "conn-3"),),
         why="time.sleep in the handler: the six requests one after another, 600 ms"),
    Case("server_one_client", "server --clients 1 --requests 3 --delay 50ms",
         why="one connection: each request waits for the answer before the next, 150 ms"),
]


# --- running both sides ---------------------------------------------------------------------


class RunFailed(Exception):
    pass


def run_json(argv, env=None):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=RUN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        raise RunFailed(f"{shlex.join(argv)}: no answer in {RUN_TIMEOUT_S} s") from error
    if done.returncode != 0:
        raise RunFailed(f"{shlex.join(argv)}: exit {done.returncode}\n{done.stderr}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise RunFailed(f"{shlex.join(argv)}: not JSON ({error})\n{done.stdout}") from error


def asyncio_side(case):
    """The answer most of case.asyncio_runs runs give (see Case.asyncio_runs)."""
    runs = [asyncio_run(case) for _ in range(case.asyncio_runs)]
    answers = [behaviour(case, run) for run in runs]
    most = max(answers, key=answers.count)
    if answers.count(most) < len(answers):
        print(f"case {case.name}: asyncio gave another answer in "
              f"{len(answers) - answers.count(most)} of {len(answers)} runs; taking the most common")
    return runs[answers.index(most)]


def lag_reading(jobs, modes):
    """lag's results and times: the jobs in submission order, exactly, and each mode's worst
    heartbeat lag, a time. How many primes fit in a job's CPU time, and how many ticks in a
    phase, depend on the machine: they are not compared."""
    return ([row["job"] for row in jobs],
            {f"{mode} max_lag_s": figures["max_lag_s"] for mode, figures in modes.items()})


def retry_reading(clients):
    """retry's results: each client's attempts and whether it got an answer, exactly."""
    return [(row["client"], row["attempts"], row["answered"]) for row in clients]


def server_reading(requests):
    """server's results: how many requests each client got answered (the order in which the
    answers came, microseconds apart, is the kernel's; the latencies are times)."""
    counts = {}
    for row in requests:
        counts[row["client"]] = counts.get(row["client"], 0) + 1
    return sorted(counts.items())


def behaviour(case, side):
    """What must match exactly: each task's outcome, the order of their ends, the results."""
    outcomes = sorted((name, task["outcome"]) for name, task in side["tasks"].items())
    return outcomes, comparable_order(side["order"], case.unordered), side["results"]


def program(scenario):
    """The asyncio program of a scenario: <scenario>.py, but for the one whose name is a module
    of the standard library. A queue.py here would be imported in place of the standard queue
    module (the script's folder comes first on sys.path), which asyncio's default executor
    needs: every to_thread of the other programs would fail."""
    return HERE / ("queue_program.py" if scenario == "queue" else f"{scenario}.py")


def asyncio_run(case):
    # -S: no site module. The programs need only the standard library, and site (with a
    # pyenv's .pth files) is most of the interpreter's start-up. -B: no __pycache__ in the
    # source tree.
    document = run_json([sys.executable, "-S", "-B", str(program(case.scenario)),
                         *case.options])
    results, times = document.get("results"), {}
    if case.scenario == "lag":
        results, times = lag_reading(results["jobs"], results["modes"])
    elif case.scenario == "retry":
        results = retry_reading(results)
    elif case.scenario == "server":
        results = server_reading(results)
    return {"tasks": document["tasks"], "order": document["order"],
            "elapsed_s": document["elapsed_s"], "results": results, "times": times}


ASYNCDEMO_OUTCOMES = {"ok": "done", "failed": "failed", "cancelled": "cancelled",
                      "running": "running"}
ENDED = {"done", "failed", "cancelled"}


def asyncdemo_side(binary, case):
    # Each side with its default thread pool: asyncdemo's is meant to be the size of asyncio's
    # default executor, unless UV_THREADPOOL_SIZE says otherwise.
    env = {key: value for key, value in os.environ.items() if key != "UV_THREADPOOL_SIZE"}
    document = run_json([binary, case.scenario, *case.options, *case.asyncdemo_only, "--json"],
                        env=env)
    if document["error"] is not None:
        raise RunFailed(f"asyncdemo {case.command}: error {document['error']!r}")
    names = {task["id"]: task["name"] for task in document["tasks"]}
    tasks = {task["name"]: {"outcome": ASYNCDEMO_OUTCOMES[task["outcome"]], "end_s": task["end_s"]}
             for task in document["tasks"]}
    order = [names[event["task"]] for event in document["events"] if event["kind"] in ENDED]
    results, times = None, {}
    if case.scenario == "probe":
        results = {row["name"]: row["status"] for row in document["results"]}
    elif case.scenario in ("timeout", "cancel", "lock", "queue"):
        results = document["results"]  # already in the asyncio program's terms
    elif case.scenario == "lag":
        results, times = lag_reading(document["results"], document["figures"]["modes"])
    elif case.scenario == "retry":
        results = retry_reading(document["results"])
    elif case.scenario == "server":
        results = server_reading(document["results"])
    return {"tasks": tasks, "order": order, "elapsed_s": document["elapsed_s"],
            "results": results, "times": times}


# --- comparing ------------------------------------------------------------------------------


def close_enough(a, b):
    return abs(a - b) <= TOLERANCE_S + TOLERANCE_RATIO * max(a, b)


def outcome(side, name):
    task = side["tasks"].get(name)
    return task["outcome"] if task else "not started"


def end_s(side, name):
    task = side["tasks"].get(name)
    return task["end_s"] if task else None


def comparable_order(order, unordered):
    """The order with each unordered group's members replaced by the group: the members must
    take the same places on both sides, in any order among themselves."""
    group_of = {name: "{" + ",".join(group) + "}" for group in unordered for name in group}
    return [group_of.get(name, name) for name in order]


def all_names(expected, actual):
    names = list(expected["order"])
    for side in (expected, actual):
        names += [name for name in side["tasks"] if name not in names]
    return names


def differences(case, expected, actual):
    """What differs, as (kind, text) pairs; kind is "timing" or "behaviour"."""
    found = []
    for name in all_names(expected, actual):
        if outcome(expected, name) != outcome(actual, name):
            found.append(("behaviour", f"{name}: asyncio {outcome(expected, name)}, "
                                       f"asyncdemo {outcome(actual, name)}"))
        else:
            a, b = end_s(expected, name), end_s(actual, name)
            if a is not None and b is not None and not close_enough(a, b):
                found.append(("timing", f"{name}: ended at {a:.3f} s in asyncio, "
                                        f"{b:.3f} s in asyncdemo"))
    if comparable_order(expected["order"], case.unordered) != comparable_order(actual["order"],
                                                                              case.unordered):
        found.append(("behaviour", "the tasks ended in another order"))
    if not close_enough(expected["elapsed_s"], actual["elapsed_s"]):
        found.append(("timing", f"elapsed {expected['elapsed_s']:.3f} s in asyncio, "
                                f"{actual['elapsed_s']:.3f} s in asyncdemo"))
    for label in times_reported(expected, actual):
        a, b = expected["times"].get(label), actual["times"].get(label)
        if a is None or b is None:
            found.append(("behaviour", f"{label}: asyncio {seconds(a)} s, "
                                       f"asyncdemo {seconds(b)} s"))
        elif not close_enough(a, b):
            found.append(("timing", f"{label}: {a:.3f} s in asyncio, {b:.3f} s in asyncdemo"))
    if expected["results"] != actual["results"]:
        found.append(("behaviour", f"results: asyncio {expected['results']}, "
                                   f"asyncdemo {actual['results']}"))
    return found


def times_reported(expected, actual):
    """The labels of the times a scenario reports beside the tasks' (lag's max_lag_s), either
    side's, in the order the sides give them."""
    return list(dict.fromkeys([*expected["times"], *actual["times"]]))


def seconds(value):
    return "-" if value is None else f"{value:.3f}"


def report(case, expected, actual, binary):
    print(f"case {case.name}")
    print(f"  asyncio:   python3 {program(case.scenario)} {shlex.join(case.options)}")
    print(f"  asyncdemo: {binary} {case.command} {' '.join(case.asyncdemo_only)} --json")
    if case.why:
        print(f"  why: {case.why}")
    names = all_names(expected, actual)
    width = max(len(name) for name in names + ["task"])
    print(f"  {'task':<{width}}  {'asyncio (outcome, end)':<23}  asyncdemo")
    for name in names:
        left = f"{outcome(expected, name):<11} {seconds(end_s(expected, name)):>7} s"
        right = f"{outcome(actual, name):<11} {seconds(end_s(actual, name)):>7} s"
        mark = "" if outcome(expected, name) == outcome(actual, name) else "   <-- differs"
        print(f"  {name:<{width}}  {left:<23}  {right}{mark}")
    print(f"  order    asyncio:   {', '.join(expected['order'])}")
    print(f"           asyncdemo: {', '.join(actual['order'])}")
    for group in case.unordered:
        print(f"           (asyncio does not decide the order among {', '.join(group)})")
    print(f"  elapsed  asyncio {expected['elapsed_s']:.3f} s, "
          f"asyncdemo {actual['elapsed_s']:.3f} s")
    for label in times_reported(expected, actual):
        print(f"  {label}  asyncio {seconds(expected['times'].get(label))} s, "
              f"asyncdemo {seconds(actual['times'].get(label))} s")
    if expected["results"] is not None or actual["results"] is not None:
        print(f"  results  asyncio:   {expected['results']}")
        print(f"           asyncdemo: {actual['results']}")


def run_case(case, binary):
    """True when both sides agree. A difference in timing alone is measured once more: on a
    loaded machine one slow run is noise; a second one is not."""
    for attempt in (1, 2):
        started = time.monotonic()
        expected = asyncio_side(case)
        actual = asyncdemo_side(binary, case)
        found = differences(case, expected, actual)
        timing_only = all(kind == "timing" for kind, _ in found)
        if found and timing_only and attempt == 1:
            print(f"case {case.name}: timing differed ({'; '.join(t for _, t in found)}); "
                  "measuring again")
            continue
        report(case, expected, actual, binary)
        took = time.monotonic() - started
        if not found:
            print(f"PASS {case.name}: asyncdemo agrees with asyncio ({took:.1f} s)")
            return True
        print(f"FAIL {case.name}: asyncdemo differs from asyncio:")
        for _, text in found:
            print(f"  - {text}")
        return False
    raise AssertionError("unreachable")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asyncdemo", help="the asyncdemo binary")
    parser.add_argument("--list", action="store_true", help="print the case names")
    parser.add_argument("--list-cpu-bound", action="store_true",
                        help="print the names of the cases whose times rest on CPU work")
    parser.add_argument("--all", action="store_true", help="run every case")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.list or args.list_cpu_bound:
        print("\n".join(case.name for case in CASES if args.list or case.cpu_bound))
        return 0
    if sys.version_info < (3, 11):
        print(f"parity: skipped, python3 is {sys.version.split()[0]}; the asyncio programs "
              "need 3.11 (TaskGroup, except*)")
        return SKIP
    by_name = {case.name: case for case in CASES}
    unknown = [name for name in args.cases if name not in by_name]
    if not args.asyncdemo or unknown or not (args.cases or args.all):
        parser.error(f"unknown case(s): {', '.join(unknown)}" if unknown
                     else "give --asyncdemo and case names (or --all)")
    selected = CASES if args.all else [by_name[name] for name in args.cases]
    try:
        binary = str(Path(shutil.which(args.asyncdemo) or args.asyncdemo).resolve())  # runs in ROOT
        failed = [case.name for case in selected if not run_case(case, binary)]
    except RunFailed as error:
        print(f"parity: a run failed: {error}")
        return 2
    if len(selected) > 1:
        print(f"{len(selected) - len(failed)} of {len(selected)} cases agree"
              + (f"; differing: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
