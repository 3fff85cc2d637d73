"""Every scenario's --svg picture, parsed as XML and held to the run's own record.

Each scenario runs once as `asyncdemo SCENARIO OPTIONS --virtual-time --json --svg FILE`: the
picture and the JSON document come from the same run. The picture must parse, be 1280 px wide,
have a lane for each task the text Gantt would show (all of them up to 20, else the first 6 and
the last 3) in task order, bars whose times lie within the run, an end mark on exactly the lanes
of tasks that failed or were cancelled, and the summary's elapsed time as the JSON has it.
Exit 0 when every picture holds, 1 otherwise; with no python3 >= 3.8 the test is skipped (77).
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]
MAX_FULL_ROWS, HEAD_ROWS, TAIL_ROWS = 20, 6, 3
BAR_TITLE = re.compile(r"^(?P<name>.*): (?P<what>.+), (?P<from>\d+\.\d{3}) s to "
                       r"(?P<to>\d+\.\d{3}) s \((?P<length>\d+\.\d{3}) s\)$", re.S)

# One run per scenario, each with options that give its picture something to show: waits,
# failures, cancels, threads, a queue, the network, and a run of more than 20 tasks.
RUNS = [
    ["sleep", "--mode", "all", "--n", "3"],
    ["gather", "--n", "5", "--fail", "2", "--on-error", "cancel-siblings"],
    ["gather", "--n", "50"],
    ["timeout"],
    ["cancel", "--offload"],
    ["semaphore", "--n", "7", "--limit", "2"],
    ["lock", "--n", "3"],
    ["queue"],
    ["lag", "--offload", "all"],
    ["retry", "--n", "4"],
    ["server", "--clients", "3"],
    ["probe"],
    ["run", str(ROOT / "examples" / "taskgroup.toml")],
]


def shown_ids(count):
    if count <= MAX_FULL_ROWS:
        return list(range(count))
    return list(range(HEAD_ROWS)) + list(range(count - TAIL_ROWS, count))


def check(binary, args, scratch):
    """The problems of one run's picture, as sentences; empty when it holds."""
    picture = scratch / "picture.svg"
    picture.unlink(missing_ok=True)
    command = [binary, *args, "--virtual-time", "--json", "--svg", str(picture)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if run.returncode not in (0, 1):  # 1: a claim failed, which a picture still shows
        return [f"exit {run.returncode}: {run.stderr.strip()}"]
    document = json.loads(run.stdout)
    problems = []
    root = ET.parse(picture).getroot()
    if root.tag != SVG + "svg" or root.get("width") != "1280":
        problems.append(f"the root is <{root.tag} width={root.get('width')}>, not a 1280 px svg")
    tasks = document["tasks"]
    lanes = root.findall(f"{SVG}g[@class='lane']")
    expected = [tasks[i]["name"] for i in shown_ids(len(tasks))]
    names = [lane.get("data-task") for lane in lanes]
    if names != expected:
        problems.append(f"lanes {names}, expected {expected}")
    elapsed = document["elapsed_s"]
    for lane, task_id in zip(lanes, shown_ids(len(tasks))):
        task = tasks[task_id]
        bars = lane.findall(f"{SVG}rect[@class='span']")
        for bar in bars:
            title = BAR_TITLE.match(bar.find(f"{SVG}title").text)
            if not title or title["name"] != task["name"]:
                problems.append(f"{task['name']}: a bar's title reads {bar.find(SVG + 'title').text!r}")
                continue
            start, end = float(title["from"]), float(title["to"])
            if not 0 <= start <= end <= max(elapsed, task["end_s"] or 0) + 0.0005:
                problems.append(f"{task['name']}: a bar from {start} s to {end} s, outside the run")
        marked = lane.find(f"{SVG}path[@class='end']") is not None
        if marked != (task["outcome"] in ("failed", "cancelled")):
            problems.append(f"{task['name']}: ended {task['outcome']}, end mark drawn: {marked}")
    report = " ".join(text.text or "" for text in root.iter(SVG + "text"))
    if f"{elapsed:.3f}s" not in report.replace("\u00a0", " "):
        problems.append(f"the summary does not say the elapsed time, {elapsed:.3f}s")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--asyncdemo", required=True, help="the asyncdemo binary")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        for run in RUNS:
            problems = check(args.asyncdemo, run, Path(scratch))
            print(f"{'FAIL' if problems else 'ok  '} asyncdemo {' '.join(run)} --svg")
            for problem in problems:
                print(f"     - {problem}")
            failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
