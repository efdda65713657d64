import { describe, expect, it } from '@jest/globals';
import { unboundedScope } from '../../src/isc/client.js';
import { localWriteClock, routeWords } from '../../src/isc/write-clock.js';
import { compose } from '../../src/isc/pipeline.js';
import { createResponseCache } from '../../src/isc/response-cache.js';
import { coalescing } from '../../src/isc/stages/coalesce.js';
import { writeStamps } from '../../src/isc/stages/write-stamps.js';
import { cachedResponses } from '../../src/isc/stages/cached-responses.js';
import type { IscAnswer, IscCall, Next, OperationScope, SessionCredential, UpstreamRequest } from '../../src/isc/types.js';
import { gatewayError } from '../../src/shared/errors.js';
import { code } from '../support/errors.js';
import { answer, call, scripted } from '../support/stage-calls.js';

/** The stages that share ISC answers across operations, each alone with a fake `next`: write stamps, the response cache, coalescing. */
const words = routeWords(['connectors', 'connectors/{scriptName}', 'source-apps', 'source-apps/all', 'source-apps/{id}']);

/** A `next` whose answers the test releases by hand, counting calls. */
function held() {
  const pending: { call: IscCall; resolve: (answer: IscAnswer) => void; reject: (error: Error) => void }[] = [];
  const next: Next = (c) => new Promise((resolve, reject) => pending.push({ call: c, resolve, reject }));
  return { next, pending };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('writeStamps', () => {
  it("stamps a GET with its reads' writes, and advances the clock after a write, failed ones included, before its caller has the answer", async () => {
    const clock = localWriteClock(words);
    const stage = writeStamps(clock);
    const read = call({ path: 'connectors/ad' });
    await stage(read, scripted(answer(200)));
    const before = read.stamp;
    expect(before).toBe(await clock.stamp('connectors/ad'));
    let stampWhenAnswered: string | undefined;
    await expect(stage(call({ method: 'PATCH', path: 'connectors/ad' }), () => Promise.reject(new Error('lost')))).rejects.toThrow('lost');
    await stage(call({ method: 'PATCH', path: 'connectors/ad' }), scripted(answer(200))).then(
      async () => (stampWhenAnswered = await clock.stamp('connectors/ad')),
    );
    expect(new Set([before, stampWhenAnswered]).size).toBe(2);
  });

  it('leaves the clock alone when ISC refused the only attempt (4xx) or the write was never sent; a 5xx or a retried write moves it', async () => {
    const clock = localWriteClock(words);
    const stage = writeStamps(clock);
    const stamp = () => clock.stamp('source-apps/x');
    const write = () => call({ method: 'PATCH', path: 'source-apps/x' });
    const failing = (error: Error) => () => Promise.reject(error);
    const start = await stamp();
    for (const refused of [
      gatewayError('UNAUTHENTICATED', 'ISC refused the token', { httpStatus: 401 }),
      gatewayError('FORBIDDEN', 'no right', { httpStatus: 403 }),
      gatewayError('RATE_LIMITED', 'ISC answered 429', { httpStatus: 429 }),
      gatewayError('RATE_LIMITED', 'the governor refused'),
      gatewayError('DEADLINE_EXCEEDED', 'no slot before the deadline'),
    ]) {
      await expect(stage(write(), failing(refused))).rejects.toBe(refused);
    }
    expect(await stamp()).toBe(start);
    await expect(stage(write(), failing(gatewayError('UPSTREAM_ERROR', 'ISC answered 503', { httpStatus: 503 })))).rejects.toThrow('503');
    const afterServerError = await stamp();
    expect(afterServerError).not.toBe(start);
    const retried = write();
    const refusedAfterRetry = gatewayError('BAD_USER_INPUT', 'ISC answered 400', { httpStatus: 400 });
    await expect(stage(retried, (c) => ((c.attempt = 2), Promise.reject(refusedAfterRetry)))).rejects.toBe(refusedAfterRetry);
    expect(await stamp()).not.toBe(afterServerError);
  });
});

describe('cachedResponses', () => {
  const cache = (staleMs = 0, staleIfLimitedMs = 0) =>
    createResponseCache({ domains: { connectors: 1_000, 'source-apps': 1_000 }, staleMs, staleIfLimitedMs, maxEntries: 100, maxBytes: 100_000 });
  const clock = localWriteClock(words);
  const stamped = (request: Partial<UpstreamRequest> = {}, overrides: Partial<IscCall> = {}) => {
    const c = call(request, overrides);
    c.stamp ??= clock.stampNow(c.url);
    return c;
  };
  /** A lookup of source apps by ids, which the cache keeps and serves per id. */
  const byIdsRequest = (ids: readonly string[]): UpstreamRequest => ({
    method: 'GET',
    path: 'source-apps/all',
    searchParams: { filters: `id in (${ids.join(',')})` },
    byIds: { ids, entryPath: (id) => `source-apps/${id}`, idOf: (item) => (item as { id: string }).id, request: byIdsRequest },
  });

  it("answers the operator's domains from the cache per caller and stamp, reports each hit's age, and never reads for background or fresh calls (but stores their answers)", async () => {
    const now = { at: 1_000_000 };
    const refresh = scripted(answer(200));
    const stage = cachedResponses(cache(), { clock, refresh, now: () => now.at })!;
    const next = scripted(answer(200, ['a']));
    await stage(stamped(), next);
    now.at += 400;
    const scope: OperationScope = { ...unboundedScope() };
    expect(await stage(stamped({}, { scope }), next)).toMatchObject({ cached: true, body: ['a'] });
    expect(scope.cacheHits).toEqual([{ method: 'GET', route: 'connectors', ageMs: 400, stale: false }]);
    await stage(stamped({}, { callerKey: 'session:a' }), next); // another caller
    await stage(stamped({}, { stamp: 'other-stamp' }), next); // after a write
    await stage(stamped({ path: 'oauth-clients' }), next); // not a cached domain
    await stage(stamped({}, { scope: { ...unboundedScope(), fresh: true } }), scripted(answer(200, ['fresh'])));
    expect(await stage(stamped(), next)).toMatchObject({ cached: true, body: ['fresh'] });
    await stage(stamped({}, { scope: { ...unboundedScope(), background: true } }), next);
    expect(next.seen).toHaveLength(5);
  });

  it('past its TTL, within the grace, serves the stale entry at once and refreshes it once in the background; for a pass-through bearer it is a miss', async () => {
    const now = { at: 1_000_000 };
    const refreshes: IscCall[] = [];
    let finishRefresh: () => void = () => undefined;
    const stage = cachedResponses(cache(5_000), {
      clock,
      now: () => now.at,
      refresh: (c) => {
        refreshes.push(c);
        return new Promise<void>((resolve) => (finishRefresh = resolve));
      },
    })!;
    await stage(stamped(), scripted(answer(200, ['old'])));
    now.at += 2_000; // 1 s past the TTL
    const scope: OperationScope = { ...unboundedScope() };
    const served = await Promise.all([stage(stamped({}, { scope }), scripted(answer(200, ['x']))), stage(stamped(), scripted(answer(200, ['x'])))]);
    expect(served.map((a) => a.body)).toEqual([['old'], ['old']]);
    expect(scope.cacheHits).toEqual([{ method: 'GET', route: 'connectors', ageMs: 2_000, stale: true, reason: 'revalidating' }]);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].scope).toMatchObject({ background: true, rateLimitWaitLeftMs: 0 });
    expect(refreshes[0].watches).toEqual([]);
    finishRefresh();
    await tick();
    const bearer = () => stamped({}, { callerKey: 'token:b', credential: { kind: 'bearer', token: 't' } });
    await stage(bearer(), scripted(answer(200, ['b'])));
    now.at += 2_000;
    const bearerScope: OperationScope = { ...unboundedScope() };
    const fetched = await stage(
      stamped({}, { callerKey: 'token:b', credential: { kind: 'bearer', token: 't' }, scope: bearerScope }),
      scripted(answer(200, ['b2'])),
    );
    expect(fetched.body).toEqual(['b2']); // a bearer's stale entry is a miss: never refreshed after its request
    expect(bearerScope.cacheHits).toBeUndefined();
    expect(refreshes).toHaveLength(1);
    await stage(stamped(), scripted(answer(200, ['x'])));
    expect(refreshes).toHaveLength(2); // the gateway's own entry, still stale: refreshed again
    now.at += 10_000; // past the grace: a miss
    const next = scripted(answer(200, ['new']));
    expect((await stage(stamped(), next)).body).toEqual(['new']);
  });

  it("refreshes a sign-in session's stale entry only while the session lives, with the session's background credential", async () => {
    const now = { at: 1_000_000 };
    const refreshes: IscCall[] = [];
    const stage = cachedResponses(cache(5_000), { clock, now: () => now.at, refresh: async (c) => void refreshes.push(c) })!;
    let alive = true;
    const common = { key: 's1', clientId: 'web', renew: async () => 't' };
    const background: SessionCredential = { ...common, accessToken: async () => 'read-from-the-store', forBackground: async () => background };
    const session = {
      kind: 'session' as const,
      session: { ...common, accessToken: async () => 't', forBackground: async () => (alive ? background : undefined) },
    };
    const asSession = () => stamped({}, { callerKey: 'session:s1', credential: session });
    await stage(asSession(), scripted(answer(200, ['cached'])));
    now.at += 2_000;
    alive = false;
    expect((await stage(asSession(), scripted(answer(200, ['x'])))).body).toEqual(['cached']);
    await tick();
    expect(refreshes).toHaveLength(0);
    alive = true;
    await stage(asSession(), scripted(answer(200, ['x'])));
    await tick();
    expect(refreshes.map((c) => c.credential)).toEqual([{ kind: 'session', session: background }]);
  });

  it('keeps and serves a lookup by ids per id: ISC is asked only for the ids it lacks', async () => {
    const stage = cachedResponses(cache(), { clock, refresh: scripted(answer(200)) })!;
    const apps = (ids: string[]) =>
      answer(
        200,
        ids.map((id) => ({ id, name: `app ${id}` })),
      );
    const first = scripted(apps(['a', 'b']));
    expect((await stage(stamped(byIdsRequest(['a', 'b'])), first)).body).toEqual([
      { id: 'a', name: 'app a' },
      { id: 'b', name: 'app b' },
    ]);
    const second = scripted(apps(['c']));
    const scope: OperationScope = { ...unboundedScope() };
    const mixed = await stage(stamped(byIdsRequest(['b', 'c']), { scope }), second);
    expect(second.seen.map((c) => c.url)).toEqual(['source-apps/all?filters=id+in+%28c%29']);
    expect(mixed.body).toEqual([
      { id: 'b', name: 'app b' },
      { id: 'c', name: 'app c' },
    ]);
    expect(scope.cacheHits).toHaveLength(1);
    const none = scripted(apps([]));
    expect(await stage(stamped(byIdsRequest(['a', 'c'])), none)).toMatchObject({
      cached: true,
      body: [
        { id: 'a', name: 'app a' },
        { id: 'c', name: 'app c' },
      ],
    });
    expect(none.seen).toEqual([]);
    await clock.advance('source-apps/b');
    const afterWrite = scripted(apps(['b']));
    await stage(stamped(byIdsRequest(['a', 'b'])), afterWrite);
    expect(afterWrite.seen.map((c) => c.url)).toEqual(['source-apps/all?filters=id+in+%28b%29']);
  });

  it('refreshes the stale ids of a lookup by ids in one background call', async () => {
    const now = { at: 1_000_000 };
    const refreshes: IscCall[] = [];
    const stage = cachedResponses(cache(5_000), { clock, now: () => now.at, refresh: async (c) => void refreshes.push(c) })!;
    await stage(
      stamped(byIdsRequest(['a', 'b', 'c'])),
      scripted(
        answer(
          200,
          ['a', 'b', 'c'].map((id) => ({ id })),
        ),
      ),
    );
    now.at += 2_000; // past the TTL, within the grace
    await stage(stamped(byIdsRequest(['d'])), scripted(answer(200, [{ id: 'd' }])));
    const scope: OperationScope = { ...unboundedScope() };
    const served = await stage(stamped(byIdsRequest(['a', 'b', 'c', 'd']), { scope }), scripted(answer(200, [])));
    expect(served.body).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }]);
    expect(scope.cacheHits!.map((h) => h.stale)).toEqual([true, true, true, false]);
    expect(refreshes.map((c) => c.url)).toEqual(['source-apps/all?filters=id+in+%28a%2Cb%2Cc%29']);
  });
});

describe('cachedResponses while the ISC client is limited (stale-if-limited)', () => {
  const clock = localWriteClock(words);
  const TTL = 1_000;
  const LIMITED_BOUND = 5_000;
  const cache = (staleMs = 0) =>
    createResponseCache({
      domains: { connectors: TTL, 'source-apps': TTL },
      staleMs,
      staleIfLimitedMs: LIMITED_BOUND,
      maxEntries: 100,
      maxBytes: 100_000,
    });
  const stamped = (request: Partial<UpstreamRequest> = {}, overrides: Partial<IscCall> = {}) => {
    const c = call(request, overrides);
    c.stamp ??= clock.stampNow(c.url);
    return c;
  };
  const byIdsRequest = (ids: readonly string[]): UpstreamRequest => ({
    method: 'GET',
    path: 'source-apps/all',
    searchParams: { filters: `id in (${ids.join(',')})` },
    byIds: { ids, entryPath: (id) => `source-apps/${id}`, idOf: (item) => (item as { id: string }).id, request: byIdsRequest },
  });
  const withScope = (overrides: Partial<IscCall> = {}, request: Partial<UpstreamRequest> = {}) => {
    const scope: OperationScope = { ...unboundedScope() };
    return { scope, call: stamped(request, { scope, ...overrides }) };
  };
  const refused = () => gatewayError('RATE_LIMITED', 'ISC answered 429', { httpStatus: 429, retryAfter: 60 });

  /** A stage whose client `client:test` is limited while `state.limited`, with a clock the test moves. */
  function setUp(staleMs = 0) {
    const state = { at: 1_000_000, limited: false, refreshes: 0 };
    const responseCache = cache(staleMs);
    const stage = cachedResponses(responseCache, {
      clock,
      now: () => state.at,
      refresh: async () => void state.refreshes++,
      limited: (key) => state.limited && key === 'client:test',
    })!;
    return { state, stage, responseCache };
  }

  it('while limited, answers an entry up to TTL + the bound old with no call, reason rate-limited, and no refresh; one millisecond older is a call', async () => {
    const { state, stage, responseCache } = setUp(2_000);
    await stage(stamped(), scripted(answer(200, ['old'])));
    state.limited = true;
    state.at += TTL + LIMITED_BOUND; // the last millisecond of the bound (and past the 2 s grace)
    const at = withScope();
    const next = scripted(answer(200, ['new']));
    expect(await stage(at.call, next)).toMatchObject({ cached: true, body: ['old'] });
    expect(at.scope.cacheHits).toEqual([{ method: 'GET', route: 'connectors', ageMs: TTL + LIMITED_BOUND, stale: true, reason: 'rate-limited' }]);
    expect(next.seen).toEqual([]);
    // Within the stale-while-revalidate grace too: limited, the reason is the limit and no refresh is started.
    state.at -= LIMITED_BOUND - 1_500;
    const inGrace = withScope();
    await stage(inGrace.call, next);
    expect(inGrace.scope.cacheHits![0].reason).toBe('rate-limited');
    expect(state.refreshes).toBe(0);
    // Another client limited, not this one: the grace's usual answer and refresh.
    state.limited = false;
    const revalidating = withScope();
    await stage(revalidating.call, next);
    expect(revalidating.scope.cacheHits![0].reason).toBe('revalidating');
    expect(state.refreshes).toBe(1);
    expect(responseCache.stats()).toMatchObject({ hits: 0, stale: 1, staleIfLimited: 2, misses: 1 });
    state.limited = true;
    state.at += LIMITED_BOUND - 1_500 + 1; // one millisecond past the bound: ISC is asked
    expect((await stage(stamped(), next)).body).toEqual(['new']);
    expect(next.seen).toHaveLength(1);
  });

  it('a call that comes back RATE_LIMITED (thrown, or a 429 answer) is answered from the entry it missed; another error, or no entry within the bound, is passed on', async () => {
    const { state, stage, responseCache } = setUp();
    await stage(stamped(), scripted(answer(200, ['old'])));
    state.at += TTL + 1;
    const thrown = withScope();
    const refusedNext = scripted(refused());
    expect(await stage(thrown.call, refusedNext)).toMatchObject({ cached: true, body: ['old'] });
    expect(refusedNext.seen).toHaveLength(1);
    expect(thrown.scope.cacheHits).toEqual([{ method: 'GET', route: 'connectors', ageMs: TTL + 1, stale: true, reason: 'rate-limited' }]);
    const as429 = withScope();
    expect(await stage(as429.call, scripted(answer(429, { message: 'Rate Limit Exceeded' })))).toMatchObject({ cached: true, body: ['old'] });
    expect(as429.scope.cacheHits![0].reason).toBe('rate-limited');
    const unavailable = gatewayError('UPSTREAM_ERROR', 'ISC answered 503', { httpStatus: 503 });
    await expect(stage(stamped(), scripted(unavailable))).rejects.toBe(unavailable);
    // Asked for fresh data: nothing is read from the cache, so nothing stale answers.
    const fresh = refused();
    await expect(stage(stamped({}, { scope: { ...unboundedScope(), fresh: true } }), scripted(fresh))).rejects.toBe(fresh);
    state.at += LIMITED_BOUND; // past TTL + bound
    const late = refused();
    await expect(stage(stamped(), scripted(late))).rejects.toBe(late);
    expect(responseCache.stats()).toMatchObject({ hits: 0, stale: 0, staleIfLimited: 2, misses: 3 });
  });

  it("serves a pass-through bearer's own entry while limited, never another caller's", async () => {
    const { state, stage } = setUp();
    const bearer = (token: string) => ({ callerKey: `token:${token}`, credential: { kind: 'bearer' as const, token } });
    await stage(stamped({}, bearer('a')), scripted(answer(200, ['of a'])));
    state.limited = true;
    state.at += TTL + 1;
    const own = withScope(bearer('a'));
    expect(await stage(own.call, scripted(answer(200, ['x'])))).toMatchObject({ cached: true, body: ['of a'] });
    expect(own.scope.cacheHits![0].reason).toBe('rate-limited');
    const other = scripted(refused());
    await expect(stage(stamped({}, bearer('b')), other)).rejects.toThrow('429');
    expect(other.seen).toHaveLength(1);
  });

  it('never answers an entry from before a write: after the clock moves on, a limited read goes to ISC', async () => {
    const { state, stage } = setUp();
    await stage(stamped({ path: 'connectors/ad' }), scripted(answer(200, { name: 'before' })));
    await clock.advance('connectors/ad');
    state.limited = true;
    state.at += TTL + 1;
    const next = scripted(refused());
    await expect(stage(stamped({ path: 'connectors/ad' }), next)).rejects.toThrow('429');
    expect(next.seen).toHaveLength(1);
  });

  it('a lookup by ids: limited, each id from its entry; refused, the missing ids from theirs only when every one has an entry within the bound', async () => {
    const { state, stage } = setUp();
    const apps = (ids: string[]) =>
      answer(
        200,
        ids.map((id) => ({ id })),
      );
    await stage(stamped(byIdsRequest(['a', 'b'])), scripted(apps(['a', 'b'])));
    state.at += TTL + 1;
    state.limited = true;
    const limited = withScope({}, byIdsRequest(['a', 'b']));
    const none = scripted(apps([]));
    expect((await stage(limited.call, none)).body).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(none.seen).toEqual([]);
    expect(limited.scope.cacheHits!.map((h) => h.reason)).toEqual(['rate-limited', 'rate-limited']);
    state.limited = false;
    const refusedLookup = withScope({}, byIdsRequest(['a', 'b']));
    const refusedNext = scripted(refused());
    expect((await stage(refusedLookup.call, refusedNext)).body).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(refusedNext.seen.map((c) => c.request.byIds?.ids)).toEqual([['a', 'b']]);
    expect(refusedLookup.scope.cacheHits!.map((h) => h.reason)).toEqual(['rate-limited', 'rate-limited']);
    // `c` has no entry: the lookup cannot be answered whole, so the refusal stands.
    const partial = refused();
    await expect(stage(stamped(byIdsRequest(['a', 'c'])), scripted(partial))).rejects.toBe(partial);
  });
});

describe('coalescing', () => {
  it('makes one call for identical GETs in flight; the first leads, the others are answered coalesced; then a new call', async () => {
    const { next, pending } = held();
    const stage = coalescing('https://acme.api.identitynow.com');
    const answers = Promise.all([stage(call(), next), stage(call(), next), stage(call(), next)]);
    await tick();
    expect(pending).toHaveLength(1);
    pending[0].resolve(answer(200, ['one']));
    expect((await answers).map((a) => [a.body, a.coalesced])).toEqual([
      [['one'], undefined],
      [['one'], true],
      [['one'], true],
    ]);
    void stage(call(), next);
    await tick();
    expect(pending).toHaveLength(2);
    pending[1].resolve(answer(200));
  });

  it('never merges different callers, URLs, media types or stamps, nor writes and background calls', async () => {
    const { next, pending } = held();
    const stage = coalescing('https://acme.api.identitynow.com');
    void stage(call(), next);
    void stage(call({}, { callerKey: 'token:other' }), next);
    void stage(call({ path: 'connectors/ad' }), next);
    void stage(call({ accept: 'application/xml' }), next);
    void stage(call({}, { stamp: 'after-a-write' }), next);
    void stage(call({ method: 'DELETE', path: 'connectors/ad' }), next);
    void stage(call({ method: 'DELETE', path: 'connectors/ad' }), next);
    void stage(call({}, { scope: { ...unboundedScope(), background: true } }), next);
    await tick();
    expect(pending).toHaveLength(8);
    for (const p of pending) p.resolve(answer(200));
  });

  it('shares a failure with every waiter', async () => {
    const { next, pending } = held();
    const stage = coalescing('https://acme.api.identitynow.com');
    const both = Promise.allSettled([stage(call(), next), stage(call(), next)]);
    await tick();
    pending[0].reject(new Error('ISC failed'));
    expect((await both).map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['ISC failed', 'ISC failed']);
  });

  it('lets each waiter leave at its own deadline, keeps the call alive for the others (longest deadline), and aborts it when the last has left', async () => {
    const { next, pending } = held();
    const stage = coalescing('https://acme.api.identitynow.com');
    const leader = new AbortController();
    const follower = new AbortController();
    const leaderAnswer = stage(
      call({}, { scope: { ...unboundedScope(), deadline: Date.now() + 100, signal: leader.signal, rateLimitWaitLeftMs: 0 } }),
      next,
    );
    const followerAnswer = stage(
      call({}, { scope: { ...unboundedScope(), deadline: Date.now() + 60_000, signal: follower.signal, rateLimitWaitLeftMs: 15_000 } }),
      next,
    );
    await tick();
    const shared = pending[0].call.scope;
    expect(shared.deadline).toBeGreaterThan(Date.now() + 50_000);
    expect(shared.rateLimitWaitLeftMs).toBe(15_000); // the largest wait budget of those waiting
    leader.abort();
    await expect(leaderAnswer).rejects.toEqual(code('DEADLINE_EXCEEDED'));
    expect(shared.signal.aborted).toBe(false);
    follower.abort();
    await expect(followerAnswer).rejects.toEqual(code('DEADLINE_EXCEEDED'));
    expect(shared.signal.aborted).toBe(true);
    // The aborted call is not joined: an identical read arriving before it settles makes its own.
    const fresh = stage(call(), next);
    await tick();
    expect(pending).toHaveLength(2);
    pending[0].reject(new Error('aborted'));
    pending[1].resolve(answer(200, ['fresh']));
    expect((await fresh).body).toEqual(['fresh']);
  });

  it('in the pipeline: a read that starts after a write’s answer never joins a read that started before it', async () => {
    const clock = localWriteClock(words);
    const { next, pending } = held();
    const send = compose([writeStamps(clock), coalescing('https://acme.api.identitynow.com')], next);
    const early = send(call({ path: 'connectors/ad' }));
    await tick();
    const write = send(call({ method: 'PATCH', path: 'connectors/ad' }));
    await tick();
    pending[1].resolve(answer(200, { name: 'new' }));
    await write;
    const late = send(call({ path: 'connectors/ad' }));
    await tick();
    expect(pending.map((p) => `${p.call.request.method} ${p.call.url}`)).toEqual(['GET connectors/ad', 'PATCH connectors/ad', 'GET connectors/ad']);
    pending[0].resolve(answer(200, { name: 'old' }));
    pending[2].resolve(answer(200, { name: 'new' }));
    expect([(await early).body, (await late).body]).toEqual([{ name: 'old' }, { name: 'new' }]);
  });
});
