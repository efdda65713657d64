import type { WriteClock } from '../freshness.js';
import type { Stage } from '../types.js';

/**
 * The write clock (freshness.ts) on every call: a GET gets the stamp of what it reads, which the
 * response cache and the sharing of reads in flight key by; a write advances the clock once its
 * answer is in (or its outcome unknown), before the caller has it. So an operation that starts
 * after a write's answer never gets a cached or shared answer read before that write.
 */
export function writeStamps(clock: WriteClock): Stage {
  return async (call, next) => {
    if (call.request.method !== 'GET') {
      try {
        return await next(call);
      } finally {
        await clock.advance(call.request.path);
      }
    }
    call.stamp = await clock.stamp(call.url);
    return next(call);
  };
}
