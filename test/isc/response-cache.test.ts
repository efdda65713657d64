import { describe, expect, it } from '@jest/globals';
import { ROUTE_TEMPLATES } from '../../src/domains.js';
import { localWriteClock, readScopes, routeWords, writeScopes } from '../../src/isc/write-clock.js';
import { createResponseCache, entryLifetimeMs, responseCacheKey, type CachedResponse } from '../../src/isc/response-cache.js';

const words = routeWords(ROUTE_TEMPLATES);
const entry = (body: unknown, bytes = 10): CachedResponse => ({ status: 200, headers: {}, body, bytes, storedAt: Date.now() });

describe('which writes make which reads stale', () => {
  it('lists depend on their collection; a resource (and what hangs below it) on itself and on collection-wide writes', () => {
    expect(readScopes('connectors?limit=5', words)).toEqual(['list:connectors']);
    expect(readScopes('source-apps/all?filters=x', words)).toEqual(['list:source-apps']);
    expect(readScopes('source-apps/assigned', words)).toEqual(['list:source-apps']);
    expect(readScopes('connectors/ad/source-config', words)).toEqual(['all:connectors', 'res:connectors/ad']);
    expect(readScopes('source-apps/a1/access-profiles?limit=5', words)).toEqual(['all:source-apps', 'res:source-apps/a1']);
    expect(writeScopes('connectors', words)).toEqual(['list:connectors']);
    expect(writeScopes('connectors/ad/source-config', words)).toEqual(['list:connectors', 'res:connectors/ad']);
    expect(writeScopes('source-apps/bulk-update', words)).toEqual(['list:source-apps', 'all:source-apps']);
  });

  it("a write changes the stamps of exactly the reads it may change, in this process's clock", async () => {
    const clock = localWriteClock(words);
    const urls = [
      'connectors?limit=5',
      'connectors/ad',
      'connectors/ad/source-config',
      'connectors/workday',
      'connector-customizers',
      'source-apps/a1',
      'source-apps/all?x',
      'source-apps/a2',
    ];
    const stamps = async () => Object.fromEntries(await Promise.all(urls.map(async (url) => [url, await clock.stamp(url)])));
    const changedBy = async (path: string) => {
      const before = await stamps();
      await clock.advance(path);
      const after = await stamps();
      return urls.filter((url) => before[url] !== after[url]);
    };
    expect(await changedBy('connectors/ad')).toEqual(['connectors?limit=5', 'connectors/ad', 'connectors/ad/source-config']);
    expect(await changedBy('connectors')).toEqual(['connectors?limit=5']);
    expect(await changedBy('source-apps/a1/access-profiles/bulk-remove')).toEqual(['source-apps/a1', 'source-apps/all?x']);
    expect(await changedBy('source-apps/bulk-update')).toEqual(['source-apps/a1', 'source-apps/all?x', 'source-apps/a2']);
    expect(await clock.stamps(['connectors', 'connectors/ad'])).toEqual([await clock.stamp('connectors'), await clock.stamp('connectors/ad')]);
  });

  it('never gives a stamp twice, even past its bound (an epoch moves on)', async () => {
    const clock = localWriteClock(words, 3);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const stamp = await clock.stamp('connectors/ad');
      expect(seen.has(stamp)).toBe(false);
      seen.add(stamp);
      await clock.advance(`connectors/${i % 2 === 0 ? 'ad' : `other-${i}`}`);
      if (i % 2 === 1) await clock.advance('connectors/ad');
    }
  });
});

describe('response cache', () => {
  const options = { domains: { connectors: 60_000, 'source-apps': 5_000 }, staleMs: 1_000, maxEntries: 100, maxBytes: 10_000 };

  it("caches the operator's domains, each with its TTL, the stale grace and the stale-if-limited bound; keeps entries as long as either bound serves them", () => {
    const cache = createResponseCache(options);
    expect(cache.policyOf('connectors/ad')).toEqual({ ttlMs: 60_000, staleMs: 1_000, staleIfLimitedMs: 0 });
    expect(cache.policyOf('source-apps/all?x')).toEqual({ ttlMs: 5_000, staleMs: 1_000, staleIfLimitedMs: 0 });
    expect(cache.policyOf('oauth-clients')).toBeUndefined();
    const whileLimited = createResponseCache({ ...options, staleIfLimitedMs: 300_000 }).policyOf('source-apps/x')!;
    expect(whileLimited).toEqual({ ttlMs: 5_000, staleMs: 1_000, staleIfLimitedMs: 300_000 });
    expect(entryLifetimeMs(whileLimited)).toBe(305_000);
    expect(entryLifetimeMs({ ...whileLimited, staleMs: 400_000 })).toBe(405_000);
  });

  it('keys by caller and stamp, never holding the credential itself', () => {
    const a = responseCacheKey('0:1', 'token:secret-token-a', 'connectors', 'application/json');
    expect(a).not.toContain('secret-token-a');
    expect(
      new Set([
        a,
        responseCacheKey('0:1', 'token:secret-token-b', 'connectors', 'application/json'),
        responseCacheKey('0:2', 'token:secret-token-a', 'connectors', 'application/json'),
      ]).size,
    ).toBe(3);
  });

  it('is bounded by entries and by bytes, and each entry lives the lifetime it was stored with', async () => {
    const byCount = createResponseCache({ ...options, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await byCount.set(key, entry(key), 60_000);
    expect(byCount.stats().entries).toBe(2);
    expect(await byCount.get('a')).toBeUndefined();
    const bySize = createResponseCache({ ...options, maxBytes: 100 });
    await bySize.set('big', entry('x', 101), 60_000);
    expect(await bySize.get('big')).toBeUndefined();
    for (const q of ['1', '2', '3']) await bySize.set(q, entry(q, 40), 60_000);
    expect(bySize.stats().bytes).toBeLessThanOrEqual(100);
    // A second: read back at once it is there (a loaded machine can take tens of ms between two
    // lines, never a second), and gone once the lifetime has passed (waiting longer only helps).
    const short = createResponseCache(options);
    await short.set('k', entry('x'), 1_000);
    expect(await short.get('k')).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await short.get('k')).toBeUndefined();
  });
});
