import { DEFAULTS } from './defaults.js';
import { ConfigError, commaList, flagSetting as flag, integerSetting as integer, type Environment } from './parse.js';

/** Across operations: the response cache of the domains the operator chooses, and reads in flight shared. */
export interface CacheConfig {
  enabled: boolean;
  /** The default TTL, for domains listed without their own. */
  ttlMs: number;
  /** Cached domains, each with its TTL (undefined: the default); undefined: the domains cached by default. */
  domains: { name: string; ttlMs: number | undefined }[] | undefined;
  /** Past its TTL an entry is still served this long while one background refresh runs. */
  staleMs: number;
  /** Past its TTL an entry still answers this long while its caller's ISC client is paused or out of budget. */
  staleIfLimitedMs: number;
  maxEntries: number;
  maxBytes: number;
  /** Identical GETs in flight at once share one ISC call. */
  coalesce: boolean;
}

export function cacheConfig(env: Environment): CacheConfig {
  const defaults = DEFAULTS.cache;
  return {
    enabled: flag(env, 'SAIL_RESPONSE_CACHE', defaults.enabled),
    ttlMs: integer(env, 'SAIL_RESPONSE_CACHE_TTL_MS', defaults.ttlMs, 1, 86_400_000),
    domains: cacheDomains(env.SAIL_RESPONSE_CACHE_DOMAINS),
    staleMs: integer(env, 'SAIL_RESPONSE_CACHE_STALE_MS', defaults.staleMs, 0, 86_400_000),
    staleIfLimitedMs: integer(env, 'SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS', defaults.staleIfLimitedMs, 0, 86_400_000),
    maxEntries: integer(env, 'SAIL_RESPONSE_CACHE_MAX_ENTRIES', defaults.maxEntries, 1, 10_000_000),
    maxBytes: integer(env, 'SAIL_RESPONSE_CACHE_MAX_BYTES', defaults.maxBytes, 1024, 8 * 1_073_741_824),
    coalesce: flag(env, 'SAIL_COALESCE', defaults.coalesce),
  };
}

/** `connectors,source-apps:30`: domains, each optionally with its TTL in seconds (names are checked against the domains at start). */
function cacheDomains(value: string | undefined): CacheConfig['domains'] {
  if (value === undefined || value.trim() === '') return undefined;
  return commaList(value).map((entry) => {
    const match = /^([a-z-]+)(?::(\d+))?$/.exec(entry);
    const seconds = match?.[2] === undefined ? undefined : Number(match[2]);
    if (!match || (seconds !== undefined && (seconds < 1 || seconds > 86_400))) {
      throw new ConfigError(`SAIL_RESPONSE_CACHE_DOMAINS: "${entry}" is not a domain or domain:seconds (1–86400)`);
    }
    return { name: match[1], ttlMs: seconds === undefined ? undefined : seconds * 1000 };
  });
}
