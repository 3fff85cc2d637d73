#!/usr/bin/env python3
"""--html in a real browser: headless Chromium opens pages asyncdemo wrote and must run their
script to its end without an error, draw one lane per task the record shows (the first and last
lanes past 20 tasks), and take a screenshot of the cancel scenario's page.

Exit 77 (skipped) when no chromium is found. Chromium runs as root in CI, hence --no-sandbox;
--virtual-time-budget lets the page's script finish before the DOM is dumped, with no sleeps.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIPPED = 77
FULL_ROWS, HEAD_ROWS, TAIL_ROWS = 20, 6, 3  # cli/render_gantt.hpp
# --disable-dev-shm-usage: a container's /dev/shm is often too small for Chromium's shared memory.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--virtual-time-budget=5000"]


def shown_lanes(task_count):
    return task_count if task_count <= FULL_ROWS else HEAD_ROWS + TAIL_ROWS


def run_asyncdemo(asyncdemo, args, page):
    """Writes the page and returns the same run's JSON record."""
    done = subprocess.run([asyncdemo, *args, "--virtual-time", "--json", "--html", page],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"asyncdemo {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return json.loads(done.stdout)


def check_page(chromium, page, expected_lanes):
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, "--enable-logging=stderr", "--v=0",
                           "--dump-dom", "file://" + page],
                          capture_output=True, text=True, timeout=300, check=False)
    problems = []
    if "Uncaught" in done.stderr:
        errors = [line for line in done.stderr.splitlines() if "Uncaught" in line]
        problems.append(f"{page}: a script error: {errors}")
    ready = re.search(r'<body[^>]*data-ready="lanes:(\d+)"', done.stdout)
    if not ready:
        problems.append(f"{page}: the script did not run to its end (no data-ready on <body>);"
                        f" chromium exited {done.returncode}: {done.stderr[-2000:]}")
    elif int(ready.group(1)) != expected_lanes:
        problems.append(f"{page}: {ready.group(1)} lanes drawn, {expected_lanes} expected")
    return problems


def check_screenshot(chromium, page, png):
    subprocess.run([chromium, *CHROMIUM_FLAGS, "--window-size=1280,800", "--screenshot=" + png,
                    "file://" + page], capture_output=True, text=True, timeout=300, check=False)
    if not os.path.exists(png):
        return [f"{png}: no screenshot was written"]
    with open(png, "rb") as picture:
        head = picture.read(8)
    size = os.path.getsize(png)
    if head != b"\x89PNG\r\n\x1a\n" or size < 10_000:  # a blank 1280x800 page is ~5 kB
        return [f"{png}: not a PNG of a drawn page ({size} bytes)"]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--asyncdemo", required=True)
    parser.add_argument("--screenshot", required=True, help="where the cancel page's PNG goes")
    options = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("browser_html: skipped, chromium not found (tools/install-deps.sh browser)")
        return SKIPPED
    problems = []
    with tempfile.TemporaryDirectory() as directory:
        # A profile of its own: no HOME needed, nothing left behind, no lock shared with a
        # browser the user has open.
        CHROMIUM_FLAGS.append("--user-data-dir=" + os.path.join(directory, "profile"))
        for name, args in (("cancel", ["cancel"]), ("gather50", ["gather", "--n", "50"])):
            page = os.path.join(directory, name + ".html")
            record = run_asyncdemo(options.asyncdemo, args, page)
            problems += check_page(chromium, page, shown_lanes(len(record["tasks"])))
            if name == "cancel":
                os.makedirs(os.path.dirname(os.path.abspath(options.screenshot)), exist_ok=True)
                if os.path.exists(options.screenshot):
                    os.remove(options.screenshot)
                problems += check_screenshot(chromium, page, options.screenshot)
    for problem in problems:
        print("FAIL", problem)
    if not problems:
        print("browser_html: every page ran its script and drew its lanes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
