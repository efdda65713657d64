import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * A cross-request cache of ISC answers for reference data (the connector catalogue and files,
 * connector customizers), off by default. Entries are keyed by a hash of the caller's ISC
 * credential and the URL, so one caller never sees another's data; bounded by entry count and
 * bytes; expire after a TTL; and a write to a resource drops, for every caller, the entries of that
 * resource (and its files) and of its collection's list pages, which hold it too.
 */
export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
  /** First path segments whose GET answers may be cached. */
  domains: readonly string[];
}

export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Size of the raw body, counted against `maxBytes`. */
  bytes: number;
}

/** A lookup: the entry, or on a miss a stamp of the cache's state for storing the answer fetched. */
export type CacheLookup = { hit: CachedResponse; stamp?: undefined } | { hit?: undefined; stamp: string };

/** Asynchronous, so the shared (Redis) cache of a scaled-out deployment fits the same interface. */
export interface ResponseCache {
  /** The cache key of a GET (`url` = path and query string), or undefined when its domain is not cached. */
  keyOf(credentialKey: string, url: string, accept: string): string | undefined;
  get(key: string): Promise<CacheLookup>;
  /**
   * Stores an answer fetched after a miss, with that miss's stamp — unless a write invalidated
   * anything since: the answer may predate the write, and storing it would serve stale data until
   * the TTL.
   */
  set(key: string, response: CachedResponse, stamp: string): Promise<void>;
  /** A write to `path` happened: forget the resource it names and its collection's lists. */
  invalidate(path: string): Promise<void>;
  /** Counters of this process; `entries`/`bytes` are this process's (local) or unknown (shared). */
  stats(): { hits: number; misses: number; entries: number; bytes: number };
}

export const domainOf = (path: string): string => path.split(/[/?]/, 1)[0];
/** `connectors/ad/source-config` → `connectors/ad`; a collection path stays itself. */
export const resourceOf = (path: string): string => path.split(/[?]/, 1)[0].split('/', 2).join('/');

/** Separates a key's URL, media type and credential hash: a character no URL holds. */
const KEY_SEPARATOR = String.fromCharCode(0);

/** The URL (path and query) a cache key was made for. */
export const urlOfKey = (key: string): string => key.split(KEY_SEPARATOR, 1)[0];

/** The key of a GET: URL, media type and a hash of the credential (never the credential). */
export function responseCacheKey(domains: ReadonlySet<string>, credentialKey: string, url: string, accept: string): string | undefined {
  if (!domains.has(domainOf(url))) return undefined;
  const principal = createHash('sha256').update(credentialKey).digest('base64url').slice(0, 22);
  return [url, accept, principal].join(KEY_SEPARATOR);
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const lru = new LRUCache<string, CachedResponse>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.bytes),
    ttl: options.ttlMs,
  });
  const cachedDomains = new Set(options.domains);
  let hits = 0;
  let misses = 0;
  /** Invalidations so far: a miss's stamp (see `set`). */
  let writes = 0;
  return {
    keyOf: (credentialKey, url, accept) => responseCacheKey(cachedDomains, credentialKey, url, accept),
    async get(key) {
      const entry = lru.get(key);
      if (entry) {
        hits++;
        return { hit: entry };
      }
      misses++;
      return { stamp: String(writes) };
    },
    async set(key, response, stamp) {
      if (stamp !== String(writes)) return; // fetched before a write: maybe stale
      if (response.bytes <= options.maxBytes) lru.set(key, response);
    },
    async invalidate(path) {
      writes++;
      const collection = domainOf(path);
      const resource = resourceOf(path);
      for (const key of lru.keys()) {
        const cachedPath = urlOfKey(key).split('?', 1)[0];
        const stale = cachedPath === collection || (resource !== collection && (cachedPath === resource || cachedPath.startsWith(`${resource}/`)));
        if (stale) lru.delete(key);
      }
    },
    stats: () => ({ hits, misses, entries: lru.size, bytes: lru.calculatedSize }),
  };
}
