import { gatewayError } from '../../shared/errors.js';
import type { RateGovernor } from '../governor.js';
import { parseRetryAfter } from '../retry-policy.js';
import type { Stage } from '../types.js';

export interface RateOptions {
  governor: RateGovernor;
  /** Longest pause one `Retry-After` may impose. */
  maxRetryAfterMs: number;
  /** The pause after a 429 without `Retry-After`. */
  defaultPauseMs?: number;
  /** Hears of a `Retry-After` longer than the maximum (it is clamped). */
  onRetryAfterClamped?: (event: { route: string; retryAfterMs: number; pauseMs: number }) => void;
}

/**
 * The rate governor around each attempt: one slot of ISC's budget (and one concurrency permit)
 * per attempt, waited for within the operation's deadline; background calls take a slot only if
 * one is free now. This is where a 429's `Retry-After` reaches the governor: it is clamped, every
 * caller of this ISC client is paused that long, and the answer carries it up to the retry stage.
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
    return { ...answer, retryAfterMs: pauseMs };
  };
}
