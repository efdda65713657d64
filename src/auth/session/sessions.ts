import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { SessionCredential } from '../../isc/types.js';
import { derivedKey, seal, unseal } from '../../shared/sealing.js';
import { identityOf, SignInRefused, type SignInClient, type TokenSet } from './oauth.js';
import type { SessionConfig } from './settings.js';
import type { KeyValueStore } from './store.js';

/**
 * Browser sessions over ISC user tokens. The cookie carries only a random id; the store keeps the
 * session under an HMAC of that id (a reader of the store cannot forge a cookie), sealed with
 * AES-GCM under a key derived from the session secret, the id as additional data (a value copied
 * under another key does not open). Earlier secrets still open what they sealed, and the session is
 * sealed again under the current one. Tokens are refreshed ahead of expiry, one refresh per session
 * at a time across replicas (a lock in the store).
 */
export interface SessionRecord {
  accessToken: string;
  accessExpiresAt: number;
  accessLifetimeMs: number;
  refreshToken: string | undefined;
  user: { id: string; name: string };
  createdAt: number;
  lastSeenAt: number;
  /** After a refresh failed for a passing reason (5xx, timeout): not again before this. */
  refreshRetryAt?: number;
}

/** A sign-in in progress: what the callback must find again, bound to the browser by the login cookie. */
export interface LoginTransaction {
  state: string;
  verifier: string | undefined;
  returnTo: string;
  createdAt: number;
}

export interface Sessions {
  config: SessionConfig;
  beginLogin(transaction: Omit<LoginTransaction, 'createdAt'>): Promise<string>;
  /** The sign-in started under this id, once: a second call, or one after it expired, finds nothing. */
  finishLogin(id: string): Promise<LoginTransaction | undefined>;
  /** A new session (a new id, whatever the browser held before) for the tokens of a sign-in. */
  create(tokens: TokenSet): Promise<{ id: string; record: SessionRecord }>;
  /** The live session of this id, its idle time reset; undefined when unknown, ended or past its age. */
  load(id: string): Promise<SessionRecord | undefined>;
  end(id: string): Promise<void>;
  /** What the ISC client calls with: the session's token, refreshed as needed. */
  credential(id: string, record: SessionRecord): SessionCredential;
  /** When the session ends unless used again. */
  expiresAt(record: SessionRecord): number;
}

export interface SessionsOptions {
  config: SessionConfig;
  client: SignInClient;
  sessions: KeyValueStore;
  logins: KeyValueStore;
  /** How long a replica waits for another replica's refresh of the same session. */
  refreshWaitMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

interface Keys {
  id: Buffer;
  value: Buffer;
}

const keysOf = (secret: string): Keys => ({
  id: derivedKey(secret, 'isc-graphql-gateway session', 'store key'),
  value: derivedKey(secret, 'isc-graphql-gateway session', 'sealed value'),
});

const storeKey = (kind: 'session' | 'login', keys: Keys, id: string): string =>
  `${kind}:${createHmac('sha256', keys.id).update(id).digest('base64url')}`;

export function ended(): GraphQLError {
  return new GraphQLError('Your sign-in has ended: sign in again (/auth/login)', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Refresh this long before the access token expires: a minute, or a quarter of a short lifetime. */
const refreshAheadMs = (record: SessionRecord): number => Math.min(60_000, record.accessLifetimeMs / 4);
const RETRY_REFRESH_MS = 5_000;
const LOCK_MS = 10_000;

export function createSessions(options: SessionsOptions): Sessions {
  const { config, client } = options;
  const keyring = config.secrets.map(keysOf);
  const current = keyring[0];
  const refreshWaitMs = options.refreshWaitMs ?? 5_000;
  const clock = options.now ?? Date.now;
  const refreshing = new Map<string, Promise<SessionRecord>>();
  // Sign-ins in progress started here, bounded: the oldest is dropped (and its store entry with it).
  const pending = new LRUCache<string, true>({
    max: config.maxPendingLogins,
    ttl: config.loginTimeoutMs,
    dispose: (_value, key, reason) => {
      if (reason === 'evict') options.logins.delete(key).catch(() => undefined);
    },
  });

  const lifetimeLeft = (record: SessionRecord, now: number) =>
    Math.min(record.lastSeenAt + config.idleTimeoutMs, record.createdAt + config.maxAgeMs) - now;

  async function save(id: string, record: SessionRecord): Promise<void> {
    const ttlMs = lifetimeLeft(record, clock());
    if (ttlMs <= 0) return options.sessions.delete(storeKey('session', current, id));
    await options.sessions.set(storeKey('session', current, id), seal(current.value, JSON.stringify(record), id), ttlMs);
  }

  /** The stored record under the current secret or, moved to it, under an earlier one. */
  async function read(id: string): Promise<SessionRecord | undefined> {
    for (const [index, keys] of keyring.entries()) {
      const key = storeKey('session', keys, id);
      const value = await options.sessions.get(key);
      const text = value === undefined ? undefined : unseal(keys.value, value, id);
      if (text === undefined) continue;
      const record = JSON.parse(text) as SessionRecord;
      if (index > 0) {
        await save(id, record);
        await options.sessions.delete(key);
      }
      return record;
    }
    return undefined;
  }

  async function end(id: string): Promise<void> {
    await Promise.all(keyring.map((keys) => options.sessions.delete(storeKey('session', keys, id))));
  }

  function withTokens(record: SessionRecord, tokens: TokenSet, now: number): SessionRecord {
    record.accessToken = tokens.accessToken;
    record.accessExpiresAt = now + tokens.expiresInMs;
    record.accessLifetimeMs = tokens.expiresInMs;
    record.refreshToken = tokens.refreshToken ?? record.refreshToken;
    delete record.refreshRetryAt;
    return record;
  }

  const dueForRefresh = (record: SessionRecord, now: number): boolean =>
    record.refreshToken !== undefined && record.accessExpiresAt - now <= refreshAheadMs(record) && (record.refreshRetryAt ?? 0) <= now;

  /**
   * Refreshes while holding the session's lock: ends the session if ISC refuses the refresh token,
   * keeps it if ISC fails (the current token serves until it expires, unless ISC just refused it).
   */
  async function refreshHeld(id: string, stale: string, refused: boolean): Promise<SessionRecord> {
    const latest = await read(id);
    if (!latest) throw ended();
    // Another request or replica may have refreshed meanwhile.
    if (latest.accessToken !== stale && latest.accessExpiresAt > clock()) return latest;
    if (!latest.refreshToken) {
      await end(id);
      throw ended();
    }
    try {
      const tokens = await client.refresh(latest.refreshToken);
      await save(id, withTokens(latest, tokens, clock()));
      return latest;
    } catch (error) {
      if (error instanceof SignInRefused) {
        await end(id);
        throw ended();
      }
      latest.refreshRetryAt = clock() + RETRY_REFRESH_MS;
      await save(id, latest);
      if (!refused && latest.accessExpiresAt > clock()) return latest;
      throw error;
    }
  }

  /** One refresh of this session at a time, across replicas: the others wait for its result. */
  async function refresh(id: string, stale: string, refused: boolean): Promise<SessionRecord> {
    const deadline = Date.now() + refreshWaitMs;
    const lockKey = `lock:${storeKey('session', current, id)}`;
    for (;;) {
      const release = await options.sessions.lock(lockKey, LOCK_MS);
      if (release) {
        try {
          return await refreshHeld(id, stale, refused);
        } finally {
          await release();
        }
      }
      await sleep(100, undefined, { ref: false });
      const latest = await read(id);
      if (!latest) throw ended();
      if (latest.accessToken !== stale) return latest;
      if (Date.now() >= deadline) {
        if (!refused && latest.accessExpiresAt > clock()) return latest;
        throw new GraphQLError('The sign-in is being renewed elsewhere and did not finish in time; try again', {
          extensions: { code: 'UPSTREAM_ERROR' },
        });
      }
    }
  }

  function singleFlight(id: string, stale: string, refused: boolean): Promise<SessionRecord> {
    let flight = refreshing.get(id);
    if (!flight) {
      flight = refresh(id, stale, refused).finally(() => refreshing.delete(id));
      refreshing.set(id, flight);
    }
    return flight;
  }

  return {
    config,
    async beginLogin(transaction) {
      const id = randomBytes(32).toString('base64url');
      const key = storeKey('login', current, id);
      const value: LoginTransaction = { ...transaction, createdAt: clock() };
      await options.logins.set(key, seal(current.value, JSON.stringify(value), id), config.loginTimeoutMs);
      pending.set(key, true);
      return id;
    },
    async finishLogin(id) {
      for (const keys of keyring) {
        const key = storeKey('login', keys, id);
        pending.delete(key);
        const value = await options.logins.take(key);
        const text = value === undefined ? undefined : unseal(keys.value, value, id);
        if (text === undefined) continue;
        const transaction = JSON.parse(text) as LoginTransaction;
        return clock() - transaction.createdAt <= config.loginTimeoutMs ? transaction : undefined;
      }
      return undefined;
    },
    async create(tokens) {
      const now = clock();
      const id = randomBytes(32).toString('base64url');
      const record = withTokens(
        {
          accessToken: '',
          accessExpiresAt: 0,
          accessLifetimeMs: 0,
          refreshToken: undefined,
          user: identityOf(tokens.accessToken),
          createdAt: now,
          lastSeenAt: now,
        },
        tokens,
        now,
      );
      await save(id, record);
      return { id, record };
    },
    async load(id) {
      const record = await read(id);
      if (!record) return undefined;
      const now = clock();
      if (lifetimeLeft(record, now) <= 0) {
        await end(id);
        return undefined;
      }
      // Seen again: written back at most about once a minute, not on every request.
      if (now - record.lastSeenAt > Math.min(60_000, config.idleTimeoutMs / 10)) {
        record.lastSeenAt = now;
        await save(id, record);
      }
      return record;
    },
    end,
    expiresAt: (record) => clock() + lifetimeLeft(record, clock()),
    credential(id, record) {
      return {
        key: storeKey('session', current, id),
        clientId: client.clientId,
        async accessToken() {
          const now = clock();
          if (!dueForRefresh(record, now)) {
            if (record.accessExpiresAt > now || record.refreshToken) return record.accessToken;
            await end(id);
            throw ended();
          }
          // The request's copy of the session follows the refresh (token, expiry, retry time).
          return Object.assign(record, await singleFlight(id, record.accessToken, false)).accessToken;
        },
        async renew(refused) {
          return Object.assign(record, await singleFlight(id, refused, true)).accessToken;
        },
        async live() {
          const stored = await read(id);
          return stored !== undefined && lifetimeLeft(stored, clock()) > 0;
        },
      };
    },
  };
}
