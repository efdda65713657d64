import { randomBytes } from 'node:crypto';
import { readScopes, writeScopes, type RouteWords, type WriteClock } from '../write-clock.js';
import type { SharedStore } from '../../redis/connection.js';

/**
 * The write clock shared by replicas (write-clock.ts): one key per scope in Redis, so a write
 * answered by any replica gives every replica's later reads new stamps. A replica advances Redis
 * before it hands the write's answer back, so "starts after the answer was received" holds
 * across replicas.
 *
 * A stamp never comes back. Each advance sets its scopes to a value never used before (random,
 * 72 bits), not to a counter: a scope key expires once no entry keyed by it can still live, and a
 * counter would start again from a value entries already carry. A missing scope reads as `0`,
 * which only ever keys entries that expired before the key did. The epoch in every stamp is random
 * too: it moves on when a replica comes back after losing Redis (writes made meanwhile advanced
 * only its own clock, the fallback, whose stamps are marked `local:` and never match a shared
 * one), and when the epoch itself is gone (a Redis restarted empty, whose cache may live on in
 * another instance: `SAIL_REDIS_CACHE_URL`).
 */
export function sharedWriteClock(store: SharedStore, words: RouteWords, fallback: WriteClock, options: { scopeTtlMs: number }): WriteClock {
  const prefix = `${store.prefix}fr:`;
  const epochKey = `${prefix}epoch`;
  let epochStale = false;
  store.onAvailabilityChange((available) => {
    if (!available) epochStale = true;
  });

  async function usable(): Promise<boolean> {
    if (!store.available()) return false;
    if (!epochStale) return true;
    try {
      await store.redis.set(epochKey, uniqueValue());
      epochStale = false;
      return true;
    } catch {
      return false;
    }
  }

  /** The epoch and each scope's value; a missing epoch is created first (by whichever replica comes first). */
  async function read(keys: readonly string[]): Promise<[string, (string | null)[]]> {
    const names = [epochKey, ...keys.map((scope) => `${prefix}${scope}`)];
    let [epoch, ...values] = await store.redis.mget(...names);
    if (!epoch) {
      await store.redis.set(epochKey, uniqueValue(), 'NX');
      [epoch, ...values] = await store.redis.mget(...names);
    }
    if (!epoch) throw new Error('the write clock has no epoch'); // deleted again at once: this read takes the fallback's stamps
    return [epoch, values];
  }

  /** One MGET for every scope of every URL; the fallback's stamps (never equal to shared ones) when Redis cannot answer. */
  async function stamps(urls: readonly string[]): Promise<string[]> {
    if (await usable()) {
      const scopes = urls.map((url) => readScopes(url, words));
      const keys = [...new Set(scopes.flat())];
      try {
        const [epoch, values] = await read(keys);
        const value = new Map(keys.map((scope, i) => [scope, values[i] ?? '0']));
        return scopes.map((list) => `e${epoch}:${list.map((scope) => value.get(scope)).join('.')}`);
      } catch {
        // Redis lost mid-way: the fallback's stamps.
      }
    }
    return (await fallback.stamps(urls)).map((stamp) => `local:${stamp}`);
  }

  return {
    stamp: async (url) => (await stamps([url]))[0],
    stamps,
    async advance(path) {
      await fallback.advance(path);
      // Scope keys expire once no entry keyed by them can live, so ids written once do not stay in Redis for ever.
      const value = uniqueValue();
      const multi = store.redis.multi();
      for (const scope of writeScopes(path, words)) multi.set(`${prefix}${scope}`, value, 'PX', options.scopeTtlMs);
      const results = await multi.exec().catch(() => null);
      if (!results || results.some(([error]) => error)) {
        // A failed advance must not pass silently: every stamp moves on now if Redis answers, else at its return.
        epochStale = true;
        await usable();
      }
    },
  };
}

/** 72 random bits, base64url (12 characters): no `.` or `:`, which separate a stamp's parts. */
const uniqueValue = (): string => randomBytes(9).toString('base64url');
