import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CONNECTOR_SEED } from '../../src/demo-tenant/seed/connectors.js';
import { CUSTOMIZER_SEED } from '../../src/demo-tenant/seed/connector-customizers.js';
import { OAUTH_CLIENT_SEED } from '../../src/demo-tenant/seed/oauth-clients.js';
import { SOURCE_APP_SEED } from '../../src/demo-tenant/seed/source-apps.js';
import { userAppsOf } from '../../src/demo-tenant/seed/user-apps.js';
import { withoutSourceAppAdminRights } from '../../src/demo-tenant/source-apps.js';
import { bearer, startTestGateway, type TestGateway, type UpstreamCall } from '../support/gateway.js';

/**
 * Each of the 38 ISC operations the gateway fronts, in both path layouts: the exact request ISC
 * receives (method, path, query, headers, body) is the same but for the path, which is
 * `/{collection}/v1/…` per resource and `/v2024/{collection}/…` year-versioned.
 */

type Layout = 'per-resource' | 'v2024';

/** The path ISC serves a layout-neutral one at, written out here independently of src/isc/api-paths.ts. */
function pathIn(layout: Layout, neutral: string): string {
  if (layout === 'v2024') return `/v2024/${neutral}`;
  const [collection, ...rest] = neutral.split('/');
  return ['', collection, 'v1', ...rest].join('/');
}

/** One expected ISC call; `file` marks a multipart upload of one part named `file`. */
interface ExpectedCall {
  method: string;
  neutral: string;
  query?: Record<string, string>;
  /** Exact values, or matchers (the gateway's own bearer). */
  headers: Record<string, unknown>;
  body?: string;
  file?: { name: string; type: string; content: string };
}

/** What a test prepared: ids it created or picked, and a caller's bearer when not the gateway's own. */
interface Prepared {
  id: string;
  token?: string;
}

interface Operation {
  /** SailPoint's operationId in the per-resource layout (the v2024 one drops the `V1`). */
  operationId: string;
  prepare?: (gw: TestGateway) => Promise<Prepared>;
  document: string;
  variables?: (p: Prepared) => Record<string, unknown>;
  /** The calls ISC receives, in order; the operation under test is the last one. */
  calls: (p: Prepared) => ExpectedCall[];
  /** What the GraphQL answer holds. */
  answer: (data: Record<string, any>, p: Prepared) => void;
}

const json = { authorization: bearer, accept: 'application/json' };
const jsonBody = { ...json, 'content-type': 'application/json' };
const jsonPatch = { ...json, 'content-type': 'application/json-patch+json' };
const experimental = { ...json, 'x-sailpoint-experimental': 'true' };
const experimentalBody = { ...jsonBody, 'x-sailpoint-experimental': 'true' };
const experimentalPatch = { ...jsonPatch, 'x-sailpoint-experimental': 'true' };
const upload = { authorization: bearer, accept: 'application/json' };

const seedConnector = CONNECTOR_SEED[0];
const seedCustomizer = CUSTOMIZER_SEED[0];
const seedClient = OAUTH_CLIENT_SEED[0];
const [seedApp, otherApp, bulkApp, secondBulkApp] = SOURCE_APP_SEED.apps.filter((a) => a.accessProfiles.length >= 2 && a.ownerId !== null);
const newOwnerId = SOURCE_APP_SEED.identities[1].id;
const appIn = (id: string) => `id in (${JSON.stringify(id)})`;

async function run(gw: TestGateway, document: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await gw.gql(document, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

const newConnector = async (gw: TestGateway): Promise<Prepared> => {
  const data = await run(
    gw,
    'mutation { createCustomConnector(input: { name: "Layout Probe", className: "sailpoint.connector.OpenConnectorAdapter" }) { scriptName } }',
  );
  return { id: data.createCustomConnector.scriptName };
};
const newCustomizer = async (gw: TestGateway): Promise<Prepared> => {
  const data = await run(gw, 'mutation { createConnectorCustomizer(input: { name: "layout-probe" }) { id } }');
  return { id: data.createConnectorCustomizer.id };
};
const newSourceApp = async (gw: TestGateway): Promise<Prepared> => {
  const data = await run(
    gw,
    'mutation($s: ID!) { createSourceApp(input: { name: "Layout Probe", description: "probe", accountSourceId: $s }) { id } }',
    {
      s: seedApp.accountSourceId,
    },
  );
  return { id: data.createSourceApp.id };
};
const newOAuthClient = async (gw: TestGateway): Promise<Prepared> => {
  const data = await run(
    gw,
    'mutation { createOAuthClient(input: { name: "Layout Probe", description: "probe", accessTokenValiditySeconds: 900, grantTypes: [CLIENT_CREDENTIALS], accessType: ONLINE, enabled: true }) { id } }',
  );
  return { id: data.createOAuthClient.id };
};
const seeded = (id: string) => async (): Promise<Prepared> => ({ id });

const connectorRead = (id: string): ExpectedCall => ({ method: 'GET', neutral: `connectors/${id}`, headers: json });
const fileUpdated = (data: Record<string, any>, field: string, p: Prepared) => expect(data[field]).toEqual({ scriptName: p.id, status: 'UPDATED' });

const CONNECTORS: Operation[] = [
  {
    operationId: 'getConnectorListV1',
    document: '{ connectors(limit: 2, offset: 1, locale: "fr") { items { scriptName } totalCount } }',
    calls: () => [{ method: 'GET', neutral: 'connectors', query: { limit: '2', offset: '1', count: 'true', locale: 'fr' }, headers: json }],
    answer: (data) =>
      expect(data.connectors.items.map((c: { scriptName: string }) => c.scriptName)).toEqual(CONNECTOR_SEED.slice(1, 3).map((c) => c.scriptName)),
  },
  {
    operationId: 'getConnectorV1',
    prepare: seeded(seedConnector.scriptName),
    document: 'query($s: ID!) { connector(scriptName: $s, locale: "de") { scriptName name } }',
    variables: (p) => ({ s: p.id }),
    calls: (p) => [{ ...connectorRead(p.id), query: { locale: 'de' } }],
    answer: (data, p) => expect(data.connector).toEqual({ scriptName: p.id, name: seedConnector.name }),
  },
  {
    operationId: 'createCustomConnectorV1',
    document:
      'mutation { createCustomConnector(input: { name: "Layout HR Feed", className: "sailpoint.connector.OpenConnectorAdapter", directConnect: true, status: DEVELOPMENT }) { name status } }',
    calls: () => [
      {
        method: 'POST',
        neutral: 'connectors',
        headers: jsonBody,
        body: JSON.stringify({
          name: 'Layout HR Feed',
          className: 'sailpoint.connector.OpenConnectorAdapter',
          directConnect: true,
          status: 'DEVELOPMENT',
        }),
      },
    ],
    answer: (data) => expect(data.createCustomConnector).toEqual({ name: 'Layout HR Feed', status: 'DEVELOPMENT' }),
  },
  {
    operationId: 'updateConnectorV1',
    prepare: newConnector,
    document: 'mutation($s: ID!) { updateConnector(scriptName: $s, input: { applicationXml: "<app v=\\"2\\"/>" }) { applicationXml } }',
    variables: (p) => ({ s: p.id }),
    calls: (p) => [
      {
        method: 'PATCH',
        neutral: `connectors/${p.id}`,
        headers: jsonPatch,
        body: JSON.stringify([{ op: 'replace', path: '/applicationXml', value: '<app v="2"/>' }]),
      },
    ],
    answer: (data) => expect(data.updateConnector).toEqual({ applicationXml: '<app v="2"/>' }),
  },
  {
    operationId: 'deleteCustomConnectorV1',
    prepare: newConnector,
    document: 'mutation($s: ID!) { deleteCustomConnector(scriptName: $s) }',
    variables: (p) => ({ s: p.id }),
    calls: (p) => [{ method: 'DELETE', neutral: `connectors/${p.id}`, headers: json }],
    answer: (data) => expect(data.deleteCustomConnector).toBe(true),
  },
  ...(
    [
      ['getConnectorSourceConfigV1', 'sourceConfig', 'source-config', 'sourceConfigXml'],
      ['getConnectorSourceTemplateV1', 'sourceTemplate', 'source-template', 'applicationXml'],
      ['getConnectorCorrelationConfigV1', 'correlationConfig', 'correlation-config', 'correlationConfigXml'],
    ] as const
  ).map(
    ([operationId, field, file, record]): Operation => ({
      operationId,
      prepare: seeded(seedConnector.scriptName),
      document: `query($s: ID!) { connector(scriptName: $s) { files { ${field} } } }`,
      variables: (p) => ({ s: p.id }),
      calls: (p) => [
        connectorRead(p.id),
        { method: 'GET', neutral: `connectors/${p.id}/${file}`, headers: { authorization: bearer, accept: 'application/xml' } },
      ],
      answer: (data) => expect(data.connector.files[field]).toBe(seedConnector[record]),
    }),
  ),
  {
    operationId: 'getConnectorTranslationsV1',
    prepare: seeded(seedConnector.scriptName),
    document: 'query($s: ID!) { connector(scriptName: $s) { files { translations(locale: "fr") } } }',
    variables: (p) => ({ s: p.id }),
    calls: (p) => [
      connectorRead(p.id),
      { method: 'GET', neutral: `connectors/${p.id}/translations/fr`, headers: { authorization: bearer, accept: 'text/plain' } },
    ],
    answer: (data) => expect(data.connector.files.translations).toEqual(expect.any(String)),
  },
  ...(
    [
      ['putConnectorSourceConfigV1', 'updateConnectorSourceConfig', 'source-config', '<sourceConfig name="probe"/>'],
      ['putConnectorSourceTemplateV1', 'updateConnectorSourceTemplate', 'source-template', '<template name="probe"/>'],
      ['putConnectorCorrelationConfigV1', 'updateConnectorCorrelationConfig', 'correlation-config', '<correlation name="probe"/>'],
    ] as const
  ).map(
    ([operationId, mutation, file, xml]): Operation => ({
      operationId,
      prepare: newConnector,
      document: `mutation($s: ID!, $x: String!) { ${mutation}(scriptName: $s, xml: $x) { scriptName status } }`,
      variables: (p) => ({ s: p.id, x: xml }),
      calls: (p) => [
        {
          method: 'PUT',
          neutral: `connectors/${p.id}/${file}`,
          headers: upload,
          file: { name: `${file}.xml`, type: 'application/xml', content: xml },
        },
      ],
      answer: (data, p) => fileUpdated(data, mutation, p),
    }),
  ),
  {
    operationId: 'putConnectorTranslationsV1',
    prepare: newConnector,
    document:
      'mutation($s: ID!) { updateConnectorTranslations(scriptName: $s, locale: "de", properties: "title=Personal\\n") { scriptName status } }',
    variables: (p) => ({ s: p.id }),
    calls: (p) => [
      {
        method: 'PUT',
        neutral: `connectors/${p.id}/translations/de`,
        headers: upload,
        file: { name: 'de.properties', type: 'text/plain', content: 'title=Personal\n' },
      },
    ],
    answer: (data, p) => fileUpdated(data, 'updateConnectorTranslations', p),
  },
];

const CONNECTOR_CUSTOMIZERS: Operation[] = [
  {
    operationId: 'listConnectorCustomizersV1',
    document: '{ connectorCustomizers(limit: 2, offset: 1) { items { id } hasMore } }',
    calls: () => [{ method: 'GET', neutral: 'connector-customizers', query: { limit: '3', offset: '1' }, headers: json }],
    answer: (data) => expect(data.connectorCustomizers.items).toEqual(CUSTOMIZER_SEED.slice(1, 3).map((c) => ({ id: c.id }))),
  },
  {
    operationId: 'getConnectorCustomizerV1',
    prepare: seeded(seedCustomizer.id),
    document: 'query($id: ID!) { connectorCustomizer(id: $id) { id name } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [{ method: 'GET', neutral: `connector-customizers/${p.id}`, headers: json }],
    answer: (data, p) => expect(data.connectorCustomizer).toEqual({ id: p.id, name: seedCustomizer.name }),
  },
  {
    operationId: 'createConnectorCustomizerV1',
    document: 'mutation { createConnectorCustomizer(input: { name: "layout-hire-date-fixer" }) { name } }',
    calls: () => [{ method: 'POST', neutral: 'connector-customizers', headers: jsonBody, body: JSON.stringify({ name: 'layout-hire-date-fixer' }) }],
    answer: (data) => expect(data.createConnectorCustomizer).toEqual({ name: 'layout-hire-date-fixer' }),
  },
  {
    operationId: 'putConnectorCustomizerV1',
    prepare: newCustomizer,
    document: 'mutation($id: ID!) { updateConnectorCustomizer(id: $id, input: { name: "layout-renamed" }) { id name } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [{ method: 'PUT', neutral: `connector-customizers/${p.id}`, headers: jsonBody, body: JSON.stringify({ name: 'layout-renamed' }) }],
    answer: (data, p) => expect(data.updateConnectorCustomizer).toEqual({ id: p.id, name: 'layout-renamed' }),
  },
  {
    operationId: 'deleteConnectorCustomizerV1',
    prepare: newCustomizer,
    document: 'mutation($id: ID!) { deleteConnectorCustomizer(id: $id) }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [{ method: 'DELETE', neutral: `connector-customizers/${p.id}`, headers: json }],
    answer: (data) => expect(data.deleteConnectorCustomizer).toBe(true),
  },
  {
    operationId: 'createConnectorCustomizerVersionV1',
    prepare: newCustomizer,
    document: 'mutation($id: ID!) { createConnectorCustomizerVersion(id: $id) { customizerID version } }',
    variables: (p) => ({ id: p.id }),
    // No body: no content type either.
    calls: (p) => [{ method: 'POST', neutral: `connector-customizers/${p.id}/versions`, headers: json }],
    answer: (data, p) => expect(data.createConnectorCustomizerVersion).toEqual({ customizerID: p.id, version: 1 }),
  },
];

const SOURCE_APPS: Operation[] = [
  ...(
    [
      ['listAvailableSourceAppsV1', 'sourceApps', 'source-apps'],
      ['listAllSourceAppV1', 'allSourceApps', 'source-apps/all'],
      ['listAssignedSourceAppV1', 'assignedSourceApps', 'source-apps/assigned'],
    ] as const
  ).map(
    ([operationId, field, neutral]): Operation => ({
      operationId,
      document: `{ ${field}(filters: "name sw \\"S\\"", sorters: "-name", limit: 2) { items { id name } } }`,
      calls: () => [{ method: 'GET', neutral, query: { filters: 'name sw "S"', sorters: '-name', limit: '3', offset: '0' }, headers: experimental }],
      answer: (data) => {
        const names = data[field].items.map((a: { name: string }) => a.name);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) expect(name).toMatch(/^S/);
        expect(names).toEqual([...names].sort().reverse());
      },
    }),
  ),
  {
    operationId: 'getSourceAppV1',
    // A caller the admin list refuses: the gateway reads the app by id instead.
    prepare: async (gw) => {
      const token = gw.tenant.issueToken();
      withoutSourceAppAdminRights(token);
      return { id: seedApp.id, token };
    },
    document: 'query($id: ID!) { sourceApp(id: $id) { id name } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => {
      const caller = { ...experimental, authorization: `Bearer ${p.token}` };
      return [
        { method: 'GET', neutral: 'source-apps/all', query: { filters: appIn(p.id), limit: '1' }, headers: caller },
        { method: 'GET', neutral: `source-apps/${p.id}`, headers: caller },
      ];
    },
    answer: (data, p) => expect(data.sourceApp).toEqual({ id: p.id, name: seedApp.name }),
  },
  {
    operationId: 'createSourceAppV1',
    document:
      'mutation($s: ID!) { createSourceApp(input: { name: "Layout Portal", description: "Extranet", accountSourceId: $s, matchAllAccounts: true }) { name } }',
    variables: () => ({ s: seedApp.accountSourceId }),
    calls: () => [
      {
        method: 'POST',
        neutral: 'source-apps',
        headers: experimentalBody,
        body: JSON.stringify({
          name: 'Layout Portal',
          description: 'Extranet',
          accountSource: { id: seedApp.accountSourceId },
          matchAllAccounts: true,
        }),
      },
    ],
    answer: (data) => expect(data.createSourceApp).toEqual({ name: 'Layout Portal' }),
  },
  {
    operationId: 'patchSourceAppV1',
    prepare: newSourceApp,
    document:
      'mutation($id: ID!, $owner: ID!) { updateSourceApp(id: $id, input: { name: "Layout Portal v2", ownerId: $owner }) { id name owner { id } } }',
    variables: (p) => ({ id: p.id, owner: newOwnerId }),
    calls: (p) => [
      {
        method: 'PATCH',
        neutral: `source-apps/${p.id}`,
        headers: experimentalPatch,
        body: JSON.stringify([
          { op: 'replace', path: '/name', value: 'Layout Portal v2' },
          { op: 'replace', path: '/owner', value: { id: newOwnerId } },
        ]),
      },
    ],
    answer: (data, p) => expect(data.updateSourceApp).toEqual({ id: p.id, name: 'Layout Portal v2', owner: { id: newOwnerId } }),
  },
  {
    operationId: 'deleteSourceAppV1',
    prepare: newSourceApp,
    document: 'mutation($id: ID!) { deleteSourceApp(id: $id) { id name } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [{ method: 'DELETE', neutral: `source-apps/${p.id}`, headers: experimental }],
    answer: (data, p) => expect(data.deleteSourceApp).toEqual({ id: p.id, name: 'Layout Probe' }),
  },
  {
    operationId: 'updateSourceAppsInBulkV1',
    prepare: seeded(bulkApp.id),
    document: 'mutation($ids: [ID!]!) { bulkUpdateSourceApps(ids: $ids, input: { enabled: false }) }',
    variables: (p) => ({ ids: [p.id, secondBulkApp.id] }),
    calls: (p) => [
      {
        method: 'POST',
        neutral: 'source-apps/bulk-update',
        headers: experimentalBody,
        body: JSON.stringify({ appIds: [p.id, secondBulkApp.id], jsonPatch: [{ op: 'replace', path: '/enabled', value: false }] }),
      },
    ],
    answer: (data) => expect(data.bulkUpdateSourceApps).toBe(true),
  },
  {
    operationId: 'listAccessProfilesForSourceAppV1',
    prepare: seeded(otherApp.id),
    document: 'query($id: ID!) { sourceApp(id: $id) { accessProfiles(limit: 1, offset: 1) { items { id } } } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [
      { method: 'GET', neutral: 'source-apps/all', query: { filters: appIn(p.id), limit: '1' }, headers: experimental },
      { method: 'GET', neutral: `source-apps/${p.id}/access-profiles`, query: { limit: '2', offset: '1' }, headers: experimental },
    ],
    answer: (data) => expect(data.sourceApp.accessProfiles.items).toEqual([{ id: otherApp.accessProfiles[1] }]),
  },
  {
    operationId: 'deleteAccessProfilesFromSourceAppByBulkV1',
    prepare: seeded(seedApp.id),
    document: 'mutation($id: ID!, $ap: [ID!]!) { removeAccessProfilesFromSourceApp(id: $id, accessProfileIds: $ap, limit: 10) { id } }',
    variables: (p) => ({ id: p.id, ap: [seedApp.accessProfiles[0]] }),
    calls: (p) => [
      {
        method: 'POST',
        neutral: `source-apps/${p.id}/access-profiles/bulk-remove`,
        query: { limit: '10' },
        headers: experimentalBody,
        body: JSON.stringify([seedApp.accessProfiles[0]]),
      },
    ],
    answer: (data) => expect(data.removeAccessProfilesFromSourceApp).toEqual(seedApp.accessProfiles.slice(1, 11).map((id) => ({ id }))),
  },
];

const OAUTH_CLIENTS: Operation[] = [
  {
    operationId: 'listOauthClientsV1',
    document: '{ oauthClients(filter: { neverUsed: true }) { id } }',
    calls: () => [{ method: 'GET', neutral: 'oauth-clients', query: { filters: 'lastUsed isnull' }, headers: json }],
    answer: (data) => expect(data.oauthClients).toEqual(OAUTH_CLIENT_SEED.filter((c) => c.lastUsed === null).map((c) => ({ id: c.id }))),
  },
  {
    operationId: 'getOauthClientV1',
    prepare: seeded(seedClient.id),
    document: 'query($id: ID!) { oauthClient(id: $id) { id name } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [{ method: 'GET', neutral: `oauth-clients/${p.id}`, headers: json }],
    answer: (data, p) => expect(data.oauthClient).toEqual({ id: p.id, name: seedClient.name }),
  },
  {
    operationId: 'createOauthClientV1',
    document: `mutation { createOAuthClient(input: { name: "Layout Portal", description: "Portal", accessTokenValiditySeconds: 900,
      grantTypes: [AUTHORIZATION_CODE, REFRESH_TOKEN], accessType: OFFLINE, enabled: true, type: CONFIDENTIAL,
      redirectUris: ["https://portal.example/callback"] }) { name grantTypes } }`,
    calls: () => [
      {
        method: 'POST',
        neutral: 'oauth-clients',
        headers: jsonBody,
        body: JSON.stringify({
          name: 'Layout Portal',
          description: 'Portal',
          accessTokenValiditySeconds: 900,
          grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
          accessType: 'OFFLINE',
          enabled: true,
          type: 'CONFIDENTIAL',
          redirectUris: ['https://portal.example/callback'],
        }),
      },
    ],
    answer: (data) => expect(data.createOAuthClient).toEqual({ name: 'Layout Portal', grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'] }),
  },
  {
    operationId: 'patchOauthClientV1',
    prepare: newOAuthClient,
    document: 'mutation($id: ID!) { updateOAuthClient(id: $id, input: { name: "Layout Probe v2", enabled: false }) { id name enabled } }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [
      {
        method: 'PATCH',
        neutral: `oauth-clients/${p.id}`,
        headers: jsonPatch,
        body: JSON.stringify([
          { op: 'replace', path: '/name', value: 'Layout Probe v2' },
          { op: 'replace', path: '/enabled', value: false },
        ]),
      },
    ],
    answer: (data, p) => expect(data.updateOAuthClient).toEqual({ id: p.id, name: 'Layout Probe v2', enabled: false }),
  },
  {
    operationId: 'deleteOauthClientV1',
    prepare: newOAuthClient,
    document: 'mutation($id: ID!) { deleteOAuthClient(id: $id) }',
    variables: (p) => ({ id: p.id }),
    calls: (p) => [{ method: 'DELETE', neutral: `oauth-clients/${p.id}`, headers: json }],
    answer: (data) => expect(data.deleteOAuthClient).toBe(true),
  },
];

/** Ada's apps, as her sign-in's token sees them; the one with several accounts is where she chooses. */
const adaApps = userAppsOf('ada.admin');
const adaChoosing = adaApps.find((a) => a.availableAccounts.length >= 3)!;
const asAda = async (gw: TestGateway, id = adaChoosing.id): Promise<Prepared> => ({ id, token: gw.tenant.issueToken({ user: 'ada.admin' }) });
const adaHeaders = (p: Prepared, base: Record<string, unknown> = experimental) => ({ ...base, authorization: `Bearer ${p.token}` });

const USER_APPS: Operation[] = [
  {
    operationId: 'listOwnedUserAppsV1',
    prepare: (gw) => asAda(gw),
    document: '{ userApps(filter: { ownerAlias: "ada.admin" }, limit: 2, offset: 1) { items { id } totalCount } }',
    calls: (p) => [
      {
        method: 'GET',
        neutral: 'user-apps',
        query: { filters: 'ownerAlias eq "ada.admin"', limit: '2', offset: '1', count: 'true' },
        headers: adaHeaders(p),
      },
    ],
    answer: (data) => expect(data.userApps.totalCount).toBe(adaApps.length),
  },
  {
    operationId: 'listAllUserAppsV1',
    prepare: (gw) => asAda(gw),
    document: '{ allUserApps(filter: { ownerAlias: "rita.reader" }, limit: 5) { items { owner { alias } } } }',
    calls: (p) => [
      { method: 'GET', neutral: 'user-apps/all', query: { filters: 'ownerAlias eq "rita.reader"', limit: '6', offset: '0' }, headers: adaHeaders(p) },
    ],
    answer: (data) => {
      expect(data.allUserApps.items.length).toBe(userAppsOf('rita.reader').length);
      for (const item of data.allUserApps.items) expect(item.owner.alias).toBe('rita.reader');
    },
  },
  {
    operationId: 'listAvailableAccountsForUserAppV1',
    prepare: (gw) => asAda(gw),
    document: 'query($s: ID!) { userApps(filter: { sourceAppId: $s }) { items { id availableAccounts(limit: 2) { items { id } hasMore } } } }',
    variables: () => ({ s: adaChoosing.sourceApp.id }),
    calls: (p): ExpectedCall[] => [
      {
        method: 'GET',
        neutral: 'user-apps',
        query: { filters: `sourceAppId eq "${adaChoosing.sourceApp.id}"`, limit: '250', offset: '0' },
        headers: adaHeaders(p),
      },
      { method: 'GET', neutral: `user-apps/${adaChoosing.id}/available-accounts`, query: { limit: '2', count: 'true' }, headers: adaHeaders(p) },
    ],
    answer: (data) =>
      expect(data.userApps.items).toEqual([
        { id: adaChoosing.id, availableAccounts: { items: adaChoosing.availableAccounts.slice(0, 2).map((a) => ({ id: a.id })), hasMore: true } },
      ]),
  },
  {
    operationId: 'patchUserAppV1',
    prepare: (gw) => asAda(gw),
    document: 'mutation($id: ID!, $a: ID!) { updateUserAppAccount(id: $id, accountId: $a) { account { id } } }',
    variables: (p) => ({ id: p.id, a: adaChoosing.availableAccounts[1].id }),
    calls: (p) => [
      {
        method: 'PATCH',
        neutral: `user-apps/${p.id}`,
        headers: adaHeaders(p, experimentalPatch),
        body: JSON.stringify([{ op: 'replace', path: '/account', value: { id: adaChoosing.availableAccounts[1].id, type: 'ACCOUNT' } }]),
      },
    ],
    answer: (data) => expect(data.updateUserAppAccount).toEqual({ account: { id: adaChoosing.availableAccounts[1].id } }),
  },
];

const DOMAINS: [string, Operation[]][] = [
  ['connectors', CONNECTORS],
  ['connector customizers', CONNECTOR_CUSTOMIZERS],
  ['source apps', SOURCE_APPS],
  ['OAuth clients', OAUTH_CLIENTS],
  ['user apps', USER_APPS],
];

/** The exact multipart body of one part named `file`, as sent with `boundary`. */
function multipartBody(boundary: string, file: NonNullable<ExpectedCall['file']>): string {
  return [
    `--${boundary}`,
    `Content-Disposition: form-data; name="file"; filename="${file.name}"`,
    `Content-Type: ${file.type}`,
    '',
    file.content,
    `--${boundary}--`,
    // The encoder ends the body with an empty epilogue line, which multipart allows (RFC 2046 §5.1.1).
    '',
    '',
  ].join('\r\n');
}

/** The call as ISC should receive it in `layout`; a multipart body is built on the boundary the request chose. */
function expectedCall(
  layout: Layout,
  call: ExpectedCall,
  received: UpstreamCall | undefined,
): Omit<UpstreamCall, 'headers'> & { headers: Record<string, unknown> } {
  const base = { method: call.method, path: pathIn(layout, call.neutral), query: call.query ?? {} };
  if (!call.file) return { ...base, headers: call.headers, body: call.body ?? '' };
  const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(received?.headers['content-type'] ?? '')?.[1] ?? '(no multipart boundary)';
  return {
    ...base,
    headers: { ...call.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: multipartBody(boundary, call.file),
  };
}

it('the table holds the 38 operations once each', () => {
  const ids = DOMAINS.flatMap(([, operations]) => operations.map((o) => o.operationId));
  expect(DOMAINS.map(([domain, operations]) => [domain, operations.length])).toEqual([
    ['connectors', 13],
    ['connector customizers', 6],
    ['source apps', 10],
    ['OAuth clients', 5],
    ['user apps', 4],
  ]);
  expect(new Set(ids).size).toBe(38);
});

describe.each<Layout>(['per-resource', 'v2024'])('SAIL_API_PATHS=%s', (layout) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ SAIL_API_PATHS: layout });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.reset());

  describe.each(DOMAINS)('%s', (_domain, operations) => {
    it.each(operations.map((o) => [o.operationId, o] as const))('%s', async (_operationId, operation) => {
      const prepared = (await operation.prepare?.(gw)) ?? { id: '' };
      gw.reset();
      const headers = prepared.token ? { authorization: `Bearer ${prepared.token}` } : undefined;
      const r = await gw.gql(operation.document, operation.variables?.(prepared), headers);
      expect(r.errors).toBeUndefined();
      operation.answer(r.data!, prepared);
      const received = gw.calls();
      const expected = operation.calls(prepared);
      expect(received).toEqual(expected.map((call, i) => expectedCall(layout, call, received[i])));
    });
  });
});
