import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';

/**
 * A connection to a Redis that replicas share: the state (`SAIL_REDIS_URL`), or the response
 * cache's own (`SAIL_REDIS_CACHE_URL`). Commands never queue while Redis is unreachable: they fail
 * at once, and every user of the store (token, governor, write clock, response cache) falls back
 * to per-process state until `available()` is true again.
 */
export interface SharedStore {
  redis: Redis;
  /** Prefix of every key (`SAIL_REDIS_PREFIX`). */
  prefix: string;
  /** Connected and ready now. */
  available(): boolean;
  /** Called on every change of availability (true: back after an outage). */
  onAvailabilityChange(listener: (available: boolean) => void): () => void;
  /** Resolves once connected, or false after `timeoutMs` (the gateway then starts degraded). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface SharedStoreOptions {
  url: string;
  prefix: string;
  logger: Logger;
  /** Per-command timeout: a slow Redis must not stall ISC calls for long. */
  commandTimeoutMs?: number;
  /** What it holds, for its log lines: the shared state (default), or the response cache's entries only. */
  role?: StoreRole;
}

export type StoreRole = 'state' | 'cache';

/** What a store's log lines say when it connects, comes back, and is lost. */
const ANNOUNCEMENTS: Record<StoreRole, { connected: string; back: string; lost: string }> = {
  state: {
    connected: 'Redis connected: token, rate budget and cache are shared',
    back: 'Redis is reachable again: shared token, rate budget and cache resumed',
    lost: 'Redis unreachable: falling back to per-process state (own token, limit ÷ SAIL_REPLICAS, own cache)',
  },
  cache: {
    connected: 'Cache Redis connected: cached answers are shared',
    back: 'Cache Redis is reachable again: cached answers are shared again',
    lost: 'Cache Redis unreachable: each replica caches answers in its own memory until it is back',
  },
};

export function connectSharedStore({ url, prefix, logger, commandTimeoutMs = 500, role = 'state' }: SharedStoreOptions): SharedStore {
  const redis = openConnection(url, commandTimeoutMs);
  const state: AvailabilityState = { up: false, known: false, warned: false, closing: false, listeners: [] };
  const where = redactedUrl(url);
  const change = (available: boolean) => changeAvailability(state, available, logger, where, ANNOUNCEMENTS[role]);
  redis.on('ready', () => change(true));
  redis.on('close', () => change(false));
  redis.on('end', () => change(false));
  // Without a listener ioredis prints every failed reconnect; availability is logged by changeAvailability.
  redis.on('error', () => {
    if (!state.up) change(false);
  });

  return {
    redis,
    prefix,
    available: () => state.up && redis.status === 'ready',
    onAvailabilityChange: (listener) => subscribe(state, listener),
    ready: (timeoutMs) => untilAvailable(state, timeoutMs),
    close: () => closeConnection(redis, state),
  };
}

type AvailabilityListener = (available: boolean) => void;

/** What a store knows of its connection; the ioredis event handlers update it. */
interface AvailabilityState {
  up: boolean;
  /** Whether any event has set `up` yet (the first one is always announced). */
  known: boolean;
  /** An outage was logged and its end not yet. */
  warned: boolean;
  /** Set by close(): the store no longer announces anything. */
  closing: boolean;
  listeners: AvailabilityListener[];
}

function openConnection(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    disconnectTimeout: 200, // a closing gateway does not wait for a socket that never connected
    commandTimeout: commandTimeoutMs,
    // Keep trying to reconnect (at most every 2 s): the gateway serves degraded meanwhile.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  });
}

/** Records a change of availability, logs it (an outage once) and tells the listeners. */
function changeAvailability(
  state: AvailabilityState,
  available: boolean,
  logger: Logger,
  where: string,
  say: (typeof ANNOUNCEMENTS)[StoreRole],
): void {
  if (state.closing || (state.known && available === state.up)) return;
  state.known = true;
  state.up = available;
  if (available) {
    logger.info(state.warned ? say.back : say.connected, { redis: where });
    state.warned = false;
  } else if (!state.warned) {
    state.warned = true;
    logger.warn(say.lost, { redis: where });
  }
  for (const listener of [...state.listeners]) {
    try {
      listener(available);
    } catch {
      // a listener's failure must not escape into ioredis's event handler
    }
  }
}

/** Adds a listener; the function returned removes it. */
function subscribe(state: AvailabilityState, listener: AvailabilityListener): () => void {
  state.listeners.push(listener);
  return () => {
    const i = state.listeners.indexOf(listener);
    if (i >= 0) state.listeners.splice(i, 1);
  };
}

/** True once connected, or false after `timeoutMs`. */
async function untilAvailable(state: AvailabilityState, timeoutMs: number): Promise<boolean> {
  if (state.up) return true;
  return new Promise<boolean>((resolve) => {
    const unsubscribe = subscribe(state, (available) => {
      if (!available) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(true);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(false);
    }, timeoutMs);
    timer.unref();
  });
}

async function closeConnection(redis: Redis, state: AvailabilityState): Promise<void> {
  state.closing = true;
  state.listeners.length = 0;
  if (redis.status === 'end') return;
  // QUIT lets pending replies arrive; a connection that is down is just dropped.
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect(false));
  else redis.disconnect(false);
}

/**
 * Redis's `maxmemory-policy`, or undefined when Redis refuses `CONFIG GET` (managed Redis often
 * does) or does not answer.
 */
export async function evictionPolicy(store: SharedStore): Promise<string | undefined> {
  try {
    const [, policy] = (await store.redis.config('GET', 'maxmemory-policy')) as string[];
    return policy || undefined;
  } catch {
    return undefined;
  }
}

/** The URL as logs may show it: no password. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    u.search = ''; // ioredis also takes `?password=`
    return u.toString();
  } catch {
    return 'redis';
  }
}
