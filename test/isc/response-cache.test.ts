import { describe, expect, it } from '@jest/globals';
import { CACHEABLE_COLLECTIONS } from '../../src/domains.js';
import { createResponseCache, type CachedResponse, type ResponseCache } from '../../src/isc/response-cache.js';

const entry = (body: unknown, bytes = 10) => ({ status: 200, headers: {}, body, bytes });
const options = { ttlMs: 60_000, maxEntries: 100, maxBytes: 10_000, domains: CACHEABLE_COLLECTIONS };

/** As the ISC client does: a lookup that misses, then the answer fetched, stored with the miss's stamp. */
async function fill(cache: ResponseCache, key: string, response: CachedResponse): Promise<void> {
  const lookup = await cache.get(key);
  await cache.set(key, response, lookup.stamp ?? 'hit');
}
/** The entry's body, or undefined on a miss. */
const hitBody = async (cache: ResponseCache, key: string) => (await cache.get(key)).hit?.body;

describe('response cache', () => {
  it('caches only reference-data domains', async () => {
    const cache = createResponseCache(options);
    expect(cache.keyOf('client:a', 'connectors?limit=5', 'application/json')).toEqual(expect.any(String));
    expect(cache.keyOf('client:a', 'connector-customizers/x', 'application/json')).toEqual(expect.any(String));
    expect(cache.keyOf('client:a', 'oauth-clients', 'application/json')).toBeUndefined();
    expect(cache.keyOf('client:a', 'source-apps/all', 'application/json')).toBeUndefined();
  });

  it('keys by credential: one caller never gets an entry of another, and the key holds no credential', async () => {
    const cache = createResponseCache(options);
    const a = cache.keyOf('token:secret-token-a', 'connectors', 'application/json')!;
    const b = cache.keyOf('token:secret-token-b', 'connectors', 'application/json')!;
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret-token-a');
    await fill(cache, a, entry(['for a']));
    expect(await hitBody(cache, b)).toBeUndefined();
    expect(await hitBody(cache, a)).toEqual(['for a']);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 1 }); // misses: the fill's lookup and b's
  });

  it('a write drops, for every caller, the resource, its files and its collection lists — nothing else', async () => {
    const cache = createResponseCache(options);
    const keys = {
      list: cache.keyOf('c1', 'connectors?limit=5', 'application/json')!,
      detail: cache.keyOf('c2', 'connectors/ad', 'application/json')!,
      file: cache.keyOf('c2', 'connectors/ad/source-config', 'application/xml')!,
      otherDetail: cache.keyOf('c1', 'connectors/workday', 'application/json')!,
      otherFile: cache.keyOf('c1', 'connectors/ad2/source-config', 'application/xml')!,
      customizers: cache.keyOf('c1', 'connector-customizers', 'application/json')!,
    };
    for (const key of Object.values(keys)) await fill(cache, key, entry('x'));
    await cache.invalidate('connectors/ad');
    const left: string[] = [];
    for (const [name, key] of Object.entries(keys)) if ((await hitBody(cache, key)) !== undefined) left.push(name);
    expect(left).toEqual(['otherDetail', 'otherFile', 'customizers']);

    // A write to a file of a resource, or a create on the collection, the same way.
    for (const key of Object.values(keys)) await fill(cache, key, entry('x'));
    await cache.invalidate('connector-customizers/c9/versions');
    expect(await hitBody(cache, keys.customizers)).toBeUndefined();
    expect(await hitBody(cache, keys.list)).toBeDefined();
    await cache.invalidate('connectors');
    expect(await hitBody(cache, keys.list)).toBeUndefined();
    expect(await hitBody(cache, keys.detail)).toBeDefined();
  });

  it('is bounded by entries and by bytes', async () => {
    const byCount = createResponseCache({ ...options, maxEntries: 2 });
    const keys = ['a', 'b', 'c'].map((q) => byCount.keyOf('c', `connectors?${q}`, 'json')!);
    for (const key of keys) await fill(byCount, key, entry(key));
    expect(byCount.stats().entries).toBe(2);
    expect(await hitBody(byCount, keys[0])).toBeUndefined();

    const bySize = createResponseCache({ ...options, maxBytes: 100 });
    const big = bySize.keyOf('c', 'connectors?big', 'json')!;
    await fill(bySize, big, entry('x', 101));
    expect(await hitBody(bySize, big)).toBeUndefined();
    for (const q of ['1', '2', '3']) await fill(bySize, bySize.keyOf('c', `connectors?${q}`, 'json')!, entry(q, 40));
    expect(bySize.stats().bytes).toBeLessThanOrEqual(100);
  });

  it('never stores an answer fetched before a write (it may predate the write)', async () => {
    const cache = createResponseCache(options);
    const key = cache.keyOf('c', 'connectors/ad', 'application/json')!;
    const early = await cache.get(key); // a read misses and goes to ISC…
    await cache.invalidate('connectors/ad'); // …while a write to the connector runs…
    const late = await cache.get(key); // …and another read misses after it
    await cache.set(key, entry('read after the write'), late.stamp!);
    await cache.set(key, entry('read before the write'), early.stamp!); // the older answer arrives last
    expect(await hitBody(cache, key)).toBe('read after the write');
  });

  it('expires entries after the TTL', async () => {
    const cache = createResponseCache({ ...options, ttlMs: 20 });
    const key = cache.keyOf('c', 'connectors', 'json')!;
    await fill(cache, key, entry('x'));
    expect(await hitBody(cache, key)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await hitBody(cache, key)).toBeUndefined();
  });
});
