import { describe, expect, it } from '@jest/globals';
import { unboundedScope } from '../../src/isc/client.js';
import { heldById } from '../../src/shared/held-by-id.js';
import { createResponseCache } from '../../src/isc/response-cache.js';
import { cachedResponses } from '../../src/isc/stages/cached-responses.js';
import type { IscAnswer, IscCall, Next, OperationScope, UpstreamRequest } from '../../src/isc/types.js';
import { localWriteClock, routeWords, type WriteClock } from '../../src/isc/write-clock.js';
import { answer, call, scripted } from '../support/stage-calls.js';

/** The response cache keeps each item of a list that holds whole resources under its by-id read's entry. */
const words = routeWords(['source-apps', 'source-apps/all', 'source-apps/bulk-update', 'source-apps/{id}', 'connectors', 'connectors/{scriptName}']);
const HOLDS = heldById((id) => `source-apps/${id}`);
const LIST: Partial<UpstreamRequest> = { path: 'source-apps/all', searchParams: { limit: 3 }, holds: HOLDS };
const apps = (...ids: string[]) =>
  answer(
    200,
    ids.map((id) => ({ id, name: `app ${id}` })),
    { 'content-type': 'application/json', 'x-total-count': '9' },
  );

const tick = () => new Promise((resolve) => setImmediate(resolve));

function setUp(clock: WriteClock & { stampNow(url: string): string } = localWriteClock(words)) {
  const cache = createResponseCache({ domains: { 'source-apps': 60_000, connectors: 60_000 }, staleMs: 0, maxEntries: 100, maxBytes: 100_000 });
  const stage = cachedResponses(cache, { clock, refresh: scripted(answer(200)) })!;
  const stamped = (request: Partial<UpstreamRequest>, overrides: Partial<IscCall> = {}) => {
    const c = call(request, overrides);
    c.stamp ??= clock.stampNow(c.url);
    return c;
  };
  /** The by-id read of `id`, as `next` would answer it when the cache misses. */
  const byId = async (id: string, overrides: Partial<IscCall> = {}) => {
    const next = scripted(answer(200, { id, name: 'from ISC' }));
    const scope: OperationScope = { ...unboundedScope() };
    const got = await stage(stamped({ path: `source-apps/${id}` }, { scope, ...overrides }), next);
    return { got, calls: next.seen.length, hits: scope.cacheHits ?? [] };
  };
  return { stage, stamped, byId, clock, cache };
}

describe('by-id reads from the list answers the cache holds', () => {
  it("a fresh list answer answers each item's by-id read for the same caller: no call, the item as body, only its media type kept", async () => {
    const { stage, stamped, byId } = setUp();
    await stage(stamped(LIST), scripted(apps('a', 'b', 'c')));
    await tick();
    for (const id of ['a', 'b', 'c']) {
      const { got, calls, hits } = await byId(id);
      expect(calls).toBe(0);
      expect(got).toMatchObject({ status: 200, cached: true, body: { id, name: `app ${id}` }, headers: { 'content-type': 'application/json' } });
      expect(got.headers).not.toHaveProperty('x-total-count');
      expect(hits).toEqual([{ method: 'GET', route: `source-apps/${id}`, ageMs: expect.any(Number), stale: false }]);
    }
    // Another caller, an id the list did not hold: ISC is asked.
    expect((await byId('a', { callerKey: 'session:other' })).calls).toBe(1);
    expect((await byId('d')).calls).toBe(1);
  });

  it('each item is kept under its own stamp: a write to one app before the list leaves the others, and a later write drops only its app', async () => {
    const { stage, stamped, byId, clock } = setUp();
    await clock.advance('source-apps/b');
    await stage(stamped(LIST), scripted(apps('a', 'b')));
    await tick();
    expect((await byId('a')).calls).toBe(0);
    expect((await byId('b')).calls).toBe(0);
    await clock.advance('source-apps/b');
    expect((await byId('b')).calls).toBe(1);
  });

  it('a write to the collection while the list call is out keeps none of its items (the list stamp moved), a write elsewhere does not matter', async () => {
    for (const [write, kept] of [
      ['source-apps/b', false],
      ['source-apps/bulk-update', false],
      ['connectors/ad', true],
    ] as const) {
      const { stage, stamped, byId, clock } = setUp();
      const next: Next = async () => {
        await clock.advance(write); // answered while the list call is out
        return apps('a', 'b');
      };
      await stage(stamped(LIST), next);
      await tick();
      expect({ write, calls: [(await byId('a')).calls, (await byId('b')).calls] }).toEqual({ write, calls: kept ? [0, 0] : [1, 1] });
    }
  });

  it('keeps nothing from a refused answer, a body that is not a list, items without an id, or a list that does not declare what it holds', async () => {
    const { stage, stamped, byId } = setUp();
    await stage(stamped(LIST), scripted(answer(403, [{ id: 'a' }])));
    await stage(stamped({ ...LIST, searchParams: { limit: 1 } }), scripted(answer(200, { id: 'b' })));
    await stage(stamped({ ...LIST, searchParams: { limit: 2 } }), scripted(answer(200, [{ name: 'no id' }, { id: 7 }])));
    await stage(stamped({ ...LIST, holds: undefined, searchParams: { limit: 4 } }), scripted(apps('c')));
    await tick();
    for (const id of ['a', 'b', 'c', '7']) expect({ id, calls: (await byId(id)).calls }).toEqual({ id, calls: 1 });
  });

  it('the list answer never waits for its items to be kept', async () => {
    const clock = localWriteClock(words);
    // The items' stamps never come: the list is answered and kept all the same, its items are not.
    const stalled = {
      ...clock,
      stamps: (urls: readonly string[]) => (urls.length > 1 ? new Promise<string[]>(() => undefined) : clock.stamps(urls)),
    };
    const { stage, stamped, byId } = setUp(stalled);
    const got: IscAnswer = await stage(stamped(LIST), scripted(apps('a')));
    expect(got.body).toEqual([{ id: 'a', name: 'app a' }]);
    expect(await stage(stamped(LIST), scripted(apps('x')))).toMatchObject({ cached: true, body: [{ id: 'a', name: 'app a' }] });
    expect((await byId('a')).calls).toBe(1);
  });
});
