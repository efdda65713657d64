import { describe, expect, it } from '@jest/globals';
import { createLocalLedger, createRateGovernor } from '../../src/isc/governor.js';
import { maxInWindow } from '../support/windows.js';
import { code } from '../support/errors.js';

/** A virtual clock: sleeping advances time instantly, so pacing can be checked exactly. */
function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('rate governor', () => {
  it('paces 300 calls to at most 20 per 2 s in any window', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 20, windowMs: 2000, marginMs: 0, maxConcurrency: 300, maxQueue: 1000, now: c.now, sleep: c.sleep });
    const starts: number[] = [];
    for (let i = 0; i < 300; i++) {
      const release = await governor.acquire('client-a');
      starts.push(c.now());
      release();
    }
    expect(maxInWindow(starts, 2000)).toBe(20);
    // 300 calls at 20 per 2 s need 14 further windows after the first.
    expect(starts.at(-1)! - starts[0]).toBe(28_000);
  });

  it('adds a safety margin to the window by default', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 1, windowMs: 2000, maxConcurrency: 5, maxQueue: 5, now: c.now, sleep: c.sleep });
    const first = c.now();
    (await governor.acquire('k'))();
    (await governor.acquire('k'))();
    expect(c.now() - first).toBe(2150);
  });

  it('keeps clients apart: one client waiting does not slow another', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 2, windowMs: 1000, marginMs: 0, maxConcurrency: 10, maxQueue: 10, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 2; i++) (await governor.acquire('a'))();
    expect(governor.budget('a').remaining).toBe(0);
    const before = c.now();
    (await governor.acquire('b'))();
    expect(c.now()).toBe(before);
  });

  it('limits concurrency and hands permits over in order', async () => {
    const governor = createRateGovernor({ limit: 100, windowMs: 1000, maxConcurrency: 2, maxQueue: 10 });
    const first = await governor.acquire('k');
    const second = await governor.acquire('k');
    let thirdStarted = false;
    const third = governor.acquire('k').then((release) => {
      thirdStarted = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(thirdStarted).toBe(false);
    first();
    (await third)();
    expect(thirdStarted).toBe(true);
    second();
  });

  it('refuses at once when the queue is full', async () => {
    const governor = createRateGovernor({ limit: 100, windowMs: 1000, maxConcurrency: 1, maxQueue: 2 });
    const held = await governor.acquire('k');
    const queued = [governor.acquire('k'), governor.acquire('k')];
    await expect(governor.acquire('k')).rejects.toEqual(code('RATE_LIMITED'));
    held();
    for (const q of queued) (await q)();
  });

  it('refuses a call whose slot would come after the deadline, with retryAfter', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 1, windowMs: 10_000, marginMs: 0, maxConcurrency: 5, maxQueue: 5, now: c.now, sleep: c.sleep });
    (await governor.acquire('k'))();
    const error = await governor.acquire('k', c.now() + 1000).catch((e: unknown) => e);
    expect(error).toEqual(code('RATE_LIMITED'));
    expect((error as { extensions: { retryAfter: number } }).extensions.retryAfter).toBe(10);
  });

  it('pauses a key until Retry-After', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 100, windowMs: 1000, marginMs: 0, maxConcurrency: 5, maxQueue: 5, now: c.now, sleep: c.sleep });
    const start = c.now();
    governor.pauseUntil('k', start + 3000);
    expect(governor.budget('k')).toEqual({ limit: 100, remaining: 0, resetInMs: 3000, pausedForMs: 3000 });
    (await governor.acquire('k'))();
    expect(c.now()).toBe(start + 3000);
  });

  it('estimates capacity until a deadline', () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 100, windowMs: 10_000, marginMs: 0, maxConcurrency: 5, maxQueue: 5, now: c.now, sleep: c.sleep });
    expect(governor.capacity('k', c.now() + 5000)).toBe(150);
    expect(governor.capacity('k', c.now())).toBe(0);
  });

  it('counts in capacity only the starts still in the window when calls may resume (after a pause)', async () => {
    const c = clock();
    const t0 = c.now();
    const governor = createRateGovernor({ limit: 10, windowMs: 1000, marginMs: 0, maxConcurrency: 10, maxQueue: 10, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 4; i++) (await governor.acquire('k'))();
    expect(governor.capacity('k', t0 + 1000)).toBe(6 + 10);
    governor.pauseUntil('k', t0 + 700); // the 4 starts are still in the window at t0 + 700
    expect(governor.capacity('k', t0 + 1000)).toBe(6 + 3);
    governor.pauseUntil('k', t0 + 1500); // by then they have left it
    expect(governor.capacity('k', t0 + 2000)).toBe(10 + 5);
  });

  it('reports the budget left, freeing slots as the window slides', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 3, windowMs: 1000, marginMs: 0, maxConcurrency: 5, maxQueue: 5, now: c.now, sleep: c.sleep });
    (await governor.acquire('k'))();
    c.advance(400);
    (await governor.acquire('k'))();
    expect(governor.budget('k')).toEqual({ limit: 3, remaining: 1, resetInMs: 600, pausedForMs: 0 }); // when the first call leaves the window
    (await governor.acquire('k'))();
    expect(governor.budget('k')).toEqual({ limit: 3, remaining: 0, resetInMs: 600, pausedForMs: 0 });
    c.advance(601);
    expect(governor.budget('k')).toEqual({ limit: 3, remaining: 1, resetInMs: 399, pausedForMs: 0 });
    c.advance(1000);
    expect(governor.budget('k')).toEqual({ limit: 3, remaining: 3, resetInMs: 0, pausedForMs: 0 }); // nothing used: nothing to free
  });
});

describe('waiting for a permit keeps to the deadline', () => {
  it('an aborted wait answers DEADLINE_EXCEEDED, leaves the queue, and the permit goes to the next caller', async () => {
    const governor = createRateGovernor({ limit: 100, windowMs: 1000, maxConcurrency: 1, maxQueue: 10 });
    const holder = await governor.acquire('k');
    const deadline = new AbortController();
    const waiting = governor.acquire('k', Date.now() + 60_000, deadline.signal);
    expect(governor.stats()).toMatchObject({ queued: 1, running: 1 });
    deadline.abort();
    await expect(waiting).rejects.toEqual(code('DEADLINE_EXCEEDED'));
    expect(governor.stats()).toMatchObject({ queued: 0, running: 1 });
    const next = governor.acquire('k', Date.now() + 60_000);
    holder();
    (await next)();
    expect(governor.stats()).toMatchObject({ queued: 0, running: 0, refused: 0 });
  });

  it('a signal already aborted, or a deadline already passed, is DEADLINE_EXCEEDED (not RATE_LIMITED)', async () => {
    const governor = createRateGovernor({ limit: 100, windowMs: 1000, maxConcurrency: 2, maxQueue: 10 });
    await expect(governor.acquire('k', Date.now() + 1000, AbortSignal.abort())).rejects.toEqual(code('DEADLINE_EXCEEDED'));
    await expect(governor.acquire('k', Date.now() - 1)).rejects.toEqual(code('DEADLINE_EXCEEDED'));
    expect(governor.stats()).toMatchObject({ queued: 0, running: 0, refused: 0 });
  });

  it('tryAcquire takes no permit and never queues ahead of waiting callers', async () => {
    const c = clock();
    const governor = createRateGovernor({ limit: 2, windowMs: 1000, marginMs: 0, maxConcurrency: 1, maxQueue: 10, now: c.now, sleep: c.sleep });
    const holder = await governor.acquire('k');
    const background = await governor.tryAcquire('k');
    expect(background).toBeDefined(); // the concurrency permit is the callers', the window slot was free
    expect(governor.stats().running).toBe(1);
    expect(await governor.tryAcquire('k')).toBeUndefined(); // the window holds 2 starts now
    holder();
    const c2 = createRateGovernor({ limit: 10, windowMs: 1000, maxConcurrency: 1, maxQueue: 10 });
    const held = await c2.acquire('k');
    const queued = c2.acquire('k');
    expect(await c2.tryAcquire('k')).toBeUndefined(); // someone waits: background work does not go first
    held();
    (await queued)();
  });
});

describe('the local ledger', () => {
  it('never reserves a start in the past, even when the clock moves while it reserves', () => {
    // A clock that ticks a millisecond at every reading: the wait must come from one reading.
    let t = 1_000_000;
    const ledger = createLocalLedger({ limit: 2, windowMs: 10_000, now: () => t++ });
    const waits = [0, 1, 2].map(() => (ledger.reserve('client:c', Number.POSITIVE_INFINITY) as { waitMs: number }).waitMs);
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(9_990); // the third waits for the window
  });
});
