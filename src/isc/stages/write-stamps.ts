import { GraphQLError } from 'graphql';
import { errorCodeOf } from '../../shared/errors.js';
import type { WriteClock } from '../write-clock.js';
import type { IscCall, Stage } from '../types.js';

/** Errors raised before a write was sent: the governor's refusal or wait, no credential, the breaker open, a refused input. */
const NOT_SENT = new Set(['RATE_LIMITED', 'DEADLINE_EXCEEDED', 'UNAUTHENTICATED', 'BAD_USER_INPUT', 'UPSTREAM_UNAVAILABLE']);

/**
 * Whether a failed write may have changed anything. Not when ISC refused its only attempt (a 4xx:
 * a refused token, a forbidden or invalid write, a 429) nor when it was never sent; so a caller
 * with a made-up token cannot drop everyone's cache entries. Anything else (a 5xx, a lost answer,
 * several attempts) may have been applied.
 */
function mayHaveApplied(call: IscCall, error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  if (call.attempt > 1) return true;
  const status = error.extensions.httpStatus;
  if (typeof status === 'number') return status >= 500;
  return !NOT_SENT.has(errorCodeOf(error));
}

/**
 * The write clock (write-clock.ts) on every call: a GET gets the stamp of what it reads, which the
 * response cache and the sharing of reads in flight key by; a write that may have changed
 * something advances the clock once its answer is in (or its outcome unknown), before the caller
 * has it. So an operation that starts after a write's answer never gets a cached or shared answer
 * read before that write.
 */
export function writeStamps(clock: WriteClock): Stage {
  return async (call, next) => {
    if (call.request.method !== 'GET') {
      try {
        const answer = await next(call);
        await clock.advance(call.request.path);
        return answer;
      } catch (error) {
        if (mayHaveApplied(call, error)) await clock.advance(call.request.path);
        throw error;
      }
    }
    call.stamp = await clock.stamp(call.url);
    return next(call);
  };
}
