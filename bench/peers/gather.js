// Node.js peer of `asyncdemo gather`: Promise.all of N setTimeout promises, the plain idiomatic
// program. It records nothing per task (asyncdemo records a full timeline), except the wake
// time in overshoot mode.
//
// usage: node gather.js N DELAY_MS [overshoot]
// prints one JSON line: {"n", "elapsed_s"} and, in overshoot mode, the wake time minus the
// deadline (performance.now() before setTimeout + DELAY_MS) as p50/p99/min/max in ms.
'use strict';

const n = Number(process.argv[2]);
const delayMs = Number(process.argv[3]);
const overshoot = process.argv.length > 4;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function timedSleep(ms) {
  const deadline = performance.now() + ms;
  await sleep(ms);
  return performance.now() - deadline;
}

function nearestRank(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

async function main() {
  const start = performance.now();
  const tasks = [];
  for (let i = 0; i < n; i++) {
    tasks.push(overshoot ? timedSleep(delayMs) : sleep(delayMs));
  }
  const results = await Promise.all(tasks);
  const report = { n, elapsed_s: (performance.now() - start) / 1000 };
  if (overshoot) {
    const ms = Float64Array.from(results).sort();
    report.overshoot_ms = {
      p50: nearestRank(ms, 0.5), p99: nearestRank(ms, 0.99), min: ms[0], max: ms[ms.length - 1],
    };
  }
  console.log(JSON.stringify(report));
}

main();
