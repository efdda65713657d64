import { createHash } from 'node:crypto';
import type { SharedStore } from '../../redis/connection.js';
import { derivedKey, seal, unseal } from '../../shared/sealing.js';
import { cacheCounters, cachePolicies, type CachedResponse, type ResponseCache } from '../response-cache.js';

/**
 * The response cache shared by every replica through Redis: what one replica fetched, the others
 * serve. Same keys and rules as the in-process cache (response-cache.ts); keys carry the shared
 * write stamp, so a write through any replica puts what it changed out of every replica's reach,
 * and stale entries expire with their lifetime. A key whose stamp came from a replica's own clock
 * (Redis was unreachable: `local:`) lives in that replica's in-process cache, never in Redis; so
 * does every entry while the cache's Redis is unreachable (its keys still carry shared stamps, so
 * writes through other replicas still put them out of reach).
 *
 * The store is the cache's own Redis (`SAIL_REDIS_CACHE_URL`), which may evict entries at will, or
 * the state's, which must not evict: there a full Redis refuses the write, and the entry is simply
 * not kept. Bounds: the lifetime and the per-entry size here; the total by Redis's `maxmemory`.
 *
 * A reader of Redis learns little: each entry sits under a hash of its key (no URL, caller or
 * stamp), sealed with AES-256-GCM under a key every replica derives from a secret they share (see
 * `cacheSealingKey`), with the entry's Redis key as additional data, so a value copied under
 * another key does not open. Left visible: how many entries, their sizes and lifetimes.
 */
export interface SharedResponseCacheOptions {
  store: SharedStore;
  domains: Readonly<Record<string, number>>;
  staleMs: number;
  staleIfLimitedMs?: number;
  /** Largest entry stored (bytes of the raw answer). */
  maxEntryBytes: number;
  /** Serves keys stamped while Redis was unreachable. */
  fallback: ResponseCache;
  /** Seals every entry (`cacheSealingKey`). */
  sealingKey: Buffer;
}

/**
 * The key entries are sealed under: HKDF from a secret every replica holds and a reader of Redis
 * does not (the client secret, as for the shared token; without one, the session secret), for
 * this tenant (its scope name: index.ts). A replica with another secret finds no entry it can open: misses.
 */
export function cacheSealingKey(secret: string, tenant: string): Buffer {
  return derivedKey(secret, 'isc-graphql-gateway response cache', tenant);
}

/** An entry as stored in Redis: status, kept headers, body, size and time stored, under one-letter names. */
interface StoredEntry {
  s: number;
  h: Record<string, string>;
  b: unknown;
  n: number;
  t: number;
}

/** Headers a cached answer keeps: what the mappers read (paging), nothing per-connection. */
const KEPT_HEADERS = ['content-type', 'x-total-count'];

const local = (key: string): boolean => key.startsWith('local:');

export function createSharedResponseCache(options: SharedResponseCacheOptions): ResponseCache {
  const { store, fallback, sealingKey } = options;
  const prefix = `${store.prefix}rc:`;
  const redisKey = (key: string) => `${prefix}${createHash('sha256').update(key).digest('base64url')}`;
  const { counts, record } = cacheCounters();
  return {
    policyOf: cachePolicies(options),
    async get(key) {
      if (local(key) || !store.available()) return fallback.get(key);
      const at = redisKey(key);
      const raw = await store.redis.get(at).catch(() => null);
      return raw ? openEntry(sealingKey, raw, at) : undefined;
    },
    async set(key, response: CachedResponse, lifetimeMs) {
      if (response.bytes > options.maxEntryBytes) return;
      if (local(key) || !store.available()) return fallback.set(key, response, lifetimeMs);
      const at = redisKey(key);
      // A Redis that is full and never evicts (OOM) refuses it: then it is not kept, never an error.
      await store.redis.set(at, seal(sealingKey, encodeEntry(response), at), 'PX', Math.max(1, Math.round(lifetimeMs))).catch(() => undefined);
    },
    record,
    stats: () => {
      // Entries and bytes of the shared part live in Redis (see its INFO); these are the fallback's.
      const { entries, bytes } = fallback.stats();
      return { ...counts, entries, bytes };
    },
  };
}

function encodeEntry(response: CachedResponse): string {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const entry: StoredEntry = { s: response.status, h: headers, b: response.body, n: response.bytes, t: response.storedAt };
  return JSON.stringify(entry);
}

/** The entry, or undefined (a miss) when it does not open: sealed under another secret or key, altered, or not ours. */
function openEntry(sealingKey: Buffer, value: string, at: string): CachedResponse | undefined {
  const text = unseal(sealingKey, value, at);
  if (text === undefined) return undefined;
  try {
    const { s, h, b, n, t } = JSON.parse(text) as StoredEntry;
    return { status: s, headers: h, body: b, bytes: n, storedAt: t };
  } catch {
    return undefined;
  }
}
