import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLError } from 'graphql';
import type { SessionCredential } from '../../isc/types.js';
import { gatewayError, refusalError } from '../../shared/errors.js';
import { identityOf, SignInRefused, type SignInClient, type TokenSet } from './oauth.js';
import { sessionRecords, type SessionRecord, type SessionRecords } from './records.js';
import type { SessionConfig } from '../../config/auth-and-sessions.js';
import type { KeyValueStore } from '../../redis/key-value-store.js';

export type { SessionRecord } from './records.js';

/**
 * Browser sessions over ISC user tokens, sealed in a store (records.ts). Tokens are refreshed ahead
 * of expiry, one refresh per session at a time across replicas (a lock in the store). A session
 * ended (signed out, refused by ISC, past its lifetime) stays ended: a refresh, a "seen again" or
 * a re-seal already under way finds it gone and answers UNAUTHENTICATED instead of writing it back.
 */
export interface Sessions {
  config: SessionConfig;
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
  /** How long a replica waits for another replica's refresh of the same session. */
  refreshWaitMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

export function ended(): GraphQLError {
  return refusalError('UNAUTHENTICATED', 'Your sign-in has ended: sign in again (/auth/login)');
}

/** Refresh this long before the access token expires: a minute, or a quarter of a short lifetime. */
const refreshAheadMs = (record: SessionRecord): number => Math.min(60_000, record.accessLifetimeMs / 4);
const RETRY_REFRESH_MS = 5_000;
const LOCK_MS = 10_000;

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

/** What the refresh of one session needs: its records, its lifetime, the sign-in client, the clock. */
interface RefreshContext {
  records: SessionRecords;
  store: KeyValueStore;
  client: SignInClient;
  clock: () => number;
  refreshWaitMs: number;
  /** Writes the session back while it exists: false once it has ended (or is past its lifetime). */
  save(id: string, record: SessionRecord): Promise<boolean>;
}

/** The session's token refreshed once for every caller in this process, and once at a time across replicas. */
function sessionRefresher(context: RefreshContext): (id: string, stale: string, refused: boolean) => Promise<SessionRecord> {
  const refreshing = new Map<string, Promise<SessionRecord>>();
  return (id, stale, refused) => {
    let flight = refreshing.get(id);
    if (!flight) {
      flight = refreshLocked(context, id, stale, refused).finally(() => refreshing.delete(id));
      refreshing.set(id, flight);
    }
    return flight;
  };
}

/** One refresh of this session at a time, across replicas: the others wait for its result. */
async function refreshLocked(context: RefreshContext, id: string, stale: string, refused: boolean): Promise<SessionRecord> {
  const deadline = Date.now() + context.refreshWaitMs;
  const lockKey = `lock:${context.records.key(id)}`;
  for (;;) {
    const release = await context.store.lock(lockKey, LOCK_MS);
    if (release) {
      try {
        return await refreshHeld(context, id, stale, refused);
      } finally {
        await release();
      }
    }
    await sleep(100, undefined, { ref: false });
    const latest = await context.records.read(id);
    if (!latest) throw ended();
    if (latest.accessToken !== stale) return latest;
    if (Date.now() >= deadline) {
      if (!refused && latest.accessExpiresAt > context.clock()) return latest;
      throw gatewayError('UPSTREAM_ERROR', 'The sign-in is being renewed elsewhere and did not finish in time; try again');
    }
  }
}

/**
 * Refreshes while holding the session's lock: ends the session if ISC refuses the refresh token,
 * keeps it if ISC fails (the current token serves until it expires, unless ISC just refused it).
 * Whatever ISC answers, a session ended meanwhile is not written back: UNAUTHENTICATED.
 */
async function refreshHeld(context: RefreshContext, id: string, stale: string, refused: boolean): Promise<SessionRecord> {
  const latest = await context.records.read(id);
  if (!latest) throw ended();
  // Another request or replica may have refreshed meanwhile.
  if (latest.accessToken !== stale && latest.accessExpiresAt > context.clock()) return latest;
  if (!latest.refreshToken) {
    await context.records.delete(id);
    throw ended();
  }
  let tokens: TokenSet;
  try {
    tokens = await context.client.refresh(latest.refreshToken);
  } catch (error) {
    return refreshFailed(context, id, latest, refused, error);
  }
  if (!(await context.save(id, withTokens(latest, tokens, context.clock())))) throw ended();
  return latest;
}

async function refreshFailed(context: RefreshContext, id: string, latest: SessionRecord, refused: boolean, error: unknown): Promise<SessionRecord> {
  if (error instanceof SignInRefused) {
    await context.records.delete(id);
    throw ended();
  }
  latest.refreshRetryAt = context.clock() + RETRY_REFRESH_MS;
  if (!(await context.save(id, latest))) throw ended();
  if (!refused && latest.accessExpiresAt > context.clock()) return latest;
  throw error;
}

export function createSessions(options: SessionsOptions): Sessions {
  const { config, client } = options;
  const clock = options.now ?? Date.now;
  const lifetimeLeft = (record: SessionRecord, now = clock()) =>
    Math.min(record.lastSeenAt + config.idleTimeoutMs, record.createdAt + config.maxAgeMs) - now;
  const records = sessionRecords(options.sessions, config.secrets, (record) => lifetimeLeft(record));

  async function save(id: string, record: SessionRecord): Promise<boolean> {
    if (lifetimeLeft(record) > 0) return records.update(id, record);
    await records.delete(id);
    return false;
  }

  /** The session as stored now, while it lives. */
  async function live(id: string): Promise<SessionRecord | undefined> {
    const stored = await records.read(id);
    return stored && lifetimeLeft(stored) > 0 ? stored : undefined;
  }

  const refresh = sessionRefresher({ records, store: options.sessions, client, clock, refreshWaitMs: options.refreshWaitMs ?? 5_000, save });

  /** The token of `record`, refreshed first when due; `record` follows the refresh (token, expiry, retry time). */
  async function tokenOf(id: string, record: SessionRecord): Promise<string> {
    const now = clock();
    if (!dueForRefresh(record, now)) {
      if (record.accessExpiresAt > now || record.refreshToken) return record.accessToken;
      await records.delete(id);
      throw ended();
    }
    return Object.assign(record, await refresh(id, record.accessToken, false)).accessToken;
  }

  /** For work after its request (a background refresh): each token is read from the store when asked for, never the request's copy. */
  function backgroundCredential(id: string): SessionCredential {
    const credential: SessionCredential = {
      key: records.key(id),
      clientId: client.clientId,
      async accessToken() {
        const stored = await live(id);
        if (!stored) throw ended();
        return tokenOf(id, stored);
      },
      renew: async (refused) => (await refresh(id, refused, true)).accessToken,
      forBackground: async () => credential,
    };
    return credential;
  }

  return {
    config,
    async create(tokens) {
      const now = clock();
      const id = randomBytes(32).toString('base64url');
      const blank = { accessToken: '', accessExpiresAt: 0, accessLifetimeMs: 0, refreshToken: undefined };
      const record = withTokens({ ...blank, user: identityOf(tokens.accessToken), createdAt: now, lastSeenAt: now }, tokens, now);
      await records.create(id, record);
      return { id, record };
    },
    async load(id) {
      const record = await records.read(id);
      if (!record) return undefined;
      const now = clock();
      if (lifetimeLeft(record, now) <= 0) {
        await records.delete(id);
        return undefined;
      }
      // Seen again: written back at most about once a minute, not on every request.
      if (now - record.lastSeenAt > Math.min(60_000, config.idleTimeoutMs / 10)) {
        record.lastSeenAt = now;
        if (!(await save(id, record))) return undefined;
      }
      return record;
    },
    end: (id) => records.delete(id),
    expiresAt: (record) => clock() + lifetimeLeft(record),
    credential: (id, record) => ({
      key: records.key(id),
      clientId: client.clientId,
      accessToken: () => tokenOf(id, record),
      renew: async (refused) => Object.assign(record, await refresh(id, refused, true)).accessToken,
      forBackground: async () => ((await live(id)) ? backgroundCredential(id) : undefined),
    }),
  };
}
