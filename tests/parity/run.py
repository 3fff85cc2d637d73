"""asyncdemo run PLAN, in asyncio: the same plan file (TOML), each step run with the asyncio
construct the README's table names for it.

    sleep = D         await asyncio.sleep(D)
    block = D         time.sleep(D), on the loop
    thread = D        await asyncio.to_thread(time.sleep, D)
    cpu = D           D of the loop thread's CPU time, spent in a busy loop
    acquire / release await s.acquire() / s.release(), s an asyncio.Semaphore or asyncio.Lock
    hold              async with s: (its steps)
    put / get         await q.put(item) / await q.get(), q an asyncio.Queue(maxsize)
    fail              raise RuntimeError(message)
    spawn / await     asyncio.create_task for each copy; later await each
    gather            await asyncio.gather(*children, return_exceptions=...)
    taskgroup         async with asyncio.TaskGroup() as tg: tg.create_task(child) ...
    as_completed      for next in asyncio.as_completed(children): await next
    wait_for          await asyncio.wait_for(block_task, timeout), the block's cleanup run in
                      its `except asyncio.CancelledError`
    cancel            await asyncio.sleep(after); t.cancel() for each started task of that name

main starts every task that no step starts, in the file's order, and awaits them as
gather(*tasks, return_exceptions=True); asyncio.run then cancels whatever is left. Tasks are
named as asyncdemo names them: NAME, NAME-1 ... NAME-N (copies), NAME-VALUE (each), and a
wait_for block TASK.wait_for (or its `name`).

Not here: `resolve` (a name lookup) and plans that deadlock, which asyncio would wait on
forever where asyncdemo reports the deadlock and ends the run.
"""

import asyncio
import sys
import time
import tomllib

from record import duration, run

STEPS = ("sleep", "block", "thread", "cpu", "acquire", "release", "hold", "put", "get",
         "resolve", "fail", "spawn", "await", "gather", "taskgroup", "as_completed",
         "wait_for", "cancel")


def seconds(value):
    """A plan's duration: a string as on the command line, or the integer 0."""
    return 0.0 if value == 0 else duration(value)


def kind_of(step):
    return next(key for key in step if key in STEPS)


def names_of(value):
    """A gather's (taskgroup's, as_completed's) tasks: one name or a list."""
    return [value] if isinstance(value, str) else value


def copy_names(template):
    if "each" in template:
        return [f"{template['name']}-{value}" for value in template["each"]]
    copies = template.get("copies", 1)
    if copies == 1:
        return [template["name"]]
    return [f"{template['name']}-{i}" for i in range(1, copies + 1)]


def spend_cpu(how_long):
    """CPU work on the loop thread: busy until this thread has had `how_long` of CPU time."""
    until = time.thread_time() + how_long
    while time.thread_time() < until:
        pass


class Plan:
    """The plan's tasks, semaphores, locks and queues, and every task started so far."""

    def __init__(self, document, record):
        self.record = record
        self.templates = {task["name"]: task for task in document["task"]}
        self.limits = {name: asyncio.Semaphore(permits)
                       for name, permits in document.get("semaphores", {}).items()}
        self.limits.update({name: asyncio.Lock() for name in document.get("locks", [])})
        self.queues = {name: asyncio.Queue(maxsize)
                       for name, maxsize in document.get("queues", {}).items()}
        started_by_steps = set()
        for task in document["task"]:
            started_by_steps.update(children_named(task["steps"]))
        self.top_level = [task for task in document["task"]
                          if task["name"] not in started_by_steps]
        self.started = []  # (name, template name or None for a wait_for block, task)

    def start_copies(self, template_name, create_task=asyncio.create_task):
        """Each copy of a template as a task of its own (asyncio.create_task)."""
        template = self.templates[template_name]
        tasks = []
        for copy, name in enumerate(copy_names(template)):
            frame = Frame(self, template, copy)
            task = self.record.task(frame.run(template["steps"]), name, create_task)
            self.started.append((name, template_name, task))
            tasks.append(task)
        return tasks


def children_named(steps):
    """The tasks the steps start (spawn, gather, taskgroup, as_completed), nested ones too."""
    for step in steps:
        kind = kind_of(step)
        if kind == "spawn":
            yield step["spawn"]
        elif kind in ("gather", "taskgroup", "as_completed"):
            yield from names_of(step[kind])
        elif kind == "hold":
            yield from children_named(step["steps"])
        elif kind == "wait_for":
            yield from children_named(step["wait_for"])
            yield from children_named(step.get("cleanup", []))


class Frame:
    """One task's own (a copy of a template, or a wait_for block): the permits it took with
    acquire and has not released, and the children it spawned and has not awaited."""

    def __init__(self, plan, template, copy):
        self.plan = plan
        self.template = template
        self.copy = copy
        self.held = []  # semaphore and lock names, in the order taken
        self.children = {}  # template name -> its spawned tasks

    def expand(self, text):
        """{each} and {n} in a message or an item: the copy's value and number."""
        number = str(self.copy + 1)
        value = self.template["each"][self.copy] if "each" in self.template else number
        return text.replace("{each}", value).replace("{n}", number)

    async def run(self, steps):
        for step in steps:
            await self.step(step)

    async def step(self, step):
        kind = kind_of(step)
        value = step[kind]
        plan = self.plan
        if kind == "sleep":
            await asyncio.sleep(seconds(value))
        elif kind == "block":
            time.sleep(seconds(value))
        elif kind == "thread":
            await asyncio.to_thread(time.sleep, seconds(value))
        elif kind == "cpu":
            spend_cpu(seconds(value))
        elif kind == "acquire":
            await plan.limits[value].acquire()
            self.held.append(value)  # never released: the permit stays taken for good
        elif kind == "release":
            if value not in self.held:
                raise RuntimeError(f"release {value}: this task does not hold it")
            del self.held[len(self.held) - 1 - self.held[::-1].index(value)]
            plan.limits[value].release()
        elif kind == "hold":
            async with plan.limits[value]:
                await self.run(step["steps"])
        elif kind == "put":
            item = self.expand(step["item"]) if "item" in step else current_name()
            await plan.queues[value].put(item)
        elif kind == "get":
            await plan.queues[value].get()
        elif kind == "fail":
            raise RuntimeError(self.expand(value))
        elif kind == "spawn":
            self.children.setdefault(value, []).extend(plan.start_copies(value))
        elif kind == "await":
            for task in self.children.pop(value, []):
                await task  # raises what the child raised
        elif kind == "gather":
            await asyncio.gather(*self.children_of(names_of(value)),
                                 return_exceptions=step.get("return_exceptions", False))
        elif kind == "taskgroup":
            await self.taskgroup(names_of(value))
        elif kind == "as_completed":
            await self.as_completed(names_of(value))
        elif kind == "wait_for":
            await self.wait_for(step)
        elif kind == "cancel":
            await asyncio.sleep(seconds(step.get("after", 0)))
            for name, template_name, task in plan.started:
                if value in (name, template_name):
                    task.cancel()
        else:
            raise NotImplementedError(f"{kind}: not in the asyncio interpreter")

    def children_of(self, names):
        """The children a gather (or as_completed) awaits: those of each name this task spawned
        and has not awaited yet, else new ones."""
        tasks = []
        for name in names:
            tasks += self.children.pop(name, None) or self.plan.start_copies(name)
        return tasks

    async def taskgroup(self, names):
        async with asyncio.TaskGroup() as group:
            for name in names:
                if name in self.children:
                    # Spawned before: a TaskGroup cannot adopt a task, so it awaits each in a
                    # task of its own (cancelling that one cancels the child it awaits).
                    for task in self.children.pop(name):
                        group.create_task(await_child(task))
                else:
                    self.plan.start_copies(name, group.create_task)

    async def as_completed(self, names):
        for next_done in asyncio.as_completed(self.children_of(names)):
            try:
                await next_done  # noted, whatever it raised
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():
                    raise  # this task's own cancel, not a child's
            except Exception:
                pass

    async def wait_for(self, step):
        name = step.get("name") or f"{current_name()}.wait_for"
        block = Frame(self.plan, self.template, self.copy)
        task = self.plan.record.task(block.block(step), name)
        self.plan.started.append((name, None, task))
        try:
            await asyncio.wait_for(task, seconds(step["timeout"]))
        except TimeoutError:
            if step.get("on_timeout", "raise") == "raise":
                raise

    async def block(self, step):
        """A wait_for's block: cancelled at the deadline, it runs its cleanup first."""
        try:
            await self.run(step["wait_for"])
        except asyncio.CancelledError:
            await self.run(step.get("cleanup", []))
            raise


async def await_child(task):
    await task


def current_name():
    return asyncio.current_task().get_name()


async def main(record, document):
    record.start_main()
    plan = Plan(document, record)
    tasks = []
    for template in plan.top_level:
        tasks += plan.start_copies(template["name"])
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: run.py PLAN")
    with open(sys.argv[1], "rb") as file:
        plan_document = tomllib.load(file)
    run(lambda record: main(record, plan_document))
