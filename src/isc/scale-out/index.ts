import { createHash } from 'node:crypto';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import { windowWithMargin, type SlotLedger } from '../governor.js';
import { connectSharedStore, evictionPolicy, redactedUrl, type SharedStore } from '../../redis/connection.js';
import { createSharedLedger } from './shared-ledger.js';
import { cacheSealingKey, createSharedResponseCache } from './shared-response-cache.js';
import type { ResponseCache } from '../response-cache.js';
import { createSharedTokenProvider } from './shared-token.js';
import { createSharedTokenVerdicts } from './shared-token-verdicts.js';
import type { TokenVerdicts } from '../passthrough.js';
import { sharedWriteClock } from './shared-write-clock.js';
import type { RouteWords, WriteClock } from '../write-clock.js';
import type { IssuedToken, TokenProvider } from '../token-provider.js';

export interface ScaleOutParts {
  /** The tenant's API host: keys are scoped by it, never by the path layout, so a switch of layouts keeps one budget. */
  baseUrl: string;
  exchange: () => Promise<IssuedToken>;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** A secret every replica holds and a reader of Redis does not: cache entries are sealed under a key derived from it. */
  cacheSecret: string | undefined;
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
  /**
   * The state replicas share (`SAIL_REDIS_URL`): the token and its lock, the rate ledger and its
   * pauses, the write clock, sign-in sessions and their locks. Losing a key of it loses a guarantee,
   * so its Redis must never evict (`maxmemory-policy noeviction`).
   */
  store: SharedStore;
  /**
   * Where the response cache's entries live: a Redis of their own (`SAIL_REDIS_CACHE_URL`), which
   * may evict them, or `store` itself. Nothing but cache entries goes here.
   */
  cacheStore: SharedStore;
  tokens: TokenProvider;
  ledger: SlotLedger;
  /** The ledger of the pool every unverified pass-through token shares (its own, smaller limit). */
  unverifiedLedger: SlotLedger;
  /** Which pass-through tokens ISC accepted (and their client) or refused. */
  tokenVerdicts: TokenVerdicts;
  cache: ResponseCache | undefined;
  clock: WriteClock;
  /** Closes both connections. */
  close(): Promise<void>;
}

/**
 * The token, the rate ledger, the write clock and the response cache shared by replicas through Redis
 * (`SAIL_REDIS_URL`, and `SAIL_REDIS_CACHE_URL` for the cache's entries; see docs/scale-out.md).
 * Loaded only when configured. A Redis that does not answer at start is not fatal: every part
 * serves on its per-process fallback until it does.
 */
export async function connectScaleOut(config: Pick<Config, 'redis' | 'rate' | 'cache'>, logger: Logger, parts: ScaleOutParts): Promise<ScaleOut> {
  const sharesCache = parts.localCache !== undefined && Boolean(parts.cacheSecret);
  if (parts.localCache && !sharesCache) {
    logger.warn(
      'The response cache stays per process: no secret the replicas share (SAIL_CLIENT_SECRET or SAIL_SESSION_SECRET) to seal its entries in Redis with',
    );
  }
  const { store, cacheStore } = await connectStores(config.redis, logger, sharesCache);
  // Two tenants behind one Redis may share a client id: their budgets and answers must not mix.
  // (The token key already hashes the token URL and client id.)
  const scope = tenantScope(parts.baseUrl);
  const tenantStore: SharedStore = { ...store, prefix: `${store.prefix}${scope}:` };
  return {
    store,
    cacheStore,
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
    unverifiedLedger: createSharedLedger({
      store: tenantStore,
      limit: config.rate.unverifiedLimit,
      windowMs: windowWithMargin(config.rate.windowMs),
      replicas: config.redis.replicas,
    }),
    tokenVerdicts: createSharedTokenVerdicts(tenantStore),
    cache:
      parts.localCache && sharesCache
        ? createSharedResponseCache({
            store: { ...cacheStore, prefix: `${cacheStore.prefix}${scope}:` },
            domains: parts.cacheDomains,
            staleMs: config.cache.staleMs,
            staleIfLimitedMs: config.cache.staleIfLimitedMs,
            maxEntryBytes: config.cache.maxBytes,
            fallback: parts.localCache,
            sealingKey: cacheSealingKey(parts.cacheSecret!, scopeName(parts.baseUrl)),
          })
        : parts.localCache,
    clock: sharedWriteClock(tenantStore, parts.words, parts.localClock, {
      // A scope's value outlives every entry keyed by it: the longest entry lifetime, plus an operation's time to store one.
      scopeTtlMs: Math.max(0, ...Object.values(parts.cacheDomains)) + Math.max(config.cache.staleMs, config.cache.staleIfLimitedMs) + SCOPE_MARGIN_MS,
    }),
    close: async () => {
      await Promise.all([store.close(), cacheStore === store ? undefined : cacheStore.close()]);
    },
  };
}

/** The state's Redis and, when the cache has one of its own (and is shared), the cache's; both ready or given up on. */
async function connectStores(redis: Config['redis'], logger: Logger, sharesCache: boolean): Promise<{ store: SharedStore; cacheStore: SharedStore }> {
  const connect = (url: string, role?: 'cache') =>
    connectSharedStore({ url, prefix: redis.keyPrefix, logger, commandTimeoutMs: redis.commandTimeoutMs, ...(role && { role }) });
  const store = connect(redis.url!);
  const cacheStore = redis.cacheUrl && sharesCache ? connect(redis.cacheUrl, 'cache') : store;
  await Promise.all([store.ready(2_000), cacheStore.ready(2_000)]);
  await warnWhenStateMayBeEvicted(store, logger, redis.url!);
  return { store, cacheStore };
}

/**
 * One warning when the state's Redis may evict keys (any `maxmemory-policy` but `noeviction`):
 * evicting the rate ledger or a pause lets replicas exceed ISC's limit, evicting a session signs
 * its user out. Checked once connected; a Redis that refuses `CONFIG GET` is only mentioned.
 */
async function warnWhenStateMayBeEvicted(store: SharedStore, logger: Logger, url: string): Promise<void> {
  const check = async () => {
    const policy = await evictionPolicy(store);
    const redis = redactedUrl(url);
    if (policy === undefined) {
      logger.info(
        'Could not read the Redis eviction policy (CONFIG GET refused or unanswered): SAIL_REDIS_URL must run with maxmemory-policy noeviction',
        { redis },
      );
    } else if (policy !== 'noeviction') {
      logger.warn(
        'Redis may evict the state replicas share (rate budget, pauses, sessions, write clock): run SAIL_REDIS_URL with maxmemory-policy noeviction, and give the response cache a Redis of its own (SAIL_REDIS_CACHE_URL) if it must evict',
        { redis, maxmemoryPolicy: policy },
      );
    }
  };
  if (store.available()) return check();
  const stop = store.onAvailabilityChange((available) => {
    if (!available) return;
    stop();
    void check();
  });
}

/** Longer than any operation may run (SAIL_OPERATION_TIMEOUT_MS is at most 10 minutes). */
const SCOPE_MARGIN_MS = 15 * 60_000;

/**
 * The tenant's name in keys: `t-` and 16 hex digits of a SHA-256, so no host is spelled out. Only
 * the API host counts, never the path layout, so replicas on either layout share one budget. The
 * hash covers the host followed by `/v2024` because up to 0.4.0 keys were scoped by the host and
 * `SAIL_API_PREFIX` (default `/v2024`): those names stay, and a rolling upgrade from 0.4.0 keeps
 * one budget, its pauses, the write clock and the cache.
 */
export function tenantScope(baseUrl: string): string {
  return `t-${createHash('sha256').update(scopeName(baseUrl)).digest('hex').slice(0, 16)}`;
}

/** What the tenant's keys and the cache's sealing key are derived from (see tenantScope). */
export const scopeName = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, '')}/v2024`;
