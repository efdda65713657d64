import { DEFAULTS } from './defaults.js';
import { integerSetting as integer, type Environment } from './parse.js';

/** ISC's limit per OAuth client, as the governor keeps to it. */
export interface RateConfig {
  /** Calls per window. */
  limit: number;
  windowMs: number;
  /** Calls to ISC running at once, per OAuth client. */
  maxConcurrency: number;
  /** Calls waiting for the governor, per OAuth client; beyond it RATE_LIMITED at once. */
  maxQueue: number;
  /** Time one operation may spend waiting out ISC 429s. */
  limitWaitMs: number;
  /** Calls per window that every pass-through token ISC has not accepted yet shares (its verification call). */
  unverifiedLimit: number;
  /** Such calls running at once (and so sockets they hold). */
  unverifiedMaxConcurrency: number;
}

export function rateConfig(env: Environment): RateConfig {
  const defaults = DEFAULTS.rate;
  return {
    limit: integer(env, 'SAIL_RATE_LIMIT', defaults.limit, 1, 100_000),
    windowMs: integer(env, 'SAIL_RATE_WINDOW_MS', defaults.windowMs, 10, 3_600_000),
    maxConcurrency: integer(env, 'SAIL_RATE_MAX_CONCURRENCY', defaults.maxConcurrency, 1, 1000),
    maxQueue: integer(env, 'SAIL_RATE_MAX_QUEUE', defaults.maxQueue, 0, 1_000_000),
    limitWaitMs: integer(env, 'SAIL_RATE_LIMIT_WAIT_MS', defaults.limitWaitMs, 0, 600_000),
    unverifiedLimit: integer(env, 'SAIL_UNVERIFIED_RATE_LIMIT', defaults.unverifiedLimit, 1, 100_000),
    unverifiedMaxConcurrency: integer(env, 'SAIL_UNVERIFIED_MAX_CONCURRENCY', defaults.unverifiedMaxConcurrency, 1, 1000),
  };
}
