import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { accessProfileTraffic, withoutSourceAppAdminRights } from '../../src/demo-tenant/source-apps.js';
import { bearer, startTestGateway, type TestGateway } from '../support/gateway.js';
import { code } from '../support/errors.js';
import { perResource } from '../support/demo-tenant-api.js';

let gw: TestGateway;
beforeAll(async () => {
  // Room for the 20 concurrent access profile reads below (the governor's default is 16 at once).
  gw = await startTestGateway({ SAIL_RATE_MAX_CONCURRENCY: '64', SAIL_RATE_LIMIT: '10000' });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());
// Every source apps call the gateway makes opts in to ISC's experimental API.
afterEach(() => {
  for (const call of gw.calls())
    expect({ path: call.path, header: call.headers['x-sailpoint-experimental'] }).toEqual({ path: call.path, header: 'true' });
});

const exp = { authorization: bearer, accept: 'application/json', 'x-sailpoint-experimental': 'true' };
const expJson = { ...exp, 'content-type': 'application/json' };

interface App {
  id: string;
  name: string;
  enabled: boolean;
  created: string;
  owner: { id: string; name: string } | null;
  accountSource: { id: string; name: string } | null;
}

/** Every app of the tenant (admin view), read through the gateway; the calls are then forgotten. */
async function allApps(): Promise<App[]> {
  const r = await gw.gql('{ allSourceApps(limit: 250) { items { id name enabled created owner { id name } accountSource { id name } } } }');
  expect(r.errors).toBeUndefined();
  gw.reset();
  return r.data!.allSourceApps.items as App[];
}

/** Builds `a0: sourceApp(id: "...") { id name }` aliases. */
const aliases = (ids: readonly string[], fields = 'id name'): string =>
  ids.map((id, i) => `a${i}: sourceApp(id: ${JSON.stringify(id)}) { ${fields} }`).join('\n');

const inList = (ids: readonly string[]): string => `id in (${ids.map((id) => JSON.stringify(id)).join(',')})`;

describe('Query.sourceApps, allSourceApps, assignedSourceApps', () => {
  it('sourceApps: one GET /source-apps with count only because totalCount is selected', async () => {
    const r = await gw.gql('{ sourceApps(limit: 5) { items { id name enabled } totalCount hasMore } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.sourceApps.items).toHaveLength(5);
    expect(r.data!.sourceApps.totalCount).toBeGreaterThan(5);
    expect(r.data!.sourceApps.hasMore).toBe(true);
    for (const app of r.data!.sourceApps.items) expect(app.enabled).toBe(true);
    expect(gw.calls()).toEqual([
      { method: 'GET', path: '/source-apps/v1', query: { limit: '5', offset: '0', count: 'true' }, headers: exp, body: '' },
    ]);

    gw.reset();
    const noCount = await gw.gql('{ sourceApps(limit: 3, offset: 1) { items { id } hasMore } }');
    expect(noCount.data!.sourceApps.items).toHaveLength(3);
    expect(gw.calls().map((c) => c.query)).toEqual([{ limit: '4', offset: '1' }]);
  });

  it('sourceApps: typed filter and sort become ISC filters and sorters; the answer honours them', async () => {
    const r = await gw.gql(
      `{ sourceApps(filter: { nameStartsWith: "micro", createdAfter: "2023-01-01T00:00:00Z" },
                    sort: [{ field: NAME, direction: DESC }, { field: CREATED }]) { items { name created } } }`,
    );
    expect(r.errors).toBeUndefined();
    const items = r.data!.sourceApps.items as { name: string; created: string }[];
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) expect(item.name.toLowerCase().startsWith('micro')).toBe(true);
    const names = items.map((i) => i.name);
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a)));
    expect(gw.calls()[0].query).toEqual({
      filters: '(name sw "micro") and (created gt 2023-01-01T00:00:00.000Z)',
      sorters: '-name,created',
      limit: '250',
      offset: '0',
    });
  });

  it('escapes quotes and backslashes; the URL encoder sends & and # once-encoded', async () => {
    const r = await gw.gql('{ sourceApps(filter: { nameStartsWith: "Concur Travel &", nameContains: "a\\"b\\\\c#" }) { items { name } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.sourceApps.items).toEqual([]);
    expect(gw.calls()[0].query.filters).toBe('(name co "a\\"b\\\\c#") and (name sw "Concur Travel &")');
    expect(gw.tenant.requests[0].search).toContain('%5C%22b%5C%5Cc%23%22');
    expect(gw.tenant.requests[0].search).toContain('Travel+%26%22');

    gw.reset();
    const concur = await gw.gql('{ sourceApps(filter: { nameStartsWith: "Concur Travel &" }) { items { name } } }');
    expect(concur.data!.sourceApps.items).toEqual([{ name: 'Concur Travel & Expense' }]);
  });

  it('allSourceApps: admin view with owner and enabled filters; reads > 250 in ISC-sized pages', async () => {
    const apps = await allApps();
    const disabled = apps.filter((a) => !a.enabled);
    expect(disabled.length).toBeGreaterThan(0);
    const owners = [...new Set(disabled.map((a) => a.owner!.id))];
    const r = await gw.gql(
      'query($o: [ID!]) { allSourceApps(filter: { enabled: false, ownerIdIn: $o }, sort: [{ field: OWNER_ID, direction: DESC }]) { items { id enabled } totalCount } }',
      { o: owners },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.allSourceApps.items.map((a: { id: string }) => a.id).sort()).toEqual(disabled.map((a) => a.id).sort());
    expect(r.data!.allSourceApps.totalCount).toBe(disabled.length);
    expect(gw.calls()).toEqual([
      {
        method: 'GET',
        path: '/source-apps/v1/all',
        query: {
          filters: `(owner.id in (${owners.map((o) => `"${o}"`).join(',')})) and (enabled eq false)`,
          sorters: '-owner.id',
          limit: '250',
          offset: '0',
          count: 'true',
        },
        headers: exp,
        body: '',
      },
    ]);

    gw.reset();
    const big = await gw.gql('{ allSourceApps(limit: 300) { items { id } hasMore } }');
    expect(big.data!.allSourceApps.items).toHaveLength(apps.length);
    expect(big.data!.allSourceApps.hasMore).toBe(false);
    expect(gw.calls().map((c) => c.query)).toEqual([{ limit: '250', offset: '0' }]);
  });

  it('allSourceApps: date filters travel unquoted in UTC', async () => {
    const apps = await allApps();
    const pivot = [...apps].sort((a, b) => a.created.localeCompare(b.created))[10].created;
    const r = await gw.gql('query($d: DateTime) { allSourceApps(filter: { createdAtOrAfter: $d }) { items { created } } }', { d: pivot });
    expect(r.errors).toBeUndefined();
    expect(r.data!.allSourceApps.items).toHaveLength(apps.filter((a) => a.created >= pivot).length);
    expect(gw.calls()[0].query.filters).toBe(`created ge ${new Date(pivot).toISOString()}`);
  });

  it("assignedSourceApps: the caller's apps, filtered by account source, sorted by its own fields", async () => {
    const r = await gw.gql(
      '{ assignedSourceApps(sort: [{ field: ACCOUNT_SOURCE_ID }, { field: NAME }]) { items { id name accountSource { id } } totalCount } }',
    );
    expect(r.errors).toBeUndefined();
    const assigned = r.data!.assignedSourceApps.items as { id: string; accountSource: { id: string } }[];
    expect(assigned.length).toBeGreaterThan(0);
    expect(r.data!.assignedSourceApps.totalCount).toBe(assigned.length);
    expect(gw.calls()).toEqual([
      {
        method: 'GET',
        path: '/source-apps/v1/assigned',
        query: { sorters: 'accountSource.id,name', limit: '250', offset: '0', count: 'true' },
        headers: exp,
        body: '',
      },
    ]);

    gw.reset();
    const source = assigned[0].accountSource.id;
    const filtered = await gw.gql('query($s: ID) { assignedSourceApps(filter: { accountSourceId: $s }) { items { id accountSource { id } } } }', {
      s: source,
    });
    expect(filtered.data!.assignedSourceApps.items.length).toBe(assigned.filter((a) => a.accountSource.id === source).length);
    expect(gw.calls()[0].query.filters).toBe(`accountSource.id eq "${source}"`);
  });

  it('the schema offers each list only the filters and sorters its ISC endpoint supports', async () => {
    for (const query of [
      '{ assignedSourceApps(sort: [{ field: OWNER_ID }]) { items { id } } }',
      '{ sourceApps(filter: { ownerId: "x" }) { items { id } } }',
      '{ sourceApps(filter: { enabled: true }) { items { id } } }',
      '{ allSourceApps(filter: { modifiedBefore: "2024-01-01T00:00:00Z" }) { items { id } } }',
      '{ allSourceApps(filter: { accountSourceId: "x" }) { items { id } } }',
    ]) {
      const r = await gw.gql(query);
      expect({ query, errors: r.errors }).toEqual({ query, errors: [code('GRAPHQL_VALIDATION_FAILED')] });
    }
    expect(gw.calls()).toEqual([]);
  });

  it('rejects bad list arguments with BAD_USER_INPUT and no upstream call', async () => {
    for (const query of [
      '{ sourceApps(limit: 1001) { items { id } } }',
      '{ allSourceApps(offset: -1) { items { id } } }',
      '{ sourceApps(filter: { idIn: [] }) { items { id } } }',
      '{ assignedSourceApps(sort: [{ field: NAME }, { field: NAME, direction: DESC }]) { items { id } } }',
      '{ sourceApp(id: "..") { id } }',
      '{ sourceApp(id: "%2e%2e") { id } }',
    ]) {
      const r = await gw.gql(query);
      expect({ query, errors: r.errors }).toEqual({ query, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });
});

describe('Query.sourceApp and entity references: batched lookups by id', () => {
  it('20 apps by id (aliases) are ONE list call on /source-apps/all, in the requested order', async () => {
    const apps = (await allApps()).slice(0, 20).reverse();
    const ids = apps.map((a) => a.id);
    const r = await gw.gql(`{ ${aliases(ids)} }`);
    expect(r.errors).toBeUndefined();
    expect(ids.map((_, i) => r.data![`a${i}`])).toEqual(apps.map((a) => ({ id: a.id, name: a.name })));
    expect(gw.calls()).toEqual([
      { method: 'GET', path: '/source-apps/v1/all', query: { filters: inList(ids), limit: '20' }, headers: exp, body: '' },
    ]);
  });

  it('missing ids resolve to null without an error; a repeated id is asked for once', async () => {
    const [first, second] = await allApps();
    const ids = [first.id, 'no-such-app', second.id, first.id];
    const r = await gw.gql(`{ ${aliases(ids)} }`);
    expect(r.errors).toBeUndefined();
    expect([r.data!.a0, r.data!.a1, r.data!.a2, r.data!.a3]).toEqual([
      { id: first.id, name: first.name },
      null,
      { id: second.id, name: second.name },
      { id: first.id, name: first.name },
    ]);
    expect(gw.calls()).toEqual([
      {
        method: 'GET',
        path: '/source-apps/v1/all',
        query: { filters: inList([first.id, 'no-such-app', second.id]), limit: '3' },
        headers: exp,
        body: '',
      },
    ]);
  });

  it('more than 100 ids are split into chunks of 100, each one call', async () => {
    const real = (await allApps()).map((a) => a.id);
    const ids = [...real, ...Array.from({ length: 105 - real.length }, (_, i) => `missing-${i}`)];
    const r = await gw.gql(`{ ${aliases(ids, 'id')} }`);
    expect(r.errors).toBeUndefined();
    expect(ids.map((_, i) => r.data![`a${i}`]?.id ?? null)).toEqual([...real, ...ids.slice(real.length).map(() => null)]);
    expect(
      gw
        .calls()
        .map((c) => c.query)
        .sort((a, b) => Number(b.limit) - Number(a.limit)),
    ).toEqual([
      { filters: inList(ids.slice(0, 100)), limit: '100' },
      { filters: inList(ids.slice(100)), limit: '5' },
    ]);
  });

  it('federation: _entities references go through the same batch', async () => {
    const apps = (await allApps()).slice(3, 6);
    const representations = [...apps.map((a) => ({ __typename: 'SourceApp', id: a.id })), { __typename: 'SourceApp', id: 'gone' }];
    const r = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on SourceApp { id name } } }', { r: representations });
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities).toEqual([...apps.map((a) => ({ id: a.id, name: a.name })), null]);
    expect(gw.calls()).toHaveLength(1);
    expect(gw.calls()[0].query.filters).toBe(inList(representations.map((x) => x.id)));
  });

  it('falls back to one GET /source-apps/{id} per id when the admin list answers 403 for the caller', async () => {
    const apps = (await allApps()).slice(0, 3);
    const token = gw.tenant.issueToken();
    withoutSourceAppAdminRights(token);
    const ids = [apps[2].id, 'missing-app', apps[0].id, apps[1].id];
    const r = await gw.gql(`{ ${aliases(ids)} }`, undefined, { authorization: `Bearer ${token}` });
    expect(r.errors).toBeUndefined();
    expect([r.data!.a0, r.data!.a1, r.data!.a2, r.data!.a3]).toEqual([
      { id: apps[2].id, name: apps[2].name },
      null,
      { id: apps[0].id, name: apps[0].name },
      { id: apps[1].id, name: apps[1].name },
    ]);
    const own = { ...exp, authorization: `Bearer ${token}` };
    const [list, ...singles] = gw.calls();
    expect(list).toEqual({ method: 'GET', path: '/source-apps/v1/all', query: { filters: inList(ids), limit: '4' }, headers: own, body: '' });
    expect(singles.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      ids
        .map((id) => ({ method: 'GET', path: `/source-apps/v1/${id}`, query: {}, headers: own, body: '' }))
        .sort((a, b) => a.path.localeCompare(b.path)),
    );

    // The same caller's admin list itself answers FORBIDDEN.
    gw.reset();
    const denied = await gw.gql('{ allSourceApps { items { id } } }', undefined, { authorization: `Bearer ${token}` });
    expect(denied.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN', httpStatus: 403 }) })]);
  });
});

describe('SourceApp.accessProfiles', () => {
  it('20 apps with their access profiles: 1 + 20 calls, all at once, none twice', async () => {
    // Each call held 2 s: sent together, all 20 arrive within it however loaded the machine (60 ms
    // was not enough at load average 14); sent one after another, one would be in flight at a time.
    accessProfileTraffic.delayMs = 2_000;
    accessProfileTraffic.maxInFlight = 0;
    try {
      const r = await gw.gql(
        '{ allSourceApps(limit: 20) { items { id name accessProfiles { items { id name appName } hasMore } again: accessProfiles { hasMore } } } }',
      );
      expect(r.errors).toBeUndefined();
      const items = r.data!.allSourceApps.items as { id: string; name: string; accessProfiles: { items: { appName: string }[]; hasMore: boolean } }[];
      expect(items).toHaveLength(20);
      for (const app of items) {
        expect(app.accessProfiles.hasMore).toBe(false);
        for (const ap of app.accessProfiles.items) expect(ap.appName).toBe(app.name);
      }
      const [list, ...profiles] = gw.calls();
      expect(list.path).toBe('/source-apps/v1/all');
      expect(profiles).toHaveLength(20);
      expect(profiles.map((c) => c.path).sort()).toEqual(items.map((a) => `/source-apps/v1/${a.id}/access-profiles`).sort());
      for (const call of profiles)
        expect(call).toEqual({ method: 'GET', path: call.path, query: { limit: '250', offset: '0' }, headers: exp, body: '' });
      expect(accessProfileTraffic.maxInFlight).toBe(20);
    } finally {
      accessProfileTraffic.delayMs = 0;
    }
  });

  it('typed filter and paging go upstream; different arguments are different calls', async () => {
    const [app] = (await allApps()).filter((a) => a.name === 'Workday HCM');
    const r = await gw.gql(
      `query($id: ID!) { sourceApp(id: $id) {
          all: accessProfiles { items { id name created entitlements entitlementCount sourceName sourceId appId requestable } }
          some: accessProfiles(filter: { nameIn: ["HR Partner", "Compensation Analyst"], createdBefore: "2100-01-01T00:00:00Z" }, limit: 1) { items { name } hasMore }
      } }`,
      { id: app.id },
    );
    expect(r.errors).toBeUndefined();
    const all = r.data!.sourceApp.all.items as {
      name: string;
      entitlements: string[];
      entitlementCount: number;
      sourceName: string;
      sourceId: number;
    }[];
    expect(all.length).toBeGreaterThan(2);
    for (const ap of all) {
      expect(ap.entitlementCount).toBe(ap.entitlements.length);
      expect(ap.sourceName).toBe(app.accountSource!.name);
      expect(typeof ap.sourceId).toBe('number');
    }
    expect(r.data!.sourceApp.some).toEqual({ items: [{ name: expect.stringMatching(/^(HR Partner|Compensation Analyst)$/) }], hasMore: true });
    const profileCalls = gw.calls().filter((c) => c.path.endsWith('/access-profiles'));
    expect(profileCalls.map((c) => c.query).sort((a, b) => (a.limit ?? '').localeCompare(b.limit ?? ''))).toEqual([
      { filters: '(name in ("HR Partner","Compensation Analyst")) and (created lt 2100-01-01T00:00:00.000Z)', limit: '2', offset: '0' },
      { limit: '250', offset: '0' },
    ]);
  });
});

describe('source app mutations', () => {
  it('create → read → update (typed, raw) → remove access profiles → bulk update → delete → read null', async () => {
    const apps = await allApps();
    const source = apps.find((a) => a.accountSource?.name === 'Okta')!.accountSource!;
    const newOwner = apps.find((a) => a.owner!.name !== apps[0].owner!.name)!.owner!;
    // Access profiles that exist in the tenant, taken from another app.
    const donor = apps.find((a) => a.name === 'Salesforce Sales Cloud')!;
    const donorProfiles = (await gw.gql('query($id: ID!) { sourceApp(id: $id) { accessProfiles { items { id name } } } }', { id: donor.id })).data!
      .sourceApp.accessProfiles.items as { id: string; name: string }[];
    expect(donorProfiles.length).toBeGreaterThanOrEqual(3);
    const [ap1, ap2, ap3] = donorProfiles.map((p) => p.id);
    gw.reset();

    // Create.
    const input = { name: 'Partner "Portal" \\ EMEA', description: 'Extranet for resellers', accountSourceId: source.id, matchAllAccounts: true };
    const created = await gw.gql(
      'mutation($i: CreateSourceAppInput!) { createSourceApp(input: $i) { id name description enabled matchAllAccounts appCenterEnabled accountSource { id name type typeRaw } owner { id } } }',
      { i: input },
    );
    expect(created.errors).toBeUndefined();
    const app = created.data!.createSourceApp;
    expect(app).toMatchObject({
      name: input.name,
      description: input.description,
      matchAllAccounts: true,
      accountSource: { id: source.id, name: 'Okta', type: 'SOURCE', typeRaw: 'SOURCE' },
    });
    expect(gw.calls()).toEqual([
      {
        method: 'POST',
        path: '/source-apps/v1',
        query: {},
        headers: expJson,
        body: JSON.stringify({ name: input.name, description: input.description, accountSource: { id: source.id }, matchAllAccounts: true }),
      },
    ]);
    const base = `/source-apps/v1/${app.id}`;

    // Read.
    gw.reset();
    const read = await gw.gql(
      'query($id: ID!) { sourceApp(id: $id) { id name accountSource { name useForPasswordManagement passwordPolicies { type name } } } }',
      { id: app.id },
    );
    expect(read.data!.sourceApp).toMatchObject({ id: app.id, name: input.name, accountSource: { name: 'Okta' } });
    expect(read.data!.sourceApp.accountSource.passwordPolicies.length).toBeGreaterThan(0);
    expect(read.data!.sourceApp.accountSource.passwordPolicies[0].type).toBe('PASSWORD_POLICY');
    expect(gw.calls()).toEqual([
      { method: 'GET', path: '/source-apps/v1/all', query: { filters: inList([app.id]), limit: '1' }, headers: exp, body: '' },
    ]);

    // Typed update.
    gw.reset();
    const typed = await gw.gql(
      `mutation($id: ID!, $i: UpdateSourceAppInput) { updateSourceApp(id: $id, input: $i) {
          name enabled provisionRequestEnabled owner { id name type } accessProfiles { items { id } } } }`,
      { id: app.id, i: { accessProfileIds: [ap1, ap2], ownerId: newOwner.id, enabled: true, name: 'Partner Portal', provisionRequestEnabled: true } },
    );
    expect(typed.errors).toBeUndefined();
    expect(typed.data!.updateSourceApp).toEqual({
      name: 'Partner Portal',
      enabled: true,
      provisionRequestEnabled: true,
      owner: { id: newOwner.id, name: newOwner.name, type: 'IDENTITY' },
      accessProfiles: { items: [{ id: ap1 }, { id: ap2 }] },
    });
    expect(gw.calls()[0]).toEqual({
      method: 'PATCH',
      path: base,
      query: {},
      headers: { ...exp, 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([
        { op: 'replace', path: '/name', value: 'Partner Portal' },
        { op: 'replace', path: '/enabled', value: true },
        { op: 'replace', path: '/owner', value: { id: newOwner.id } },
        { op: 'replace', path: '/provisionRequestEnabled', value: true },
        { op: 'replace', path: '/accessProfiles', value: [ap1, ap2] },
      ]),
    });
    expect(gw.calls()[1]).toMatchObject({ method: 'GET', path: `${base}/access-profiles` });

    // Raw patch, plus a typed null that removes the account source.
    gw.reset();
    const raw = await gw.gql(
      'mutation($id: ID!, $p: [JsonPatchOperationInput!]) { updateSourceApp(id: $id, input: { accountSourceId: null }, patch: $p) { description accountSource { id } } }',
      {
        id: app.id,
        p: [
          { op: 'add', path: '/accessProfiles/-', value: ap3 },
          { op: 'replace', path: '/description', value: 'Reseller extranet' },
        ],
      },
    );
    expect(raw.errors).toBeUndefined();
    expect(raw.data!.updateSourceApp).toEqual({ description: 'Reseller extranet', accountSource: null });
    expect(JSON.parse(gw.calls()[0].body)).toEqual([
      { op: 'remove', path: '/accountSource' },
      { op: 'add', path: '/accessProfiles/-', value: ap3 },
      { op: 'replace', path: '/description', value: 'Reseller extranet' },
    ]);

    // Remove access profiles: ISC answers what is left.
    gw.reset();
    const removed = await gw.gql(
      'mutation($id: ID!, $ap: [ID!]!) { removeAccessProfilesFromSourceApp(id: $id, accessProfileIds: $ap) { id name } }',
      { id: app.id, ap: [ap1, ap1] },
    );
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeAccessProfilesFromSourceApp.map((p: { id: string }) => p.id)).toEqual([ap2, ap3]);
    expect(gw.calls()).toEqual([
      { method: 'POST', path: `${base}/access-profiles/bulk-remove`, query: {}, headers: expJson, body: JSON.stringify([ap1]) },
    ]);

    // Bulk update, with a second app.
    gw.reset();
    const other = apps.find((a) => a.name === 'Zoom')!;
    const bulk = await gw.gql(
      'mutation($ids: [ID!]!, $p: [JsonPatchOperationInput!]) { bulkUpdateSourceApps(ids: $ids, input: { matchAllAccounts: false, appCenterEnabled: false }, patch: $p) }',
      { ids: [app.id, other.id], p: [{ op: 'test', path: '/enabled', value: true }] },
    );
    expect(bulk.errors).toBeUndefined();
    expect(bulk.data!.bulkUpdateSourceApps).toBe(true);
    expect(gw.calls()).toEqual([
      {
        method: 'POST',
        path: '/source-apps/v1/bulk-update',
        query: {},
        headers: expJson,
        body: JSON.stringify({
          appIds: [app.id, other.id],
          jsonPatch: [
            { op: 'replace', path: '/appCenterEnabled', value: false },
            { op: 'replace', path: '/matchAllAccounts', value: false },
            { op: 'test', path: '/enabled', value: true },
          ],
        }),
      },
    ]);
    const after = await gw.gql(`{ ${aliases([app.id, other.id], 'matchAllAccounts appCenterEnabled')} }`);
    expect([after.data!.a0, after.data!.a1]).toEqual([
      { matchAllAccounts: false, appCenterEnabled: false },
      { matchAllAccounts: false, appCenterEnabled: false },
    ]);

    // Delete: ISC answers the deleted app; then it is gone.
    gw.reset();
    const deleted = await gw.gql('mutation($id: ID!) { deleteSourceApp(id: $id) { id name description } }', { id: app.id });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteSourceApp).toEqual({ id: app.id, name: 'Partner Portal', description: 'Reseller extranet' });
    expect(gw.calls()).toEqual([{ method: 'DELETE', path: base, query: {}, headers: exp, body: '' }]);
    const gone = await gw.gql('query($id: ID!) { sourceApp(id: $id) { id } }', { id: app.id });
    expect(gone.errors).toBeUndefined();
    expect(gone.data!.sourceApp).toBeNull();
  });

  it('lets NOT_FOUND through for writes on a missing app, with ISC trackingId', async () => {
    for (const mutation of [
      'updateSourceApp(id: "missing-app", input: { enabled: true }) { id }',
      'deleteSourceApp(id: "missing-app") { id }',
      'removeAccessProfilesFromSourceApp(id: "missing-app", accessProfileIds: ["x"]) { id }',
      'bulkUpdateSourceApps(ids: ["missing-app"], input: { enabled: true })',
    ]) {
      const r = await gw.gql(`mutation { ${mutation} }`);
      expect({ mutation, ext: r.errors?.[0].extensions }).toEqual({
        mutation,
        ext: expect.objectContaining({ code: 'NOT_FOUND', httpStatus: 404, trackingId: expect.any(String) }),
      });
    }
  });

  it('passes ISC 400s through (an owner that does not exist)', async () => {
    const [app] = await allApps();
    const r = await gw.gql('mutation($id: ID!) { updateSourceApp(id: $id, input: { ownerId: "nobody" }) { id } }', { id: app.id });
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', httpStatus: 400, detailCode: expect.any(String) });
    expect(r.errors![0].message).toMatch(/^ISC answered 400/);
  });

  it('rejects invalid writes with BAD_USER_INPUT before any upstream call', async () => {
    const fiftyOne = JSON.stringify(Array.from({ length: 51 }, (_, i) => `app-${i}`));
    const cases = [
      'updateSourceApp(id: "x") { id }',
      'updateSourceApp(id: "x", input: {}) { id }',
      'updateSourceApp(id: "x", input: { name: "" }) { id }',
      'updateSourceApp(id: "x", input: { name: null }) { id }',
      'updateSourceApp(id: "x", input: { description: "   " }) { id }',
      'updateSourceApp(id: "x", input: { description: null }) { id }',
      'updateSourceApp(id: "x", input: { ownerId: null }) { id }',
      'updateSourceApp(id: "x", input: { ownerId: "" }) { id }',
      'updateSourceApp(id: "x", input: { enabled: null }) { id }',
      'updateSourceApp(id: "x", input: { accessProfileIds: [""] }) { id }',
      'updateSourceApp(id: "x", patch: [{ op: remove, path: "/name" }]) { id }',
      'updateSourceApp(id: "x", patch: [{ op: replace, path: "/owner", value: null }]) { id }',
      'updateSourceApp(id: "x", patch: [{ op: replace, path: "/owner", value: "someone" }]) { id }',
      'updateSourceApp(id: "x", patch: [{ op: replace, path: "/description", value: "" }]) { id }',
      'updateSourceApp(id: "x", patch: [{ op: replace, path: "/id", value: "y" }]) { id }',
      'updateSourceApp(id: "x", patch: [{ op: replace, path: "/enabled", value: "yes" }]) { id }',
      'updateSourceApp(id: "x", patch: [{ op: add, path: "/accessProfiles/-", value: 3 }]) { id }',
      'updateSourceApp(id: "..", input: { enabled: true }) { id }',
      'deleteSourceApp(id: "../oauth-clients") { id }',
      'createSourceApp(input: { name: " ", description: "d", accountSourceId: "s" }) { id }',
      'createSourceApp(input: { name: "n", description: "", accountSourceId: "s" }) { id }',
      'createSourceApp(input: { name: "n", description: "d", accountSourceId: " " }) { id }',
      'bulkUpdateSourceApps(ids: [], input: { enabled: true })',
      `bulkUpdateSourceApps(ids: ${fiftyOne}, input: { enabled: true })`,
      'bulkUpdateSourceApps(ids: ["a"])',
      'removeAccessProfilesFromSourceApp(id: "x", accessProfileIds: []) { id }',
      'removeAccessProfilesFromSourceApp(id: "x", accessProfileIds: [""]) { id }',
    ];
    for (const mutation of cases) {
      const r = await gw.gql(`mutation { ${mutation} }`);
      expect({ mutation, errors: r.errors }).toEqual({ mutation, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });

  it("50 ids are accepted in one call (ISC's limit), repeated ids counting once", async () => {
    const [app] = await allApps();
    const ids = [...Array.from({ length: 50 }, () => app.id)];
    const r = await gw.gql('mutation($ids: [ID!]!) { bulkUpdateSourceApps(ids: $ids, input: { matchAllAccounts: true }) }', { ids });
    expect(r.errors).toBeUndefined();
    expect(gw.calls()).toHaveLength(1);
    expect(JSON.parse(gw.calls()[0].body).appIds).toEqual([app.id]);
  });
});

describe('raw filters and sorters, bulk-remove limit, route words as ids', () => {
  it('sourceApps: raw filters and sorters reach ISC exactly (decoded once), and the answer honours them', async () => {
    const filters = 'name co "&" or (name sw "micro" and created gt 2023-01-01T00:00:00Z)';
    const r = await gw.gql('query($f: String, $s: String) { sourceApps(filters: $f, sorters: $s) { items { name } } }', {
      f: filters,
      s: '-name, created',
    });
    expect(r.errors).toBeUndefined();
    const names = (r.data!.sourceApps.items as { name: string }[]).map((i) => i.name);
    expect(names).toContain('Concur Travel & Expense');
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) expect(name.includes('&') || name.toLowerCase().startsWith('micro')).toBe(true);
    expect(names).toEqual([...names].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())));
    expect(gw.calls()).toEqual([
      { method: 'GET', path: '/source-apps/v1', query: { filters, sorters: '-name,created', limit: '250', offset: '0' }, headers: exp, body: '' },
    ]);
    expect(gw.tenant.requests[0].search).toContain('%22%26%22');
  });

  it('allSourceApps: typed filter and raw filters are joined with and; raw sorters may use owner.id', async () => {
    const apps = await allApps();
    const owner = apps.find((a) => !a.enabled)!.owner!.id;
    const r = await gw.gql(
      'query($f: String) { allSourceApps(filter: { enabled: false }, filters: $f, sorters: "owner.id,-name") { items { id enabled owner { id } } } }',
      { f: `owner.id eq "${owner}"` },
    );
    expect(r.errors).toBeUndefined();
    const expected = apps.filter((a) => !a.enabled && a.owner?.id === owner).map((a) => a.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.data!.allSourceApps.items.map((a: { id: string }) => a.id).sort()).toEqual(expected.sort());
    expect(gw.calls()).toEqual([
      {
        method: 'GET',
        path: '/source-apps/v1/all',
        query: { filters: `(enabled eq false) and (owner.id eq "${owner}")`, sorters: 'owner.id,-name', limit: '250', offset: '0' },
        headers: exp,
        body: '',
      },
    ]);
  });

  it('assignedSourceApps: raw filters and sorters over its own fields', async () => {
    const r = await gw.gql(
      '{ assignedSourceApps(filters: "not (name in (\\"Slack\\",\\"Jira Software\\"))", sorters: "accountSource.id,-created") { items { name } totalCount } }',
    );
    expect(r.errors).toBeUndefined();
    const names = (r.data!.assignedSourceApps.items as { name: string }[]).map((i) => i.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names).not.toContain('Slack');
    expect(names).not.toContain('Jira Software');
    expect(gw.calls()).toEqual([
      {
        method: 'GET',
        path: '/source-apps/v1/assigned',
        query: { filters: 'not (name in ("Slack","Jira Software"))', sorters: 'accountSource.id,-created', limit: '250', offset: '0', count: 'true' },
        headers: exp,
        body: '',
      },
    ]);
  });

  it('SourceApp.accessProfiles: raw filters joined with the typed filter by and', async () => {
    const [app] = (await allApps()).filter((a) => a.name === 'Workday HCM');
    const r = await gw.gql(
      `query($id: ID!) { sourceApp(id: $id) {
          accessProfiles(filter: { createdBefore: "2100-01-01T00:00:00Z" }, filters: "name in (\\"HR Partner\\") or name eq \\"a \\\\\\"quoted\\\\\\" and name\\"") { items { name } } } }`,
      { id: app.id },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.sourceApp.accessProfiles.items).toEqual([{ name: 'HR Partner' }]);
    const profileCalls = gw.calls().filter((c) => c.path.endsWith('/access-profiles'));
    expect(profileCalls).toEqual([
      {
        method: 'GET',
        path: `/source-apps/v1/${app.id}/access-profiles`,
        query: {
          filters: '(created lt 2100-01-01T00:00:00.000Z) and (name in ("HR Partner") or name eq "a \\"quoted\\" and name")',
          limit: '250',
          offset: '0',
        },
        headers: exp,
        body: '',
      },
    ]);
  });

  it('removeAccessProfilesFromSourceApp: limit travels as a query parameter and bounds the answer', async () => {
    const apps = await allApps();
    const donor = apps.find((a) => a.name === 'Workday HCM')!;
    const profiles = (
      await gw.gql('query($id: ID!) { sourceApp(id: $id) { accessProfiles { items { id } } } }', { id: donor.id })
    ).data!.sourceApp.accessProfiles.items.map((p: { id: string }) => p.id) as string[];
    expect(profiles.length).toBe(3);
    const created = await gw.gql(
      'mutation($s: ID!) { createSourceApp(input: { name: "Limit Probe", description: "d", accountSourceId: $s }) { id } }',
      { s: apps.find((a) => a.accountSource)!.accountSource!.id },
    );
    const id = created.data!.createSourceApp.id as string;
    // A new app has no owner, and ISC patches only apps with one: give it one with the profiles.
    const ready = await gw.gql(
      'mutation($id: ID!, $p: [ID!], $o: ID) { updateSourceApp(id: $id, input: { accessProfileIds: $p, ownerId: $o }) { id } }',
      {
        id,
        p: profiles,
        o: apps[0].owner!.id,
      },
    );
    expect(ready.errors).toBeUndefined();

    gw.reset();
    const one = await gw.gql(
      'mutation($id: ID!, $ap: [ID!]!) { removeAccessProfilesFromSourceApp(id: $id, accessProfileIds: $ap, limit: 1) { id } }',
      {
        id,
        ap: [profiles[0]],
      },
    );
    expect(one.errors).toBeUndefined();
    expect(one.data!.removeAccessProfilesFromSourceApp).toEqual([{ id: profiles[1] }]);
    const zero = await gw.gql(
      'mutation($id: ID!, $ap: [ID!]!) { removeAccessProfilesFromSourceApp(id: $id, accessProfileIds: $ap, limit: 0) { id } }',
      {
        id,
        ap: [profiles[1]],
      },
    );
    expect(zero.data!.removeAccessProfilesFromSourceApp).toEqual([]);
    expect(gw.calls()).toEqual([
      {
        method: 'POST',
        path: `/source-apps/v1/${id}/access-profiles/bulk-remove`,
        query: { limit: '1' },
        headers: expJson,
        body: JSON.stringify([profiles[0]]),
      },
      {
        method: 'POST',
        path: `/source-apps/v1/${id}/access-profiles/bulk-remove`,
        query: { limit: '0' },
        headers: expJson,
        body: JSON.stringify([profiles[1]]),
      },
    ]);
    // The limit bounded only the answer: the app still offers the one profile not removed.
    const left = await gw.gql('query($id: ID!) { sourceApp(id: $id) { accessProfiles { items { id } } } }', { id });
    expect(left.data!.sourceApp.accessProfiles.items).toEqual([{ id: profiles[2] }]);
    await gw.gql('mutation($id: ID!) { deleteSourceApp(id: $id) { id } }', { id });
  });

  it('refuses bad raw filters and sorters, a bad limit and route words as ids with BAD_USER_INPUT and no upstream call', async () => {
    const cases = [
      '{ sourceApps(filters: "owner.id eq \\"i1\\"") { items { id } } }',
      '{ sourceApps(filters: "enabled eq true") { items { id } } }',
      '{ assignedSourceApps(filters: "name eq \\"x\\" or owner.id in (\\"i1\\")") { items { id } } }',
      '{ allSourceApps(filters: "accountSource.id eq \\"s1\\"") { items { id } } }',
      '{ allSourceApps(filters: "name like \\"x\\"") { items { id } } }',
      '{ sourceApps(filters: "name EQ \\"x\\"") { items { id } } }',
      '{ sourceApps(filters: "(name eq \\"x\\"") { items { id } } }',
      '{ sourceApps(filters: "name eq \\"x") { items { id } } }',
      '{ sourceApps(filters: "name eq \\"x\\" id eq \\"y\\"") { items { id } } }',
      '{ sourceApps(filters: "  ") { items { id } } }',
      '{ assignedSourceApps(sorters: "owner.id") { items { id } } }',
      '{ sourceApps(sorters: "name,,created") { items { id } } }',
      '{ sourceApps(sorters: "name,-name") { items { id } } }',
      '{ allSourceApps(sorters: "enabled") { items { id } } }',
      '{ sourceApps(sorters: "") { items { id } } }',
      '{ sourceApps(sort: [{ field: NAME }], sorters: "created") { items { id } } }',
      'mutation { removeAccessProfilesFromSourceApp(id: "x", accessProfileIds: ["p"], limit: 251) { id } }',
      'mutation { removeAccessProfilesFromSourceApp(id: "x", accessProfileIds: ["p"], limit: -1) { id } }',
      '{ sourceApp(id: "all") { id } }',
      '{ sourceApp(id: "assigned") { id } }',
      '{ sourceApp(id: "bulk-update") { id } }',
      'mutation { updateSourceApp(id: "all", input: { enabled: true }) { id } }',
      'mutation { deleteSourceApp(id: "assigned") { id } }',
      'mutation { deleteSourceApp(id: "bulk-update") { id } }',
      'mutation { removeAccessProfilesFromSourceApp(id: "all", accessProfileIds: ["p"]) { id } }',
      'mutation { bulkUpdateSourceApps(ids: ["4535538c25edfff090d4805a28588594", "assigned"], input: { enabled: true }) }',
      '{ _entities(representations: [{ __typename: "SourceApp", id: "all" }]) { ... on SourceApp { id } } }',
    ];
    for (const query of cases) {
      const r = await gw.gql(query);
      expect({ query, errors: r.errors }).toEqual({ query, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toEqual([]);
  });

  it('refuses a raw access profile filter on an unsupported field before calling the access-profiles endpoint', async () => {
    const r = await gw.gql('{ allSourceApps(limit: 1) { items { id accessProfiles(filters: "requestable eq true") { items { id } } } } }');
    expect(r.errors).toEqual([code('BAD_USER_INPUT')]);
    expect(r.errors![0].path).toEqual(['allSourceApps', 'items', 0, 'accessProfiles']);
    expect(gw.calls().map((c) => c.path)).toEqual(['/source-apps/v1/all']);
  });
});

describe('demo tenant: source apps behave like ISC', () => {
  async function direct(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
    const response = await fetch(`${gw.tenant.url}${perResource(path)}`, {
      method,
      headers: { authorization: `Bearer ${gw.tenant.issueToken()}`, ...init.headers },
      body: init.body,
    });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, body };
  }
  const experimental = { 'x-sailpoint-experimental': 'true' };
  const errorDto = expect.objectContaining({
    detailCode: expect.stringMatching(/^400/),
    trackingId: expect.any(String),
    messages: [expect.objectContaining({ text: expect.any(String) })],
  });

  afterEach(() => gw.reset()); // these calls are made without the gateway: not subject to its header check

  it('refuses every /source-apps call without X-SailPoint-Experimental: true with a 400 ErrorResponseDto', async () => {
    for (const [method, path] of [
      ['GET', '/source-apps'],
      ['GET', '/source-apps/all'],
      ['GET', '/source-apps/assigned'],
      ['GET', '/source-apps/abc'],
      ['DELETE', '/source-apps/abc'],
      ['GET', '/source-apps/abc/access-profiles'],
    ]) {
      const r = await direct(method, path);
      expect({ method, path, status: r.status, body: r.body }).toEqual({ method, path, status: 400, body: errorDto });
      expect(JSON.stringify(r.body)).toContain('X-SailPoint-Experimental');
    }
    const withHeader = await direct('GET', '/source-apps/abc', { headers: experimental });
    expect(withHeader.status).toBe(404);
  });

  it('refuses filters and sorters an endpoint does not support', async () => {
    for (const [path, query] of [
      ['/source-apps/all', 'filters=modified lt 2024-01-01T00:00:00Z'],
      ['/source-apps', 'filters=enabled eq true'],
      ['/source-apps/assigned', 'sorters=owner.id'],
      ['/source-apps/all', 'filters=name eq "x" and owner.id co "y"'],
    ]) {
      const r = await direct('GET', `${path}?${new URLSearchParams(Object.fromEntries([query.split(/=(.*)/s).slice(0, 2)])).toString()}`, {
        headers: experimental,
      });
      expect({ path, query, status: r.status }).toEqual({ path, query, status: 400 });
    }
  });

  it('bulk-remove takes limit 0 to 250 as a query parameter, like ISC, and refuses anything else', async () => {
    const [app] = await allApps();
    const post = (limit: string) =>
      direct('POST', `/source-apps/${app.id}/access-profiles/bulk-remove?limit=${limit}`, {
        headers: { ...experimental, 'content-type': 'application/json' },
        body: JSON.stringify(['no-such-profile']),
      });
    for (const limit of ['251', '-1', 'ten']) expect({ limit, status: (await post(limit)).status }).toEqual({ limit, status: 400 });
    const none = await post('0');
    expect({ status: none.status, body: none.body }).toEqual({ status: 200, body: [] });
    const one = await post('1');
    expect(one.status).toBe(200);
    expect(one.body).toHaveLength(1);
  });

  it('refuses patches outside the patchable fields and emptied names', async () => {
    const [app] = await allApps();
    for (const patch of [
      { op: 'replace', path: '/cloudAppId', value: '1' },
      { op: 'remove', path: '/owner' },
      { op: 'replace', path: '/name', value: '' },
      { op: 'frobnicate', path: '/name', value: 'x' },
    ]) {
      const r = await direct('PATCH', `/source-apps/${app.id}`, {
        headers: { ...experimental, 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([patch]),
      });
      expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
    }
    const notArray = await direct('PATCH', `/source-apps/${app.id}`, {
      headers: { ...experimental, 'content-type': 'application/json-patch+json' },
      body: JSON.stringify({ op: 'replace', path: '/name', value: 'x' }),
    });
    expect(notArray.status).toBe(400);
  });
});
