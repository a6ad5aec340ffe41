import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLimiter } from '../../src/lib/semaphore.js';

test('the limiter never runs more than `limit` tasks at once and keeps FIFO order', async () => {
  const run = createLimiter(2);
  let active = 0;
  let peak = 0;
  const started: number[] = [];
  const tasks = Array.from({ length: 6 }, (_, i) =>
    run(async () => {
      started.push(i);
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active--;
      if (i === 3) throw new Error('boom');
      return i;
    }).catch((error: Error) => error.message),
  );
  assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 'boom', 4, 5]);
  assert.equal(peak, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
});
