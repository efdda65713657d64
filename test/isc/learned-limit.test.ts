import { describe, expect, it } from '@jest/globals';
import { createRateGovernor } from '../../src/isc/governor.js';
import { afterRefusal, HORIZON_WINDOWS, limitAt, type LearnedLimit } from '../../src/isc/learned-limit.js';

const WINDOW = 10_000;
const CONFIGURED = 100;

/**
 * The gateway against a tenant limiting at `iscLimit(window)`, window after window: the gateway
 * sends its whole limit in force each window, ISC accepts up to its own limit, and the call after
 * the last accepted one learns. Answers the windows ISC saw violated and the limit in force per window.
 */
function simulate(windows: number, iscLimit: (window: number) => number) {
  let learned: LearnedLimit | undefined;
  const violated: number[] = [];
  const limits: number[] = [];
  for (let w = 0; w < windows; w++) {
    const t = w * WINDOW;
    const sent = limitAt(learned, CONFIGURED, WINDOW, t);
    limits.push(sent);
    if (sent > iscLimit(w)) {
      violated.push(w);
      learned = afterRefusal(learned, iscLimit(w), CONFIGURED, WINDOW, t + 5);
    }
  }
  return { violated, limits };
}

/** The most violated windows within any run of `HORIZON_WINDOWS` windows (ISC's 120 s at 10 s). */
const mostInHorizon = (violated: number[]) => Math.max(0, ...violated.map((w) => violated.filter((v) => v >= w && v < w + HORIZON_WINDOWS).length));

describe('learned limits', () => {
  it('a tenant limiting at 20 against a setting of 100: never 3 violated intervals within 120 s, over 1,000 windows', () => {
    const { violated, limits } = simulate(1_000, () => 20);
    process.stdout.write(
      `[figures] ISC at 20, setting 100, 1000 windows: ${JSON.stringify({ violated: violated.length, first: violated.slice(0, 6) })}\n`,
    );
    expect(violated[0]).toBe(0);
    expect(limits[1]).toBe(20);
    expect(mostInHorizon(violated)).toBeLessThanOrEqual(2);
    // The probe at window 4 is a second violated interval: a tenth below ISC's 20 (18) until a
    // horizon after the first; growing back (19, 20, then 22) the third probe comes at window 15.
    expect(violated.slice(0, 4)).toEqual([0, 4, 15, 21]);
    expect(limits.slice(4, 16)).toEqual([22, 18, 18, 18, 18, 18, 18, 18, 18, 19, 20, 22]);
    expect(violated.length).toBeLessThanOrEqual(2 * Math.ceil(1_000 / 13));
  });

  it('a second violated interval within the horizon keeps a tenth below what ISC accepted, even at the limit in force', () => {
    const first = afterRefusal(undefined, 20, CONFIGURED, WINDOW, 1_000);
    // Two windows later, still at 20, a 429 again: calls bunched up on their way (ISC counts arrivals).
    expect(afterRefusal(first, 20, CONFIGURED, WINDOW, 1_000 + 2 * WINDOW)).toEqual({ limit: 18, lastRefusalAt: 21_000, previousRefusalAt: 1_000 });
    // A horizon after the first, a refusal at the limit only remembers its interval.
    expect(afterRefusal(first, 20, CONFIGURED, WINDOW, 1_000 + HORIZON_WINDOWS * WINDOW)?.limit).toBe(20);
  });

  it('ISC at 20 whose count runs one ahead of the gateway every 5th window (calls bunching up): never 3 violated intervals within 120 s', () => {
    const { violated } = simulate(1_000, (w) => (w % 5 === 4 ? 19 : 20));
    process.stdout.write(
      `[figures] ISC at 20 (19 every 5th window), setting 100: ${JSON.stringify({ violated: violated.length, most: mostInHorizon(violated) })}\n`,
    );
    expect(mostInHorizon(violated)).toBeLessThanOrEqual(2);
  });

  it('grows back by 10 % per window, after 3 quiet windows, to the setting once ISC allows it again', () => {
    const { violated, limits } = simulate(60, (w) => (w < 1 ? 20 : 1_000));
    expect(violated).toEqual([0]);
    expect(limits.slice(0, 6)).toEqual([100, 20, 20, 20, 22, 24]);
    expect(limits.at(-1)).toBe(CONFIGURED);
  });

  it('one interval lowers once: later refusals in the same window with more calls ahead change nothing', () => {
    const first = afterRefusal(undefined, 5, CONFIGURED, WINDOW, 1_000);
    expect(first).toEqual({ limit: 5, lastRefusalAt: 1_000, previousRefusalAt: Number.NEGATIVE_INFINITY });
    expect(afterRefusal(first, 9, CONFIGURED, WINDOW, 1_050)).toBe(first);
    // A 429 with the window full is ISC enforcing the limit the gateway kept to: nothing lowered,
    // but the violated interval is remembered (ISC counts it towards its backoff).
    expect(afterRefusal(undefined, CONFIGURED, CONFIGURED, WINDOW, 1_000)).toEqual({
      limit: CONFIGURED,
      lastRefusalAt: 1_000,
      previousRefusalAt: Number.NEGATIVE_INFINITY,
    });
    // At least 1.
    expect(afterRefusal(undefined, 0, CONFIGURED, WINDOW, 1_000)?.limit).toBe(1);
  });

  it("the governor: ISC accepted the window's calls less those it refused, in whatever order they arrived", async () => {
    let t = 1_000_000;
    const governor = createRateGovernor({
      limit: 20,
      windowMs: 1_000,
      marginMs: 0,
      maxConcurrency: 100,
      maxQueue: 100,
      now: () => t,
      sleep: async (ms) => void (t += ms),
    });
    // 16 calls released together; ISC accepts 5 and refuses 11, whichever were reserved first.
    const permits = [];
    for (let i = 0; i < 16; i++) permits.push(await governor.acquire('client-a'));
    permits.forEach((release) => release());
    for (let i = 0; i < 11; i++) await governor.refused('client-a');
    expect(governor.budget('client-a')).toEqual(expect.objectContaining({ limit: 5, remaining: 0 }));
    const before = t;
    await governor.acquire('client-a');
    expect(t - before).toBe(1_000); // the next slot: when the 16 leave the window
    expect(governor.budget('client-a').limit).toBe(5);
    expect(governor.budget('client-b').limit).toBe(20);
  });

  /** A clock whose sleeps end only when the test moves time on. */
  function manualClock() {
    const clock = { t: 1_000_000, sleeping: [] as { until: number; wake: () => void }[] };
    return {
      now: () => clock.t,
      sleep: (ms: number) => new Promise<void>((wake) => clock.sleeping.push({ until: clock.t + ms, wake })),
      sleepers: () => clock.sleeping.length,
      /** Moves time to `until`, waking each sleeper whose time came (and letting it run). */
      async advanceTo(until: number) {
        clock.t = until;
        const due = clock.sleeping.filter((s) => s.until <= until);
        clock.sleeping = clock.sleeping.filter((s) => s.until > until);
        due.forEach((s) => s.wake());
        for (let i = 0; i < 20; i++) await Promise.resolve();
      },
    };
  }

  it('a start reserved before a 429 does not go out during the pause it brought, nor beyond the limit it lowered', async () => {
    const clock = manualClock();
    const t0 = clock.now();
    const governor = createRateGovernor({
      limit: 4,
      windowMs: 1_000,
      marginMs: 0,
      maxConcurrency: 100,
      maxQueue: 100,
      now: clock.now,
      sleep: clock.sleep,
    });
    for (let i = 0; i < 4; i++) (await governor.acquire('client-a'))();
    // Four more reserved for the next window (t0 + 1000), asleep until then.
    const started: number[] = [];
    const queued = Array.from({ length: 4 }, () => governor.acquire('client-a').then((release) => (started.push(clock.now()), release())));
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(clock.sleepers()).toBe(4);
    // ISC refused 2 of the first four with a 3 s Retry-After: it accepts 2 a window, from t0 + 3000.
    governor.pauseUntil('client-a', t0 + 3_000);
    await governor.refused('client-a');
    await governor.refused('client-a');
    expect(governor.budget('client-a').limit).toBe(2);
    await clock.advanceTo(t0 + 1_000);
    expect(started).toEqual([]); // their reserved starts fell in the pause: reserved again
    await clock.advanceTo(t0 + 3_000);
    expect(started).toEqual([t0 + 3_000, t0 + 3_000]); // two a window, as learned
    await clock.advanceTo(t0 + 4_000);
    await Promise.all(queued);
    expect(started).toEqual([t0 + 3_000, t0 + 3_000, t0 + 4_000, t0 + 4_000]);
  });
});
