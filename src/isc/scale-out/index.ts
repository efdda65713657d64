import { createHash } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/log/logger.js';
import { windowWithMargin, type SlotLedger } from '../governor.js';
import { connectSharedStore, type SharedStore } from './redis.js';
import { createSharedLedger } from './shared-ledger.js';
import { createSharedResponseCache } from './shared-response-cache.js';
import type { ResponseCache } from '../response-cache.js';
import { createSharedTokenProvider } from './shared-token.js';
import { sharedWriteClock } from './shared-write-clock.js';
import type { RouteWords, WriteClock } from '../freshness.js';
import type { IssuedToken, TokenProvider } from '../token-provider.js';

export interface ScaleOutParts {
  /** The tenant's API root (base URL and prefix): the rate and cache keys are scoped by it. */
  apiUrl: string;
  exchange: () => Promise<IssuedToken>;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The per-process versions: each serves while Redis is unreachable. */
  localTokens: TokenProvider;
  localCache: ResponseCache | undefined;
  /** Cached domains and their TTLs. */
  cacheDomains: Readonly<Record<string, number>>;
  /** The per-process write clock, which serves while Redis is unreachable. */
  localClock: WriteClock;
  words: RouteWords;
}

export interface ScaleOut {
  store: SharedStore;
  tokens: TokenProvider;
  ledger: SlotLedger;
  cache: ResponseCache | undefined;
  clock: WriteClock;
}

/**
 * The token, the rate ledger, the write clock and the response cache shared by replicas through Redis
 * (`SAIL_REDIS_URL`; see docs/scale-out.md). Loaded only when configured. A Redis that does not
 * answer at start is not fatal: every part serves on its per-process fallback until it does.
 */
export async function connectScaleOut(config: Pick<Config, 'redis' | 'rate' | 'cache'>, logger: Logger, parts: ScaleOutParts): Promise<ScaleOut> {
  const store = connectSharedStore({ url: config.redis.url!, prefix: config.redis.keyPrefix, logger });
  await store.ready(2_000);
  // Two tenants behind one Redis may share a client id: their budgets and answers must not mix.
  // (The token key already hashes the token URL and client id.)
  const tenantStore: SharedStore = { ...store, prefix: `${store.prefix}${tenantScope(parts.apiUrl)}:` };
  return {
    store,
    tokens: createSharedTokenProvider({
      store,
      requestToken: parts.exchange,
      tokenUrl: parts.tokenUrl,
      clientId: parts.clientId,
      clientSecret: parts.clientSecret,
      fallback: parts.localTokens,
    }),
    ledger: createSharedLedger({
      store: tenantStore,
      limit: config.rate.limit,
      windowMs: windowWithMargin(config.rate.windowMs),
      replicas: config.redis.replicas,
    }),
    cache: parts.localCache
      ? createSharedResponseCache({
          store: tenantStore,
          domains: parts.cacheDomains,
          staleMs: config.cache.staleMs,
          maxEntryBytes: config.cache.maxBytes,
          fallback: parts.localCache,
        })
      : undefined,
    clock: sharedWriteClock(tenantStore, parts.words, parts.localClock, {
      // A scope's value outlives every entry keyed by it: the longest entry lifetime, plus an operation's time to store one.
      scopeTtlMs: Math.max(0, ...Object.values(parts.cacheDomains)) + config.cache.staleMs + SCOPE_MARGIN_MS,
    }),
  };
}

/** Longer than any operation may run (SAIL_OPERATION_TIMEOUT_MS is at most 10 minutes). */
const SCOPE_MARGIN_MS = 15 * 60_000;

/** `t-` and 16 hex digits of the API root's SHA-256: names the tenant in keys without spelling out its host. */
export function tenantScope(apiUrl: string): string {
  return `t-${createHash('sha256').update(apiUrl.replace(/\/+$/, '')).digest('hex').slice(0, 16)}`;
}
