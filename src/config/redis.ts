import { DEFAULTS } from './defaults.js';
import { ConfigError, integerSetting as integer, type Environment } from './parse.js';

/**
 * Scale-out: with `SAIL_REDIS_URL` the token, the rate governor and the response cache are
 * shared through Redis by every replica (see docs).
 */
export interface RedisConfig {
  /** The state replicas share (token, rate ledger, pauses, write clock, sessions): a Redis that never evicts. */
  url: string | undefined;
  /** The shared response cache's entries, when they live in a Redis of their own (which may evict); undefined: in `url`'s. */
  cacheUrl: string | undefined;
  /** Prefix of every key the gateway writes. */
  keyPrefix: string;
  /** Replicas sharing the ISC client: when Redis is unreachable each keeps to `limit / replicas`. */
  replicas: number;
  /** How long one Redis command may take before the gateway treats Redis as unreachable for it. */
  commandTimeoutMs: number;
}

export function redisConfig(env: Environment): RedisConfig {
  const defaults = DEFAULTS.redis;
  return {
    url: redisUrl(env, 'SAIL_REDIS_URL'),
    cacheUrl: redisCacheUrl(env),
    keyPrefix: env.SAIL_REDIS_PREFIX || defaults.keyPrefix,
    replicas: integer(env, 'SAIL_REPLICAS', defaults.replicas, 1, 1000),
    commandTimeoutMs: integer(env, 'SAIL_REDIS_COMMAND_TIMEOUT_MS', defaults.commandTimeoutMs, 50, 60_000),
  };
}

function redisUrl(env: Environment, name: 'SAIL_REDIS_URL' | 'SAIL_REDIS_CACHE_URL'): string | undefined {
  const value = env[name] || undefined;
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error();
  } catch {
    // The URL may carry a password: never echo it.
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
  }
  return value;
}

function redisCacheUrl(env: Environment): string | undefined {
  const value = redisUrl(env, 'SAIL_REDIS_CACHE_URL');
  if (value && !env.SAIL_REDIS_URL) {
    throw new ConfigError(
      'SAIL_REDIS_CACHE_URL needs SAIL_REDIS_URL: the cache Redis holds answers only, the state replicas share lives in SAIL_REDIS_URL',
    );
  }
  return value;
}
