import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant, type PathLayout } from '../../src/demo-tenant/server.js';
import { createUserAppState } from '../../src/demo-tenant/user-apps.js';
import { hexId, SOURCE_APP_SEED } from '../../src/demo-tenant/seed/source-apps.js';
import { USER_APP_SEED, userAppsOf, type UserAppRecord } from '../../src/demo-tenant/seed/user-apps.js';
import { CLIENT_CREDENTIALS_IDENTITY, DEMO_USERS } from '../../src/demo-tenant/seed/users.js';
import { expectIscError } from '../support/demo-tenant-api.js';

/**
 * The demo tenant's user apps (ISC's four `/user-apps` operations): what each demo identity owns
 * and may see and do, paging, filters, the available accounts and their cap, the account patch,
 * the experimental header, both path layouts; and the ORG_ADMIN rule of `GET /source-apps/all`
 * that the user without the admin level (noor.user) meets.
 */

type Json = Record<string, any>;
type Who = 'ada.admin' | 'rita.reader' | 'sam.source' | 'noor.user' | 'demo.admin';

const user = (name: string) => DEMO_USERS.find((u) => u.name === name)!;
/** The seeded user app of `owner` that is an instance of the source app `appName`. */
const appOf = (owner: string, appName: string): UserAppRecord => userAppsOf(owner).find((app) => app.sourceApp.name === appName)!;
const sourceAppId = (name: string): string => SOURCE_APP_SEED.apps.find((app) => app.name === name)!.id;

const pathIn = (layout: PathLayout, neutral: string): string => {
  if (layout === 'v2024') return `/v2024${neutral}`;
  return neutral.replace(/^\/([^/?]+)/, '/$1/v1');
};

interface Call {
  method?: string;
  body?: unknown;
  contentType?: string;
  layout?: PathLayout;
  /** The X-SailPoint-Experimental header's value; null sends none. Default `true`. */
  experimental?: string | null;
}

/** A client of one tenant: each call carries a token of `who` (`demo.admin`: the demo client's client-credentials token). */
function clientOf(tenant: () => DemoTenant) {
  const tokens = new Map<Who, string>();
  const tokenOf = (who: Who): string => {
    if (!tokens.has(who)) tokens.set(who, who === 'demo.admin' ? tenant().issueToken() : tenant().issueToken({ user: who }));
    return tokens.get(who)!;
  };
  return async (who: Who, path: string, { method = 'GET', body, contentType, layout = 'per-resource', experimental = 'true' }: Call = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokenOf(who)}` };
    if (experimental !== null) headers['x-sailpoint-experimental'] = experimental;
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/json-patch+json';
    return fetch(`${tenant().url}${pathIn(layout, path)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  };
}

/** The JSON of a 200 answer (fails on any other status, with the body). */
async function ok(res: Response): Promise<any> {
  const text = await res.text();
  expect([res.status, res.status === 200 ? '' : text]).toEqual([200, '']);
  return JSON.parse(text);
}

const q = (filters: string): string => `filters=${encodeURIComponent(filters)}`;
const ids = (list: Json[]): string[] => list.map((app) => app.id);
const replaceAccount = (id: string, type = 'ACCOUNT') => [{ op: 'replace', path: '/account', value: { id, type } }];

describe('the user app seed', () => {
  it('gives each identity its own apps, with deterministic ids, each an instance of a seeded source app on its account source', () => {
    const counts = Object.fromEntries(['ada.admin', 'rita.reader', 'sam.source', 'noor.user', 'demo.admin'].map((u) => [u, userAppsOf(u).length]));
    expect(counts).toEqual({ 'ada.admin': 3, 'rita.reader': 2, 'sam.source': 1, 'noor.user': 2, 'demo.admin': 3 });
    expect(USER_APP_SEED).toHaveLength(11);
    expect(new Set(USER_APP_SEED.map((app) => app.id)).size).toBe(11);
    expect(userAppsOf('ada.admin').map((app) => app.id)).toEqual([0, 1, 2].map((n) => hexId(`user-app:ada.admin:${n}`)));
    expect(userAppsOf('demo.admin')[0].owner).toEqual({ id: hexId('identity:demo.admin'), name: 'Demo Admin', alias: 'demo.admin' });
    expect(userAppsOf('noor.user')[0].owner).toEqual({ id: user('noor.user').id, name: 'Noor Nasser', alias: 'noor.user' });

    for (const app of USER_APP_SEED) {
      const sourceApp = SOURCE_APP_SEED.apps.find((a) => a.id === app.sourceApp.id)!;
      expect([app.id, app.sourceApp.name, app.source.id]).toEqual([app.id, sourceApp.name, sourceApp.accountSourceId]);
      expect(app.availableAccounts.map((a) => a.id)).toContain(app.accountId);
      for (const account of app.availableAccounts) expect(account).toMatchObject({ sourceId: app.source.id, sourceDisplayName: app.source.name });
    }
    // Different apps per user: no source app is shared between the signed-in users here.
    const appsOf = (u: string) => userAppsOf(u).map((app) => app.sourceApp.name);
    expect(appsOf('ada.admin').filter((name) => appsOf('rita.reader').includes(name) || appsOf('noor.user').includes(name))).toEqual([]);
  });

  it('has the accounts to choose from: 3 for one of ada’s apps, 2 for one of rita’s, 260 for one of demo.admin’s', () => {
    const accountCounts = (u: string) => Object.fromEntries(userAppsOf(u).map((app) => [app.sourceApp.name, app.availableAccounts.length]));
    expect(accountCounts('ada.admin')).toEqual({ 'Jira Software': 1, 'Salesforce Sales Cloud': 3, 'Microsoft 365': 1 });
    expect(accountCounts('rita.reader')).toEqual({ Confluence: 1, 'Workday HCM': 2 });
    expect(accountCounts('noor.user')).toEqual({ Slack: 1, 'GitHub Enterprise': 1 });
    expect(accountCounts('demo.admin')).toEqual({ 'ServiceNow ITSM': 260, 'Tableau Analytics': 1, Zoom: 1 });
    const ids260 = appOf('demo.admin', 'ServiceNow ITSM').availableAccounts.map((a) => a.id);
    expect(new Set(ids260).size).toBe(260);
  });

  it('gives every tenant its own copy', () => {
    const a = createUserAppState();
    const b = createUserAppState();
    const { id } = appOf('ada.admin', 'Salesforce Sales Cloud');
    a.apps.get(id)!.accountId = 'changed';
    expect(b.apps.get(id)!.accountId).toBe(appOf('ada.admin', 'Salesforce Sales Cloud').accountId);
    expect(USER_APP_SEED.find((app) => app.id === id)!.accountId).not.toBe('changed');
  });
});

describe('user apps of a demo tenant', () => {
  let tenant: DemoTenant;
  beforeAll(async () => {
    tenant = await startDemoTenant({ recordRequests: true });
  });
  afterAll(() => tenant.close());
  const call = clientOf(() => tenant);

  describe('GET /user-apps: the caller’s own apps', () => {
    it('answers each identity its own apps only, by source app name (then id), each different', async () => {
      const names = async (who: Who) =>
        ((await ok(await call(who, '/user-apps'))) as Json[]).map((app) => `${app.owner.alias}: ${app.sourceApp.name}`);
      expect(await names('ada.admin')).toEqual(['ada.admin: Jira Software', 'ada.admin: Microsoft 365', 'ada.admin: Salesforce Sales Cloud']);
      expect(await names('rita.reader')).toEqual(['rita.reader: Confluence', 'rita.reader: Workday HCM']);
      expect(await names('noor.user')).toEqual(['noor.user: GitHub Enterprise', 'noor.user: Slack']);
      // The client-credentials token speaks for demo.admin, whose apps these are (`npm start` without sign-in).
      expect(await names('demo.admin')).toEqual(['demo.admin: ServiceNow ITSM', 'demo.admin: Tableau Analytics', 'demo.admin: Zoom']);
      // sam.source has a user app but no app-roles scope.
      await expectIscError(await call('sam.source', '/user-apps'), 403, /idn:app-roles:read/);
    });

    it('answers ISC’s UserApp: the source app and source embedded, the chosen account, the owner with its alias', async () => {
      const seeded = appOf('ada.admin', 'Salesforce Sales Cloud');
      const [answered] = (await ok(await call('ada.admin', `/user-apps?${q(`id eq "${seeded.id}"`)}`))) as Json[];
      const salesforce = SOURCE_APP_SEED.sources.find((s) => s.name === 'Salesforce')!;
      expect(answered).toEqual({
        id: seeded.id,
        created: seeded.created,
        modified: seeded.modified,
        hasMultipleAccounts: true,
        useForPasswordManagement: false,
        provisionRequestEnabled: true,
        appCenterEnabled: true,
        sourceApp: { id: sourceAppId('Salesforce Sales Cloud'), type: 'APPLICATION', name: 'Salesforce Sales Cloud' },
        source: { id: salesforce.id, type: 'SOURCE', name: 'Salesforce' },
        account: { id: hexId('account:ada.admin:Salesforce:0'), type: 'ACCOUNT', name: 'Ada Adeyemi' },
        owner: { id: user('ada.admin').id, type: 'IDENTITY', name: 'Ada Adeyemi', alias: 'ada.admin' },
      });
      const [jira] = (await ok(await call('ada.admin', `/user-apps?${q(`sourceAppId eq "${sourceAppId('Jira Software')}"`)}`))) as Json[];
      expect([jira.hasMultipleAccounts, jira.useForPasswordManagement]).toEqual([false, true]);
    });

    it('pages with limit and offset, counts with count=true (X-Total-Count), and refuses a limit over 250', async () => {
      const all = ids(await ok(await call('ada.admin', '/user-apps')));
      expect(all).toHaveLength(3);
      const first = await call('ada.admin', '/user-apps?limit=2&count=true');
      expect(first.headers.get('x-total-count')).toBe('3');
      expect(ids(await ok(first))).toEqual(all.slice(0, 2));
      const second = await call('ada.admin', '/user-apps?limit=2&offset=2');
      expect(second.headers.get('x-total-count')).toBeNull();
      expect(ids(await ok(second))).toEqual(all.slice(2));
      expect(await ok(await call('ada.admin', '/user-apps?limit=0&count=true'))).toEqual([]);
      expect(await ok(await call('ada.admin', '/user-apps?offset=3'))).toEqual([]);
      expect(ids(await ok(await call('ada.admin', '/user-apps?limit=250')))).toEqual(all);
      await expectIscError(await call('ada.admin', '/user-apps?limit=251'), 400, /"limit" must be an integer between 0 and 250/);
      await expectIscError(await call('ada.admin', '/user-apps?offset=-1'), 400, /"offset"/);
      await expectIscError(await call('ada.admin', '/user-apps?count=maybe'), 400, /"count"/);
    });

    it('filters on id, ownerName, ownerAlias, accountId and sourceAppId, within the caller’s own apps', async () => {
      const ada = userAppsOf('ada.admin');
      const salesforce = appOf('ada.admin', 'Salesforce Sales Cloud');
      const filtered = async (who: Who, filters: string) => ids(await ok(await call(who, `/user-apps?${q(filters)}`))).sort();
      const adaIds = ada.map((app) => app.id).sort();
      expect(await filtered('ada.admin', `id eq "${salesforce.id}"`)).toEqual([salesforce.id]);
      expect(await filtered('ada.admin', 'ownerName eq "ada adeyemi"')).toEqual(adaIds); // case-insensitive, as ISC
      expect(await filtered('ada.admin', 'ownerName sw "Ada A"')).toEqual(adaIds);
      expect(await filtered('ada.admin', 'ownerName sw "Rita"')).toEqual([]);
      expect(await filtered('ada.admin', 'ownerAlias eq "ada.admin"')).toEqual(adaIds);
      expect(await filtered('ada.admin', 'ownerAlias sw "ada."')).toEqual(adaIds);
      expect(await filtered('ada.admin', `accountId eq "${salesforce.accountId}"`)).toEqual([salesforce.id]);
      expect(await filtered('ada.admin', `sourceAppId eq "${sourceAppId('Microsoft 365')}"`)).toEqual([appOf('ada.admin', 'Microsoft 365').id]);
      expect(await filtered('ada.admin', `ownerAlias eq "ada.admin" and id eq "${salesforce.id}"`)).toEqual([salesforce.id]);
      // Another identity's app or alias is not in the caller's list.
      expect(await filtered('ada.admin', 'ownerAlias eq "rita.reader"')).toEqual([]);
      expect(await filtered('ada.admin', `id eq "${userAppsOf('rita.reader')[0].id}"`)).toEqual([]);
    });

    it('reads a quote escaped in a filter value as a quote, and refuses fields and operators ISC does not offer here', async () => {
      // The escaped quote is part of the value: nothing matches, nothing fails.
      expect(await ok(await call('ada.admin', `/user-apps?${q('ownerName eq "Ada \\"the admin\\" Adeyemi"')}`))).toEqual([]);
      expect(await ok(await call('ada.admin', `/user-apps?${q('ownerAlias sw "ada\\".admin"')}`))).toEqual([]);
      await expectIscError(await call('ada.admin', `/user-apps?${q('ownerName eq "Ada \\"')}`), 400, /unterminated string/);
      await expectIscError(
        await call('ada.admin', `/user-apps?${q(`ownerId eq "${user('ada.admin').id}"`)}`),
        400,
        /not supported for field "ownerId"/,
      );
      await expectIscError(await call('ada.admin', `/user-apps?${q('name eq "Jira Software"')}`), 400, /not supported for field "name"/);
      await expectIscError(await call('ada.admin', `/user-apps?${q('id in ("a","b")')}`), 400, /Operator "in" is not supported for field "id"/);
      await expectIscError(await call('ada.admin', `/user-apps?${q('ownerName co "Ada"')}`), 400, /Operator "co"/);
      await expectIscError(await call('ada.admin', `/user-apps?${q('owner.name eq "Ada Adeyemi"')}`), 400, /not supported for field "owner.name"/);
    });
  });

  describe('GET /user-apps/all: every identity’s apps, by a required filter', () => {
    it('answers the apps of every owner the filter matches, demo.admin’s included, for a caller with the manage scope', async () => {
      const everything = await call('ada.admin', `/user-apps/all?${q('ownerAlias sw ""')}&count=true`);
      expect(everything.headers.get('x-total-count')).toBe('11');
      const all = (await ok(everything)) as Json[];
      expect(new Set(all.map((app) => app.owner.alias))).toEqual(new Set(['ada.admin', 'rita.reader', 'sam.source', 'noor.user', 'demo.admin']));
      // One order across owners: by source app name.
      expect(all.map((app) => app.sourceApp.name)).toEqual([...all.map((app) => app.sourceApp.name)].sort((a, b) => a.localeCompare(b, 'en')));

      const filtered = async (who: Who, filters: string) => ids(await ok(await call(who, `/user-apps/all?${q(filters)}`))).sort();
      const idsOf = (u: string) =>
        userAppsOf(u)
          .map((app) => app.id)
          .sort();
      expect(await filtered('ada.admin', `ownerId eq "${hexId('identity:demo.admin')}"`)).toEqual(idsOf('demo.admin'));
      expect(await filtered('ada.admin', 'ownerName eq "Rita Ramos"')).toEqual(idsOf('rita.reader'));
      expect(await filtered('ada.admin', 'ownerName sw "Noor"')).toEqual(idsOf('noor.user'));
      expect(await filtered('ada.admin', 'ownerAlias eq "sam.source"')).toEqual(idsOf('sam.source'));
      expect(await filtered('ada.admin', 'ownerAlias sw "r"')).toEqual(idsOf('rita.reader'));
      const workday = appOf('rita.reader', 'Workday HCM');
      expect(await filtered('ada.admin', `accountId eq "${workday.accountId}"`)).toEqual([workday.id]);
      expect(await filtered('ada.admin', `sourceAppId eq "${sourceAppId('Slack')}"`)).toEqual([appOf('noor.user', 'Slack').id]);
      expect(await filtered('ada.admin', `id eq "${workday.id}"`)).toEqual([workday.id]);
      // noor has the manage scope without the admin level: ISC lets her list them too; so does the client.
      expect(await filtered('noor.user', 'ownerAlias eq "ada.admin"')).toEqual(idsOf('ada.admin'));
      expect(await filtered('demo.admin', 'ownerAlias eq "noor.user"')).toEqual(idsOf('noor.user'));
    });

    it('pages like the caller’s list', async () => {
      const all = ids(await ok(await call('ada.admin', `/user-apps/all?${q('ownerAlias sw ""')}`)));
      const page = await call('ada.admin', `/user-apps/all?${q('ownerAlias sw ""')}&limit=4&offset=8&count=true`);
      expect(page.headers.get('x-total-count')).toBe('11');
      expect(ids(await ok(page))).toEqual(all.slice(8, 11));
      await expectIscError(await call('ada.admin', `/user-apps/all?${q('ownerAlias sw ""')}&limit=300`), 400, /"limit"/);
    });

    it('requires the filter, refuses a caller with the read scope only (403), and filters ISC does not offer', async () => {
      await expectIscError(await call('ada.admin', '/user-apps/all'), 400, /"filters" is required/);
      await expectIscError(await call('ada.admin', '/user-apps/all?filters=%20'), 400, /"filters" is required/);
      await expectIscError(await call('rita.reader', `/user-apps/all?${q('ownerAlias eq "rita.reader"')}`), 403, /idn:app-roles:manage/);
      await expectIscError(
        await call('ada.admin', `/user-apps/all?${q('ownerId sw "ded"')}`),
        400,
        /Operator "sw" is not supported for field "ownerId"/,
      );
      await expectIscError(await call('ada.admin', `/user-apps/all?${q('created gt 2020-01-01')}`), 400, /field "created"/);
    });
  });

  describe('GET /user-apps/{id}/available-accounts', () => {
    it('answers ISC’s AppAccountDetails for the caller’s app; limit and count=true; an offset is ignored', async () => {
      const salesforce = appOf('ada.admin', 'Salesforce Sales Cloud');
      const path = `/user-apps/${salesforce.id}/available-accounts`;
      const accounts = (await ok(await call('ada.admin', path))) as Json[];
      expect(accounts).toEqual(
        ['Ada Adeyemi', 'Ada Adeyemi (admin)', 'Ada Adeyemi (test)'].map((displayName, n) => ({
          appId: sourceAppId('Salesforce Sales Cloud'),
          appDisplayName: 'Salesforce Sales Cloud',
          sourceAccount: {
            id: hexId(`account:ada.admin:Salesforce:${n}`),
            nativeIdentity: ['ada.admin', 'ada.admin-admin', 'ada.admin-test'][n],
            displayName,
            sourceId: salesforce.source.id,
            sourceDisplayName: 'Salesforce',
          },
        })),
      );
      const counted = await call('ada.admin', `${path}?limit=2&count=true`);
      expect(counted.headers.get('x-total-count')).toBe('3');
      expect(await ok(counted)).toEqual(accounts.slice(0, 2));
      expect((await call('ada.admin', `${path}?limit=2`)).headers.get('x-total-count')).toBeNull();
      // No offset on this endpoint: ISC ignores the parameter (even a malformed one), so the first page comes back.
      expect(await ok(await call('ada.admin', `${path}?offset=2`))).toEqual(accounts);
      expect(await ok(await call('ada.admin', `${path}?offset=nonsense&limit=1`))).toEqual(accounts.slice(0, 1));
      expect(await ok(await call('ada.admin', `${path}?limit=0`))).toEqual([]);
      await expectIscError(await call('ada.admin', `${path}?limit=251`), 400, /"limit"/);
      // Read scope suffices: rita reads hers.
      const workday = appOf('rita.reader', 'Workday HCM');
      expect(
        ((await ok(await call('rita.reader', `/user-apps/${workday.id}/available-accounts`))) as Json[]).map((a) => a.sourceAccount.displayName),
      ).toEqual(['Rita Ramos', 'Rita Ramos (admin)']);
    });

    it('answers at most 250 of the 260 accounts of demo.admin’s ServiceNow app per call, counting all 260', async () => {
      const serviceNow = appOf('demo.admin', 'ServiceNow ITSM');
      const res = await call('demo.admin', `/user-apps/${serviceNow.id}/available-accounts?count=true`);
      expect(res.headers.get('x-total-count')).toBe('260');
      const accounts = (await ok(res)) as Json[];
      expect(accounts).toHaveLength(250);
      expect(accounts.map((a) => a.sourceAccount.id)).toEqual(serviceNow.availableAccounts.slice(0, 250).map((a) => a.id));
      // Even asked past the cap with an offset: the same first 250.
      const offset = (await ok(await call('demo.admin', `/user-apps/${serviceNow.id}/available-accounts?offset=250`))) as Json[];
      expect(offset.map((a) => a.sourceAccount.id)).toEqual(accounts.map((a) => a.sourceAccount.id));
      expect(((await ok(await call('demo.admin', `/user-apps/${serviceNow.id}/available-accounts?limit=10`))) as Json[]).length).toBe(10);
    });

    it('answers 404 (ISC’s error body) for another identity’s app and for an unknown id', async () => {
      const ritas = appOf('rita.reader', 'Workday HCM');
      await expectIscError(
        await call('ada.admin', `/user-apps/${ritas.id}/available-accounts`),
        404,
        new RegExp(`User app with id "${ritas.id}" was not found`),
      );
      await expectIscError(await call('demo.admin', `/user-apps/${ritas.id}/available-accounts`), 404);
      await expectIscError(await call('ada.admin', '/user-apps/no-such-app/available-accounts'), 404);
      await expectIscError(await call('sam.source', `/user-apps/${userAppsOf('sam.source')[0].id}/available-accounts`), 403);
    });
  });

  describe('GET /source-apps/all: ORG_ADMIN only', () => {
    it('answers 403 to noor (app-roles scopes, no admin level), 200 to ada and rita; noor still reads one source app by id', async () => {
      await expectIscError(await call('noor.user', '/source-apps/all?limit=1'), 403, /requires the ORG_ADMIN user level/);
      expect(await ok(await call('ada.admin', '/source-apps/all?limit=1'))).toHaveLength(1);
      expect(await ok(await call('rita.reader', '/source-apps/all?limit=1'))).toHaveLength(1);
      expect(await ok(await call('demo.admin', '/source-apps/all?limit=1'))).toHaveLength(1);
      const slack = (await ok(await call('noor.user', `/source-apps/${sourceAppId('Slack')}`))) as Json;
      expect(slack.name).toBe('Slack');
    });
  });

  describe('X-SailPoint-Experimental: true and both path layouts', () => {
    const ada = () => userAppsOf('ada.admin');
    const operations = (): [string, string, unknown][] => [
      ['GET', '/user-apps', undefined],
      ['GET', `/user-apps/all?${q('ownerAlias eq "ada.admin"')}`, undefined],
      ['GET', `/user-apps/${ada()[0].id}/available-accounts`, undefined],
      ['PATCH', `/user-apps/${ada()[0].id}`, replaceAccount(ada()[0].accountId!)],
    ];

    it.each<PathLayout>(['v2024', 'per-resource'])(
      'refuses each of the four operations without the header, or with another value (%s)',
      async (layout) => {
        for (const [method, path, body] of operations()) {
          for (const experimental of [null, 'false']) {
            await expectIscError(
              await call('ada.admin', path, { method, body, layout, experimental }),
              400,
              /X-SailPoint-Experimental: true is required/,
            );
          }
          const res = await call('ada.admin', path, { method, body, layout, experimental: 'TRUE' });
          expect([method, path, res.status]).toEqual([method, path, 200]);
          await res.arrayBuffer();
        }
      },
    );

    it('answers the same in both layouts, as received, counted under one route label each', async () => {
      tenant.clearRequests();
      const before = tenant.stats().apiByRoute;
      const answers: Record<PathLayout, unknown[]> = { v2024: [], 'per-resource': [] };
      for (const layout of ['v2024', 'per-resource'] as const) {
        for (const [method, path, body] of operations()) {
          const answer = (await ok(await call('ada.admin', path, { method, body, layout }))) as Json | Json[];
          // Each patch moves the app's `modified`; the rest is the same.
          const masked = (app: Json) => (app.id === ada()[0].id ? { ...app, modified: '<moved>' } : app);
          answers[layout].push(Array.isArray(answer) ? answer.map(masked) : masked(answer));
        }
      }
      expect(answers['per-resource']).toEqual(answers.v2024);
      expect(tenant.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /v2024/user-apps',
        'GET /v2024/user-apps/all',
        `GET /v2024/user-apps/${ada()[0].id}/available-accounts`,
        `PATCH /v2024/user-apps/${ada()[0].id}`,
        'GET /user-apps/v1',
        'GET /user-apps/v1/all',
        `GET /user-apps/v1/${ada()[0].id}/available-accounts`,
        `PATCH /user-apps/v1/${ada()[0].id}`,
      ]);
      const after = tenant.stats().apiByRoute;
      const added = (label: string) => (after[label]?.['200'] ?? 0) - (before[label]?.['200'] ?? 0);
      expect(['GET /user-apps', 'GET /user-apps/all', 'GET /user-apps/:id/available-accounts', 'PATCH /user-apps/:id'].map(added)).toEqual([
        2, 2, 2, 2,
      ]);
    });
  });
});

describe('PATCH /user-apps/{id}: choosing an account', () => {
  let tenant: DemoTenant;
  beforeAll(async () => {
    tenant = await startDemoTenant();
  });
  afterAll(() => tenant.close());
  const call = clientOf(() => tenant);
  const patch = (who: Who, id: string, body: unknown, contentType?: string) => call(who, `/user-apps/${id}`, { method: 'PATCH', body, contentType });

  it('lets ada choose another of her accounts: the answer and then her list carry it, modified moves', async () => {
    const salesforce = appOf('ada.admin', 'Salesforce Sales Cloud');
    const admin = salesforce.availableAccounts[1];
    const updated = (await ok(await patch('ada.admin', salesforce.id, replaceAccount(admin.id)))) as Json;
    expect(updated.account).toEqual({ id: admin.id, type: 'ACCOUNT', name: 'Ada Adeyemi (admin)' });
    expect(Date.parse(updated.modified)).toBeGreaterThan(Date.parse(salesforce.modified));
    expect(updated.created).toBe(salesforce.created);

    const [listed] = (await ok(await call('ada.admin', `/user-apps?${q(`id eq "${salesforce.id}"`)}`))) as Json[];
    expect(listed).toEqual(updated);
    expect(ids(await ok(await call('ada.admin', `/user-apps?${q(`accountId eq "${admin.id}"`)}`)))).toEqual([salesforce.id]);
    expect(await ok(await call('ada.admin', `/user-apps?${q(`accountId eq "${salesforce.availableAccounts[0].id}"`)}`))).toEqual([]);
    // The accounts to choose from stay the same.
    expect(((await ok(await call('ada.admin', `/user-apps/${salesforce.id}/available-accounts`))) as Json[]).map((a) => a.sourceAccount.id)).toEqual(
      salesforce.availableAccounts.map((a) => a.id),
    );
    // Several replaces apply in order: the last one is chosen.
    const test = salesforce.availableAccounts[2];
    const last = (await ok(await patch('ada.admin', salesforce.id, [...replaceAccount(admin.id), ...replaceAccount(test.id)]))) as Json;
    expect(last.account.name).toBe('Ada Adeyemi (test)');
  });

  it('lets noor patch her own app; refuses rita (read scope only, 403) and another identity’s app (404)', async () => {
    const slack = appOf('noor.user', 'Slack');
    expect(((await ok(await patch('noor.user', slack.id, replaceAccount(slack.accountId!)))) as Json).account).toEqual({
      id: slack.accountId,
      type: 'ACCOUNT',
      name: 'Noor Nasser',
    });
    const workday = appOf('rita.reader', 'Workday HCM');
    await expectIscError(await patch('rita.reader', workday.id, replaceAccount(workday.availableAccounts[1].id)), 403, /idn:app-roles:manage/);
    await expectIscError(await patch('ada.admin', workday.id, replaceAccount(workday.availableAccounts[1].id)), 404, /was not found/);
    await expectIscError(await patch('noor.user', appOf('ada.admin', 'Jira Software').id, replaceAccount('x')), 404);
    await expectIscError(await patch('ada.admin', 'no-such-app', replaceAccount('x')), 404);
    // Rita's choice did not happen.
    const [ritas] = (await ok(await call('demo.admin', `/user-apps/all?${q(`id eq "${workday.id}"`)}`))) as Json[];
    expect(ritas.account.id).toBe(workday.accountId);
  });

  it('answers 400 to a patch other than replace of /account with an available account, and changes nothing', async () => {
    const jira = appOf('ada.admin', 'Jira Software');
    const cases: [unknown, RegExp][] = [
      [[{ op: 'add', path: '/account', value: { id: jira.accountId, type: 'ACCOUNT' } }], /only "replace" of "\/account"/],
      [[{ op: 'replace', path: '/owner', value: { id: jira.owner.id, type: 'IDENTITY' } }], /only "replace" of "\/account"/],
      [[{ op: 'replace', path: '/account/id', value: jira.accountId }], /only "replace" of "\/account"/],
      [[{ op: 'remove', path: '/account' }], /only "replace" of "\/account"/],
      [replaceAccount(jira.accountId!, 'IDENTITY'), /account reference \{ "id": "…", "type": "ACCOUNT" \}/],
      [[{ op: 'replace', path: '/account', value: jira.accountId }], /account reference/],
      [[{ op: 'replace', path: '/account', value: { type: 'ACCOUNT' } }], /account reference/],
      [[], /non-empty JSON array/],
      [{ op: 'replace', path: '/account', value: { id: jira.accountId, type: 'ACCOUNT' } }, /non-empty JSON array/],
      // Accounts that exist, but are not available for this app: rita's, and ada's own on another source.
      [replaceAccount(appOf('rita.reader', 'Confluence').accountId!), /is not one of the accounts available for user app/],
      [replaceAccount(appOf('ada.admin', 'Salesforce Sales Cloud').availableAccounts[1].id), /is not one of the accounts available/],
      // A valid operation after an invalid one does not save the patch.
      [[{ op: 'test', path: '/account', value: {} }, ...replaceAccount(jira.accountId!)], /Operation 0/],
    ];
    for (const [body, message] of cases) await expectIscError(await patch('ada.admin', jira.id, body), 400, message);
    await expectIscError(
      await patch('ada.admin', jira.id, replaceAccount(jira.accountId!), 'application/json'),
      400,
      /application\/json-patch\+json/,
    );
    const [after] = (await ok(await call('ada.admin', `/user-apps?${q(`id eq "${jira.id}"`)}`))) as Json[];
    expect([after.account.id, after.modified]).toEqual([jira.accountId, jira.modified]);
  });
});

describe('the client-credentials identity', () => {
  it('is the same in every tenant: hexId(identity:demo.admin), the owner of its seeded apps', async () => {
    const [a, b] = await Promise.all([startDemoTenant(), startDemoTenant()]);
    try {
      const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Json;
      expect([claims(a.issueToken()).identity_id, claims(b.issueToken()).identity_id]).toEqual([
        CLIENT_CREDENTIALS_IDENTITY.id,
        CLIENT_CREDENTIALS_IDENTITY.id,
      ]);
      expect(CLIENT_CREDENTIALS_IDENTITY.id).toBe(hexId('identity:demo.admin'));
      expect(claims(a.issueToken()).user_name).toBe('demo.admin');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
