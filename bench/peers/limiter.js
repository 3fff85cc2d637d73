// A small FIFO limiter for the Node.js peers: at most `limit` holders at once, the others
// queued in arrival order; release() hands the permit straight to the next in line.
'use strict';

class Limiter {
  constructor(limit) {
    this.free = limit;
    this.waiting = [];
    this.head = 0;  // index of the next waiter: shift() on a 10,000-entry array is O(n)
  }

  acquire() {
    if (this.free > 0 && this.head === this.waiting.length) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release() {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined;
      next();
    } else {
      this.free++;
    }
  }

  async run(work) {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

module.exports = { Limiter };
