import { gatewayError } from '../shared/errors.js';
import { afterRefusal, limitAt, recovered, type LearnedLimit } from './learned-limit.js';

/**
 * The rate governor: keeps the gateway's own calls under ISC's limit, per ISC client (OAuth
 * `client_id`, or a hash of a caller's token). Guarantee: at most `limit` calls start in any
 * `windowMs` window (a sliding-window log of start times, kept by a `SlotLedger`: in this
 * process, or in Redis for all replicas — see scale-out/shared-ledger.ts), at most `maxConcurrency` run at
 * once in this process, and at most `maxQueue` wait — the next one is refused at once with
 * RATE_LIMITED instead of piling up memory. An upstream 429 with Retry-After pauses the key.
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
  /** Where start times are kept; default: this process (`createLocalLedger`). */
  ledger?: SlotLedger;
}

export interface Budget {
  limit: number;
  /** Calls that could start now without waiting. */
  remaining: number;
  /** Milliseconds until `remaining` grows: a used slot leaves the window, or a pause ends (0 when the whole budget is free). */
  resetInMs: number;
  /** Milliseconds until a pause ISC asked for (a 429's `Retry-After`) ends; 0 when the client is not paused. */
  pausedForMs: number;
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
  /**
   * Waits for a permit and a slot (or refuses); the returned function releases the permit. The
   * wait ends with DEADLINE_EXCEEDED when `signal` aborts (the operation's deadline) or `deadline`
   * passes, and the call leaves the queue.
   */
  acquire(key: string, deadline?: number, signal?: AbortSignal): Promise<Permit>;
  /**
   * A slot in the window only if one is free right now and nobody is waiting for this key, without
   * a concurrency permit: for background work (readiness probes) that must never queue ahead of
   * callers or hold what they wait for. Undefined otherwise.
   */
  tryAcquire(key: string): Promise<(() => void) | undefined>;
  /** About how many calls could start for `key` from now until `deadline`. */
  capacity(key: string, deadline: number): number;
  /** ISC answered 429 with Retry-After: no call for `key` starts before `until`. */
  pauseUntil(key: string, until: number): void;
  /** ISC answered 429 to a call of `key`: learn whether ISC limits lower (see learned-limit.ts). */
  refused(key: string): void | Promise<void>;
  /** `limit` is the one in force: the configured limit, or a lower one learned from ISC's 429s. */
  budget(key: string): Budget;
  stats(): GovernorStats;
}

/** Releases a call's concurrency permit. */
export type Permit = () => void;

/**
 * A reserved start `waitMs` from now (`start` on this process's clock; `member`: its entry in a
 * shared log), or a refusal: the earliest start was `waitMs` away, beyond what the caller allowed.
 */
export type Reservation = { waitMs: number; refused?: false; start: number; member?: string } | { waitMs: number; refused: true };
export type Reserved = Extract<Reservation, { start: number }>;

/**
 * The sliding-window log of call starts. `reserve` must be atomic per key: it takes the earliest
 * start that keeps every window at or under the limit (after earlier reservations: FIFO) and
 * records it, unless that start is more than `maxWaitMs` away.
 */
export interface SlotLedger {
  reserve(key: string, maxWaitMs: number): Reservation | Promise<Reservation>;
  pauseUntil(key: string, until: number): void;
  /**
   * Whether a reserved start still holds when its time comes: a pause or a lower learned limit may
   * have come since it was reserved. A start that no longer holds is given up (`false`), and the
   * call reserves again.
   */
  confirm(key: string, reservation: Reserved): boolean | Promise<boolean>;
  /**
   * A 429 to a call of `key`: ISC accepted the calls of the window less those it refused; when
   * that is below the key's limit, ISC limits lower and the limit drops to it (learned-limit.ts).
   */
  refused(key: string): void | Promise<void>;
  capacity(key: string, deadline: number): number;
  budget(key: string): Budget;
}

export interface LedgerOptions {
  limit: number;
  /** The window, margin included. */
  windowMs: number;
  now?: () => number;
}

/** The default safety margin of a window (see GovernorOptions.marginMs). */
export function windowWithMargin(windowMs: number, marginMs?: number): number {
  return windowMs + (marginMs ?? Math.min(1000, Math.round(windowMs * 0.05) + 50));
}

const MAX_IDLE_KEYS = 10_000;

function insertSorted(starts: number[], at: number): void {
  let i = starts.length;
  while (i > 0 && starts[i - 1] > at) i--;
  starts.splice(i, 0, at);
}

function budgetOf(s: KeyState, limit: number, windowMs: number, t: number): Budget {
  const remaining = t < s.pausedUntil ? 0 : Math.max(0, limit - s.starts.length);
  const grows = remaining === 0 ? nextSlotOf(s, limit, windowMs, t) : s.starts.length > 0 ? s.starts[0] + windowMs : t; // the oldest call leaves
  return { limit, remaining, resetInMs: Math.max(0, grows - t), pausedForMs: Math.max(0, s.pausedUntil - t) };
}

/** Whether `start` still holds: no pause ends after it, and fewer starts than `limit` are ahead of it in its window (starts reserved for the same moment count as ahead). */
function holds(s: KeyState, start: number, limit: number, windowMs: number): boolean {
  const ahead = s.starts.filter((other) => other > start - windowMs && other <= start).length - 1;
  return s.pausedUntil <= start && ahead < limit;
}

/**
 * What ISC accepted of the window's calls at a 429 at `t`: calls released together reach ISC in
 * any order, so not the place the refused call was reserved in, but the calls that have started
 * less the ones ISC refused.
 */
const acceptedAt = (s: KeyState, t: number): number => Math.max(0, s.starts.filter((at) => at <= t).length - s.refusals.length);

/** The in-process ledger, which can also learn of starts reserved elsewhere (see scale-out/shared-ledger.ts). */
export interface LocalLedger extends SlotLedger {
  reserve(key: string, maxWaitMs: number): Reservation;
  confirm(key: string, reservation: Reserved): boolean;
  refused(key: string): void;
  /** Records a start reserved through another ledger, so this one counts it too. */
  record(key: string, at: number): void;
  /** The starts of `key` still in the window (past and reserved), ascending. */
  recent(key: string): number[];
}

interface KeyState {
  starts: number[];
  /** When ISC answered 429 within the last window. */
  refusals: number[];
  pausedUntil: number;
  learned?: LearnedLimit;
}

const idleAt = (s: KeyState, configured: number, windowMs: number, t: number) =>
  (s.starts.at(-1) ?? 0) <= t - windowMs && s.pausedUntil <= t && recovered(s.learned, configured, windowMs, t);

/** About how many calls could start from now until `deadline`: what the window leaves, then `limit` a window. */
function capacityOf(s: KeyState, limit: number, windowMs: number, now: number, deadline: number): number {
  const t = Math.max(now, s.pausedUntil);
  if (deadline <= t) return 0;
  // `starts` is ascending: count past the ones that left the window at `t` (usually none).
  let left = 0;
  while (left < s.starts.length && s.starts[left] <= t - windowMs) left++;
  const inWindow = s.starts.length - left;
  return Math.max(0, limit - inWindow) + Math.floor(((deadline - t) / windowMs) * limit);
}

/** The earliest start that keeps every window at or under the limit (FIFO after earlier reservations). */
function nextSlotOf(s: KeyState, limit: number, windowMs: number, now: number): number {
  const windowBound = s.starts.length >= limit ? s.starts[s.starts.length - limit] + windowMs : 0;
  return Math.max(now, s.pausedUntil, windowBound, s.starts.at(-1) ?? 0);
}

/** The ledger of one process: start times (past and reserved), the pause and the learned limit per key, in memory. */
export function createLocalLedger({ limit: configured, windowMs, now = Date.now }: LedgerOptions): LocalLedger {
  const keys = new Map<string, KeyState>();
  const limitOf = (s: KeyState) => limitAt(s.learned, configured, windowMs, now());

  function state(key: string): KeyState {
    let s = keys.get(key);
    if (!s) {
      if (keys.size >= MAX_IDLE_KEYS) forgetIdle();
      s = { starts: [], refusals: [], pausedUntil: 0 };
      keys.set(key, s);
    }
    const horizon = now() - windowMs;
    let drop = 0;
    while (drop < s.starts.length && s.starts[drop] <= horizon) drop++;
    if (drop) s.starts.splice(0, drop);
    if (s.refusals.length > 0) s.refusals = s.refusals.filter((at) => at > horizon);
    return s;
  }

  // A key with a pause or a learned limit in force is not idle: forgetting it would forget those.
  const forgetIdle = () => {
    for (const [key, s] of keys) if (idleAt(s, configured, windowMs, now())) keys.delete(key);
  };

  return {
    reserve(key, maxWaitMs) {
      const s = state(key);
      // One reading of the clock: two could be a millisecond apart and make the wait negative.
      const t = now();
      const waitMs = nextSlotOf(s, limitOf(s), windowMs, t) - t;
      if (waitMs > maxWaitMs) return { waitMs, refused: true };
      const start = t + waitMs;
      s.starts.push(start);
      return { waitMs, start };
    },
    confirm(key, { start }) {
      const s = state(key);
      if (holds(s, start, limitOf(s), windowMs)) return true;
      s.starts.splice(s.starts.indexOf(start) >>> 0, 1); // given up (>>> 0: nothing when absent)
      return false;
    },
    record: (key, at) => insertSorted(state(key).starts, at),
    recent: (key) => [...state(key).starts],
    pauseUntil(key, until) {
      const s = state(key);
      s.pausedUntil = Math.max(s.pausedUntil, until);
    },
    refused(key) {
      const s = state(key);
      const t = now();
      s.refusals.push(t);
      s.learned = afterRefusal(s.learned, acceptedAt(s, t), configured, windowMs, t);
    },
    capacity(key, deadline) {
      const s = state(key);
      return capacityOf(s, limitOf(s), windowMs, now(), deadline);
    },
    budget(key) {
      const s = state(key);
      return budgetOf(s, limitOf(s), windowMs, now());
    },
  };
}

interface PermitState {
  running: number;
  waiting: number;
  permitQueue: (() => void)[];
}

// Unref'd: a call waiting for its slot must not keep a stopping process alive.
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export const deadlineExceeded = () =>
  gatewayError('DEADLINE_EXCEEDED', "The operation's deadline passed before ISC answered; this field was not loaded");

/** The deadline passed while ISC had the call: the error names where it went, as transport errors do. */
export const deadlineWaitingFor = (origin: string) =>
  gatewayError(
    'DEADLINE_EXCEEDED',
    `The operation's deadline passed while waiting for ISC at ${origin}; this field was not loaded. If ISC never answers, check SAIL_BASE_URL and the network path to it`,
    { origin },
  );

/** Resolves with `wait`, or rejects with DEADLINE_EXCEEDED once `signal` aborts (running `leave` first). */
/**
 * Waits in `queue` until a releaser calls this waiter's hand-over, or DEADLINE_EXCEEDED when
 * `signal` aborts first: the waiter leaves the queue, or, handed over in the same turn as the
 * abort, passes what it was handed on (`passOn`).
 */
export async function awaitHandOver(queue: (() => void)[], signal: AbortSignal | undefined, passOn: () => void): Promise<void> {
  let granted = false;
  let handOver!: () => void;
  const wait = new Promise<void>((resolve) => {
    handOver = () => {
      granted = true;
      resolve();
    };
  });
  queue.push(handOver);
  await untilAborted(wait, signal, () => {
    const i = queue.indexOf(handOver);
    if (i >= 0) queue.splice(i, 1);
    else if (granted) passOn();
  });
}

export function untilAborted<T>(wait: Promise<T>, signal: AbortSignal | undefined, leave: () => void): Promise<T> {
  if (!signal) return wait;
  if (signal.aborted) {
    leave();
    return Promise.reject(deadlineExceeded());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      leave();
      reject(deadlineExceeded());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Concurrency permits per key: at most `max` calls running, the others waiting in order. */
function createPermits(max: number) {
  const permits = new Map<string, PermitState>();

  function release(s: PermitState): void {
    const next = s.permitQueue.shift();
    if (next) next();
    else s.running--;
  }

  /** A permit, or DEADLINE_EXCEEDED when `signal` aborts first (the waiter leaves the queue). Answers whether it had to queue. */
  async function take(s: PermitState, signal: AbortSignal | undefined): Promise<boolean> {
    if (s.running < max && !signal?.aborted) {
      s.running++;
      return false;
    }
    await awaitHandOver(s.permitQueue, signal, () => release(s));
    return true; // the releasing call handed its permit over: `running` is unchanged
  }

  return {
    state(key: string): PermitState {
      let s = permits.get(key);
      if (!s) {
        if (permits.size >= MAX_IDLE_KEYS) for (const [k, p] of permits) if (p.running === 0 && p.waiting === 0) permits.delete(k);
        permits.set(key, (s = { running: 0, waiting: 0, permitQueue: [] }));
      }
      return s;
    },
    peek: (key: string) => permits.get(key),
    take,
    release,
    /** Releases `s`'s permit once, however often it is called. */
    releaser(s: PermitState): () => void {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release(s);
      };
    },
    counts() {
      let queued = 0;
      let running = 0;
      for (const s of permits.values()) {
        queued += s.waiting;
        running += s.running;
      }
      return { queued, running };
    },
  };
}

/** `work`'s answer; when it fails, `leave` first (the call gives its permit back). */
async function orLeave<T>(work: () => T | Promise<T>, leave: () => void): Promise<T> {
  try {
    return await work();
  } catch (error) {
    leave();
    throw error;
  }
}

/**
 * Reserves a start and sleeps until it. A start reserved ahead is confirmed when its time comes:
 * a 429 meanwhile may have paused the client or lowered its limit, and a start reserved before
 * that must not go out — it is reserved again. (The slot stays reserved, and counted, if the
 * operation gives up while sleeping.) Answers whether it slept.
 */
async function startWhenDue(
  reserve: () => Promise<Reserved>,
  confirm: (reservation: Reserved) => Promise<boolean>,
  sleep: (ms: number) => Promise<unknown>,
): Promise<boolean> {
  let reservation = await reserve();
  const slept = reservation.waitMs > 0;
  while (reservation.waitMs > 0) {
    await sleep(reservation.waitMs);
    if (await confirm(reservation)) break;
    reservation = await reserve();
  }
  return slept;
}

export function createRateGovernor(options: GovernorOptions): RateGovernor {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const ledger = options.ledger ?? createLocalLedger({ limit: options.limit, windowMs: windowWithMargin(options.windowMs, options.marginMs), now });
  const permits = createPermits(options.maxConcurrency);
  const totals = { waits: 0, waitMs: 0, refused: 0 };
  const refuse = (message: string, retryAfterMs: number) => {
    totals.refused++;
    return gatewayError('RATE_LIMITED', message, { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  };

  /** The earliest slot in the window before `deadline`; the permit is released when there is none. */
  function reserve(key: string, s: PermitState, deadline: number | undefined): Promise<Reserved> {
    return orLeave(
      async () => {
        if (deadline !== undefined && now() >= deadline) throw deadlineExceeded();
        const reservation = await ledger.reserve(key, deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now());
        if (!reservation.refused) return reservation;
        throw refuse(`ISC's rate limit leaves no slot for this call before the operation's deadline`, reservation.waitMs);
      },
      () => permits.release(s),
    );
  }

  return {
    async acquire(key, deadline, signal) {
      const s = permits.state(key);
      if (s.waiting >= options.maxQueue)
        throw refuse(`The gateway's queue for this ISC client is full (${options.maxQueue} waiting calls)`, ledger.budget(key).resetInMs);
      s.waiting++;
      const queuedAt = now();
      try {
        // The permit first, then the slot: a call that waited for a permit must not start later
        // than the slot it reserved, or a window could hold more than `limit` starts.
        const queued = await permits.take(s, signal);
        const leave = () => permits.release(s);
        const slept = await startWhenDue(
          () => reserve(key, s, deadline),
          (reservation) => orLeave(() => ledger.confirm(key, reservation), leave),
          (ms) => untilAborted(sleep(ms), signal, leave),
        );
        // A wait is a queue for a permit or a slot in the future, not the time the bookkeeping took.
        if (queued || slept) {
          totals.waits++;
          totals.waitMs += now() - queuedAt;
        }
        return permits.releaser(s);
      } finally {
        s.waiting--;
      }
    },
    async tryAcquire(key) {
      // No permit is taken: background work must not hold a slot of the concurrency callers wait for.
      if ((permits.peek(key)?.waiting ?? 0) > 0 || ledger.budget(key).remaining <= 0) return undefined;
      const reservation = await Promise.resolve(ledger.reserve(key, 0)).catch(() => undefined);
      return reservation && !reservation.refused ? () => undefined : undefined;
    },
    capacity: (key, deadline) => ledger.capacity(key, deadline),
    pauseUntil: (key, until) => ledger.pauseUntil(key, until),
    refused: (key) => ledger.refused(key),
    budget: (key) => ledger.budget(key),
    stats: () => ({ ...permits.counts(), ...totals }),
  };
}
