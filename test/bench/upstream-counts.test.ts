/**
 * The upstream-call counts of the bench scenarios (issue 7), asserted against the demo tenant with
 * the very documents `npm run bench` sends: counts, not timings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FRONTEND2, frontend2Mix, MINIMUM_CALLS, sample, scenarioOperations, type MockData, type Operation } from '../../bench/scenarios.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let data: MockData;

const run = (op: Operation) => gw.gql(op.query, op.variables);
const routes = () => gw.calls().map((c) => `${c.method} ${c.path.replace(/^\/(connectors|source-apps)\/v1\/(?!all$)[^/]+/, '/$1/v1/{id}')}`);

beforeAll(async () => {
  gw = await startTestGateway();
  const apps = await gw.gql('{ allSourceApps(limit: 20) { items { id } } }');
  expect(apps.errors).toBeUndefined();
  data = { sourceAppIds: apps.data!.allSourceApps.items.map((a: { id: string }) => a.id), scriptNames: [], customizerIds: [] };
  expect(data.sourceAppIds).toHaveLength(20);
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

describe('bench scenarios: ISC calls per operation', () => {
  it('S1: a list of 50 connectors is one call', async () => {
    const r = await run(scenarioOperations(data).s1);
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items.length).toBeGreaterThan(0);
    expect(routes()).toEqual(['GET /connectors/v1']);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s1);
  });

  it('S2: 20 connectors with a detail field each are 1 + 20 calls', async () => {
    const r = await run(scenarioOperations(data).s2);
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items).toHaveLength(20);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s2);
    expect(routes()).toEqual(['GET /connectors/v1', ...Array(20).fill('GET /connectors/v1/{id}')]);
    // Each connector's detail is read exactly once.
    expect(
      new Set(
        gw
          .calls()
          .slice(1)
          .map((c) => c.path),
      ).size,
    ).toBe(20);
  });

  it('S3: one source app under two aliases is one call', async () => {
    const r = await run(scenarioOperations(data).s3);
    expect(r.errors).toBeUndefined();
    expect(r.data!.a.id).toBe(data.sourceAppIds[0]);
    expect(r.data!.b.id).toBe(data.sourceAppIds[0]);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s3);
  });

  it('S4: 20 source apps by id are one batched call', async () => {
    const r = await run(scenarioOperations(data).s4);
    expect(r.errors).toBeUndefined();
    expect(Object.values(r.data!).map((a: any) => a.id)).toEqual(data.sourceAppIds);
    expect(routes()).toEqual(['GET /source-apps/v1/all']);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s4);
    for (const id of data.sourceAppIds) expect(gw.calls()[0].query.filters).toContain(`"${id}"`);
  });

  it('S5: updateSourceApp is one call', async () => {
    const r = await run(scenarioOperations(data).s5);
    expect(r.errors).toBeUndefined();
    expect(routes()).toEqual(['PATCH /source-apps/v1/{id}']);
  });
});

describe('bench scenario S6: cold start', () => {
  it('50 concurrent operations on an empty token cache make one token request', async () => {
    // Coalescing off: every operation makes its own call, so the token is the only thing shared.
    const cold = await startTestGateway({ SAIL_COALESCE: 'off' });
    try {
      const ops = scenarioOperations(data);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => cold.gql(i % 2 ? ops.s1.query : ops.s3.query, i % 2 ? ops.s1.variables : ops.s3.variables)),
      );
      for (const a of answers) expect(a.errors).toBeUndefined();
      expect(cold.tenant.tokenRequests).toHaveLength(1);
      expect(cold.calls()).toHaveLength(50);
    } finally {
      await cold.close();
    }
  });
});

describe('bench S7 frontend-2 and S8 (c): ISC calls per operation of the mix', () => {
  // The mix draws from the first 120 apps and 40 connectors; the demo tenant's own are enough to count calls.
  let full: MockData;
  beforeAll(async () => {
    const r = await gw.gql('{ allSourceApps(limit: 250) { items { id } } connectors(limit: 50) { items { scriptName } } }');
    expect(r.errors).toBeUndefined();
    full = {
      sourceAppIds: r.data!.allSourceApps.items.map((a: { id: string }) => a.id),
      scriptNames: r.data!.connectors.items.map((c: { scriptName: string }) => c.scriptName),
      customizerIds: [],
    };
    expect(full.sourceAppIds.length).toBeGreaterThan(FRONTEND2.byIdBatch);
  });

  const expectedRoutes: Record<string, string[]> = {
    'connector page (random of 15)': ['GET /connectors/v1'],
    'first connector page': ['GET /connectors/v1'],
    'popular connector detail + source config': ['GET /connectors/v1/{id}', 'GET /connectors/v1/{id}/source-config'],
    'twenty source apps by id': ['GET /source-apps/v1/all'],
    'source app with access profiles': ['GET /source-apps/v1/all', 'GET /source-apps/v1/{id}/access-profiles'],
    'updateSourceApp (description)': ['PATCH /source-apps/v1/{id}'],
  };

  for (const appIds of ['popular', 'uniform'] as const) {
    it(`${appIds} source-app ids: each kind makes the calls it declares, on the routes its reads name`, async () => {
      for (const entry of frontend2Mix(full, { appIds })) {
        for (const n of [0, 7]) {
          gw.reset();
          const op = entry.build(n);
          const r = await run(op);
          expect({ entry: entry.name, errors: r.errors }).toEqual({ entry: entry.name, errors: undefined });
          expect({ entry: entry.name, routes: [...routes()].sort() }).toEqual({ entry: entry.name, routes: expectedRoutes[entry.name] });
          expect(gw.calls()).toHaveLength(entry.calls);
        }
      }
    });
  }

  it('uniform ids: the twenty by id are 20 distinct apps, one batched call naming exactly those', async () => {
    const byId = frontend2Mix(full, { appIds: 'uniform' }).find((e) => e.name === 'twenty source apps by id')!;
    const op = byId.build(3);
    const ids = Object.values(op.variables) as string[];
    expect(new Set(ids).size).toBe(FRONTEND2.byIdBatch);
    // Not a run of consecutive apps (what the popular mix sends): drawn from across the range.
    const positions = ids.map((id) => full.sourceAppIds.indexOf(id));
    expect(Math.min(...positions)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...positions) - Math.min(...positions)).toBeGreaterThan(FRONTEND2.byIdBatch - 1);
    const r = await run(op);
    expect(r.errors).toBeUndefined();
    expect(Object.values(r.data!).map((a: any) => a.id)).toEqual(ids);
    const filters = gw.calls()[0].query.filters;
    const named = [...filters.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...ids].sort());
  });
});

describe('bench: sample (the uniform draw of S8 (c))', () => {
  const range = Array.from({ length: 120 }, (_, i) => i);

  it('draws distinct items of the list, the same ones for the same operation', () => {
    for (const n of [0, 1, 99]) {
      const drawn = sample(range, 20, n, 3);
      expect(drawn).toHaveLength(20);
      expect(new Set(drawn).size).toBe(20);
      for (const i of drawn) expect(range).toContain(i);
      expect(sample(range, 20, n, 3)).toEqual(drawn);
    }
  });

  it('spreads over the whole list rather than a consecutive run', () => {
    const drawn = Array.from({ length: 30 }, (_, n) => sample(range, 20, n, 3));
    // A run of 20 consecutive ids spans 19; uniform ones from 120 almost always span far more.
    for (const d of drawn) expect(Math.max(...d) - Math.min(...d)).toBeGreaterThan(19);
    // 30 draws of 20 (600 picks) reach nearly every one of the 120.
    expect(new Set(drawn.flat()).size).toBeGreaterThan(110);
  });
});
