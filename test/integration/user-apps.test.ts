import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SOURCE_APP_SEED } from '../../src/demo-tenant/seed/source-apps.js';
import { userAppsOf } from '../../src/demo-tenant/seed/user-apps.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { badInput, code } from '../support/errors.js';

/**
 * The four user-apps operations against the demo tenant, per demo user: what each one sees and
 * may do, and the exact requests ISC receives. A caller's bearer token (from the tenant, as their
 * sign-in yields it) is passed through; without one the gateway's own credential (the
 * client-credentials identity `demo.admin`) is used.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());
// Every user-apps call opts in to ISC's experimental API, as every source-app call does.
afterEach(() => {
  for (const call of gw.calls())
    expect({ path: call.path, header: call.headers['x-sailpoint-experimental'] }).toEqual({ path: call.path, header: 'true' });
});

type User = 'ada.admin' | 'rita.reader' | 'sam.source' | 'noor.user';

/** A token of `user`, as their sign-in yields it. */
const tokenOf = (user: User): string => gw.tenant.issueToken({ user });
/** The headers ISC receives from the gateway for `token`'s calls. */
const expHeaders = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json', 'x-sailpoint-experimental': 'true' });
const ownBearer = expect.stringMatching(/^Bearer \S+$/);
const ownHeaders = { authorization: ownBearer, accept: 'application/json', 'x-sailpoint-experimental': 'true' };

const idsOf = (items: { id: string }[]): string[] => items.map((i) => i.id).sort();
const seedIds = (alias: string): string[] =>
  userAppsOf(alias)
    .map((a) => a.id)
    .sort();
const sourceAppName = (id: string): string | undefined => SOURCE_APP_SEED.apps.find((a) => a.id === id)?.name;

describe("Query.userApps: the caller's own apps", () => {
  it.each<[User | 'demo.admin']>([['ada.admin'], ['rita.reader'], ['noor.user'], ['demo.admin']])(
    '%s sees their own apps, and only theirs',
    async (user) => {
      const token = user === 'demo.admin' ? undefined : tokenOf(user);
      const r = await gw.gql(
        '{ userApps { items { id owner { alias name type } sourceApp { id name } source { id name type } account { id type } } } }',
        undefined,
        token ? { authorization: `Bearer ${token}` } : undefined,
      );
      expect(r.errors).toBeUndefined();
      const items = r.data!.userApps.items as any[];
      expect(idsOf(items)).toEqual(seedIds(user));
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) {
        const seeded = userAppsOf(user).find((a) => a.id === item.id)!;
        expect(item).toEqual({
          id: seeded.id,
          owner: { alias: user, name: seeded.owner.name, type: 'IDENTITY' },
          sourceApp: { id: seeded.sourceApp.id, name: sourceAppName(seeded.sourceApp.id) },
          source: { id: seeded.source.id, name: seeded.source.name, type: 'SOURCE' },
          account: { id: seeded.accountId, type: 'ACCOUNT' },
        });
      }
      // One call: the list (a short first page tells that no more follow); the source app's id
      // and name came with each user app.
      expect(gw.calls()).toEqual([
        { method: 'GET', path: '/user-apps/v1', query: { limit: '250', offset: '0' }, headers: token ? expHeaders(token) : ownHeaders, body: '' },
      ]);
    },
  );

  it('the users see different apps', () => {
    const sets = ['ada.admin', 'rita.reader', 'noor.user', 'demo.admin'].map((u) => seedIds(u));
    for (const [i, a] of sets.entries()) for (const b of sets.slice(i + 1)) expect(a.filter((id) => b.includes(id))).toEqual([]);
  });

  it("sam (no app-roles scope) gets ISC's 403", async () => {
    const token = tokenOf('sam.source');
    const r = await gw.gql('{ userApps { items { id } } }', undefined, { authorization: `Bearer ${token}` });
    expect(r.errors).toEqual([code('FORBIDDEN')]);
    expect(r.errors![0].extensions!.httpStatus).toBe(403);
    expect(gw.calls()).toHaveLength(1);
  });

  it('pages with limit and offset, counting only when totalCount is selected', async () => {
    const token = tokenOf('ada.admin');
    const all = await gw.gql('{ userApps { items { id } } }', undefined, { authorization: `Bearer ${token}` });
    const order = (all.data!.userApps.items as { id: string }[]).map((i) => i.id);
    expect(order).toHaveLength(3);
    gw.reset();

    const page = await gw.gql('{ userApps(limit: 1, offset: 1) { items { id } totalCount hasMore } }', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(page.data!.userApps).toEqual({ items: [{ id: order[1] }], totalCount: 3, hasMore: true });
    const last = await gw.gql('{ userApps(limit: 5, offset: 2) { items { id } hasMore } }', undefined, { authorization: `Bearer ${token}` });
    expect(last.data!.userApps).toEqual({ items: [{ id: order[2] }], hasMore: false });
    expect(gw.calls()).toEqual([
      { method: 'GET', path: '/user-apps/v1', query: { limit: '1', offset: '1', count: 'true' }, headers: expHeaders(token), body: '' },
      { method: 'GET', path: '/user-apps/v1', query: { limit: '6', offset: '2' }, headers: expHeaders(token), body: '' },
    ]);
  });

  it("turns each typed filter into ISC's expression, values quoted and escaped, joined with raw filters by and", async () => {
    const ada = userAppsOf('ada.admin');
    const token = tokenOf('ada.admin');
    const bySourceApp = await gw.gql(
      'query($s: ID!) { userApps(filter: { sourceAppId: $s }) { items { id } } }',
      { s: ada[1].sourceApp.id },
      { authorization: `Bearer ${token}` },
    );
    expect(bySourceApp.data!.userApps.items).toEqual([{ id: ada[1].id }]);
    const byAccount = await gw.gql(
      'query($a: ID!) { userApps(filter: { accountId: $a }) { items { id } } }',
      { a: ada[2].accountId },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(byAccount.data!.userApps.items).toEqual([{ id: ada[2].id }]);
    const everything = await gw.gql(
      `{ userApps(
          filter: { id: "x", ownerName: "Ada \\"A\\" \\\\", ownerNameStartsWith: "Ad", ownerAlias: "ada.admin", ownerAliasStartsWith: "ada", accountId: "acc", sourceAppId: "app" }
          filters: "id eq \\"y\\" or id eq \\"z\\""
        ) { items { id } } }`,
      undefined,
      { authorization: `Bearer ${token}` },
    );
    expect(everything.errors).toBeUndefined();
    expect(everything.data!.userApps.items).toEqual([]);
    const typed = [
      '(id eq "x")',
      '(ownerName eq "Ada \\"A\\" \\\\")',
      '(ownerName sw "Ad")',
      '(ownerAlias eq "ada.admin")',
      '(ownerAlias sw "ada")',
      '(accountId eq "acc")',
      '(sourceAppId eq "app")',
    ].join(' and ');
    expect(gw.calls().map((c) => c.query.filters)).toEqual([
      `sourceAppId eq "${ada[1].sourceApp.id}"`,
      `accountId eq "${ada[2].accountId}"`,
      `(${typed}) and (id eq "y" or id eq "z")`,
    ]);
  });

  it('refuses a raw filter on a field ISC does not filter this list on, before any call', async () => {
    const r = await gw.gql('{ userApps(filters: "ownerId eq \\"x\\"") { items { id } } }');
    expect(r.errors).toEqual([badInput]);
    expect(r.errors![0].message).toMatch(/ownerId/);
    expect(gw.calls()).toEqual([]);
  });
});

describe("Query.allUserApps: every identity's apps, filtered", () => {
  it("ada (manage scope) reads rita's apps by owner", async () => {
    const token = tokenOf('ada.admin');
    const r = await gw.gql('{ allUserApps(filter: { ownerAlias: "rita.reader" }) { items { id owner { alias } } totalCount } }', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(r.errors).toBeUndefined();
    expect(idsOf(r.data!.allUserApps.items)).toEqual(seedIds('rita.reader'));
    expect(r.data!.allUserApps.totalCount).toBe(seedIds('rita.reader').length);
    expect(gw.calls()).toEqual([
      {
        method: 'GET',
        path: '/user-apps/v1/all',
        query: { filters: 'ownerAlias eq "rita.reader"', limit: '250', offset: '0', count: 'true' },
        headers: expHeaders(token),
        body: '',
      },
    ]);
  });

  it('filters by owner id (only this list offers it)', async () => {
    const noor = userAppsOf('noor.user');
    const r = await gw.gql('query($o: ID!) { allUserApps(filter: { ownerId: $o }) { items { id } } }', { o: noor[0].owner.id });
    expect(idsOf(r.data!.allUserApps.items)).toEqual(seedIds('noor.user'));
    expect(gw.calls()[0].query.filters).toBe(`ownerId eq "${noor[0].owner.id}"`);
  });

  it('refuses an empty filter before any call: ISC requires one', async () => {
    const r = await gw.gql('{ allUserApps(filter: {}) { items { id } } }');
    expect(r.errors).toEqual([badInput]);
    expect(r.errors![0].message).toMatch(/needs a filter/);
    const missing = await gw.gql('{ allUserApps { items { id } } }');
    expect(missing.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(gw.calls()).toEqual([]);
  });

  it("rita (read scope only) gets ISC's 403 with its tracking id; noor (manage scope, no admin level) is served", async () => {
    const refused = await gw.gql('{ allUserApps(filter: { ownerAlias: "ada.admin" }) { items { id } } }', undefined, {
      authorization: `Bearer ${tokenOf('rita.reader')}`,
    });
    expect(refused.errors).toEqual([code('FORBIDDEN')]);
    expect(refused.errors![0].extensions).toMatchObject({ httpStatus: 403, trackingId: expect.any(String) });
    expect(gw.calls()).toHaveLength(1);

    const served = await gw.gql('{ allUserApps(filter: { ownerAlias: "ada.admin" }) { items { id } } }', undefined, {
      authorization: `Bearer ${tokenOf('noor.user')}`,
    });
    expect(served.errors).toBeUndefined();
    expect(idsOf(served.data!.allUserApps.items)).toEqual(seedIds('ada.admin'));
  });
});

describe('UserApp.availableAccounts', () => {
  const withAccounts = (alias: string, atLeast: number) => userAppsOf(alias).find((a) => a.availableAccounts.length >= atLeast)!;

  it('one call per app, made only when selected; count asked only for totalCount or hasMore', async () => {
    const token = tokenOf('ada.admin');
    const app = withAccounts('ada.admin', 3);
    await gw.gql('{ userApps { items { id } } }', undefined, { authorization: `Bearer ${token}` });
    expect(gw.calls().map((c) => c.path)).toEqual(['/user-apps/v1']);
    gw.reset();

    const r = await gw.gql(
      'query($s: ID!) { userApps(filter: { sourceAppId: $s }) { items { id availableAccounts(limit: 2) { items { id displayName nativeIdentity sourceId sourceDisplayName appId appDisplayName } totalCount hasMore } } } }',
      { s: app.sourceApp.id },
      { authorization: `Bearer ${token}` },
    );
    expect(r.errors).toBeUndefined();
    const accounts = r.data!.userApps.items[0].availableAccounts;
    expect(accounts.totalCount).toBe(app.availableAccounts.length);
    expect(accounts.hasMore).toBe(true);
    expect(accounts.items).toEqual(
      app.availableAccounts.slice(0, 2).map((a) => ({
        id: a.id,
        displayName: a.displayName,
        nativeIdentity: a.nativeIdentity,
        sourceId: a.sourceId,
        sourceDisplayName: a.sourceDisplayName,
        appId: app.sourceApp.id,
        appDisplayName: sourceAppName(app.sourceApp.id),
      })),
    );
    expect(gw.calls().slice(1)).toEqual([
      {
        method: 'GET',
        path: `/user-apps/v1/${app.id}/available-accounts`,
        query: { limit: '2', count: 'true' },
        headers: expHeaders(token),
        body: '',
      },
    ]);

    gw.reset();
    await gw.gql(
      'query($s: ID!) { userApps(filter: { sourceAppId: $s }) { items { availableAccounts(limit: 2) { items { id } } } } }',
      { s: app.sourceApp.id },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(gw.calls()[1].query).toEqual({ limit: '2' });
  });

  it('beyond one page: ISC answers at most 250 (no offset), and hasMore says more exist', async () => {
    const app = withAccounts('demo.admin', 251);
    const r = await gw.gql(
      'query($s: ID!) { userApps(filter: { sourceAppId: $s }) { items { availableAccounts { items { id } totalCount hasMore } } } }',
      {
        s: app.sourceApp.id,
      },
    );
    expect(r.errors).toBeUndefined();
    const accounts = r.data!.userApps.items[0].availableAccounts;
    expect(accounts.items).toHaveLength(250);
    expect(accounts.totalCount).toBe(app.availableAccounts.length);
    expect(accounts.hasMore).toBe(true);
    expect(gw.calls()[1]).toMatchObject({ path: `/user-apps/v1/${app.id}/available-accounts`, query: { limit: '250', count: 'true' } });

    gw.reset();
    const tooMany = await gw.gql('{ userApps { items { availableAccounts(limit: 251) { items { id } } } } }');
    expect(tooMany.errors?.[0]).toEqual(badInput);
    expect(tooMany.errors![0].message).toMatch(/no offset/);
    expect(gw.calls().map((c) => c.path)).toEqual(['/user-apps/v1']);
  });
});

describe('Mutation.updateUserAppAccount', () => {
  it('ada chooses another account: the exact JSON Patch, and her apps answer it afterwards', async () => {
    const token = tokenOf('ada.admin');
    const app = userAppsOf('ada.admin').find((a) => a.availableAccounts.length >= 3)!;
    const chosen = app.availableAccounts[2];
    const r = await gw.gql(
      'mutation($id: ID!, $a: ID!) { updateUserAppAccount(id: $id, accountId: $a) { id account { id name type } } }',
      { id: app.id, a: chosen.id },
      { authorization: `Bearer ${token}` },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateUserAppAccount).toEqual({ id: app.id, account: { id: chosen.id, name: chosen.displayName, type: 'ACCOUNT' } });
    expect(gw.calls()).toEqual([
      {
        method: 'PATCH',
        path: `/user-apps/v1/${app.id}`,
        query: {},
        headers: { ...expHeaders(token), 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([{ op: 'replace', path: '/account', value: { id: chosen.id, type: 'ACCOUNT' } }]),
      },
    ]);
    const after = await gw.gql(
      'query($s: ID!) { userApps(filter: { sourceAppId: $s }) { items { account { id } } } }',
      { s: app.sourceApp.id },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(after.data!.userApps.items).toEqual([{ account: { id: chosen.id } }]);
  });

  it("rita (read scope only) gets ISC's 403; noor (manage scope, no admin level) changes her own", async () => {
    const rita = userAppsOf('rita.reader').find((a) => a.availableAccounts.length >= 2)!;
    const refused = await gw.gql(
      'mutation($id: ID!, $a: ID!) { updateUserAppAccount(id: $id, accountId: $a) { id } }',
      { id: rita.id, a: rita.availableAccounts[1].id },
      { authorization: `Bearer ${tokenOf('rita.reader')}` },
    );
    expect(refused.errors).toEqual([code('FORBIDDEN')]);
    expect(refused.errors![0].extensions).toMatchObject({ httpStatus: 403, trackingId: expect.any(String) });
    expect(gw.calls()).toHaveLength(1);

    const noor = userAppsOf('noor.user')[0];
    const done = await gw.gql(
      'mutation($id: ID!, $a: ID!) { updateUserAppAccount(id: $id, accountId: $a) { id account { id } } }',
      { id: noor.id, a: noor.availableAccounts[0].id },
      { authorization: `Bearer ${tokenOf('noor.user')}` },
    );
    expect(done.errors).toBeUndefined();
    expect(done.data!.updateUserAppAccount).toEqual({ id: noor.id, account: { id: noor.availableAccounts[0].id } });
  });

  it('refuses a route word as id and a blank account before any call', async () => {
    const r = await gw.gql('mutation { updateUserAppAccount(id: "all", accountId: "x") { id } }');
    expect(r.errors).toEqual([badInput]);
    const blank = await gw.gql('mutation { updateUserAppAccount(id: "abc", accountId: "") { id } }');
    expect(blank.errors).toEqual([badInput]);
    expect(gw.calls()).toEqual([]);
  });

  it("an account the app does not offer: ISC's 400 with its status", async () => {
    const app = userAppsOf('demo.admin')[1];
    const r = await gw.gql('mutation($id: ID!) { updateUserAppAccount(id: $id, accountId: "0123456789abcdef0123456789abcdef") { id } }', {
      id: app.id,
    });
    expect(r.errors?.[0].extensions).toMatchObject({ httpStatus: 400 });
    expect(gw.calls()).toHaveLength(1);
  });
});

describe('UserApp.sourceApp', () => {
  const listWithSourceApps = '{ userApps(limit: 10) { items { id sourceApp { id name description enabled } } } }';

  it('for an admin: one batched source-app lookup for all of the apps', async () => {
    const token = tokenOf('ada.admin');
    const r = await gw.gql(listWithSourceApps, undefined, { authorization: `Bearer ${token}` });
    expect(r.errors).toBeUndefined();
    const ada = userAppsOf('ada.admin');
    for (const item of r.data!.userApps.items) {
      const seeded = SOURCE_APP_SEED.apps.find((a) => a.id === ada.find((u) => u.id === item.id)!.sourceApp.id)!;
      expect(item.sourceApp).toEqual({ id: seeded.id, name: seeded.name, description: seeded.description, enabled: seeded.enabled });
    }
    const ids = (r.data!.userApps.items as any[]).map((i) => i.sourceApp.id);
    expect(gw.calls()).toEqual([
      expect.objectContaining({ method: 'GET', path: '/user-apps/v1' }),
      {
        method: 'GET',
        path: '/source-apps/v1/all',
        query: { filters: `id in (${ids.map((id) => JSON.stringify(id)).join(',')})`, limit: String(ids.length) },
        headers: expHeaders(token),
        body: '',
      },
    ]);
    // Estimated before the call, not knowing yet whether ISC serves ada the admin list: the list,
    // plus for each of up to 10 apps its share of a batched call and a call of its own.
    expect(r.extensions?.cost?.estimatedCalls).toBe(1 + Math.ceil(10 * (1 + 1 / 100)));
    // Once it did: the list and one batched call.
    gw.reset();
    const again = await gw.gql(listWithSourceApps, undefined, { authorization: `Bearer ${token}` });
    expect(gw.calls().map((c) => c.path)).toEqual(['/user-apps/v1', '/source-apps/v1/all']);
    expect(again.extensions?.cost?.estimatedCalls).toBe(1 + 1);
  });

  it('for noor (no admin level): the admin list answers 403 once, then one GET per app, remembered across operations', async () => {
    const token = tokenOf('noor.user');
    const noor = userAppsOf('noor.user');
    const first = await gw.gql(listWithSourceApps, undefined, { authorization: `Bearer ${token}` });
    expect(first.errors).toBeUndefined();
    expect(first.data!.userApps.items.map((i: any) => i.sourceApp.name).sort()).toEqual(noor.map((a) => sourceAppName(a.sourceApp.id)).sort());
    const calls = gw.calls();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /user-apps/v1',
      'GET /source-apps/v1/all',
      ...noor.map(() => expect.stringMatching(/^GET \/source-apps\/v1\/[0-9a-f]{32}$/)),
    ]);
    expect(
      calls
        .slice(2)
        .map((c) => c.path.split('/').pop())
        .sort(),
    ).toEqual(noor.map((a) => a.sourceApp.id).sort());
    for (const c of calls) expect(c.headers).toEqual(expHeaders(token));

    // The refusal is a fact about this caller now: the estimate counts one call per app, and no
    // admin list is asked again.
    gw.reset();
    const second = await gw.gql(listWithSourceApps, undefined, { authorization: `Bearer ${token}` });
    expect(second.errors).toBeUndefined();
    expect(gw.calls().map((c) => c.path.replace(/[0-9a-f]{32}$/, '{id}'))).toEqual(['/user-apps/v1', ...noor.map(() => '/source-apps/v1/{id}')]);
    expect(second.extensions?.cost?.estimatedCalls).toBe(1 + 10);
  });

  it('id and name alone cost nothing beyond the list, for any caller', async () => {
    const r = await gw.gql('{ userApps(limit: 10) { items { sourceApp { id name __typename } } } }', undefined, {
      authorization: `Bearer ${tokenOf('noor.user')}`,
    });
    expect(r.errors).toBeUndefined();
    expect(gw.calls().map((c) => c.path)).toEqual(['/user-apps/v1']);
    expect(r.extensions?.cost?.estimatedCalls).toBe(1);
  });

  it('a field left out by @skip/@include costs nothing either: the resolver reads the selection as the estimate does', async () => {
    const r = await gw.gql(
      'query($more: Boolean!) { userApps(limit: 10) { items { sourceApp { id name description @include(if: $more) ...Extra @skip(if: true) } } } } fragment Extra on SourceApp { enabled }',
      { more: false },
    );
    expect(r.errors).toBeUndefined();
    expect(gw.calls().map((c) => c.path)).toEqual(['/user-apps/v1']);
    expect(r.extensions?.cost?.estimatedCalls).toBe(1);
  });
});

describe('the response cache (SAIL_RESPONSE_CACHE_DOMAINS=user-apps)', () => {
  let cached: TestGateway;
  beforeAll(async () => {
    cached = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'user-apps:60' });
  });
  afterAll(() => cached.close());

  it("keeps a caller's list, never shares it with another caller, and an account choice makes it stale", async () => {
    const ada = { authorization: `Bearer ${cached.tenant.issueToken({ user: 'ada.admin' })}` };
    const rita = { authorization: `Bearer ${cached.tenant.issueToken({ user: 'rita.reader' })}` };
    const list = '{ userApps { items { id account { id } } } }';
    const first = await cached.gql(list, undefined, ada);
    const again = await cached.gql(list, undefined, ada);
    expect(again.data).toEqual(first.data);
    expect(cached.calls().map((c) => c.path)).toEqual(['/user-apps/v1']);

    const ritas = await cached.gql(list, undefined, rita);
    expect(idsOf(ritas.data!.userApps.items)).toEqual(seedIds('rita.reader'));
    expect(cached.calls().map((c) => c.path)).toEqual(['/user-apps/v1', '/user-apps/v1']);

    cached.reset();
    const app = userAppsOf('ada.admin').find((a) => a.availableAccounts.length >= 3)!;
    const chosen = app.availableAccounts[1].id;
    await cached.gql('mutation($id: ID!, $a: ID!) { updateUserAppAccount(id: $id, accountId: $a) { id } }', { id: app.id, a: chosen }, ada);
    const after = await cached.gql(list, undefined, ada);
    expect(after.data!.userApps.items.find((i: any) => i.id === app.id).account.id).toBe(chosen);
    expect(cached.calls().map((c) => `${c.method} ${c.path}`)).toEqual([`PATCH /user-apps/v1/${app.id}`, 'GET /user-apps/v1']);
  });
});
