// Node.js peer of `asyncdemo probe`: dns.promises.lookup (getaddrinfo on libuv's thread pool,
// like asyncdemo) of every name of a file, at most LIMIT at once under a small FIFO limiter
// (limiter.js); the plain idiomatic program.
//
// usage: node probe.js FILE LIMIT
// prints one JSON line: {"names", "found", "not_found", "errors", "elapsed_s"}, elapsed from the
// first lookup submitted to the last answer.
'use strict';

const dns = require('node:dns').promises;
const fs = require('node:fs');
const { Limiter } = require('./limiter');

const names = fs.readFileSync(process.argv[2], 'utf8').split('\n').map((s) => s.trim())
  .filter((s) => s.length > 0);
const limiter = new Limiter(Number(process.argv[3]));
const counts = { found: 0, not_found: 0, errors: 0 };

async function probe(name) {
  try {
    await dns.lookup(name, { all: true });
    counts.found++;
  } catch (error) {
    counts[error.code === 'ENOTFOUND' || error.code === 'ENODATA' ? 'not_found' : 'errors']++;
  }
}

async function main() {
  const start = performance.now();
  await Promise.all(names.map((name) => limiter.run(() => probe(name))));
  const elapsed_s = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ names: names.length, ...counts, elapsed_s }));
}

main();
