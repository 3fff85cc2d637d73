"""What the parity programs share: asyncdemo's option syntax, and a record of how each task ended.

Each program in this directory is the asyncio program that one asyncdemo scenario mirrors. It
takes the scenario's options and prints one JSON document:

    {"tasks": {"main": {"outcome": "done", "end_s": 0.201}, "task-1": {...}, ...},
     "order": ["task-1", ..., "main"],     # the order in which the tasks ended
     "elapsed_s": 0.202}                   # and "results" where a program has them

outcome is done, failed or cancelled; a task that was never created is absent. Times are seconds
from the start of main, on the loop's clock (time.monotonic). Every task but main is created
with Record.task, which records its end.
"""

import argparse
import asyncio
import json
import re
import sys
import time

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def duration(text):
    """A duration written as asyncdemo writes it: 2s, 150ms, 1.5s, 250us, 2m or 0."""
    if text == "0":
        return 0.0
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(us|ms|s|m)", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 150ms, 1.5s)")
    return float(match[1]) * _UNITS[match[2]]


def durations(text):
    """A comma-separated list of durations: 2s,1s,3s."""
    return [duration(part) for part in text.split(",")]


class Record:
    """How each task ended and when, in the order they ended."""

    def __init__(self):
        self.start = None
        self.tasks = {}
        self.order = []

    def start_main(self):
        """Called first thing in main: the clock starts, and main is recorded like any task."""
        self.start = time.monotonic()
        main = asyncio.current_task()
        main.set_name("main")
        main.add_done_callback(lambda task: self._ended(task.get_name(), _outcome(task)))

    def task(self, coro, name, create_task=asyncio.create_task):
        """create_task(coro, name=name) (or a TaskGroup's), recording when the task ends.

        The end is recorded by the task itself, as it ends: a done callback runs one loop
        iteration later, which is a whole time.sleep() late when the loop is blocked. A task
        cancelled before its first step never runs it, so its done callback records it.
        """

        async def recorded():
            try:
                result = await coro
            except asyncio.CancelledError:
                self._ended(name, "cancelled")
                raise
            except BaseException:
                self._ended(name, "failed")
                raise
            self._ended(name, "done")
            return result

        def never_ran(task):
            if name not in self.tasks:
                coro.close()
                self._ended(name, _outcome(task))

        task = create_task(recorded(), name=name)
        task.add_done_callback(never_ran)
        return task

    def ended(self, name, outcome):
        """Records the end of a task that Record.task did not create (a server's handler)."""
        self._ended(name, outcome)

    def _ended(self, name, outcome):
        self.tasks[name] = {"outcome": outcome, "end_s": time.monotonic() - self.start}
        self.order.append(name)


def _outcome(task):
    if task.cancelled():
        return "cancelled"
    return "failed" if task.exception() is not None else "done"


def run(main, results=None):
    """asyncio.run(main(record)), then the record as JSON on stdout, with `results` if given.

    elapsed_s is measured after asyncio.run returns: like asyncdemo's run, it includes waiting
    for work still running on the default executor's threads.
    """
    record = Record()
    asyncio.run(main(record))
    document = {"tasks": record.tasks, "order": record.order,
                "elapsed_s": time.monotonic() - record.start}
    if results is not None:
        document["results"] = results
    json.dump(document, sys.stdout, indent=1)
    print()
