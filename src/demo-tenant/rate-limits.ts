/**
 * ISC's rate limits as the demo tenant enforces them, per OAuth client: a limit per window over
 * every route, lower limits on some routes, and ISC's route-specific backoff. The backoff's tiers
 * and horizons are ISC's scaled by the tenant's window W (ISC's W is 10 s): a client that exceeds
 * a limit on a route in 3 distinct intervals within 12 W is locked out of that route for 6 W,
 * and each call it makes meanwhile climbs to the next tier (30 W, 60 W, 120 W); the last tier is
 * remembered for 360 W after the lockout ends, so the next backoff starts one tier higher. Time
 * is whatever the caller says it is (`now`), so tests count windows instead of waiting them out.
 */
export interface RateLimitSettings {
  /** Calls per window per OAuth client, every route together; unset: no such limit. */
  limit?: number;
  /** The window W, in ms. */
  windowMs: number;
  /** Lower limits per OAuth client on single routes, by method and route template as the stats name them: `{ 'GET /source-apps': 20 }`. */
  routeLimits?: Record<string, number>;
  /** ISC's route-specific backoff, scaled by the window. */
  backoff?: boolean;
}

/** The backoff's tiers, in windows: ISC's 60, 300, 600 and 1,200 s over its 10 s window. */
export const BACKOFF_TIERS_IN_WINDOWS: readonly number[] = [6, 30, 60, 120];
/** Distinct violated intervals that enter the backoff, and the span (in windows) they fall in: ISC's 3 within 120 s. */
export const BACKOFF_VIOLATIONS = 3;
export const BACKOFF_SPAN_IN_WINDOWS = 12;
/** How long the last tier is remembered after a lockout ends, in windows: ISC's hour. */
export const BACKOFF_MEMORY_IN_WINDOWS = 360;

/** Why a call is refused: over a limit, or in a backoff it just `entered` or `climbed`. */
export interface RateRefusal {
  retryAfterSeconds: number;
  backoff?: 'entered' | 'climbed';
}

export interface RateAccounting {
  /** Counts one call of `clientId` on `route` (e.g. `GET /source-apps/:id`) at `now`; a refusal when it is answered 429. */
  admit(clientId: string, route: string, now: number): RateRefusal | undefined;
}

interface Backoff {
  tier: number;
  /** End of the lockout (ms). */
  until: number;
}

/** Start times of the calls admitted within the window, per key. */
type Windows = Map<string, number[]>;

/** The ms until a call may pass under `limit`, or undefined when it may now (the window trimmed to `now`). */
function waitUnder(windows: Windows, key: string, limit: number | undefined, windowMs: number, now: number): number | undefined {
  if (limit === undefined) return undefined;
  const starts = (windows.get(key) ?? []).filter((t) => t > now - windowMs);
  windows.set(key, starts);
  return starts.length >= limit ? starts[0] + windowMs - now : undefined;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

export function createRateAccounting(settings: RateLimitSettings): RateAccounting {
  const { limit, windowMs, routeLimits = {}, backoff: backoffOn = false } = settings;
  const clientCalls: Windows = new Map();
  const routeCalls: Windows = new Map();
  /** Per client and route: the interval index of each violation → when it happened. */
  const violations = new Map<string, Map<number, number>>();
  const backoffs = new Map<string, Backoff>();

  const lockout = (key: string, tier: number, now: number, backoff: RateRefusal['backoff']): RateRefusal => {
    const lockMs = BACKOFF_TIERS_IN_WINDOWS[tier] * windowMs;
    backoffs.set(key, { tier, until: now + lockMs });
    return { retryAfterSeconds: seconds(lockMs), backoff };
  };

  /** Counts a violation on `key`; the backoff's lockout once it makes the violated intervals enough. */
  const violated = (key: string, now: number): RateRefusal | undefined => {
    const recent = new Map([...(violations.get(key) ?? [])].filter(([, at]) => at > now - BACKOFF_SPAN_IN_WINDOWS * windowMs));
    recent.set(Math.floor(now / windowMs), now);
    violations.set(key, recent);
    if (recent.size < BACKOFF_VIOLATIONS) return undefined;
    violations.delete(key);
    const last = backoffs.get(key);
    const remembered = last !== undefined && now < last.until + BACKOFF_MEMORY_IN_WINDOWS * windowMs;
    return lockout(key, remembered ? Math.min(last.tier + 1, BACKOFF_TIERS_IN_WINDOWS.length - 1) : 0, now, 'entered');
  };

  return {
    admit(clientId, route, now) {
      const key = `${clientId} ${route}`;
      const current = backoffs.get(key);
      if (backoffOn && current !== undefined && now < current.until) {
        return lockout(key, Math.min(current.tier + 1, BACKOFF_TIERS_IN_WINDOWS.length - 1), now, 'climbed');
      }
      const waits = [waitUnder(clientCalls, clientId, limit, windowMs, now), waitUnder(routeCalls, key, routeLimits[route], windowMs, now)];
      const waitMs = Math.max(...waits.map((wait) => wait ?? -1));
      if (waitMs >= 0) return (backoffOn && violated(key, now)) || { retryAfterSeconds: seconds(waitMs) };
      // waitUnder left a window under each limit in force: the call counts in those only.
      if (limit !== undefined) clientCalls.get(clientId)?.push(now);
      if (routeLimits[route] !== undefined) routeCalls.get(key)?.push(now);
      return undefined;
    },
  };
}

/**
 * `SAIL_DEMO_TENANT_ROUTE_LIMITS`: `METHOD /route/template=LIMIT` pairs, comma-separated, e.g.
 * `GET /source-apps=20,POST /oauth-clients=5`; the method is case-insensitive. Throws a TypeError
 * saying what is wrong.
 */
export function parseRouteLimits(text: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const match = /^([A-Za-z]+)\s+(\/\S*)\s*=\s*(\d+)$/.exec(entry);
    const value = Number(match?.[3]);
    if (!match || !Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`"${entry}" is not METHOD /route/template=LIMIT with a LIMIT of at least 1 (e.g. GET /source-apps=20)`);
    }
    limits[`${match[1].toUpperCase()} ${match[2]}`] = value;
  }
  return limits;
}
