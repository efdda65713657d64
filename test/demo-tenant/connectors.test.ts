import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { CONNECTOR_SEED } from '../../src/demo-tenant/seed/connectors.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { expectIscError, tenantApi } from '../support/demo-tenant-api.js';

let tenant: DemoTenant;
let auth: Record<string, string>;

beforeEach(async () => {
  tenant = await startDemoTenant({ recordRequests: true });
  auth = { authorization: `Bearer ${tenant.issueToken()}` };
});
afterEach(async () => {
  await tenant.close();
});

const { api } = tenantApi(() => ({ tenant, auth }));

const list = async (params: Record<string, string>): Promise<Array<Record<string, unknown>>> => {
  const res = await api(`/connectors?${new URLSearchParams(params).toString()}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Array<Record<string, unknown>>;
};

/** GET with the path sent byte for byte (fetch and URL strings would resolve dot segments first). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(tenant.url);
    const req = request({ hostname, port, path, headers: auth }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const LEGACY = 'Legacy "HR" \\ Payroll #1 & 100%';
const ESCAPED_LEGACY = LEGACY.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

describe('seed', () => {
  it('has a varied catalogue, including one status outside the enum', () => {
    expect(CONNECTOR_SEED.length).toBeGreaterThanOrEqual(40);
    const statuses = new Set(CONNECTOR_SEED.map((c) => c.status));
    expect([...statuses].sort()).toEqual(['BETA', 'DEMO', 'DEPRECATED', 'DEVELOPMENT', 'RELEASED']);
    expect(new Set(CONNECTOR_SEED.map((c) => c.scriptName)).size).toBe(CONNECTOR_SEED.length);
    for (const c of CONNECTOR_SEED) expect(c.translations.en).toContain('connector.displayName=');
  });
});

describe('GET /connectors', () => {
  it('pages with limit/offset and counts with count=true', async () => {
    const res = await api('/connectors?limit=5&offset=2&count=true');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe(String(CONNECTOR_SEED.length));
    const page = (await res.json()) as Array<{ scriptName: string }>;
    expect(page.map((c) => c.scriptName)).toEqual(CONNECTOR_SEED.slice(2, 7).map((c) => c.scriptName));
    expect(Object.keys(page[0]).sort()).toEqual([
      'className',
      'connectorMetadata',
      'directConnect',
      'features',
      'name',
      'scriptName',
      'status',
      'type',
    ]);

    const all = await api('/connectors');
    expect(all.headers.get('x-total-count')).toBeNull();
    expect(((await all.json()) as unknown[]).length).toBe(CONNECTOR_SEED.length);
  });

  it('validates limit, offset and locale', async () => {
    await expectIscError(await api('/connectors?limit=251'), 400, /limit/);
    await expectIscError(await api('/connectors?offset=-1'), 400, /offset/);
    await expectIscError(await api('/connectors?locale=xx'), 400, /locale/);
    expect((await api('/connectors?locale=zh-TW')).status).toBe(200);
  });

  it('filters by the fields and operators the spec lists', async () => {
    const [legacy] = await list({ filters: `name co "${ESCAPED_LEGACY.slice(7)}"` });
    expect(legacy.name).toBe(LEGACY);
    expect((await list({ filters: 'type eq "active directory - direct"' })).map((c) => c.scriptName)).toEqual(['active-directory-angularsc']);
    expect((await list({ filters: 'directConnect eq "false"' })).every((c) => c.directConnect === false)).toBe(true);
    const withBoth = await list({ filters: 'features ca ("PROVISIONING","PASSWORD") and category eq "directory"', count: 'true' });
    expect(withBoth.map((c) => c.name)).toEqual(expect.arrayContaining(['Active Directory', 'Okta', 'LDAP']));
    expect((await list({ filters: 'labels ca ("custom") and not name sw "Legacy"' })).map((c) => c.name)).toEqual([
      'Acme Badge System',
      'Demo Travel Desk',
    ]);
  });

  it('sees the escaped name arrive intact over the wire', async () => {
    await list({ filters: `name co "${ESCAPED_LEGACY}"` });
    const recorded = tenant.requests.at(-1);
    expect(recorded?.search).toContain('%23');
    expect(recorded?.query.filters).toBe(`name co "${ESCAPED_LEGACY}"`);
  });

  it('rejects fields and operators outside the spec table, and syntax errors', async () => {
    await expectIscError(
      await api(`/connectors?${new URLSearchParams({ filters: 'name eq "Okta"' }).toString()}`),
      400,
      /Operator "eq" is not supported for field "name"/,
    );
    await expectIscError(await api(`/connectors?${new URLSearchParams({ filters: 'status eq "RELEASED"' }).toString()}`), 400, /field "status"/);
    await expectIscError(await api(`/connectors?${new URLSearchParams({ filters: 'name co "x' }).toString()}`), 400, /unterminated/);
  });
});

describe('GET /connectors/{scriptName}', () => {
  it('answers ConnectorDetail with translations for the asked locale', async () => {
    const res = await api('/connectors/active-directory-angularsc?locale=de');
    expect(res.status).toBe(200);
    const detail = (await res.json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ name: 'Active Directory', scriptName: 'active-directory-angularsc', status: 'RELEASED', fileUpload: true });
    expect((detail.translationProperties as Record<string, string>)['field.password.label']).toBe('Passwort');
    expect(detail.applicationXml).toContain('<Application');
  });

  it('decodes the path once and never resolves dot segments', async () => {
    await expectIscError(await api('/connectors/..%2Foauth-clients'), 404, /"\.\.\/oauth-clients"/);
    const encodedDots = await rawGet('/connectors/v1/%2E%2E');
    expect(encodedDots.status).toBe(404);
    expect(encodedDots.body).toContain('scriptName \\"..\\"');
    expect((await rawGet('/connectors/v1/../v1')).status).toBe(404);
    expect((await rawGet('/connectors/v1/./active-directory-angularsc')).status).toBe(404);
    await expectIscError(await api('/no-such-thing'), 404);
    expect((await api('/connectors/legacy-hr-payroll-1-100-q7m2xk')).status).toBe(200);
  });
});

describe('create and delete', () => {
  it('creates a connector with a generated scriptName and deletes it', async () => {
    const res = await api('/connectors', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'My Custom App', className: 'sailpoint.connector.OpenConnectorAdapter' }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { scriptName: string; status: string; directConnect: boolean; type: string };
    expect(created.scriptName).toMatch(/^my-custom-app-[a-z0-9]{6}$/);
    expect(created).toMatchObject({ status: 'DEVELOPMENT', directConnect: true, type: 'My Custom App' });
    expect((await api(`/connectors/${created.scriptName}`)).status).toBe(200);

    const del = await api(`/connectors/${created.scriptName}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    await expectIscError(await api(`/connectors/${created.scriptName}`, { method: 'DELETE' }), 404);
  });

  it('requires name and className, JSON, and a well-formed body', async () => {
    const post = (body: string, contentType = 'application/json'): Promise<Response> =>
      api('/connectors', { method: 'POST', headers: { 'content-type': contentType }, body });
    await expectIscError(await post(JSON.stringify({ name: 'x' })), 400, /cannot be created/);
    await expectIscError(await post('{"name": '), 400, /Malformed JSON/);
    await expectIscError(await post(JSON.stringify({ name: 'x', className: 'y' }), 'text/plain'), 400, /Content type 'text\/plain'/);
  });
});

describe('PATCH /connectors/{scriptName}', () => {
  const patch = (ops: unknown, contentType = 'application/json-patch+json'): Promise<Response> =>
    api('/connectors/okta-angularsc', { method: 'PATCH', headers: { 'content-type': contentType }, body: JSON.stringify(ops) });

  it('applies operations on the patchable fields', async () => {
    const res = await patch([
      { op: 'replace', path: '/connectorMetadata/shortDesc', value: 'Patched' },
      { op: 'add', path: '/connectorMetadata/extra', value: { a: 1 } },
      { op: 'replace', path: '/sourceConfigXml', value: '<Form name="patched"/>' },
    ]);
    expect(res.status).toBe(200);
    const detail = (await res.json()) as { connectorMetadata: Record<string, unknown>; sourceConfigXml: string };
    expect(detail.connectorMetadata).toMatchObject({ shortDesc: 'Patched', extra: { a: 1 } });
    const xml = await api('/connectors/okta-angularsc/source-config', { headers: { accept: 'application/xml' } });
    expect(await xml.text()).toBe('<Form name="patched"/>');
  });

  it('refuses other content types, non-arrays, unknown ops and other paths', async () => {
    await expectIscError(await patch([], 'application/json'), 400, /application\/json-patch\+json/);
    await expectIscError(await patch({ op: 'replace' }), 400, /array/);
    await expectIscError(await patch([{ op: 'frobnicate', path: '/applicationXml' }]), 400, /op must be one of/);
    await expectIscError(await patch([{ op: 'replace', path: '/name', value: 'x' }]), 400, /not patchable/);
    await expectIscError(await patch([{ op: 'copy', from: '/status', path: '/connectorMetadata/s' }]), 400, /from "\/status" is not patchable/);
  });

  it('applies nothing when a test operation fails', async () => {
    await expectIscError(
      await patch([
        { op: 'replace', path: '/connectorMetadata/shortDesc', value: 'Should not stick' },
        { op: 'test', path: '/connectorMetadata/platform', value: 'not-this' },
      ]),
      400,
      /TEST_OPERATION_FAILED/,
    );
    const detail = (await (await api('/connectors/okta-angularsc')).json()) as { connectorMetadata: { shortDesc: string } };
    expect(detail.connectorMetadata.shortDesc).not.toBe('Should not stick');
  });
});

describe('connector files', () => {
  const upload = (path: string, content: string | undefined, field = 'file'): Promise<Response> => {
    const body = new FormData();
    if (content !== undefined) body.append(field, new Blob([content], { type: 'application/xml' }), 'upload.xml');
    else body.append('other', 'x');
    return api(path, { method: 'PUT', body });
  };

  it('round-trips an uploaded source template, reporting UPDATED then UNCHANGED', async () => {
    const xml = '<?xml version="1.0"?>\n<Application name="Uploaded &amp; new"/>\n';
    let res = await upload('/connectors/slack-angularsc/source-template', xml);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      message: expect.any(String),
      scriptName: 'slack-angularsc',
      updatedFiles: ['source-template.xml'],
      status: 'UPDATED',
    });

    res = await api('/connectors/slack-angularsc/source-template', { headers: { accept: 'application/xml' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await res.text()).toBe(xml);

    res = await upload('/connectors/slack-angularsc/source-template', xml);
    expect(await res.json()).toMatchObject({ status: 'UNCHANGED', updatedFiles: [] });
    expect(tenant.requests.at(-1)?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('uploads and reads translations per locale', async () => {
    const props = 'connector.displayName=Ma connexion\nfield.host.label=H\\u00f4te\n';
    expect((await upload('/connectors/zoom-angularsc/translations/fr', props)).status).toBe(200);
    const res = await api('/connectors/zoom-angularsc/translations/fr', { headers: { accept: 'text/plain' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(props);
    const detail = (await (await api('/connectors/zoom-angularsc?locale=fr')).json()) as { translationProperties: Record<string, string> };
    expect(detail.translationProperties).toEqual({ 'connector.displayName': 'Ma connexion', 'field.host.label': 'Hôte' });
    await expectIscError(await api('/connectors/zoom-angularsc/translations/klingon'), 400, /locale/);
  });

  it('falls back to en for a locale without its own file', async () => {
    const res = await api('/connectors/zoom-angularsc/translations/pl');
    expect(await res.text()).toMatch(/^# Zoom: configuration labels \(en\)/);
  });

  it('needs a part named file and a multipart body', async () => {
    await expectIscError(await upload('/connectors/box-angularsc/correlation-config', undefined), 400, /'file'/);
    await expectIscError(
      await api('/connectors/box-angularsc/correlation-config', { method: 'PUT', headers: { 'content-type': 'application/xml' }, body: '<x/>' }),
      400,
      /multipart\/form-data/,
    );
    await expectIscError(await upload('/connectors/nope/correlation-config', '<x/>'), 404);
  });

  it('refuses a JSON-only Accept with 406', async () => {
    await expectIscError(await api('/connectors/box-angularsc/source-config', { headers: { accept: 'application/json' } }), 406);
    await expectIscError(await api('/connectors/box-angularsc/translations/en', { headers: { accept: 'application/json' } }), 406);
    const ok = await api('/connectors/box-angularsc/correlation-config', { headers: { accept: 'application/json, application/xml;q=0.5' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<CorrelationConfig');
  });
});

describe('isolation', () => {
  it('gives every tenant its own copy of the seed', async () => {
    expect((await api('/connectors/github-angularsc', { method: 'DELETE' })).status).toBe(204);
    const other = await startDemoTenant({ recordRequests: true });
    try {
      const res = await fetch(`${other.url}/connectors/v1/github-angularsc`, { headers: { authorization: `Bearer ${other.issueToken()}` } });
      expect(res.status).toBe(200);
    } finally {
      await other.close();
    }
    expect(CONNECTOR_SEED.some((c) => c.scriptName === 'github-angularsc')).toBe(true);
  });
});
