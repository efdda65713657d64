import { readScopes, writeScopes, type RouteWords, type WriteClock } from '../freshness.js';
import type { SharedStore } from './redis.js';

/**
 * The write clock shared by replicas (freshness.ts): one counter per scope in Redis, so a write
 * answered by any replica gives every replica's later reads new stamps. A replica advances Redis
 * before it hands the write's answer back, so "starts after the answer was received" holds
 * across replicas. An epoch in every stamp moves on when a replica comes back after losing Redis:
 * writes made meanwhile advanced only its own clock, the fallback, whose stamps are marked
 * `local:` and never match a shared one.
 */
export function sharedWriteClock(store: SharedStore, words: RouteWords, fallback: WriteClock, options: { counterTtlMs: number }): WriteClock {
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
      await store.redis.incr(epochKey);
      epochStale = false;
      return true;
    } catch {
      return false;
    }
  }

  /** One MGET for every scope of every URL; the fallback's stamps (never equal to shared ones) when Redis cannot answer. */
  async function stamps(urls: readonly string[]): Promise<string[]> {
    if (await usable()) {
      const scopes = urls.map((url) => readScopes(url, words));
      const keys = [...new Set(scopes.flat())];
      try {
        const [epoch, ...values] = await store.redis.mget(epochKey, ...keys.map((scope) => `${prefix}${scope}`));
        const counter = new Map(keys.map((scope, i) => [scope, values[i] ?? '0']));
        return scopes.map((list) => `r${epoch ?? 0}:${list.map((scope) => counter.get(scope)).join('.')}`);
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
      // Counters expire once no entry keyed by them can still live, so ids written once do not stay in Redis for ever.
      const multi = store.redis.multi();
      for (const scope of writeScopes(path, words)) multi.incr(`${prefix}${scope}`).pexpire(`${prefix}${scope}`, options.counterTtlMs);
      const results = await multi.exec().catch(() => null);
      if (!results || results.some(([error]) => error)) {
        // A failed advance must not pass silently: every stamp moves on now if Redis answers, else at its return.
        epochStale = true;
        await usable();
      }
    },
  };
}
