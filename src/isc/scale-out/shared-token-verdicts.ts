import type { SharedStore } from '../../redis/connection.js';
import type { TokenVerdicts } from '../passthrough.js';

/**
 * The verdicts on pass-through tokens (a verified token's governor key, or `refused`), shared by
 * replicas: one Redis string per token hash, expiring with the verdict. A replica that finds none
 * verifies the token itself; while Redis is unreachable each replica keeps its own.
 */
export function createSharedTokenVerdicts(store: SharedStore): TokenVerdicts {
  const keyOf = (hash: string) => `${store.prefix}passthrough:${hash}`;
  return {
    async get(hash) {
      if (!store.available()) return undefined;
      return (await store.redis.get(keyOf(hash))) ?? undefined;
    },
    async set(hash, verdict, ttlMs) {
      if (!store.available()) return;
      await store.redis.set(keyOf(hash), verdict, 'PX', Math.max(1, Math.round(ttlMs)));
    },
  };
}
