import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SignInClient, TokenSet } from '../../src/auth/session/oauth.js';
import { createSessions, type Sessions } from '../../src/auth/session/sessions.js';
import { sessionConfig, type SessionConfig } from '../../src/config/auth-and-sessions.js';
import { memoryStore, redisStore } from '../../src/auth/session/store.js';
import type { KeyValueStore } from '../../src/redis/key-value-store.js';
import { connectSharedStore, type SharedStore } from '../../src/redis/connection.js';
import { gatewayError } from '../../src/shared/errors.js';
import { code } from '../support/errors.js';
import { recordingLogger } from '../support/recording-logger.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * The session stores, in memory and in a real Redis, through one table: the same answers to the
 * same calls. Then sessions over each: a sign-out is final, whatever else is in flight for the
 * session (a token refresh answered or failed, a "seen again" write, a re-seal under a rotated
 * secret, a background refresh). Each race is made deterministic (the refresh answers, or the
 * store's read returns, only when the test says so), with two "replicas" (two session managers)
 * on one store.
 */
const SECRET = 'a-session-secret-of-at-least-32-characters';
const OLD_SECRET = 'an-earlier-session-secret-of-32-characters';

const jwt = (claims: Record<string, unknown>): string =>
  // Not JWT-shaped at the front, so the test run's leak scan never takes one for a real token.
  ['header', JSON.stringify(claims), 'signature'].map((part) => Buffer.from(part).toString('base64url')).join('.');

const tokens = (n: number): TokenSet => ({
  accessToken: jwt({ identity_id: 'id-1', user_name: 'ada.admin', n }),
  expiresInMs: 600_000,
  refreshToken: 'refresh-1',
});

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A sign-in client whose refreshes answer when the test settles `answer`; `asked` resolves when one is made. */
function heldClient() {
  const answer = deferred<TokenSet>();
  const asked = deferred<void>();
  const client: SignInClient = {
    clientId: 'login-client',
    redirectUri: 'https://gw.example.com/auth/callback',
    authorizeUrl: () => 'https://acme.login.sailpoint.com/oauth/authorize',
    exchangeCode: async () => tokens(0),
    refresh: () => {
      asked.resolve();
      return answer.promise;
    },
  };
  return { client, answer, asked };
}

/** The store, whose next read that finds a value returns only once released. */
function pausable(store: KeyValueStore) {
  let gate: { reached: Deferred<void>; released: Promise<void> } | undefined;
  const paused: KeyValueStore = {
    ...store,
    async get(key) {
      const value = await store.get(key);
      const held = value === undefined ? undefined : gate;
      if (held) {
        gate = undefined;
        held.reached.resolve();
        await held.released;
      }
      return value;
    },
  };
  return {
    store: paused,
    pauseNextRead() {
      const reached = deferred<void>();
      const released = deferred<void>();
      gate = { reached, released: released.promise };
      return { reached: reached.promise, release: () => released.resolve() };
    },
  };
}

const clock = { at: 1_000_000, now: () => clock.at };

function config(overrides: Partial<SessionConfig> = {}): SessionConfig {
  return { ...sessionConfig({}, undefined, true), secrets: [SECRET], idleTimeoutMs: 3_600_000, maxAgeMs: 3_600_000, ...overrides };
}

const sessionsOn = (store: KeyValueStore, client: SignInClient, overrides: Partial<SessionConfig> = {}): Sessions =>
  createSessions({ config: config(overrides), client, sessions: store, refreshWaitMs: 500, now: clock.now });

/** Each store answers these calls alike. */
function contract(makeStore: () => Promise<KeyValueStore>): void {
  it('creates a key once, updates and moves only what exists, deletes several keys at once', async () => {
    const store = await makeStore();
    expect(await store.update('a', 'A0', 60_000)).toBe(false);
    expect(await store.get('a')).toBeUndefined(); // an update never creates
    expect(await store.create('a', 'A1', 60_000)).toBe(true);
    expect(await store.create('a', 'A2', 60_000)).toBe(false);
    expect(await store.get('a')).toBe('A1');
    expect(await store.update('a', 'A3', 60_000)).toBe(true);
    expect(await store.get('a')).toBe('A3');
    expect(await store.move('a', 'b', 'B1', 60_000)).toBe(true);
    expect([await store.get('a'), await store.get('b')]).toEqual([undefined, 'B1']);
    expect(await store.move('a', 'b', 'B2', 60_000)).toBe(false); // moved already: nothing done
    expect(await store.get('b')).toBe('B1');
    expect(await store.create('c', 'C1', 60_000)).toBe(true);
    await store.delete('b', 'c', 'never-there');
    expect([await store.get('b'), await store.get('c')]).toEqual([undefined, undefined]);
    expect([await store.update('b', 'B3', 60_000), await store.move('c', 'd', 'D1', 60_000)]).toEqual([false, false]);
    expect(await store.get('d')).toBeUndefined();
  });

  it('forgets a key after its lifetime: then it can be created again, not updated or moved', async () => {
    const store = await makeStore();
    expect(await store.create('short', 'S1', 30)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('short')).toBeUndefined();
    expect([await store.update('short', 'S2', 60_000), await store.move('short', 'other', 'O1', 60_000)]).toEqual([false, false]);
    expect(await store.create('short', 'S3', 60_000)).toBe(true);
  });

  it('locks a key for one holder at a time, until released', async () => {
    const store = await makeStore();
    const release = await store.lock('lock:x', 10_000);
    expect(release).toBeDefined();
    expect(await store.lock('lock:x', 10_000)).toBeUndefined();
    await release!();
    expect(await store.lock('lock:x', 10_000)).toBeDefined();
  });
}

function races(makeStore: () => Promise<KeyValueStore>): void {
  it.each([
    ['answers new tokens', (held: ReturnType<typeof heldClient>) => held.answer.resolve(tokens(2))],
    [
      'fails (ISC 503)',
      (held: ReturnType<typeof heldClient>) => held.answer.reject(gatewayError('UPSTREAM_ERROR', 'ISC token endpoint answered 503')),
    ],
  ])('a sign-out on another replica while a refresh runs is final when the refresh %s: UNAUTHENTICATED, nothing written back', async (_, settle) => {
    const store = await makeStore();
    const held = heldClient();
    const a = sessionsOn(store, held.client);
    const b = sessionsOn(store, held.client);
    const { id } = await a.create(tokens(1));
    const credential = a.credential(id, (await a.load(id))!);
    clock.at += 550_000; // within a minute of expiry: due
    const refreshed = credential.accessToken();
    await held.asked.promise;
    await b.end(id);
    settle(held);
    await expect(refreshed).rejects.toEqual(code('UNAUTHENTICATED'));
    expect([await a.load(id), await b.load(id)]).toEqual([undefined, undefined]);
  });

  it('a sign-out on another replica while a "seen again" write is due is final', async () => {
    const paused = pausable(await makeStore());
    const { client } = heldClient();
    const a = sessionsOn(paused.store, client);
    const b = sessionsOn(paused.store, client);
    const { id } = await a.create(tokens(1));
    clock.at += 120_000; // seen again after two minutes: written back
    const read = paused.pauseNextRead();
    const loading = a.load(id);
    await read.reached;
    await b.end(id);
    read.release();
    expect(await loading).toBeUndefined();
    expect([await a.load(id), await b.load(id)]).toEqual([undefined, undefined]);
  });

  it('a sign-out while a session sealed under the previous secret moves to the new one is final', async () => {
    const paused = pausable(await makeStore());
    const { client } = heldClient();
    const before = sessionsOn(paused.store, client, { secrets: [OLD_SECRET] });
    const { id } = await before.create(tokens(1));
    const rotated = sessionsOn(paused.store, client, { secrets: [SECRET, OLD_SECRET] });
    const other = sessionsOn(paused.store, client, { secrets: [SECRET, OLD_SECRET] });
    const read = paused.pauseNextRead();
    const loading = rotated.load(id);
    await read.reached;
    await other.end(id);
    read.release();
    expect(await loading).toBeUndefined();
    expect([await rotated.load(id), await before.load(id)]).toEqual([undefined, undefined]);
  });

  it('a background refresh reads each token from the store: a session ended after it was asked for sends nothing', async () => {
    const store = await makeStore();
    const { client } = heldClient();
    const a = sessionsOn(store, client);
    const { id } = await a.create(tokens(1));
    const request = a.credential(id, (await a.load(id))!);
    const background = await request.forBackground();
    expect(await background!.accessToken()).toBe(tokens(1).accessToken);
    await sessionsOn(store, client).end(id); // signed out on another replica
    await expect(background!.accessToken()).rejects.toEqual(code('UNAUTHENTICATED'));
    expect(await request.forBackground()).toBeUndefined();
    // The request's own copy still answers: a request already running is not recalled.
    expect(await request.accessToken()).toBe(tokens(1).accessToken);
  });

  it('two replicas moving the same session to the new secret at once both keep it, and it is stored once', async () => {
    const store = await makeStore();
    const { client } = heldClient();
    const { id } = await sessionsOn(store, client, { secrets: [OLD_SECRET] }).create(tokens(1));
    const replicas = [0, 1].map(() => sessionsOn(store, client, { secrets: [SECRET, OLD_SECRET] }));
    const loaded = await Promise.all(replicas.map((replica) => replica.load(id)));
    expect(loaded.map((record) => record?.user.name)).toEqual(['ada.admin', 'ada.admin']);
    expect((await sessionsOn(store, client, { secrets: [SECRET] }).load(id))?.user.name).toBe('ada.admin');
    expect(await sessionsOn(store, client, { secrets: [OLD_SECRET] }).load(id)).toBeUndefined();
  });
}

describe('in memory', () => {
  contract(async () => memoryStore(100));
  races(async () => memoryStore(100));
});

describeWith(REDIS_SERVER, 'in Redis', () => {
  let redis: TestRedis;
  const connections: SharedStore[] = [];
  let prefixes = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await redis?.stop();
  });
  const store = async () => {
    const shared = connectSharedStore({ url: redis.url, prefix: `store${++prefixes}:`, logger: recordingLogger().logger });
    connections.push(shared);
    await shared.ready(5_000);
    return redisStore(shared);
  };
  contract(store);
  races(store);
});
