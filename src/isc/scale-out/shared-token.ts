import { createHash, randomUUID } from 'node:crypto';
import { derivedKey, seal, unseal } from '../../shared/sealing.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import type { SharedStore } from '../../redis/connection.js';
import { refreshMarginMs, type IssuedToken, type TokenProvider } from '../token-provider.js';

/**
 * The gateway's client-credentials token, shared by every replica through Redis: one replica
 * fetches (it holds a lock with an expiry), the others wait for the stored token and reuse it, so
 * N replicas fetch about one token per lifetime between them instead of N.
 *
 * Stored encrypted (AES-256-GCM, key derived with HKDF from the client secret): whoever can read
 * Redis but does not hold the client secret cannot use the token. Whoever holds the secret could
 * fetch a token anyway, so this adds no new exposure; rotating the secret makes stored tokens
 * unreadable, which only costs one fetch.
 */
export interface SharedTokenOptions {
  store: SharedStore;
  requestToken: () => Promise<IssuedToken>;
  /** Token endpoint and client: together they name the shared entry. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Serves while Redis is unreachable (each process then fetches its own token). */
  fallback: TokenProvider;
  now?: () => number;
  /** How long a fetching replica may hold the lock before another takes over. */
  lockMs?: number;
  /** How long a replica waits for another's fetch before fetching itself. */
  waitMs?: number;
  pollMs?: number;
}

interface Held {
  token: string;
  /** The stored (encrypted) value, to delete exactly this token when ISC refuses it. */
  stored: string;
  expiresAt: number;
  refreshAt: number;
}

/** Deletes the entry only if it still holds the given value (a newer token is kept). */
const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function encryptionKey(clientSecret: string, tokenUrl: string, clientId: string): Buffer {
  return derivedKey(clientSecret, 'isc-graphql-gateway token cache', `${tokenUrl}\u0000${clientId}`);
}

/** Seals the token with its lifetime and expiry (epoch ms): a value replayed into Redis later is refused once expired. */
export function sealToken(key: Buffer, token: string, lifetimeMs: number, expiresAt: number): string {
  return seal(key, JSON.stringify({ t: token, l: lifetimeMs, e: expiresAt }));
}

/** Undefined when the value was sealed with another key (rotated secret), is not ours, or has expired. */
export function openToken(key: Buffer, value: string, now = Date.now()): { token: string; lifetimeMs: number } | undefined {
  const text = unseal(key, value);
  if (text === undefined) return undefined;
  try {
    const plain = JSON.parse(text) as { t?: unknown; l?: unknown; e?: unknown };
    if (typeof plain.t !== 'string' || typeof plain.l !== 'number' || typeof plain.e !== 'number' || plain.e <= now) return undefined;
    return { token: plain.t, lifetimeMs: plain.l };
  } catch {
    return undefined;
  }
}

export function createSharedTokenProvider(options: SharedTokenOptions): TokenProvider {
  const { store, fallback } = options;
  const key = tokenEntryKey(store.prefix, options.tokenUrl, options.clientId);
  const tokens: TokenState = {
    redis: store.redis,
    requestToken: options.requestToken,
    now: options.now ?? Date.now,
    // Shorter than the wait: a fetcher that died is replaced by a waiting replica, not raced by all of them.
    lockMs: options.lockMs ?? 4_000,
    waitMs: options.waitMs ?? 5_000,
    pollMs: options.pollMs ?? 25,
    key,
    lockKey: `${key}:lock`,
    secretKey: encryptionKey(options.clientSecret, options.tokenUrl, options.clientId),
    held: undefined,
    syncing: undefined,
    refused: undefined,
  };

  return {
    async getToken() {
      if (!store.available()) return fallback.getToken();
      const t = tokens.now();
      if (tokens.held && t < tokens.held.refreshAt) return tokens.held.token;
      try {
        if (tokens.held && t < tokens.held.expiresAt) {
          syncOnce(tokens).catch(() => undefined); // refresh ahead in the background; the held token is still good
          return tokens.held.token;
        }
        return await syncOnce(tokens);
      } catch (error) {
        if (error instanceof GraphQLError) throw error; // ISC refused the credentials, or its token endpoint failed
        if (!store.available() || isRedisError(error)) return fallback.getToken();
        throw error;
      }
    },
    invalidate(token) {
      fallback.invalidate(token);
      tokens.refused = token;
      tokens.syncing = undefined; // a read in flight may still return the refused token
      if (tokens.held?.token !== token) return;
      const { stored } = tokens.held;
      tokens.held = undefined;
      if (store.available()) tokens.redis.eval(DELETE_IF, 1, key, stored).catch(() => undefined);
    },
  };
}

/** A shared token provider's settings and what it holds, passed to the functions below. */
interface TokenState {
  redis: Redis;
  requestToken: () => Promise<IssuedToken>;
  now: () => number;
  lockMs: number;
  waitMs: number;
  pollMs: number;
  /** The Redis entry of the sealed token, and of the lock a fetching replica holds. */
  key: string;
  lockKey: string;
  secretKey: Buffer;
  held: Held | undefined;
  syncing: Promise<string> | undefined;
  /** The last token ISC refused: never handed out again, even if a read in flight still finds it. */
  refused: string | undefined;
}

/** The Redis key of the token of one token endpoint and client (hashed: the key does not spell them out). */
function tokenEntryKey(prefix: string, tokenUrl: string, clientId: string): string {
  return `${prefix}token:${createHash('sha256').update(`${tokenUrl}\u0000${clientId}`).digest('hex').slice(0, 32)}`;
}

function hold(tokens: TokenState, stored: string, token: string, lifetimeMs: number, ttlMs: number): string {
  const expiresAt = tokens.now() + ttlMs;
  tokens.held = { token, stored, expiresAt, refreshAt: expiresAt - refreshMarginMs(lifetimeMs) };
  return token;
}

/** The stored token and its time to live, if any. */
async function read(tokens: TokenState): Promise<Held | undefined> {
  const { redis, key } = tokens;
  const [[, value], [, ttl]] = (await redis.multi().get(key).pttl(key).exec()) as [[unknown, string | null], [unknown, number]];
  if (!value || ttl <= 0) return undefined;
  const opened = openToken(tokens.secretKey, value, tokens.now());
  if (!opened || opened.token === tokens.refused) return undefined;
  hold(tokens, value, opened.token, opened.lifetimeMs, ttl);
  return tokens.held;
}

/** Fetches from ISC and stores for everyone; the caller holds the lock. */
async function fetchAndStore(tokens: TokenState, lockId: string): Promise<string> {
  const { redis } = tokens;
  try {
    const { accessToken, expiresIn } = await tokens.requestToken();
    const lifetimeMs = expiresIn * 1000;
    // Stored slightly shorter than it lives, so nobody is handed a token in its last moments.
    const ttlMs = Math.max(1, lifetimeMs - Math.min(1_000, lifetimeMs * 0.05));
    const stored = sealToken(tokens.secretKey, accessToken, lifetimeMs, tokens.now() + ttlMs);
    await redis.set(tokens.key, stored, 'PX', Math.round(ttlMs)).catch(() => undefined);
    return hold(tokens, stored, accessToken, lifetimeMs, ttlMs);
  } finally {
    await redis.eval(DELETE_IF, 1, tokens.lockKey, lockId).catch(() => undefined);
  }
}

/**
 * With the lock held: the token another replica stored between this one's read and its lock (it
 * fetched and released meanwhile), else a fetch. Without this second read, that gap costs a token.
 */
async function fetchUnlessStored(tokens: TokenState, lockId: string): Promise<string> {
  const stored = await read(tokens);
  if (!stored || tokens.now() >= stored.refreshAt) return fetchAndStore(tokens, lockId);
  await tokens.redis.eval(DELETE_IF, 1, tokens.lockKey, lockId).catch(() => undefined);
  return stored.token;
}

async function tryLock(tokens: TokenState): Promise<string | undefined> {
  const lockId = randomUUID();
  return (await tokens.redis.set(tokens.lockKey, lockId, 'PX', tokens.lockMs, 'NX')) === 'OK' ? lockId : undefined;
}

/** Reads the shared token; fetches it when nobody has (or refreshes it ahead, once for all). */
async function sync(tokens: TokenState): Promise<string> {
  const current = await read(tokens);
  if (current && tokens.now() < current.refreshAt) return current.token;
  const lockId = await tryLock(tokens);
  if (current) {
    // In the refresh-ahead window: the current token still serves while one replica fetches.
    if (lockId) fetchUnlessStored(tokens, lockId).catch(() => undefined);
    return current.token;
  }
  if (lockId) return fetchUnlessStored(tokens, lockId);
  return awaitOtherFetch(tokens);
}

/**
 * Another replica is fetching: wait for its token rather than fetching a second one.
 * If its lock expires first (it died or hangs), one waiting replica takes over.
 */
async function awaitOtherFetch(tokens: TokenState): Promise<string> {
  const giveUpAt = tokens.now() + tokens.waitMs;
  while (tokens.now() < giveUpAt) {
    await sleep(tokens.pollMs, undefined, { ref: false });
    const stored = await read(tokens);
    if (stored) return stored.token;
    const takeOver = await tryLock(tokens);
    if (takeOver) return fetchUnlessStored(tokens, takeOver);
  }
  return fetchAndStore(tokens, randomUUID()); // Redis answers but nobody stores a token: fetch without it
}

/** One sync at a time: concurrent callers share the one in flight. */
function syncOnce(tokens: TokenState): Promise<string> {
  if (!tokens.syncing) {
    const current: Promise<string> = sync(tokens).finally(() => {
      if (tokens.syncing === current) tokens.syncing = undefined;
    });
    tokens.syncing = current;
  }
  return tokens.syncing;
}

/** Errors from ioredis (connection lost, command timeout), as opposed to ISC's answers. */
function isRedisError(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? '';
  return (
    name === 'ReplyError' || name === 'MaxRetriesPerRequestError' || /Connection|Stream isn't writeable|Command timed out|ECONNREFUSED/i.test(message)
  );
}
