import type { Redis } from 'ioredis';
import type { SharedStore } from './redis.js';
import { domainOf, resourceOf, responseCacheKey, type CachedResponse, type ResponseCache } from '../response-cache.js';

/**
 * The response cache shared by every replica through Redis: what one replica fetched, the others
 * serve. Same keys and rules as the in-process cache (response-cache.ts). A write must drop, for
 * every replica, the entries of the resource and of its collection's lists, so entry keys carry a
 * generation number per collection (list pages) or per resource (a resource and its files), and
 * a write increments them: stale entries become unreachable at once and expire with their TTL.
 * Every key also carries an epoch that a replica increments when Redis comes back after an
 * outage, since writes made meanwhile could not invalidate anything.
 *
 * Bounds: the TTL and the per-entry size here; the total by Redis's own `maxmemory` (with an
 * eviction policy such as `allkeys-lru`), which the operator sets. While Redis is unreachable
 * the in-process cache serves.
 */
export interface SharedResponseCacheOptions {
  store: SharedStore;
  ttlMs: number;
  /** Largest entry stored (bytes of the raw answer). */
  maxEntryBytes: number;
  domains: readonly string[];
  /** Serves while Redis is unreachable. */
  fallback: ResponseCache;
}

/**
 * KEYS: epoch, generation. ARGV: key prefix, entry key, then 'get' → [entry or '', stamp], or
 * 'set' with value, TTL and the stamp seen at the miss → stored only if the stamp is unchanged
 * (no write since: the answer cannot predate one).
 */
const ENTRY = `
local epoch = redis.call('GET', KEYS[1]) or '0'
local gen = redis.call('GET', KEYS[2]) or '0'
local stamp = epoch .. ':' .. gen
local k = ARGV[1] .. stamp .. ':' .. ARGV[2]
if ARGV[3] == 'get' then return {redis.call('GET', k) or '', stamp} end
if ARGV[6] ~= stamp then return 0 end
redis.call('SET', k, ARGV[4], 'PX', ARGV[5])
return 1
`;

type ScriptedRedis = Redis & {
  iscCacheEntry(epochKey: string, genKey: string, prefix: string, key: string, mode: 'get'): Promise<[string, string]>;
  iscCacheEntry(epochKey: string, genKey: string, prefix: string, key: string, mode: 'set', value: string, ttlMs: number, stamp: string): Promise<number>;
};

/** Marks the stamp of a miss the in-process fallback answered. */
const LOCAL = 'local:';

/** Headers a cached answer keeps: what the mappers read (paging), nothing per-connection. */
const KEPT_HEADERS = ['content-type', 'x-total-count'];

export function createSharedResponseCache(options: SharedResponseCacheOptions): ResponseCache {
  const { store, fallback } = options;
  const redis = store.redis as ScriptedRedis;
  if (typeof redis.iscCacheEntry !== 'function') store.redis.defineCommand('iscCacheEntry', { numberOfKeys: 2, lua: ENTRY });
  const domains = new Set(options.domains);
  const prefix = `${store.prefix}rc:`;
  const epochKey = `${prefix}epoch`;
  const genKey = (scope: string) => `${prefix}gen:${scope}`;
  let hits = 0;
  let misses = 0;
  /**
   * Set when this replica may have missed telling Redis of a write (an outage, a failed
   * invalidation): until the epoch is incremented, the shared entries are not used.
   */
  let epochStale = false;
  store.onAvailabilityChange((available) => {
    if (!available) epochStale = true;
  });

  /** Whether the shared entries can be used now (incrementing the epoch first when owed). */
  async function sharedUsable(): Promise<boolean> {
    if (!store.available()) return false;
    if (!epochStale) return true;
    try {
      await store.redis.incr(epochKey);
      epochStale = false;
      return true;
    } catch {
      return false;
    }
  }

  async function fromFallback(key: string) {
    const found = await fallback.get(key);
    return found.hit ? found : { stamp: `${LOCAL}${found.stamp}` };
  }

  /** List pages hang on their collection's generation; a resource and its files on the resource's. */
  const generationOf = (key: string) => {
    const url = key.slice(0, key.indexOf('\u0000'));
    const resource = resourceOf(url);
    return genKey(resource === domainOf(url) ? domainOf(url) : resource);
  };

  return {
    keyOf: (credentialKey, url, accept) => responseCacheKey(domains, credentialKey, url, accept),
    async get(key) {
      if (!(await sharedUsable())) return fromFallback(key);
      try {
        const [raw, stamp] = await redis.iscCacheEntry(epochKey, generationOf(key), prefix, key, 'get');
        if (!raw) {
          misses++;
          return { stamp };
        }
        hits++;
        const { s, h, b, n } = JSON.parse(raw) as { s: number; h: Record<string, string>; b: unknown; n: number };
        return { hit: { status: s, headers: h, body: b, bytes: n } };
      } catch {
        return fromFallback(key);
      }
    },
    async set(key, response: CachedResponse, stamp) {
      if (response.bytes > options.maxEntryBytes) return;
      // A miss answered by the fallback is stored there, never in Redis (its stamp means nothing there).
      if (stamp.startsWith(LOCAL)) return fallback.set(key, response, stamp.slice(LOCAL.length));
      if (!store.available()) return;
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = response.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const value = JSON.stringify({ s: response.status, h: headers, b: response.body, n: response.bytes });
      await redis.iscCacheEntry(epochKey, generationOf(key), prefix, key, 'set', value, options.ttlMs, stamp).catch(() => undefined);
    },
    async invalidate(path) {
      // Also in this process's fallback cache, which may serve again in a later outage.
      await fallback.invalidate(path);
      const collection = domainOf(path);
      const resource = resourceOf(path);
      const scopes = resource === collection ? [collection] : [collection, resource];
      const multi = store.redis.multi();
      for (const scope of scopes) multi.incr(genKey(scope));
      // A failed invalidation must not pass silently: the write happened, stale entries would be served.
      const results = await multi.exec().catch(() => null);
      if (!results || results.some(([error]) => error)) epochStale = true;
    },
    stats: () => {
      // Entries and bytes of the shared part live in Redis (see its INFO); these are the fallback's.
      const local = fallback.stats();
      return { hits: hits + local.hits, misses: misses + local.misses, entries: local.entries, bytes: local.bytes };
    },
  };
}
