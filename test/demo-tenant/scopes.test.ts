import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createConnectorCustomizerState, registerConnectorCustomizerRoutes } from '../../src/demo-tenant/connector-customizers.js';
import { createConnectorState, registerConnectorRoutes } from '../../src/demo-tenant/connectors.js';
import { createOAuthClientState, registerOAuthClientRoutes } from '../../src/demo-tenant/oauth-clients.js';
import { createRouter } from '../../src/demo-tenant/router.js';
import { ALL_DOMAIN_SCOPES, DOMAIN_SCOPES } from '../../src/demo-tenant/scopes.js';
import { createSourceAppState, registerSourceAppRoutes } from '../../src/demo-tenant/source-apps.js';
import { createUserAppState, registerUserAppRoutes } from '../../src/demo-tenant/user-apps.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { expectIscError, perResource } from '../support/demo-tenant-api.js';

// The scopes each of the 38 API operations accepts (any one of them), as ISC's specification
// states them. A token with none of them gets 403 and ISC's error body; one with any of them gets
// past the check (whatever the operation then answers); `sp:scopes:all` passes everything.

let tenant: DemoTenant;
beforeAll(async () => {
  tenant = await startDemoTenant();
});
afterAll(() => tenant.close());

const { connectors: C, connectorCustomizers: K, sourceApps: S, oauthClients: O } = DOMAIN_SCOPES;
const both = (d: { read: string; manage: string }) => [d.read, d.manage];

/** [method, layout-neutral path (sent per resource), accepted scopes]: all 38 operations. */
const OPERATIONS: [string, string, string[]][] = [
  ['GET', '/connectors', both(C)],
  ['POST', '/connectors', [C.manage]],
  ['GET', '/connectors/x', both(C)],
  ['PATCH', '/connectors/x', [C.manage]],
  ['DELETE', '/connectors/x', [C.manage]],
  ['GET', '/connectors/x/source-config', both(C)],
  ['PUT', '/connectors/x/source-config', [C.manage]],
  ['GET', '/connectors/x/source-template', both(C)],
  ['PUT', '/connectors/x/source-template', [C.manage]],
  ['GET', '/connectors/x/correlation-config', both(C)],
  ['PUT', '/connectors/x/correlation-config', [C.manage]],
  ['GET', '/connectors/x/translations/en', both(C)],
  ['PUT', '/connectors/x/translations/en', [C.manage]],
  // Customizer reads name only the read scope.
  ['GET', '/connector-customizers', [K.read]],
  ['POST', '/connector-customizers', [K.manage]],
  ['GET', '/connector-customizers/x', [K.read]],
  ['PUT', '/connector-customizers/x', [K.manage]],
  ['DELETE', '/connector-customizers/x', [K.manage]],
  ['POST', '/connector-customizers/x/versions', [K.manage]],
  ['GET', '/source-apps', both(S)],
  ['GET', '/source-apps/all', both(S)],
  ['GET', '/source-apps/assigned', both(S)],
  ['POST', '/source-apps', [S.manage]],
  ['POST', '/source-apps/bulk-update', [S.manage]],
  ['GET', '/source-apps/x', both(S)],
  ['PATCH', '/source-apps/x', [S.manage]],
  ['DELETE', '/source-apps/x', [S.manage]],
  // Listing an app's access profiles needs the manage scope.
  ['GET', '/source-apps/x/access-profiles', [S.manage]],
  ['POST', '/source-apps/x/access-profiles/bulk-remove', [S.manage]],
  // User apps take the source apps' scopes; the list of all user apps and the patch need manage.
  ['GET', '/user-apps', both(S)],
  ['GET', '/user-apps/all', [S.manage]],
  ['GET', '/user-apps/x/available-accounts', both(S)],
  ['PATCH', '/user-apps/x', [S.manage]],
  ['GET', '/oauth-clients', both(O)],
  ['POST', '/oauth-clients', [O.manage]],
  ['GET', '/oauth-clients/x', both(O)],
  ['PATCH', '/oauth-clients/x', [O.manage]],
  ['DELETE', '/oauth-clients/x', [O.manage]],
];

const call = (method: string, path: string, scopes: readonly string[]): Promise<Response> =>
  fetch(`${tenant.url}${perResource(path)}`, { method, headers: { authorization: `Bearer ${tenant.issueToken({ user: 'ada.admin', scopes })}` } });

describe('scopes per operation', () => {
  it('is the table the routes state: 38 operations, each with the scopes above', () => {
    const { router, routes } = createRouter();
    registerConnectorRoutes(router, createConnectorState());
    registerConnectorCustomizerRoutes(router, createConnectorCustomizerState());
    registerSourceAppRoutes(router, createSourceAppState());
    registerUserAppRoutes(router, createUserAppState());
    registerOAuthClientRoutes(router, createOAuthClientState());
    const registered = routes.map((r) => [r.method, r.pattern.replace(':locale', 'en').replace(/:\w+/g, 'x'), [...r.options.scopes]]);
    expect(registered).toHaveLength(38);
    expect(registered.sort()).toEqual([...OPERATIONS].sort());
  });

  it.each(OPERATIONS)('%s %s: 403 without an accepted scope, past the check with any one of them', async (method, path, accepted) => {
    const others = ALL_DOMAIN_SCOPES.filter((s) => !accepted.includes(s));
    // The refusal names every accepted scope.
    await expectIscError(
      await call(method, path, others),
      403,
      new RegExp(accepted.map((scope) => `(?=[\\s\\S]*${scope.replace(/\./g, '\\.')})`).join('')),
    );
    await expectIscError(await call(method, path, []), 403);
    for (const scope of accepted) {
      const res = await call(method, path, [scope]);
      expect([scope, res.status]).not.toEqual([scope, 403]);
      expect([scope, res.status]).not.toEqual([scope, 401]);
      await res.arrayBuffer();
    }
    const all = await call(method, path, ['sp:scopes:all']);
    expect([all.status]).not.toEqual([403]);
    await all.arrayBuffer();
  });

  it('answers 404 and 405 before the scope check, 401 before everything', async () => {
    expect((await call('GET', '/no-such-thing', [])).status).toBe(404);
    expect((await call('PUT', '/connectors', [])).status).toBe(405);
    expect((await fetch(`${tenant.url}/connectors/v1`, { method: 'POST' })).status).toBe(401);
  });

  it('a token with a scope of another domain is refused; the 403 names what is missing and what the token has', async () => {
    const res = await call('GET', '/oauth-clients', [C.manage]);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { detailCode: string; messages: { text: string }[]; causes: { text: string }[] };
    expect(body.detailCode).toBe('403 Forbidden');
    expect(body.messages[0].text).toBe(
      'Access denied: this operation needs one of the scopes sp:oauth-client:read, sp:oauth-client:manage, which the access token does not carry',
    );
    expect(body.causes.map((c) => c.text)).toEqual(['The token carries: idn:connector-config:manage']);
  });
});
