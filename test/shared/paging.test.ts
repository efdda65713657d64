import { describe, expect, it } from '@jest/globals';
import { checkPaging, readPage, type ChunkRequest } from '../../src/shared/paging.js';
import { badInput } from '../support/errors.js';

/** A collection of `total` numbered items behind ISC's paging rules (limit ≤ 250). */
function collection(total: number) {
  const calls: ChunkRequest[] = [];
  const fetchChunk = async (request: ChunkRequest) => {
    calls.push(request);
    if (request.limit > 250) throw new Error('ISC would answer 400: limit above 250');
    const items = Array.from({ length: Math.max(0, Math.min(request.limit, total - request.offset)) }, (_, i) => request.offset + i);
    return { items, total: request.count ? total : undefined };
  };
  return { calls, fetchChunk };
}

const expected = (total: number, limit: number, offset: number) => {
  const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i);
  return { items, hasMore: offset + items.length < total };
};

describe('readPage', () => {
  const totals = [0, 249, 250, 251, 500];
  const limits = [1, 100, 249, 250, 251, 500, 1000];
  for (const total of totals) {
    for (const limit of limits) {
      for (const withTotal of [false, true]) {
        it(`total ${total}, limit ${limit}, ${withTotal ? 'counted' : 'not counted'}`, async () => {
          const { calls, fetchChunk } = collection(total);
          const page = await readPage({ limit, offset: 0, withTotal }, fetchChunk);
          const want = expected(total, limit, 0);
          expect(page.items).toEqual(want.items);
          expect(page.hasMore).toBe(want.hasMore);
          expect(page.totalCount).toBe(withTotal ? total : null);
          expect(calls.filter((c) => c.count)).toHaveLength(withTotal ? 1 : 0);
          expect(calls.every((c) => c.limit <= 250)).toBe(true);
        });
      }
    }
  }

  it('pages from an offset', async () => {
    const { fetchChunk } = collection(500);
    const page = await readPage({ limit: 300, offset: 150, withTotal: false }, fetchChunk);
    expect(page.items).toEqual(expected(500, 300, 150).items);
    expect(page.hasMore).toBe(true);
    const last = await readPage({ limit: 300, offset: 250, withTotal: false }, fetchChunk);
    expect(last.items).toHaveLength(250);
    expect(last.hasMore).toBe(false);
  });

  it('reads the pages after the first in parallel', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { fetchChunk } = collection(1000);
    const page = await readPage({ limit: 1000, offset: 0, withTotal: true }, async (r) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return fetchChunk(r);
    });
    expect(page.items).toHaveLength(1000);
    expect(maxInFlight).toBe(3);
  });

  it('asks only for the pages the count says exist', async () => {
    const { calls, fetchChunk } = collection(251);
    await readPage({ limit: 1000, offset: 0, withTotal: true }, fetchChunk);
    expect(calls).toEqual([
      { limit: 250, offset: 0, count: true },
      { limit: 1, offset: 250, count: false },
    ]);
  });

  it('makes one call when the first page is short', async () => {
    const { calls, fetchChunk } = collection(10);
    await readPage({ limit: 1000, offset: 0, withTotal: false }, fetchChunk);
    expect(calls).toHaveLength(1);
  });

  it('limit 0 still answers hasMore exactly', async () => {
    expect(await readPage({ limit: 0, offset: 0, withTotal: false }, collection(3).fetchChunk)).toEqual({
      items: [],
      totalCount: null,
      hasMore: true,
    });
    expect(await readPage({ limit: 0, offset: 0, withTotal: true }, collection(0).fetchChunk)).toEqual({ items: [], totalCount: 0, hasMore: false });
  });
});

describe('checkPaging', () => {
  it('defaults to one ISC page from offset 0', () => {
    expect(checkPaging({}, 1000)).toEqual({ limit: 250, offset: 0 });
  });
  it.each([[{ limit: -1 }], [{ limit: 1001 }], [{ offset: -5 }], [{ limit: 1.5 }]])('rejects %j with BAD_USER_INPUT', (args) => {
    expect(() => checkPaging(args, 1000)).toThrow(badInput);
  });
});
