/**
 * The upstream-call counts of the bench scenarios (issue 7), asserted against the demo tenant with
 * the very documents `npm run bench` sends: counts, not timings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MINIMUM_CALLS, scenarioOperations, type MockData, type Operation } from '../../bench/scenarios.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let data: MockData;

const run = (op: Operation) => gw.gql(op.query, op.variables);
const routes = () => gw.calls().map((c) => `${c.method} ${c.path.replace(/^\/v2024\/(connectors|source-apps)\/(?!all$)[^/]+/, '/v2024/$1/{id}')}`);

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
    expect(routes()).toEqual(['GET /v2024/connectors']);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s1);
  });

  it('S2: 20 connectors with a detail field each are 1 + 20 calls', async () => {
    const r = await run(scenarioOperations(data).s2);
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items).toHaveLength(20);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s2);
    expect(routes()).toEqual(['GET /v2024/connectors', ...Array(20).fill('GET /v2024/connectors/{id}')]);
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
    expect(routes()).toEqual(['GET /v2024/source-apps/all']);
    expect(gw.calls()).toHaveLength(MINIMUM_CALLS.s4);
    for (const id of data.sourceAppIds) expect(gw.calls()[0].query.filters).toContain(`"${id}"`);
  });

  it('S5: updateSourceApp is one call', async () => {
    const r = await run(scenarioOperations(data).s5);
    expect(r.errors).toBeUndefined();
    expect(routes()).toEqual(['PATCH /v2024/source-apps/{id}']);
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
