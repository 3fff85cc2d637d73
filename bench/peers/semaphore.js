// Node.js peer of `asyncdemo semaphore`: N tasks, each holding a permit of a small FIFO limiter
// (limiter.js; Node has no asyncio.Semaphore) around a setTimeout sleep, under Promise.all; the
// plain idiomatic program, with no per-task record (asyncdemo records a full timeline).
//
// usage: node semaphore.js N LIMIT DELAY_MS
// prints one JSON line: {"n", "limit", "elapsed_s"}, from the first task created to the last
// one done.
'use strict';

const { Limiter } = require('./limiter');

const [n, limit, delayMs] = process.argv.slice(2, 5).map(Number);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const start = performance.now();
  const limiter = new Limiter(limit);
  const tasks = [];
  for (let i = 0; i < n; i++) {
    tasks.push(limiter.run(() => sleep(delayMs)));
  }
  await Promise.all(tasks);
  console.log(JSON.stringify({ n, limit, elapsed_s: (performance.now() - start) / 1000 }));
}

main();
