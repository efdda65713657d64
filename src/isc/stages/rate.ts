import { gatewayError } from '../../shared/errors.js';
import type { RateGovernor } from '../governor.js';
import { parseRetryAfter } from '../retry-policy.js';
import type { Stage } from '../types.js';

export interface RateOptions {
  governor: RateGovernor;
  /** Longest pause one `Retry-After` may impose (ISC's highest backoff tier is 1,200 s: the default obeys it in full). */
  maxRetryAfterMs: number;
  /** The pause after a 429 without `Retry-After`. */
  defaultPauseMs?: number;
  /** Hears of a `Retry-After` longer than the maximum (it is clamped). */
  onRetryAfterClamped?: (event: { route: string; retryAfterMs: number; pauseMs: number }) => void;
}

/**
 * The rate governor around each attempt: one slot of ISC's budget (and one concurrency permit)
 * per attempt, waited for within the operation's deadline; background calls take a slot only if
 * one is free now. This is where a 429 reaches the governor: every caller of this ISC client is
 * paused for its `Retry-After` (in full, up to the maximum: calling during ISC's backoff climbs its
 * tiers), the governor learns whether ISC limits lower than it thought, and the answer carries the
 * pause up to the retry stage — which answers RATE_LIMITED at once when the pause outlasts the operation.
 */
export function rateGoverned({ governor, maxRetryAfterMs, defaultPauseMs = 1_000, onRetryAfterClamped }: RateOptions): Stage {
  return async (call, next) => {
    const release = call.scope.background
      ? await governor.tryAcquire(call.rateKey)
      : await governor.acquire(call.rateKey, call.scope.deadline, call.scope.signal);
    if (!release) throw gatewayError('RATE_LIMITED', 'The rate budget is in use by callers: background calls wait their turn');
    let answer;
    try {
      answer = await next(call);
    } finally {
      release();
    }
    if (answer.status !== 429) return answer;
    const header = answer.headers['retry-after'];
    const asked = parseRetryAfter(typeof header === 'string' ? header : undefined);
    if (asked !== undefined && asked > maxRetryAfterMs) onRetryAfterClamped?.({ route: call.route, retryAfterMs: asked, pauseMs: maxRetryAfterMs });
    const pauseMs = Math.min(asked ?? defaultPauseMs, maxRetryAfterMs);
    governor.pauseUntil(call.rateKey, Date.now() + pauseMs);
    await governor.refused(call.rateKey);
    return { ...answer, retryAfterMs: pauseMs };
  };
}
