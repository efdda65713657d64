import { gatewayError } from '../shared/errors.js';

/**
 * The rate governor: keeps the gateway's own calls under ISC's limit, per ISC client (OAuth
 * `client_id`, or a hash of a caller's token). Guarantee: at most `limit` calls start in any
 * `windowMs` window (a sliding-window log of start times), at most `maxConcurrency` run at once,
 * and at most `maxQueue` wait — the next one is refused at once with RATE_LIMITED instead of
 * piling up memory. An upstream 429 with Retry-After pauses the key until then.
 */
export interface GovernorOptions {
  limit: number;
  windowMs: number;
  /**
   * Extra spacing added to the window. Calls released together reach ISC a few milliseconds
   * apart, so a window measured by ISC on arrival could otherwise hold a few calls too many.
   * Default: 5% of the window plus 50 ms, at most 1 s.
   */
  marginMs?: number;
  maxConcurrency: number;
  maxQueue: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Budget {
  limit: number;
  /** Calls that could start now without waiting. */
  remaining: number;
  /** Milliseconds until the next slot frees up (0 when `remaining` > 0). */
  resetInMs: number;
}

/** Totals over every key, for metrics. */
export interface GovernorStats {
  /** Calls waiting for a permit or a slot right now. */
  queued: number;
  /** Calls running (holding a permit) right now. */
  running: number;
  /** Calls that had to wait (for a permit or a slot) before starting, since start. */
  waits: number;
  /** Total time those calls waited, in milliseconds. */
  waitMs: number;
  /** Calls refused with RATE_LIMITED (queue full, or no slot before the deadline), since start. */
  refused: number;
}

export interface RateGovernor {
  /** Waits for a permit and a slot (or refuses); the returned function releases the permit. */
  acquire(key: string, deadline?: number): Promise<() => void>;
  /** About how many calls could start for `key` from now until `deadline`. */
  capacity(key: string, deadline: number): number;
  /** ISC answered 429 with Retry-After: no call for `key` starts before `until`. */
  pauseUntil(key: string, until: number): void;
  budget(key: string): Budget;
  stats(): GovernorStats;
}

interface KeyState {
  /** Start times (past, and reserved future ones), ascending. */
  starts: number[];
  pausedUntil: number;
  running: number;
  waiting: number;
  permitQueue: (() => void)[];
}

// Unref'd: a call waiting for its slot must not keep a stopping process alive.
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
const MAX_IDLE_KEYS = 10_000;

export function createRateGovernor(options: GovernorOptions): RateGovernor {
  const { limit, maxConcurrency, maxQueue } = options;
  const windowMs = options.windowMs + (options.marginMs ?? Math.min(1000, Math.round(options.windowMs * 0.05) + 50));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const keys = new Map<string, KeyState>();
  const totals = { waits: 0, waitMs: 0, refused: 0 };

  function state(key: string): KeyState {
    let s = keys.get(key);
    if (!s) {
      if (keys.size >= MAX_IDLE_KEYS) forgetIdle();
      s = { starts: [], pausedUntil: 0, running: 0, waiting: 0, permitQueue: [] };
      keys.set(key, s);
    }
    const horizon = now() - windowMs;
    let drop = 0;
    while (drop < s.starts.length && s.starts[drop] <= horizon) drop++;
    if (drop) s.starts.splice(0, drop);
    return s;
  }

  function forgetIdle(): void {
    const horizon = now() - windowMs;
    for (const [key, s] of keys) {
      if (s.running === 0 && s.waiting === 0 && (s.starts.at(-1) ?? 0) <= horizon) keys.delete(key);
    }
  }

  /** The earliest start that keeps every window at or under the limit (FIFO after earlier reservations). */
  function nextSlot(s: KeyState): number {
    const t = now();
    const windowBound = s.starts.length >= limit ? s.starts[s.starts.length - limit] + windowMs : 0;
    return Math.max(t, s.pausedUntil, windowBound, s.starts.at(-1) ?? 0);
  }

  function refuse(message: string, retryAfterMs: number) {
    totals.refused++;
    return gatewayError('RATE_LIMITED', message, { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  }

  async function permit(s: KeyState): Promise<void> {
    if (s.running < maxConcurrency) {
      s.running++;
      return;
    }
    await new Promise<void>((resolve) => s.permitQueue.push(resolve));
    // The releasing call handed its permit over: `running` is unchanged.
  }

  function release(s: KeyState): void {
    const next = s.permitQueue.shift();
    if (next) next();
    else s.running--;
  }

  return {
    async acquire(key, deadline) {
      const s = state(key);
      if (s.waiting >= maxQueue) {
        throw refuse(`The gateway's queue for this ISC client is full (${maxQueue} waiting calls)`, nextSlot(s) - now());
      }
      s.waiting++;
      const queuedAt = now();
      try {
        // The permit first, then the slot: a call that waited for a permit must not start later
        // than the slot it reserved, or a window could hold more than `limit` starts.
        await permit(s);
        const slot = nextSlot(s);
        if (deadline !== undefined && slot > deadline) {
          release(s);
          throw refuse(`ISC's rate limit leaves no slot for this call before the operation's deadline`, slot - now());
        }
        s.starts.push(slot);
        const wait = slot - now();
        if (wait > 0) await sleep(wait);
        const waited = now() - queuedAt;
        if (waited > 0) {
          totals.waits++;
          totals.waitMs += waited;
        }
      } finally {
        s.waiting--;
      }
      let released = false;
      return () => {
        if (!released) {
          released = true;
          release(s);
        }
      };
    },

    capacity(key, deadline) {
      const s = state(key);
      const t = Math.max(now(), s.pausedUntil);
      if (deadline <= t) return 0;
      const inWindow = s.starts.filter((start) => start > t - windowMs).length;
      return Math.max(0, limit - inWindow) + Math.floor(((deadline - t) / windowMs) * limit);
    },

    pauseUntil(key, until) {
      const s = state(key);
      s.pausedUntil = Math.max(s.pausedUntil, until);
    },

    budget(key) {
      const s = state(key);
      const t = now();
      const used = s.starts.length;
      const remaining = t < s.pausedUntil ? 0 : Math.max(0, limit - used);
      const resetInMs = remaining > 0 ? 0 : Math.max(0, nextSlot(s) - t);
      return { limit, remaining, resetInMs };
    },

    stats() {
      let queued = 0;
      let running = 0;
      for (const s of keys.values()) {
        queued += s.waiting;
        running += s.running;
      }
      return { queued, running, ...totals };
    },
  };
}
