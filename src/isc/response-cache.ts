import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * A cross-request cache of ISC answers for the domains the operator chooses
 * (`SAIL_RESPONSE_CACHE_DOMAINS`, each with its own lifetime), off by default. Entries are keyed by
 * the caller (a hash of its credential key: one caller never sees another's data), the URL, the
 * media type, and the write stamp of what the URL reads (write-clock.ts): a write makes the entries
 * it may have changed unreachable at once, for every replica when the clock is shared. Bounded by
 * entry count and bytes; an entry lives its domain's TTL plus the longer of its two stale bounds
 * (`entryLifetimeMs`).
 */
export interface CachePolicy {
  /** Served as fresh this long. */
  ttlMs: number;
  /** Then served once more while one background refresh runs (stale-while-revalidate). */
  staleMs: number;
  /** Past the TTL, served this long while the caller's ISC client is paused or out of budget (stale-if-limited): no refresh could run then. */
  staleIfLimitedMs: number;
}

/** How long an entry is kept: its TTL, then as long as either stale bound may still serve it. */
export const entryLifetimeMs = (policy: CachePolicy): number => policy.ttlMs + Math.max(policy.staleMs, policy.staleIfLimitedMs);

export interface ResponseCacheOptions {
  /** Cached domains (first path segments) and each one's TTL. */
  domains: Readonly<Record<string, number>>;
  staleMs: number;
  /** Default 0: never served past the TTL for being limited. */
  staleIfLimitedMs?: number;
  maxEntries: number;
  maxBytes: number;
}

export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Size of the raw body, counted against `maxBytes`. */
  bytes: number;
  /** When ISC answered it (ms since epoch): its age is reported to callers. */
  storedAt: number;
}

/** `stale`: within the stale-while-revalidate grace; `stale-if-limited`: answered because the caller's ISC client was limited. */
export type CacheOutcome = 'hit' | 'stale' | 'stale-if-limited' | 'miss';

/** Asynchronous, so the shared (Redis) cache of a scaled-out deployment fits the same interface. */
export interface ResponseCache {
  /** How long answers of this GET may be kept, or undefined when its domain is not cached. */
  policyOf(url: string): CachePolicy | undefined;
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, response: CachedResponse, lifetimeMs: number): Promise<void>;
  /** Counts what a lookup led to (see stats). */
  record(outcome: CacheOutcome): void;
  /** Counters of this process; `entries`/`bytes` are this process's (local) or its fallback's (shared). */
  stats(): { hits: number; stale: number; staleIfLimited: number; misses: number; entries: number; bytes: number };
}

export const domainOf = (path: string): string => path.split(/[/?]/, 1)[0];

/** Separates a key's parts: a character no URL or stamp holds. */
const KEY_SEPARATOR = String.fromCharCode(0);

/** The key of a GET's answer: the write stamp first, then URL, media type and a hash of the caller's key (never the credential). */
export function responseCacheKey(stamp: string, callerKey: string, url: string, accept: string): string {
  const caller = createHash('sha256').update(callerKey).digest('base64url').slice(0, 22);
  return [stamp, url, accept, caller].join(KEY_SEPARATOR);
}

/** The cache policy of each cached domain. */
export function cachePolicies(
  options: Pick<ResponseCacheOptions, 'domains' | 'staleMs' | 'staleIfLimitedMs'>,
): (url: string) => CachePolicy | undefined {
  const { staleMs, staleIfLimitedMs = 0 } = options;
  const policies = new Map(Object.entries(options.domains).map(([domain, ttlMs]) => [domain, { ttlMs, staleMs, staleIfLimitedMs }]));
  return (url) => policies.get(domainOf(url));
}

/** Hit, stale and miss counters, shared by both caches. */
export function cacheCounters() {
  const counts = { hits: 0, stale: 0, staleIfLimited: 0, misses: 0 };
  const counterOf = { hit: 'hits', stale: 'stale', 'stale-if-limited': 'staleIfLimited', miss: 'misses' } as const;
  return {
    counts,
    record: (outcome: CacheOutcome) => void counts[counterOf[outcome]]++,
  };
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const lru = new LRUCache<string, CachedResponse>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.bytes),
    // Every entry gets its domain's lifetime when stored.
    ttl: 60_000,
  });
  const { counts, record } = cacheCounters();
  return {
    policyOf: cachePolicies(options),
    get: async (key) => lru.get(key),
    async set(key, response, lifetimeMs) {
      if (response.bytes <= options.maxBytes) lru.set(key, response, { ttl: lifetimeMs });
    },
    record,
    stats: () => ({ ...counts, entries: lru.size, bytes: lru.calculatedSize }),
  };
}
