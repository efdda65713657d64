import { createHmac } from 'node:crypto';
import { derivedKey, seal, unseal } from '../../shared/sealing.js';
import type { KeyValueStore } from '../../redis/key-value-store.js';

/**
 * Sessions as the store holds them. The cookie carries only a random id; the store keeps the
 * session under an HMAC of that id (a reader of the store cannot forge a cookie), sealed with
 * AES-GCM under a key derived from the session secret, the id as additional data (a value copied
 * under another key does not open). Earlier secrets still open what they sealed, and a session
 * found under one moves to the current secret.
 *
 * A session exists from `create` to `delete` and never again: every other write is conditional on
 * it still existing (see store.ts), so a sign-out is final whatever is in flight.
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

export interface SessionRecords {
  /** The session's store key under the current secret: stable for the session, never its id. */
  key(id: string): string;
  /** The record under the current secret or, moved to it, under an earlier one; undefined when none (or it ended meanwhile). */
  read(id: string): Promise<SessionRecord | undefined>;
  create(id: string, record: SessionRecord): Promise<void>;
  /** Writes the record back only while the session exists: false, and nothing written, once it has ended. */
  update(id: string, record: SessionRecord): Promise<boolean>;
  /** Deletes it under every secret, at once. */
  delete(id: string): Promise<void>;
}

interface Keys {
  id: Buffer;
  value: Buffer;
}

const keysOf = (secret: string): Keys => ({
  id: derivedKey(secret, 'isc-graphql-gateway session', 'store key'),
  value: derivedKey(secret, 'isc-graphql-gateway session', 'sealed value'),
});

const storeKey = (keys: Keys, id: string): string => `session:${createHmac('sha256', keys.id).update(id).digest('base64url')}`;

/** `ttlMs(record)`: how long the store keeps it (its lifetime left). */
export function sessionRecords(store: KeyValueStore, secrets: readonly string[], ttlMs: (record: SessionRecord) => number): SessionRecords {
  const keyring = secrets.map(keysOf);
  const current = keyring[0];
  const sealed = (id: string, record: SessionRecord) => seal(current.value, JSON.stringify(record), id);

  async function opened(keys: Keys, id: string): Promise<SessionRecord | undefined> {
    const value = await store.get(storeKey(keys, id));
    const text = value === undefined ? undefined : unseal(keys.value, value, id);
    return text === undefined ? undefined : (JSON.parse(text) as SessionRecord);
  }

  /** Moved from an earlier secret's key, unless it ended meanwhile; another replica may have moved it first. */
  async function moved(keys: Keys, id: string, record: SessionRecord): Promise<SessionRecord | undefined> {
    const ttl = ttlMs(record);
    if (ttl > 0 && (await store.move(storeKey(keys, id), storeKey(current, id), sealed(id, record), ttl))) return record;
    return opened(current, id);
  }

  return {
    key: (id) => storeKey(current, id),
    async read(id) {
      for (const keys of keyring) {
        const record = await opened(keys, id);
        if (record) return keys === current ? record : moved(keys, id, record);
      }
      return undefined;
    },
    async create(id, record) {
      // A new random id (256 bits): taken already means something is badly wrong.
      if (!(await store.create(storeKey(current, id), sealed(id, record), ttlMs(record)))) throw new Error('A new session id is taken');
    },
    update: (id, record) => store.update(storeKey(current, id), sealed(id, record), ttlMs(record)),
    delete: (id) => store.delete(...keyring.map((keys) => storeKey(keys, id))),
  };
}
