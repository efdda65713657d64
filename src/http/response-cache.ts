import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * A cross-request cache of ISC answers for reference data (the connector catalogue and files,
 * connector customizers), off by default. Entries are keyed by a hash of the caller's ISC
 * credential and the URL, so one caller never sees another's data; bounded by entry count and
 * bytes; expire after a TTL; and any write to a domain drops that domain's entries (a list page
 * holds the written resource too).
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

export interface ResponseCache {
  /** The cache key of a GET, or undefined when its domain is not cached. */
  keyOf(credentialKey: string, path: string, search: string, accept: string): string | undefined;
  get(key: string): CachedResponse | undefined;
  set(key: string, response: CachedResponse): void;
  /** A write to `path` happened: forget everything cached for its domain, for every caller. */
  invalidate(path: string): void;
  stats(): { hits: number; misses: number; entries: number; bytes: number };
}

export const REFERENCE_DATA_DOMAINS = ['connectors', 'connector-customizers'] as const;

const domainOf = (path: string): string => path.split(/[/?]/, 1)[0];

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
  return {
    keyOf(credentialKey, path, search, accept) {
      const domain = domainOf(path);
      if (!cachedDomains.has(domain)) return undefined;
      const principal = createHash('sha256').update(credentialKey).digest('base64url').slice(0, 22);
      return `${domain}\u0000${principal}\u0000${path}?${search}\u0000${accept}`;
    },
    get(key) {
      const entry = lru.get(key);
      if (entry) hits++;
      else misses++;
      return entry;
    },
    set(key, response) {
      if (response.bytes <= options.maxBytes) lru.set(key, response);
    },
    invalidate(path) {
      const prefix = `${domainOf(path)}\u0000`;
      for (const key of lru.keys()) if (key.startsWith(prefix)) lru.delete(key);
    },
    stats: () => ({ hits, misses, entries: lru.size, bytes: lru.calculatedSize }),
  };
}
