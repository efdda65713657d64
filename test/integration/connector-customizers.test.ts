import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CUSTOMIZER_SEED } from '../../src/demo-tenant/seed/connector-customizers.js';
import {
  bearer,
  expectIdsKeptOnTheirRoute,
  expectRefusedBeforeAnyCall,
  startTestGateway,
  useTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { code } from '../support/errors.js';

const gw = useTestGateway();

const jsonAccept = { authorization: bearer, accept: 'application/json' };
const withJsonBody = { ...jsonAccept, 'content-type': 'application/json' };
const BASE = '/connector-customizers/v1';
const FIELDS = 'id name imageVersion imageID tenantID created';
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const get = (id: string) => ({ method: 'GET', path: `${BASE}/${id}`, query: {}, headers: jsonAccept, body: '' });
const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);

const [adHook, workday, , , oktaNoVersions] = CUSTOMIZER_SEED;

async function createCustomizer(name: string): Promise<string> {
  const r = await gw.gql('mutation($n: String!) { createConnectorCustomizer(input: { name: $n }) { id } }', { n: name });
  expect(r.errors).toBeUndefined();
  gw.reset();
  return r.data!.createConnectorCustomizer.id as string;
}

describe('Query.connectorCustomizers', () => {
  it('lists with limit/offset only, reading one item more for hasMore and never asking for a count', async () => {
    const r = await gw.gql(`{ connectorCustomizers(limit: 3) { items { ${FIELDS} } hasMore } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectorCustomizers.hasMore).toBe(true);
    const items = r.data!.connectorCustomizers.items as Record<string, unknown>[];
    expect(items.map((c) => c.name)).toEqual(CUSTOMIZER_SEED.slice(0, 3).map((c) => c.name));
    expect(gw.calls()).toEqual([{ method: 'GET', path: BASE, query: { limit: '4', offset: '0' }, headers: jsonAccept, body: '' }]);
  });

  it('answers ISC int64 and timestamp fields typed: Long and RFC 3339 DateTime from the Go layout', async () => {
    const r = await gw.gql(`{ connectorCustomizers(limit: 250) { items { ${FIELDS} } } }`);
    expect(r.errors).toBeUndefined();
    const items = r.data!.connectorCustomizers.items as Record<string, unknown>[];
    const ad = items.find((c) => c.id === adHook.id)!;
    const last = adHook.versions[adHook.versions.length - 1];
    expect(ad).toEqual({
      id: adHook.id,
      name: adHook.name,
      imageVersion: last.version,
      imageID: last.imageID,
      tenantID: adHook.tenantID,
      created: adHook.created,
    });
    // The demo tenant sends `created` in Go's time layout, as ISC's spec documents it.
    for (const c of items) expect(c.created).toMatch(RFC3339_UTC);
    expect(items.find((c) => c.id === oktaNoVersions.id)).toMatchObject({ imageVersion: 0, imageID: null });
  });

  it('hasMore is false on the last page', async () => {
    const all = (await gw.gql('{ connectorCustomizers { items { id } } }')).data!.connectorCustomizers.items as unknown[];
    gw.reset();
    const r = await gw.gql('query($o: Int) { connectorCustomizers(limit: 10, offset: $o) { items { id } hasMore } }', { o: all.length - 2 });
    expect(r.data!.connectorCustomizers).toEqual({ items: [expect.anything(), expect.anything()], hasMore: false });
    expect(gw.calls()[0].query).toEqual({ limit: '11', offset: String(all.length - 2) });
  });

  it('has no totalCount: the schema itself refuses it, before any upstream call', async () => {
    const r = await gw.gql('{ connectorCustomizers { totalCount } }');
    expect(r.errors?.[0].message).toMatch(/totalCount/);
    expect(gw.calls()).toEqual([]);
  });

  it('rejects limits outside 0..cap and negative offsets with BAD_USER_INPUT and no upstream call', async () => {
    for (const args of ['limit: 1001', 'limit: -1', 'offset: -1']) {
      const r = await gw.gql(`{ connectorCustomizers(${args}) { items { id } } }`);
      expect({ args, errors: r.errors }).toEqual({ args, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });
});

describe('Query.connectorCustomizer', () => {
  it('reads one customizer by id', async () => {
    const r = await gw.gql(`query($id: ID!) { connectorCustomizer(id: $id) { ${FIELDS} } }`, { id: workday.id });
    expect(r.errors).toBeUndefined();
    const last = workday.versions[workday.versions.length - 1];
    expect(r.data!.connectorCustomizer).toEqual({
      id: workday.id,
      name: workday.name,
      imageVersion: last.version,
      imageID: last.imageID,
      tenantID: workday.tenantID,
      created: workday.created,
    });
    expect(gw.calls()).toEqual([get(workday.id)]);
  });

  it('makes one GET per distinct id per operation, concurrently, across aliases', async () => {
    const r = await gw.gql(
      'query($a: ID!, $b: ID!) { a: connectorCustomizer(id: $a) { name } b: connectorCustomizer(id: $b) { name } again: connectorCustomizer(id: $a) { created } }',
      { a: adHook.id, b: workday.id },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ a: { name: adHook.name }, b: { name: workday.name }, again: { created: adHook.created } });
    expect(gw.calls().sort(byPath)).toEqual([get(adHook.id), get(workday.id)].sort(byPath));
  });

  it('answers null for an unknown id, without an error', async () => {
    const r = await gw.gql('{ connectorCustomizer(id: "00000000-0000-4000-8000-000000000000") { name } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectorCustomizer).toBeNull();
    expect(gw.calls()).toEqual([get('00000000-0000-4000-8000-000000000000')]);
  });

  it('keeps ids on their route: dot segments refused, other characters encoded', async () => {
    await expectIdsKeptOnTheirRoute(gw, 'query($id: ID!) { connectorCustomizer(id: $id) { name } }', BASE, ['..', '%2e%2e', '../oauth-clients', '']);
  });
});

describe('ConnectorCustomizer as a federation entity', () => {
  it('resolves references through the loader: one GET per distinct id, in order, missing ones null', async () => {
    const missing = '11111111-1111-4111-8111-111111111111';
    const r = await gw.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on ConnectorCustomizer { id name imageVersion } } }`, {
      r: [
        { __typename: 'ConnectorCustomizer', id: workday.id },
        { __typename: 'ConnectorCustomizer', id: missing },
        { __typename: 'ConnectorCustomizer', id: adHook.id },
        { __typename: 'ConnectorCustomizer', id: workday.id },
      ],
    });
    expect(r.errors).toBeUndefined();
    const workdayItem = { id: workday.id, name: workday.name, imageVersion: workday.versions.length };
    expect(r.data!._entities).toEqual([workdayItem, null, { id: adHook.id, name: adHook.name, imageVersion: adHook.versions.length }, workdayItem]);
    expect(gw.calls().sort(byPath)).toEqual([get(workday.id), get(missing), get(adHook.id)].sort(byPath));
  });
});

describe('connector customizer mutations', () => {
  it('creates (201), reads, replaces by PUT, adds a version, deletes, and reads back null', async () => {
    const created = await gw.gql(`mutation($i: CreateConnectorCustomizerInput!) { createConnectorCustomizer(input: $i) { ${FIELDS} } }`, {
      i: { name: 'bamboohr-hire-date-fixer' },
    });
    expect(created.errors).toBeUndefined();
    const customizer = created.data!.createConnectorCustomizer;
    // ISC's create answer has no image fields.
    expect(customizer).toEqual({
      id: expect.any(String),
      name: 'bamboohr-hire-date-fixer',
      imageVersion: null,
      imageID: null,
      tenantID: adHook.tenantID,
      created: expect.stringMatching(RFC3339_UTC),
    });
    expect(Math.abs(Date.parse(customizer.created) - Date.now())).toBeLessThan(60_000);
    expect(gw.calls()).toEqual([
      { method: 'POST', path: BASE, query: {}, headers: withJsonBody, body: JSON.stringify({ name: 'bamboohr-hire-date-fixer' }) },
    ]);
    const id = customizer.id as string;

    gw.reset();
    const read = await gw.gql('query($id: ID!) { connectorCustomizer(id: $id) { name imageVersion imageID created } }', { id });
    expect(read.data!.connectorCustomizer).toEqual({ name: 'bamboohr-hire-date-fixer', imageVersion: 0, imageID: null, created: customizer.created });
    expect(gw.calls()).toEqual([get(id)]);

    gw.reset();
    const updated = await gw.gql(
      'mutation($id: ID!, $i: UpdateConnectorCustomizerInput!) { updateConnectorCustomizer(id: $id, input: $i) { id name imageVersion created } }',
      { id, i: { name: 'bamboohr-hire-date-normalizer' } },
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateConnectorCustomizer).toEqual({
      id,
      name: 'bamboohr-hire-date-normalizer',
      imageVersion: 0,
      created: customizer.created,
    });
    expect(gw.calls()).toEqual([
      { method: 'PUT', path: `${BASE}/${id}`, query: {}, headers: withJsonBody, body: JSON.stringify({ name: 'bamboohr-hire-date-normalizer' }) },
    ]);

    gw.reset();
    const version = await gw.gql('mutation($id: ID!) { createConnectorCustomizerVersion(id: $id) { customizerID imageID version created } }', { id });
    expect(version.errors).toBeUndefined();
    expect(version.data!.createConnectorCustomizerVersion).toEqual({
      customizerID: id,
      imageID: expect.stringMatching(/^[0-9a-f]{32}$/),
      version: 1,
      created: expect.stringMatching(RFC3339_UTC),
    });
    // No body: no content type either.
    expect(gw.calls()).toEqual([{ method: 'POST', path: `${BASE}/${id}/versions`, query: {}, headers: jsonAccept, body: '' }]);

    gw.reset();
    const afterVersion = await gw.gql('query($id: ID!) { connectorCustomizer(id: $id) { name imageVersion imageID } }', { id });
    expect(afterVersion.data!.connectorCustomizer).toEqual({
      name: 'bamboohr-hire-date-normalizer',
      imageVersion: 1,
      imageID: version.data!.createConnectorCustomizerVersion.imageID,
    });

    gw.reset();
    const deleted = await gw.gql('mutation($id: ID!) { deleteConnectorCustomizer(id: $id) }', { id });
    expect(deleted.data!.deleteConnectorCustomizer).toBe(true);
    expect(gw.calls()).toEqual([{ method: 'DELETE', path: `${BASE}/${id}`, query: {}, headers: jsonAccept, body: '' }]);

    gw.reset();
    const gone = await gw.gql('query($id: ID!) { connectorCustomizer(id: $id) { name } }', { id });
    expect(gone.errors).toBeUndefined();
    expect(gone.data!.connectorCustomizer).toBeNull();
    expect(gw.calls()).toEqual([get(id)]);
  });

  it('never reads a stale customizer after a PUT or a new version in the same operation', async () => {
    const id = await createCustomizer('zoom-license-reclaimer');
    const r = await gw.gql(
      `mutation($id: ID!) {
        first: createConnectorCustomizerVersion(id: $id) { version customizer { name imageVersion imageID } }
        renamed: updateConnectorCustomizer(id: $id, input: { name: "zoom-license-reaper" }) { name imageVersion }
        second: createConnectorCustomizerVersion(id: $id) { version imageID customizer { name imageVersion imageID } }
      }`,
      { id },
    );
    expect(r.errors).toBeUndefined();
    const { first, renamed, second } = r.data!;
    expect(first).toEqual({ version: 1, customizer: { name: 'zoom-license-reclaimer', imageVersion: 1, imageID: expect.any(String) } });
    expect(renamed).toEqual({ name: 'zoom-license-reaper', imageVersion: 1 });
    expect(second.version).toBe(2);
    expect(second.customizer).toEqual({ name: 'zoom-license-reaper', imageVersion: 2, imageID: second.imageID });
    expect(second.imageID).not.toBe(first.customizer.imageID);
    expect(gw.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST ${BASE}/${id}/versions`,
      `GET ${BASE}/${id}`,
      `PUT ${BASE}/${id}`,
      `POST ${BASE}/${id}/versions`,
      `GET ${BASE}/${id}`,
    ]);
  });

  it('passes NOT_FOUND through, with ISC trackingId, for writes on a missing customizer', async () => {
    const missing = '22222222-2222-4222-8222-222222222222';
    const mutations = [
      `updateConnectorCustomizer(id: "${missing}", input: { name: "x" }) { id }`,
      `deleteConnectorCustomizer(id: "${missing}")`,
      `createConnectorCustomizerVersion(id: "${missing}") { version }`,
    ];
    for (const mutation of mutations) {
      const r = await gw.gql(`mutation { ${mutation} }`);
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, trackingId: expect.any(String) });
    }
    expect(gw.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `PUT ${BASE}/${missing}`,
      `DELETE ${BASE}/${missing}`,
      `POST ${BASE}/${missing}/versions`,
    ]);
  });

  it('rejects invalid input with BAD_USER_INPUT before any upstream call', async () => {
    const cases = [
      'createConnectorCustomizer(input: { name: "" }) { id }',
      'createConnectorCustomizer(input: { name: "   " }) { id }',
      `updateConnectorCustomizer(id: "${adHook.id}", input: { name: "\\t" }) { id }`,
      'updateConnectorCustomizer(id: "..", input: { name: "ok" }) { id }',
      'deleteConnectorCustomizer(id: "../oauth-clients")',
      'deleteConnectorCustomizer(id: "")',
      'createConnectorCustomizerVersion(id: "%2E%2E") { version }',
    ];
    await expectRefusedBeforeAnyCall(
      gw,
      cases.map((mutation) => `mutation { ${mutation} }`),
    );
  });
});

describe('lists longer than one ISC page', () => {
  let big: TestGateway;
  beforeAll(async () => {
    big = await startTestGateway();
    // 260 more customizers in one operation (mutations run one after another).
    const fields = Array.from({ length: 260 }, (_, i) => `c${i}: createConnectorCustomizer(input: { name: "bulk-hook-${i}" }) { id }`);
    const r = await big.gql(`mutation { ${fields.join('\n')} }`);
    expect(r.errors).toBeUndefined();
  });
  afterAll(() => big.close());
  beforeEach(() => big.reset());

  it('serves limits above 250 from 250-item pages, the rest read in parallel', async () => {
    const total = CUSTOMIZER_SEED.length + 260;
    const r = await big.gql('{ connectorCustomizers(limit: 600) { items { id name } hasMore } }');
    expect(r.errors).toBeUndefined();
    const items = r.data!.connectorCustomizers.items as { id: string; name: string }[];
    expect(items).toHaveLength(total);
    expect(new Set(items.map((c) => c.id)).size).toBe(total);
    expect(items[total - 1].name).toBe('bulk-hook-259');
    expect(r.data!.connectorCustomizers.hasMore).toBe(false);
    expect(big.calls().map((c) => c.query)).toEqual([
      { limit: '250', offset: '0' },
      { limit: '250', offset: '250' },
      { limit: '101', offset: '500' },
    ]);
  });

  it('stays exact about hasMore when the limit ends inside the second page', async () => {
    const r = await big.gql('{ connectorCustomizers(limit: 260) { items { id } hasMore } }');
    expect(r.data!.connectorCustomizers.items).toHaveLength(260);
    expect(r.data!.connectorCustomizers.hasMore).toBe(true);
    expect(big.calls().map((c) => c.query)).toEqual([
      { limit: '250', offset: '0' },
      { limit: '11', offset: '250' },
    ]);
  });
});
