import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { gatewayError } from '../../shared/errors.js';
import type { SharedStore } from '../../isc/scale-out/redis.js';

/**
 * Where sessions and sign-ins in progress live: strings under keys, with a lifetime. In memory by
 * default (bounded), in Redis when replicas share one, so any replica serves any session and a
 * restart signs nobody out. Values are sealed by the caller (sessions.ts): the store sees none of
 * their content.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Reads and deletes at once: what a single-use value needs. */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** Holds `key` for `ms` unless someone else does; the release function, or undefined when it is held. */
  lock(key: string, ms: number): Promise<(() => Promise<void>) | undefined>;
}

export function memoryStore(maxEntries: number): KeyValueStore {
  const values = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  const locks = new Map<string, number>();
  return {
    get: async (key) => values.get(key),
    set: async (key, value, ttlMs) => void values.set(key, value, { ttl: ttlMs }),
    take: async (key) => {
      const value = values.get(key);
      values.delete(key);
      return value;
    },
    delete: async (key) => void values.delete(key),
    lock: async (key, ms) => {
      const now = Date.now();
      if ((locks.get(key) ?? 0) > now) return undefined;
      locks.set(key, now + ms);
      return async () => void locks.delete(key);
    },
  };
}

const TAKE = `local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v`;
const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** A Redis that does not answer: the session cannot be read, but is not lost either. */
function unavailable(): Error {
  return gatewayError('SESSION_STORE_UNAVAILABLE', 'The session store (Redis) does not answer; try again shortly', { http: { status: 503 } });
}

export function redisStore(shared: SharedStore): KeyValueStore {
  const { redis } = shared;
  const k = (key: string) => `${shared.prefix}${key}`;
  const guarded = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch {
      throw unavailable();
    }
  };
  return {
    get: (key) => guarded(async () => (await redis.get(k(key))) ?? undefined),
    set: (key, value, ttlMs) => guarded(async () => void (await redis.set(k(key), value, 'PX', Math.max(1, Math.round(ttlMs))))),
    take: (key) => guarded(async () => ((await redis.eval(TAKE, 1, k(key))) as string | null) ?? undefined),
    delete: (key) => guarded(async () => void (await redis.del(k(key)))),
    lock: (key, ms) =>
      guarded(async () => {
        const holder = randomUUID();
        if ((await redis.set(k(key), holder, 'PX', ms, 'NX')) !== 'OK') return undefined;
        return async () => void (await redis.eval(DELETE_IF, 1, k(key), holder).catch(() => undefined));
      }),
  };
}
