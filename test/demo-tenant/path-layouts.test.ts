import { afterEach, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant, type PathLayout } from '../../src/demo-tenant/server.js';
import { userAppsOf } from '../../src/demo-tenant/seed/user-apps.js';
import { ConfigError } from '../../src/config/parse.js';
import { deprecationSetting } from '../../src/config/demo.js';
import { loadStandaloneConfig, tenantOptions } from '../../src/demo-tenant/standalone.js';
import { startTestGateway } from '../support/gateway.js';
import { expectIscError } from '../support/demo-tenant-api.js';

/**
 * ISC's two path layouts on the demo tenant: every one of the 38 operations answers the same at
 * `/v2024/connectors/…` and at `/connectors/v1/…` (one route table, one set of handlers), the
 * experimental header is required on every source-app route in both, both layouts count under
 * one route label, and `X-Deprecated: true` marks the routes and layouts asked for.
 */

let tenants: DemoTenant[] = [];
afterEach(async () => {
  await Promise.all(tenants.map((tenant) => tenant.close()));
  tenants = [];
});

async function start(options: Parameters<typeof startDemoTenant>[0] = {}): Promise<DemoTenant> {
  const tenant = await startDemoTenant({ recordRequests: true, ...options });
  tenants.push(tenant);
  return tenant;
}

/** A layout-neutral path (and query) in a layout: `connectors/x?q` → `/v2024/connectors/x?q` or `/connectors/v1/x?q`. */
const pathIn = (layout: PathLayout, neutral: string): string => {
  if (layout === 'v2024') return `/v2024/${neutral}`;
  const [path, query] = neutral.split('?');
  const [resource, ...rest] = path.split('/');
  return `/${[resource, 'v1', ...rest].join('/')}${query === undefined ? '' : `?${query}`}`;
};

type Ids = Record<string, string>;
type Json = Record<string, any>;

/** One operation: its route label, the request (its neutral path may name ids found earlier), the status it answers, ids it yields. */
interface Operation {
  label: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  /** `json` (default with a body), `json-patch`, or a multipart upload of a file. */
  bodyKind?: 'json' | 'json-patch' | 'file';
  status: number;
  /** Ids this answer yields for later operations. */
  yields?: (answer: any) => Ids;
}

const XML = '<?xml version="1.0"?><layout-test/>';
const replace = (path: string, value: unknown) => [{ op: 'replace', path, value }];

/** The client-credentials identity's app with the most accounts. */
const demoApp = userAppsOf('demo.admin').reduce((most, app) => (app.availableAccounts.length > most.availableAccounts.length ? app : most));

/** The 38 operations ISC serves in both layouts, in an order where each finds what it needs. */
const OPERATIONS: readonly Operation[] = [
  { label: 'GET /connectors', path: () => 'connectors?limit=3', status: 200, yields: (list) => ({ script: list[0].scriptName }) },
  {
    label: 'POST /connectors',
    path: () => 'connectors',
    body: () => ({ name: 'Layout Test', className: 'sailpoint.connector.OpenConnectorAdapter' }),
    status: 200,
    yields: (created) => ({ newScript: created.scriptName }),
  },
  { label: 'GET /connectors/:scriptName', path: (ids) => `connectors/${ids.script}`, status: 200 },
  {
    label: 'PATCH /connectors/:scriptName',
    path: (ids) => `connectors/${ids.newScript}`,
    body: () => replace('/sourceConfigXml', XML),
    bodyKind: 'json-patch',
    status: 200,
  },
  ...['source-config', 'source-template', 'correlation-config'].flatMap((file): Operation[] => [
    { label: `GET /connectors/:scriptName/${file}`, path: (ids) => `connectors/${ids.script}/${file}`, status: 200 },
    {
      label: `PUT /connectors/:scriptName/${file}`,
      path: (ids) => `connectors/${ids.newScript}/${file}`,
      body: () => XML,
      bodyKind: 'file',
      status: 200,
    },
  ]),
  { label: 'GET /connectors/:scriptName/translations/:locale', path: (ids) => `connectors/${ids.script}/translations/de`, status: 200 },
  {
    label: 'PUT /connectors/:scriptName/translations/:locale',
    path: (ids) => `connectors/${ids.newScript}/translations/fr`,
    body: () => 'greeting=bonjour\n',
    bodyKind: 'file',
    status: 200,
  },
  { label: 'DELETE /connectors/:scriptName', path: (ids) => `connectors/${ids.newScript}`, status: 204 },

  { label: 'GET /connector-customizers', path: () => 'connector-customizers?limit=5', status: 200 },
  {
    label: 'POST /connector-customizers',
    path: () => 'connector-customizers',
    body: () => ({ name: 'layout-test' }),
    status: 201,
    yields: (created) => ({ customizer: created.id }),
  },
  { label: 'GET /connector-customizers/:id', path: (ids) => `connector-customizers/${ids.customizer}`, status: 200 },
  {
    label: 'PUT /connector-customizers/:id',
    path: (ids) => `connector-customizers/${ids.customizer}`,
    body: () => ({ name: 'renamed' }),
    status: 200,
  },
  { label: 'POST /connector-customizers/:id/versions', path: (ids) => `connector-customizers/${ids.customizer}/versions`, status: 200 },
  { label: 'DELETE /connector-customizers/:id', path: (ids) => `connector-customizers/${ids.customizer}`, status: 204 },

  { label: 'GET /source-apps', path: () => 'source-apps?limit=3', status: 200 },
  {
    label: 'GET /source-apps/all',
    path: () => 'source-apps/all?limit=3&sorters=name',
    status: 200,
    yields: (list) => ({ app: list[0].id, accountSource: list[0].accountSource.id }),
  },
  { label: 'GET /source-apps/assigned', path: () => 'source-apps/assigned?limit=3', status: 200 },
  {
    label: 'POST /source-apps',
    path: () => 'source-apps',
    body: (ids) => ({ name: 'Layout Test App', description: 'one of each layout', accountSource: { id: ids.accountSource } }),
    status: 200,
    yields: (created) => ({ newApp: created.id }),
  },
  { label: 'GET /source-apps/:id', path: (ids) => `source-apps/${ids.app}`, status: 200 },
  {
    label: 'PATCH /source-apps/:id',
    path: (ids) => `source-apps/${ids.app}`,
    body: () => replace('/description', 'patched'),
    bodyKind: 'json-patch',
    status: 200,
  },
  {
    label: 'POST /source-apps/bulk-update',
    path: () => 'source-apps/bulk-update',
    body: (ids) => ({ appIds: [ids.app], jsonPatch: replace('/enabled', false) }),
    status: 204,
  },
  {
    label: 'GET /source-apps/:id/access-profiles',
    path: (ids) => `source-apps/${ids.app}/access-profiles`,
    status: 200,
    yields: (profiles) => ({ profile: profiles[0]?.id ?? 'none' }),
  },
  {
    label: 'POST /source-apps/:id/access-profiles/bulk-remove',
    path: (ids) => `source-apps/${ids.app}/access-profiles/bulk-remove`,
    body: (ids) => [ids.profile],
    status: 200,
  },
  { label: 'DELETE /source-apps/:id', path: (ids) => `source-apps/${ids.newApp}`, status: 200 },

  { label: 'GET /oauth-clients', path: () => 'oauth-clients', status: 200 },
  {
    label: 'POST /oauth-clients',
    path: () => 'oauth-clients',
    body: () => ({
      name: 'Layout Test',
      description: 'one of each layout',
      accessTokenValiditySeconds: 600,
      grantTypes: ['CLIENT_CREDENTIALS'],
      accessType: 'ONLINE',
      enabled: true,
    }),
    status: 200,
    yields: (created) => ({ client: created.id }),
  },
  { label: 'GET /oauth-clients/:id', path: (ids) => `oauth-clients/${ids.client}`, status: 200 },
  {
    label: 'PATCH /oauth-clients/:id',
    path: (ids) => `oauth-clients/${ids.client}`,
    body: () => replace('/name', 'Renamed'),
    bodyKind: 'json-patch',
    status: 200,
  },
  { label: 'DELETE /oauth-clients/:id', path: (ids) => `oauth-clients/${ids.client}`, status: 204 },

  // The client-credentials identity's own apps.
  { label: 'GET /user-apps', path: () => 'user-apps?limit=2&count=true', status: 200 },
  { label: 'GET /user-apps/all', path: () => `user-apps/all?filters=${encodeURIComponent('ownerAlias eq "ada.admin"')}`, status: 200 },
  { label: 'GET /user-apps/:id/available-accounts', path: () => `user-apps/${demoApp.id}/available-accounts?limit=3&count=true`, status: 200 },
  {
    label: 'PATCH /user-apps/:id',
    path: () => `user-apps/${demoApp.id}`,
    body: () => replace('/account', { id: demoApp.availableAccounts[1].id, type: 'ACCOUNT' }),
    bodyKind: 'json-patch',
    status: 200,
  },
];

const methodOf = (op: Operation): string => op.label.split(' ')[0];
const isExperimental = (op: Operation): boolean => op.label.includes(' /source-apps') || op.label.includes(' /user-apps');

function requestInit(op: Operation, ids: Ids, headers: Record<string, string>): RequestInit {
  const init: RequestInit = { method: methodOf(op), headers: { ...headers }, signal: AbortSignal.timeout(10_000) };
  if (op.body === undefined) return init;
  const body = op.body(ids);
  if (op.bodyKind === 'file') {
    const form = new FormData();
    form.set('file', new Blob([body as string]), 'upload');
    return { ...init, body: form };
  }
  const contentType = op.bodyKind === 'json-patch' ? 'application/json-patch+json' : 'application/json';
  return { ...init, headers: { ...headers, 'content-type': contentType }, body: JSON.stringify(body) };
}

interface Answer {
  status: number;
  contentType: string | null;
  totalCount: string | null;
  body: unknown;
}

/** Ids each tenant makes up when it creates something: the same placeholder in both runs, wherever they appear. */
const CREATED_IDS = ['newScript', 'customizer', 'newApp', 'client'];
/** Other values each tenant makes up (times, secrets, numbers): their type compared, not their value. */
const MADE_UP = new Set(['cloudAppId', 'secret', 'created', 'modified', 'imageID', 'trackingId', 'lastUsed']);

function masked(value: unknown, key?: string): unknown {
  if (key !== undefined && MADE_UP.has(key) && value !== null && typeof value !== 'object') return `<${typeof value}>`;
  if (Array.isArray(value)) return value.map((item) => masked(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, k)]));
  return value;
}

function withPlaceholders(text: string, ids: Ids): string {
  return CREATED_IDS.reduce((out, name) => (ids[name] ? out.split(ids[name]).join(`<${name}>`) : out), text);
}

/** Runs every operation in order against `tenant` in `layout`; answers by label, made-up values masked. */
async function runAll(tenant: DemoTenant, layout: PathLayout): Promise<Record<string, Answer>> {
  const headers = { authorization: `Bearer ${tenant.issueToken()}`, 'x-sailpoint-experimental': 'true' };
  const ids: Ids = {};
  const answers: Record<string, Answer & { text: string; json: boolean }> = {};
  for (const op of OPERATIONS) {
    const res = await fetch(`${tenant.url}${pathIn(layout, op.path(ids))}`, requestInit(op, ids, headers));
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
    if (json && op.yields) Object.assign(ids, op.yields(JSON.parse(text)));
    answers[op.label] = {
      status: res.status,
      contentType: res.headers.get('content-type'),
      totalCount: res.headers.get('x-total-count'),
      body: undefined,
      text,
      json,
    };
  }
  // Created ids are known only once created; their earlier and later mentions are replaced alike.
  return Object.fromEntries(
    Object.entries(answers).map(([label, { text, json, ...answer }]) => {
      const replaced = withPlaceholders(text, ids);
      return [label, { ...answer, body: json ? masked(JSON.parse(replaced)) : replaced }];
    }),
  );
}

describe('both path layouts, one route table', () => {
  it('lists the 38 operations ISC serves in both layouts, each a route of the demo tenant', async () => {
    const tenant = await start();
    expect(new Set(OPERATIONS.map((op) => op.label)).size).toBe(38);
    // A route limit on each label is accepted: each names a route the tenant has.
    tenant.setFaults({ rateLimit: { windowMs: 1000, routeLimits: Object.fromEntries(OPERATIONS.map((op) => [op.label, 1000])) } });
    expect(() => tenant.setFaults({ rateLimit: { windowMs: 1000, routeLimits: { 'GET /connectors/v1': 1 } } })).toThrow(TypeError);
  });

  it('answers each of the 38 operations the same at /v2024/… and /{resource}/v1/… (status, content type, body), counted under one label', async () => {
    const [yearVersioned, perResource] = await Promise.all([start(), start()]);
    const [v2024, v1] = await Promise.all([runAll(yearVersioned, 'v2024'), runAll(perResource, 'per-resource')]);

    // Each operation did what it is for, in the year-versioned layout as before…
    expect(Object.fromEntries(Object.entries(v2024).map(([label, answer]) => [label, answer.status]))).toEqual(
      Object.fromEntries(OPERATIONS.map((op) => [op.label, op.status])),
    );
    // …and the per-resource layout answered every one alike.
    for (const op of OPERATIONS) expect([op.label, v1[op.label]]).toEqual([op.label, v2024[op.label]]);

    // The recorded path is the one received; the per-resource tenant received only per-resource paths.
    const received = perResource.requests.map((r) => r.path);
    expect(received).toHaveLength(38);
    for (const path of received) expect(path).toMatch(/^\/(connectors|connector-customizers|source-apps|oauth-clients|user-apps)\/v1(\/|$)/);
    expect(yearVersioned.requests.every((r) => r.path.startsWith('/v2024/'))).toBe(true);

    // One label per operation, whichever layout it came in.
    const labels = Object.fromEntries(OPERATIONS.map((op) => [op.label, { [String(op.status)]: 1 }]));
    expect(perResource.stats().apiByRoute).toEqual(labels);
    expect(yearVersioned.stats().apiByRoute).toEqual(labels);
  });

  it('counts a route limit across both layouts: one label, one count per client', async () => {
    const tenant = await start({ faults: { rateLimit: { windowMs: 3_600_000, routeLimits: { 'GET /oauth-clients': 2 } } } });
    const headers = { authorization: `Bearer ${tenant.issueToken()}` };
    const statuses: number[] = [];
    for (const path of ['/v2024/oauth-clients', '/oauth-clients/v1', '/oauth-clients/v1', '/v2024/oauth-clients']) {
      const res = await fetch(`${tenant.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(tenant.stats().apiByRoute).toEqual({ 'GET /oauth-clients': { '200': 2, '429': 2 } });
  });

  it.each<PathLayout>(['v2024', 'per-resource'])('refuses every source-app operation without X-SailPoint-Experimental: true (%s)', async (layout) => {
    const tenant = await start();
    const ids = { app: '', newApp: '', accountSource: '', profile: 'none' };
    const seeded = await fetch(`${tenant.url}${pathIn(layout, 'source-apps/all?limit=1')}`, {
      headers: { authorization: `Bearer ${tenant.issueToken()}`, 'x-sailpoint-experimental': 'true' },
      signal: AbortSignal.timeout(10_000),
    });
    const [app] = (await seeded.json()) as Json[];
    Object.assign(ids, { app: app.id, newApp: app.id, accountSource: app.accountSource.id });
    const experimentalOperations = OPERATIONS.filter(isExperimental);
    expect(experimentalOperations).toHaveLength(14); // 10 source-app and 4 user-app operations
    for (const op of experimentalOperations) {
      for (const experimental of [undefined, 'false']) {
        const headers: Record<string, string> = { authorization: `Bearer ${tenant.issueToken()}` };
        if (experimental !== undefined) headers['x-sailpoint-experimental'] = experimental;
        const res = await fetch(`${tenant.url}${pathIn(layout, op.path(ids))}`, requestInit(op, ids, headers));
        await expectIscError(res, 400, /X-SailPoint-Experimental: true is required/);
      }
    }
    // Nothing was changed: the app refused a delete and a patch.
    const after = await fetch(`${tenant.url}${pathIn(layout, `source-apps/${app.id}`)}`, {
      headers: { authorization: `Bearer ${tenant.issueToken()}`, 'x-sailpoint-experimental': 'true' },
      signal: AbortSignal.timeout(10_000),
    });
    expect(after.status).toBe(200);
    expect(((await after.json()) as Json).description).toBe(app.description);
  });

  it('answers 404 to paths in neither layout, and to a version or resource it does not serve', async () => {
    const tenant = await start();
    const headers = { authorization: `Bearer ${tenant.issueToken()}` };
    for (const path of ['/connectors', '/connectors/v2', '/v2025/connectors', '/identities/v1', '/beta/connectors', '/connectors/v1/']) {
      await expectIscError(await fetch(`${tenant.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) }), 404);
    }
    expect(tenant.stats().apiByRoute).toEqual({ 'GET (no route)': { '404': 6 } });
  });

  it('serves a custom year-versioned prefix (apiPrefix) and the per-resource layout side by side', async () => {
    const tenant = await start({ apiPrefix: '/beta' });
    const headers = { authorization: `Bearer ${tenant.issueToken()}` };
    const statusOf = async (path: string) => {
      const res = await fetch(`${tenant.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      return res.status;
    };
    expect([await statusOf('/beta/oauth-clients'), await statusOf('/oauth-clients/v1'), await statusOf('/v2024/oauth-clients')]).toEqual([
      200, 200, 404,
    ]);
  });
});

describe('X-Deprecated: true (SAIL_DEMO_TENANT_DEPRECATED)', () => {
  /** Whether each path's answer was marked deprecated, and its status. */
  async function marks(tenant: DemoTenant, paths: string[]): Promise<[string, number, string | null][]> {
    const headers = { authorization: `Bearer ${tenant.issueToken()}`, 'x-sailpoint-experimental': 'true' };
    const answers: [string, number, string | null][] = [];
    for (const path of paths) {
      const res = await fetch(`${tenant.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      answers.push([path, res.status, res.headers.get('x-deprecated')]);
    }
    return answers;
  }

  it('marks a route in both layouts, its error answers included, and no other route', async () => {
    const tenant = await start({ deprecated: { routes: ['GET /connectors/:scriptName', 'GET /oauth-clients'] } });
    expect(
      await marks(tenant, [
        '/v2024/connectors/no-such-connector',
        '/connectors/v1/no-such-connector',
        '/v2024/oauth-clients',
        '/oauth-clients/v1',
        '/v2024/connectors',
        '/connectors/v1',
        '/source-apps/v1/all',
        '/connectors/v1/x/nothing-here',
      ]),
    ).toEqual([
      ['/v2024/connectors/no-such-connector', 404, 'true'],
      ['/connectors/v1/no-such-connector', 404, 'true'],
      ['/v2024/oauth-clients', 200, 'true'],
      ['/oauth-clients/v1', 200, 'true'],
      ['/v2024/connectors', 200, null],
      ['/connectors/v1', 200, null],
      ['/source-apps/v1/all', 200, null],
      ['/connectors/v1/x/nothing-here', 404, null],
    ]);
  });

  it.each<[PathLayout, string | null, string | null]>([
    ['v2024', 'true', null],
    ['per-resource', null, 'true'],
  ])('marks every route of a layout (%s), and only that layout', async (layout, yearVersioned, perResource) => {
    const tenant = await start({ deprecated: { layouts: [layout] } });
    expect(await marks(tenant, ['/v2024/oauth-clients', '/oauth-clients/v1', '/v2024/source-apps/all', '/source-apps/v1/all'])).toEqual([
      ['/v2024/oauth-clients', 200, yearVersioned],
      ['/oauth-clients/v1', 200, perResource],
      ['/v2024/source-apps/all', 200, yearVersioned],
      ['/source-apps/v1/all', 200, perResource],
    ]);
  });

  it('is switched at run time (setDeprecated), and refuses a route the tenant lacks', async () => {
    const tenant = await start();
    expect(await marks(tenant, ['/connectors/v1'])).toEqual([['/connectors/v1', 200, null]]);
    tenant.setDeprecated({ routes: ['GET /connectors'] });
    expect(await marks(tenant, ['/connectors/v1'])).toEqual([['/connectors/v1', 200, 'true']]);
    tenant.setDeprecated({});
    expect(await marks(tenant, ['/connectors/v1'])).toEqual([['/connectors/v1', 200, null]]);
    expect(() => tenant.setDeprecated({ routes: ['GET /connectors/v1'] })).toThrow(
      /No such route to mark deprecated \(SAIL_DEMO_TENANT_DEPRECATED\): GET \/connectors\/v1;/,
    );
    await expect(startDemoTenant({ deprecated: { routes: ['GET /users'] } })).rejects.toThrow(/No such route to mark deprecated/);
  });

  it('reads SAIL_DEMO_TENANT_DEPRECATED: layouts and routes, comma-separated; anything else is a configuration error', () => {
    const read = (value: string) => deprecationSetting({ SAIL_DEMO_TENANT_DEPRECATED: value }, 'SAIL_DEMO_TENANT_DEPRECATED');
    expect(read('')).toEqual({ layouts: [], routes: [] });
    expect(read(' v2024 , get /connectors,DELETE /oauth-clients/:id, V2024')).toEqual({
      layouts: ['v2024'],
      routes: ['GET /connectors', 'DELETE /oauth-clients/:id'],
    });
    expect(read('per-resource')).toEqual({ layouts: ['per-resource'], routes: [] });
    for (const bad of ['v2025', '/connectors', 'GET connectors', 'GET']) {
      expect(() => read(bad)).toThrow(ConfigError);
      expect(() => read(bad)).toThrow(`SAIL_DEMO_TENANT_DEPRECATED: "${bad}" is neither a path layout (v2024, per-resource) nor a route`);
    }
  });

  it('reaches the standalone demo tenant from its environment', async () => {
    const config = loadStandaloneConfig({ SAIL_DEMO_TENANT_DEPRECATED: 'per-resource,GET /connector-customizers' });
    expect(config.deprecated).toEqual({ layouts: ['per-resource'], routes: ['GET /connector-customizers'] });
    const tenant = await start({ ...tenantOptions(config), port: 0, demoEndpoints: false });
    expect(await marks(tenant, ['/v2024/connector-customizers', '/v2024/oauth-clients', '/oauth-clients/v1'])).toEqual([
      ['/v2024/connector-customizers', 200, 'true'],
      ['/v2024/oauth-clients', 200, null],
      ['/oauth-clients/v1', 200, 'true'],
    ]);
  });

  it("reaches the gateway's built-in demo tenant from the same variable", async () => {
    const gw = await startTestGateway({ SAIL_DEMO_TENANT_DEPRECATED: 'GET /oauth-clients' });
    try {
      expect(await marks(gw.tenant, ['/v2024/oauth-clients', '/oauth-clients/v1', '/v2024/connectors'])).toEqual([
        ['/v2024/oauth-clients', 200, 'true'],
        ['/oauth-clients/v1', 200, 'true'],
        ['/v2024/connectors', 200, null],
      ]);
    } finally {
      await gw.close();
    }
  });
});
