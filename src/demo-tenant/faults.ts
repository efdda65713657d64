import { createRateAccounting, type RateAccounting, type RateLimitSettings } from './rate-limits.js';

/**
 * Switchable faults for the demo tenant, so tests and the benchmark can show how the gateway
 * behaves on a bad day: added latency, a fraction of 429s (with Retry-After), 500s and 503s,
 * dropped connections, hung responses, and ISC's own rate limits and backoff per OAuth client
 * (rate-limits.ts); and, at the token endpoint, a failing or slow refresh-token grant (a gateway's
 * sign-in sessions refresh through it),
 * or refresh answers held until a test releases them (a race made deterministic, not timed).
 * Random choices come from a seeded generator, so a run can be repeated.
 */
export interface FaultSettings {
  /** Added to every API answer. */
  latencyMs?: number;
  /** Fractions (0..1) of API requests answered with that fault. */
  rate429?: number;
  rate500?: number;
  rate503?: number;
  /** Close the connection without an answer. */
  dropRate?: number;
  /** Never answer (until the tenant closes). */
  hangRate?: number;
  /**
   * The next this many API requests are carried out, then their connection is closed instead of
   * answering: a write applied whose answer was lost (as when a proxy or the network fails).
   */
  dropAnswersAfterApply?: number;
  /** Retry-After sent with injected and rate-limit 429s, in seconds. */
  retryAfterSeconds?: number;
  /**
   * Enforce ISC's limits per OAuth client (rate-limits.ts): at most `limit` API calls per
   * `windowMs`, at most `routeLimits[route]` on a route, else 429; with `backoff`, ISC's
   * route-specific backoff scaled by the window.
   */
  rateLimit?: RateLimitSettings;
  /** Seed of the random choices. */
  seed?: number;
  /**
   * The token endpoint's refresh_token grant answers this status (e.g. 503) with ISC's error body
   * instead of a token, after client authentication; the refresh token stays valid.
   */
  refreshStatus?: number;
  /** The refresh_token grant answers only after this many ms (a hung refresh, against a caller's timeout). */
  refreshDelayMs?: number;
  /** Only the next this many refresh_token requests suffer `refreshStatus` / `refreshDelayMs`; default: every one. */
  refreshFaultCount?: number;
}

/** What the next refresh_token request suffers. */
export interface RefreshFault {
  delayMs: number;
  status: number | undefined;
}

/**
 * refresh_token answers held back: each one is worked out, then waits until `release()`. A test
 * holds them to act while a refresh is in flight (sign out, say), then lets the answer go.
 */
export interface RefreshHold {
  /** Resolves once `count` refresh_token answers wait under this hold. */
  held(count?: number): Promise<void>;
  /** Sends every held answer; later ones pass at once. */
  release(): void;
}

export type FaultAction = { kind: 'none' } | { kind: 'drop' } | { kind: 'hang' } | { kind: 'status'; status: number; retryAfterSeconds?: number };

/** mulberry32: a tiny seeded PRNG, good enough to pick faults reproducibly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultInjector {
  settings(): FaultSettings;
  set(settings: FaultSettings): void;
  /** Decides the fate of one API request made by `clientId` on `route` (method and route template, as the stats name it). */
  pick(clientId: string, route: string): FaultAction;
  /** Backoffs entered since the tenant started (`set` keeps them), in all and by OAuth client. */
  backoffsEntered(): { total: number; byClient: Record<string, number> };
  /** Whether this request's answer is to be dropped after it was carried out (uses up one of `dropAnswersAfterApply`). */
  dropAfterApply(): boolean;
  /** The fault of one refresh_token request, or undefined (uses up one of `refreshFaultCount`). */
  refreshFault(): RefreshFault | undefined;
  /** Holds refresh_token answers from now until released (`set` releases them too). */
  holdRefreshes(): RefreshHold;
  /** Resolves when a refresh_token answer may go: at once, unless held. */
  refreshGate(): Promise<void>;
}

interface Gate {
  opened: Promise<void>;
  open: () => void;
  /** Answers that reached the gate while it was closed. */
  waiting: number;
  watchers: { count: number; resolve: () => void }[];
}

function closedGate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open, waiting: 0, watchers: [] };
}

const notify = (gate: Gate): void => {
  for (const watcher of gate.watchers) if (gate.waiting >= watcher.count) watcher.resolve();
};

/** Where refresh answers wait while held: closed by `hold()`, opened by its release (or the next hold). */
function refreshGate(): { hold(): RefreshHold; pass(): Promise<void>; releaseAll(): void } {
  let closed: Gate | undefined;
  const releaseAll = () => {
    closed?.open();
    closed = undefined;
  };
  return {
    hold() {
      releaseAll();
      const gate = closedGate();
      closed = gate;
      return {
        held: (count = 1) =>
          new Promise<void>((resolve) => {
            gate.watchers.push({ count, resolve });
            notify(gate);
          }),
        release: () => {
          gate.open();
          if (closed === gate) closed = undefined;
        },
      };
    },
    pass() {
      if (!closed) return Promise.resolve();
      closed.waiting++;
      notify(closed);
      return closed.opened;
    },
    releaseAll,
  };
}

/** `clock` is the tenant's time as the rate limits read it (ms): tests pass one they move by hand. */
export function createFaultInjector(initial: FaultSettings = {}, clock: () => number = Date.now): FaultInjector {
  let current = initial;
  let next = random(initial.seed ?? 1);
  const accountingOf = (settings: FaultSettings): RateAccounting | undefined => settings.rateLimit && createRateAccounting(settings.rateLimit);
  let rates = accountingOf(initial);
  const backoffs = { total: 0, byClient: {} as Record<string, number> };

  let dropsLeft = initial.dropAnswersAfterApply ?? 0;
  let refreshFaultsLeft = initial.refreshFaultCount ?? Infinity;
  const gate = refreshGate();
  return {
    settings: () => current,
    holdRefreshes: () => gate.hold(),
    refreshGate: () => gate.pass(),
    refreshFault() {
      const { refreshStatus, refreshDelayMs } = current;
      if ((refreshStatus === undefined && !refreshDelayMs) || refreshFaultsLeft <= 0) return undefined;
      refreshFaultsLeft--;
      return { delayMs: refreshDelayMs ?? 0, status: refreshStatus };
    },
    dropAfterApply() {
      if (dropsLeft <= 0) return false;
      dropsLeft--;
      return true;
    },
    set(settings) {
      current = settings;
      gate.releaseAll();
      dropsLeft = settings.dropAnswersAfterApply ?? 0;
      refreshFaultsLeft = settings.refreshFaultCount ?? Infinity;
      next = random(settings.seed ?? 1);
      rates = accountingOf(settings);
    },
    backoffsEntered: () => ({ total: backoffs.total, byClient: { ...backoffs.byClient } }),
    pick(clientId, route) {
      const refusal = rates?.admit(clientId, route, clock());
      if (refusal?.backoff === 'entered') {
        backoffs.total++;
        backoffs.byClient[clientId] = (backoffs.byClient[clientId] ?? 0) + 1;
      }
      if (refusal) return { kind: 'status', status: 429, retryAfterSeconds: refusal.retryAfterSeconds };
      const roll = next();
      let edge = 0;
      const table: [number | undefined, FaultAction][] = [
        [current.rate429, { kind: 'status', status: 429, retryAfterSeconds: current.retryAfterSeconds ?? 1 }],
        [current.rate500, { kind: 'status', status: 500 }],
        [current.rate503, { kind: 'status', status: 503 }],
        [current.dropRate, { kind: 'drop' }],
        [current.hangRate, { kind: 'hang' }],
      ];
      for (const [rate, action] of table) {
        edge += rate ?? 0;
        if (roll < edge) return action;
      }
      return { kind: 'none' };
    },
  };
}
