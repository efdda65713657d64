import type { Redis } from 'ioredis';
import type { SharedStore } from './redis.js';
import { domainOf, resourceOf, responseCacheKey, urlOfKey, type CacheLookup, type CachedResponse, type ResponseCache } from '../response-cache.js';

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
  iscCacheEntry(
    epochKey: string,
    genKey: string,
    prefix: string,
    key: string,
    mode: 'set',
    value: string,
    ttlMs: number,
    stamp: string,
  ): Promise<number>;
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
  const cache: SharedCacheState = { store, redis, fallback, prefix, epochKey: `${prefix}epoch`, hits: 0, misses: 0, epochStale: false };
  store.onAvailabilityChange((available) => {
    if (!available) cache.epochStale = true;
  });

  return {
    keyOf: (credentialKey, url, accept) => responseCacheKey(domains, credentialKey, url, accept),
    get: (key) => getEntry(cache, key),
    async set(key, response: CachedResponse, stamp) {
      if (response.bytes > options.maxEntryBytes) return;
      // A miss answered by the fallback is stored there, never in Redis (its stamp means nothing there).
      if (stamp.startsWith(LOCAL)) return fallback.set(key, response, stamp.slice(LOCAL.length));
      if (!store.available()) return;
      const value = encodeEntry(response);
      await redis.iscCacheEntry(cache.epochKey, generationOf(prefix, key), prefix, key, 'set', value, options.ttlMs, stamp).catch(() => undefined);
    },
    invalidate: (path) => invalidate(cache, path),
    stats: () => {
      // Entries and bytes of the shared part live in Redis (see its INFO); these are the fallback's.
      const local = fallback.stats();
      return { hits: cache.hits + local.hits, misses: cache.misses + local.misses, entries: local.entries, bytes: local.bytes };
    },
  };
}

/** A shared cache's connection, keys and counters, passed to the functions below. */
interface SharedCacheState {
  store: SharedStore;
  redis: ScriptedRedis;
  fallback: ResponseCache;
  /** Of every key of the cache in Redis. */
  prefix: string;
  epochKey: string;
  hits: number;
  misses: number;
  /**
   * Set when this replica may have missed telling Redis of a write (an outage, a failed
   * invalidation): until the epoch is incremented, the shared entries are not used.
   */
  epochStale: boolean;
}

/** An entry as stored in Redis: status, kept headers, body and size, under one-letter names. */
interface StoredEntry {
  s: number;
  h: Record<string, string>;
  b: unknown;
  n: number;
}

const genKey = (prefix: string, scope: string) => `${prefix}gen:${scope}`;

/** List pages hang on their collection's generation; a resource and its files on the resource's. */
function generationOf(prefix: string, key: string): string {
  const url = urlOfKey(key);
  const resource = resourceOf(url);
  return genKey(prefix, resource === domainOf(url) ? domainOf(url) : resource);
}

/** Whether the shared entries can be used now (incrementing the epoch first when owed). */
async function sharedUsable(cache: SharedCacheState): Promise<boolean> {
  if (!cache.store.available()) return false;
  if (!cache.epochStale) return true;
  try {
    await cache.store.redis.incr(cache.epochKey);
    cache.epochStale = false;
    return true;
  } catch {
    return false;
  }
}

async function fromFallback(fallback: ResponseCache, key: string): Promise<CacheLookup> {
  const found = await fallback.get(key);
  return found.hit ? found : { stamp: `${LOCAL}${found.stamp}` };
}

async function getEntry(cache: SharedCacheState, key: string): Promise<CacheLookup> {
  if (!(await sharedUsable(cache))) return fromFallback(cache.fallback, key);
  try {
    const [raw, stamp] = await cache.redis.iscCacheEntry(cache.epochKey, generationOf(cache.prefix, key), cache.prefix, key, 'get');
    if (!raw) {
      cache.misses++;
      return { stamp };
    }
    cache.hits++;
    const { s, h, b, n } = JSON.parse(raw) as StoredEntry;
    return { hit: { status: s, headers: h, body: b, bytes: n } };
  } catch {
    return fromFallback(cache.fallback, key);
  }
}

function encodeEntry(response: CachedResponse): string {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const entry: StoredEntry = { s: response.status, h: headers, b: response.body, n: response.bytes };
  return JSON.stringify(entry);
}

async function invalidate(cache: SharedCacheState, path: string): Promise<void> {
  // Also in this process's fallback cache, which may serve again in a later outage.
  await cache.fallback.invalidate(path);
  const collection = domainOf(path);
  const resource = resourceOf(path);
  const scopes = resource === collection ? [collection] : [collection, resource];
  const multi = cache.store.redis.multi();
  for (const scope of scopes) multi.incr(genKey(cache.prefix, scope));
  // A failed invalidation must not pass silently: the write happened, stale entries would be served.
  const results = await multi.exec().catch(() => null);
  if (!results || results.some(([error]) => error)) cache.epochStale = true;
}
