import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { refusalError } from '../../shared/errors.js';
import type { SharedStore } from '../../redis/connection.js';
import type { KeyValueStore } from '../../redis/key-value-store.js';

/** A lifetime both stores accept: whole milliseconds, at least one (0 would mean "for ever" in memory). */
const ttl = (ms: number): number => Math.max(1, Math.round(ms));

export function memoryStore(maxEntries: number): KeyValueStore {
  const values = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  const locks = new Map<string, number>();
  const write = (key: string, value: string, ttlMs: number): true => {
    values.set(key, value, { ttl: ttl(ttlMs) });
    return true;
  };
  // No await between a check and its write: each method is atomic, as Redis's are.
  return {
    get: async (key) => values.get(key),
    create: async (key, value, ttlMs) => !values.has(key) && write(key, value, ttlMs),
    update: async (key, value, ttlMs) => values.has(key) && write(key, value, ttlMs),
    move: async (from, to, value, ttlMs) => values.has(from) && values.delete(from) && write(to, value, ttlMs),
    delete: async (...keys) => keys.forEach((key) => values.delete(key)),
    lock: async (key, ms) => {
      const now = Date.now();
      if ((locks.get(key) ?? 0) > now) return undefined;
      locks.set(key, now + ms);
      return async () => void locks.delete(key);
    },
  };
}

const MOVE = `if redis.call('DEL', KEYS[1]) == 0 then return 0 end redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) return 1`;
const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** A Redis that does not answer: the session cannot be read, but is not lost either. */
function unavailable(): Error {
  return refusalError('SESSION_STORE_UNAVAILABLE', 'The session store (Redis) does not answer; try again shortly');
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
    create: (key, value, ttlMs) => guarded(async () => (await redis.set(k(key), value, 'PX', ttl(ttlMs), 'NX')) === 'OK'),
    update: (key, value, ttlMs) => guarded(async () => (await redis.set(k(key), value, 'PX', ttl(ttlMs), 'XX')) === 'OK'),
    move: (from, to, value, ttlMs) => guarded(async () => (await redis.eval(MOVE, 2, k(from), k(to), value, ttl(ttlMs))) === 1),
    delete: (...keys) => guarded(async () => void (keys.length > 0 && (await redis.del(...keys.map(k))))),
    lock: (key, ms) =>
      guarded(async () => {
        const holder = randomUUID();
        if ((await redis.set(k(key), holder, 'PX', ms, 'NX')) !== 'OK') return undefined;
        return async () => void (await redis.eval(DELETE_IF, 1, k(key), holder).catch(() => undefined));
      }),
  };
}
