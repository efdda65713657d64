import { describe, expect, it } from '@jest/globals';
import { bearer, expectRefusedBeforeAnyCall, useTestGateway } from '../support/gateway.js';
import { code } from '../support/errors.js';

const gw = useTestGateway();

const jsonAccept = { authorization: bearer, accept: 'application/json' };

async function firstScriptNames(n: number): Promise<string[]> {
  const r = await gw.gql(`{ connectors(limit: ${n}) { items { scriptName } } }`);
  gw.reset();
  return r.data!.connectors.items.map((c: { scriptName: string }) => c.scriptName);
}

describe('Query.connectors', () => {
  it('lists with totalCount: one GET with count=true', async () => {
    const r = await gw.gql('{ connectors(limit: 5) { items { name scriptName type } totalCount hasMore } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items).toHaveLength(5);
    expect(r.data!.connectors.totalCount).toBeGreaterThan(30);
    expect(r.data!.connectors.hasMore).toBe(true);
    expect(gw.calls()).toEqual([
      { method: 'GET', path: '/connectors/v1', query: { limit: '5', offset: '0', count: 'true' }, headers: jsonAccept, body: '' },
    ]);
  });

  it('without totalCount asks for one item more and no count', async () => {
    const r = await gw.gql('{ connectors(limit: 5, offset: 2) { items { scriptName } hasMore } }');
    expect(r.data!.connectors.items).toHaveLength(5);
    expect(r.data!.connectors.hasMore).toBe(true);
    expect(gw.calls().map((c) => c.query)).toEqual([{ limit: '6', offset: '2' }]);
  });

  it('hasMore is false on the last page', async () => {
    const total = (await gw.gql('{ connectors(limit: 0) { totalCount } }')).data!.connectors.totalCount as number;
    const r = await gw.gql('query($o: Int) { connectors(limit: 10, offset: $o) { items { scriptName } hasMore } }', { o: total - 3 });
    expect(r.data!.connectors.items).toHaveLength(3);
    expect(r.data!.connectors.hasMore).toBe(false);
  });

  it('translates the typed filter, escaping quotes and backslashes; the URL encoder encodes # % & once', async () => {
    const name = 'Legacy "HR" \\ Payroll #1 & 100%';
    const r = await gw.gql('query($f: ConnectorFilter) { connectors(filter: $f) { items { name } } }', { f: { nameStartsWith: name } });
    expect(r.errors).toBeUndefined();
    expect(r.data!.connectors.items).toEqual([{ name }]);
    const [call] = gw.calls();
    expect(call.query.filters).toBe('name sw "Legacy \\"HR\\" \\\\ Payroll #1 & 100%"');
    const raw = gw.tenant.requests[0].search;
    expect(raw).toContain('filters=name+sw+%22Legacy+%5C%22HR%5C%22+%5C%5C+Payroll+%231+%26+100%25%22');
  });

  it('combines typed filters with and, and a raw filter after them', async () => {
    const r = await gw.gql(
      '{ connectors(filter: { directConnect: true, featuresContainAll: ["PROVISIONING"] }, filters: "type co \\"Directory\\"") { items { name directConnect features type } } }',
    );
    expect(r.errors).toBeUndefined();
    const items = r.data!.connectors.items as { directConnect: boolean; features: string[]; type: string }[];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.directConnect).toBe(true);
      expect(item.features).toContain('PROVISIONING');
      expect(item.type.toLowerCase()).toContain('directory');
    }
    expect(gw.calls()[0].query.filters).toBe('((directConnect eq true) and (features ca ("PROVISIONING"))) and (type co "Directory")');
  });

  it('refuses a raw filter on a field or operator GET /connectors does not support, before any upstream call', async () => {
    for (const filters of ['owner.id eq "x"', 'name xx "a"', 'name sw "a" and (type eq "b"']) {
      const r = await gw.gql('query($f: String) { connectors(filters: $f) { items { name } } }', { f: filters });
      expect({ filters, errors: r.errors }).toEqual({ filters, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toHaveLength(0);
  });

  it('passes a valid locale and rejects others before any upstream call', async () => {
    await gw.gql('{ connectors(limit: 1, locale: "fr") { items { name } } }');
    expect(gw.calls()[0].query.locale).toBe('fr');
    gw.reset();
    const r = await gw.gql('{ connectors(locale: "xx") { items { name } } }');
    expect(r.errors).toEqual([code('BAD_USER_INPUT')]);
    expect(gw.calls()).toEqual([]);
  });

  it('rejects limit above the cap and negative offsets with BAD_USER_INPUT and no upstream call', async () => {
    for (const args of ['limit: 1001', 'offset: -1', 'limit: -1']) {
      const r = await gw.gql(`{ connectors(${args}) { items { name } } }`);
      expect(r.errors).toEqual([code('BAD_USER_INPUT')]);
    }
    const bad = await gw.gql('{ connectors(filter: { featuresContainAll: [] }) { items { name } } }');
    expect(bad.errors).toEqual([code('BAD_USER_INPUT')]);
    expect(gw.calls()).toEqual([]);
  });

  it('serves limits above 250 from parallel 250-item pages', async () => {
    const r = await gw.gql('{ connectors(limit: 600) { items { scriptName } totalCount hasMore } }');
    const total = r.data!.connectors.totalCount as number;
    expect(r.data!.connectors.items).toHaveLength(Math.min(600, total));
    expect(gw.calls().every((c) => Number(c.query.limit) <= 250)).toBe(true);
  });

  it('loads detail fields on list items once per connector, concurrently', async () => {
    const r = await gw.gql('{ connectors(limit: 4) { items { scriptName applicationXml again: applicationXml fileUpload } } }');
    expect(r.errors).toBeUndefined();
    const names = r.data!.connectors.items.map((c: { scriptName: string }) => c.scriptName);
    const calls = gw.calls();
    expect(calls[0].path).toBe('/connectors/v1');
    expect(
      calls
        .slice(1)
        .map((c) => c.path)
        .sort(),
    ).toEqual(names.map((n: string) => `/connectors/v1/${encodeURIComponent(n)}`).sort());
    for (const item of r.data!.connectors.items) expect(item.applicationXml).toEqual(expect.stringContaining('<'));
  });

  it('reads the detail fields of list items in the locale the list was asked in', async () => {
    const r = await gw.gql('{ connectors(limit: 2, locale: "fr") { items { scriptName translationProperties fileUpload } } }');
    expect(r.errors).toBeUndefined();
    const names = r.data!.connectors.items.map((c: { scriptName: string }) => c.scriptName);
    const [list, ...details] = gw.calls();
    expect(list.query).toEqual({ limit: '3', offset: '0', locale: 'fr' });
    expect(details.map((c) => [c.method, c.path, c.query]).sort()).toEqual(
      names.map((n: string) => ['GET', `/connectors/v1/${encodeURIComponent(n)}`, { locale: 'fr' }]).sort(),
    );
  });

  it('keeps an unknown status readable: UNKNOWN plus the raw value', async () => {
    const r = await gw.gql('{ connectors(limit: 250) { items { status statusRaw } } }');
    expect(r.errors).toBeUndefined();
    const unknown = r.data!.connectors.items.filter((c: { status: string }) => c.status === 'UNKNOWN');
    expect(unknown.length).toBeGreaterThan(0);
    for (const c of unknown) expect(['RELEASED', 'DEVELOPMENT', 'DEMO', 'DEPRECATED']).not.toContain(c.statusRaw);
  });
});

describe('Query.connector', () => {
  it('an entity reference reads the detail once: its detail fields need no further call', async () => {
    const [scriptName] = await firstScriptNames(1);
    const r = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Connector { scriptName applicationXml fileUpload } } }', {
      r: [{ __typename: 'Connector', scriptName }],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities[0].applicationXml).toEqual(expect.stringContaining('<'));
    expect(gw.calls()).toEqual([
      { method: 'GET', path: `/connectors/v1/${encodeURIComponent(scriptName)}`, query: {}, headers: jsonAccept, body: '' },
    ]);
  });

  it('reads the detail and each selected file with the media type ISC serves', async () => {
    const [scriptName] = await firstScriptNames(1);
    const r = await gw.gql(
      `query($s: ID!) { connector(scriptName: $s, locale: "en") { scriptName name className applicationXml translationProperties
        files { sourceConfig sourceTemplate correlationConfig translations(locale: "en") } } }`,
      { s: scriptName },
    );
    expect(r.errors).toBeUndefined();
    const c = r.data!.connector;
    expect(c.scriptName).toBe(scriptName);
    expect(c.files.sourceConfig).toEqual(expect.stringContaining('<'));
    expect(c.files.correlationConfig).toEqual(expect.stringContaining('<'));
    expect(typeof c.files.translations).toBe('string');
    const base = `/connectors/v1/${encodeURIComponent(scriptName)}`;
    expect(gw.calls().sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      [
        { method: 'GET', path: base, query: { locale: 'en' }, headers: jsonAccept, body: '' },
        { method: 'GET', path: `${base}/correlation-config`, query: {}, headers: { authorization: bearer, accept: 'application/xml' }, body: '' },
        { method: 'GET', path: `${base}/source-config`, query: {}, headers: { authorization: bearer, accept: 'application/xml' }, body: '' },
        { method: 'GET', path: `${base}/source-template`, query: {}, headers: { authorization: bearer, accept: 'application/xml' }, body: '' },
        { method: 'GET', path: `${base}/translations/en`, query: {}, headers: { authorization: bearer, accept: 'text/plain' }, body: '' },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    );
  });

  it('answers null for an unknown scriptName, without an error', async () => {
    const r = await gw.gql('{ connector(scriptName: "no-such-connector") { name } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.connector).toBeNull();
  });

  it('makes the same GET once per operation, across aliases', async () => {
    const [scriptName] = await firstScriptNames(1);
    const r = await gw.gql('query($s: ID!) { a: connector(scriptName: $s) { name } b: connector(scriptName: $s) { className } }', { s: scriptName });
    expect(r.errors).toBeUndefined();
    expect(gw.calls()).toHaveLength(1);
  });

  it('keeps path injection attempts on their route', async () => {
    for (const s of ['..', '%2e%2e', '../oauth-clients', '%2E%2E%2Foauth-clients']) {
      const r = await gw.gql('query($s: ID!) { connector(scriptName: $s) { name } }', { s });
      expect(r.errors).toEqual([code('BAD_USER_INPUT')]);
    }
    expect(gw.calls()).toEqual([]);
    const r = await gw.gql('{ connector(scriptName: "oauth-clients/x?y#z") { name } }');
    expect(r.data!.connector).toBeNull();
    expect(gw.calls().map((c) => c.path)).toEqual(['/connectors/v1/oauth-clients%2Fx%3Fy%23z']);
  });
});

describe('connector mutations', () => {
  it('creates, patches (typed and raw), uploads files, deletes, and reads back null', async () => {
    const created = await gw.gql(
      'mutation($i: CreateCustomConnectorInput!) { createCustomConnector(input: $i) { scriptName name className directConnect status } }',
      { i: { name: 'Acme HR Feed', className: 'sailpoint.connector.OpenConnectorAdapter', status: 'DEVELOPMENT' } },
    );
    expect(created.errors).toBeUndefined();
    const { scriptName } = created.data!.createCustomConnector;
    expect(created.data!.createCustomConnector).toMatchObject({ name: 'Acme HR Feed', status: 'DEVELOPMENT' });
    expect(gw.calls()).toEqual([
      {
        method: 'POST',
        path: '/connectors/v1',
        query: {},
        headers: { ...jsonAccept, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Acme HR Feed', className: 'sailpoint.connector.OpenConnectorAdapter', status: 'DEVELOPMENT' }),
      },
    ]);
    const base = `/connectors/v1/${encodeURIComponent(scriptName)}`;

    gw.reset();
    const typed = await gw.gql(
      'mutation($s: ID!, $i: UpdateConnectorInput) { updateConnector(scriptName: $s, input: $i) { applicationXml connectorMetadata } }',
      { s: scriptName, i: { applicationXml: '<app v="2"/>', connectorMetadata: { supportsUi: true } } },
    );
    expect(typed.errors).toBeUndefined();
    expect(typed.data!.updateConnector).toEqual({ applicationXml: '<app v="2"/>', connectorMetadata: { supportsUi: true } });
    expect(gw.calls()).toEqual([
      {
        method: 'PATCH',
        path: base,
        query: {},
        headers: { ...jsonAccept, 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([
          { op: 'replace', path: '/connectorMetadata', value: { supportsUi: true } },
          { op: 'replace', path: '/applicationXml', value: '<app v="2"/>' },
        ]),
      },
    ]);

    gw.reset();
    const raw = await gw.gql('mutation($s: ID!, $p: [JsonPatchOperationInput!]) { updateConnector(scriptName: $s, patch: $p) { sourceConfigXml } }', {
      s: scriptName,
      p: [
        { op: 'test', path: '/applicationXml', value: '<app v="2"/>' },
        { op: 'replace', path: '/sourceConfigXml', value: '<src/>' },
      ],
    });
    expect(raw.errors).toBeUndefined();
    expect(raw.data!.updateConnector.sourceConfigXml).toBe('<src/>');
    expect(JSON.parse(gw.calls()[0].body)).toEqual([
      { op: 'test', path: '/applicationXml', value: '<app v="2"/>' },
      { op: 'replace', path: '/sourceConfigXml', value: '<src/>' },
    ]);

    gw.reset();
    const upload = await gw.gql(
      'mutation($s: ID!, $x: String!) { updateConnectorSourceConfig(scriptName: $s, xml: $x) { scriptName status statusRaw updatedFiles message } }',
      { s: scriptName, x: '<sourceConfig name="acme"/>' },
    );
    expect(upload.errors).toBeUndefined();
    expect(upload.data!.updateConnectorSourceConfig).toMatchObject({ scriptName, status: 'UPDATED', statusRaw: 'UPDATED' });
    const [put] = gw.calls();
    expect(put).toMatchObject({ method: 'PUT', path: `${base}/source-config`, headers: { authorization: bearer, accept: 'application/json' } });
    expect(put.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(put.body).toContain('name="file"; filename="source-config.xml"');
    expect(put.body).toContain('<sourceConfig name="acme"/>');

    for (const [mutation, file, content] of [
      ['updateConnectorSourceTemplate', 'source-template', '<template/>'],
      ['updateConnectorCorrelationConfig', 'correlation-config', '<correlation/>'],
    ] as const) {
      gw.reset();
      const r = await gw.gql(`mutation($s: ID!, $x: String!) { ${mutation}(scriptName: $s, xml: $x) { status } }`, { s: scriptName, x: content });
      expect(r.data![mutation].status).toBe('UPDATED');
      expect(gw.calls()[0]).toMatchObject({ method: 'PUT', path: `${base}/${file}` });
      expect(gw.calls()[0].body).toContain(content);
    }

    gw.reset();
    const translations = await gw.gql(
      'mutation($s: ID!) { updateConnectorTranslations(scriptName: $s, locale: "de", properties: "title=Personal\\n") { status } }',
      { s: scriptName },
    );
    expect(translations.data!.updateConnectorTranslations.status).toBe('UPDATED');
    expect(gw.calls()[0]).toMatchObject({ method: 'PUT', path: `${base}/translations/de` });
    expect(gw.calls()[0].body).toContain('title=Personal');

    const readBack = await gw.gql(
      'query($s: ID!) { connector(scriptName: $s) { files { sourceConfig sourceTemplate correlationConfig translations(locale: "de") } } }',
      { s: scriptName },
    );
    expect(readBack.data!.connector.files).toEqual({
      sourceConfig: '<sourceConfig name="acme"/>',
      sourceTemplate: '<template/>',
      correlationConfig: '<correlation/>',
      translations: 'title=Personal\n',
    });

    gw.reset();
    const deleted = await gw.gql('mutation($s: ID!) { deleteCustomConnector(scriptName: $s) }', { s: scriptName });
    expect(deleted.data!.deleteCustomConnector).toBe(true);
    expect(gw.calls()).toEqual([{ method: 'DELETE', path: base, query: {}, headers: jsonAccept, body: '' }]);
    const gone = await gw.gql('query($s: ID!) { connector(scriptName: $s) { name } }', { s: scriptName });
    expect(gone.data!.connector).toBeNull();
  });

  it('answers NOT_FOUND with ISC trackingId for a mutation on a missing connector', async () => {
    const r = await gw.gql('mutation { updateConnector(scriptName: "missing-one", input: { applicationXml: "<a/>" }) { name } }');
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, trackingId: expect.any(String) });
    const d = await gw.gql('mutation { deleteCustomConnector(scriptName: "missing-one") }');
    expect(d.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
  });

  it('rejects invalid updates before any upstream call', async () => {
    const cases = [
      'updateConnector(scriptName: "x") { name }',
      'updateConnector(scriptName: "x", input: {}) { name }',
      'updateConnector(scriptName: "x", patch: [{ op: replace, path: "/name", value: "y" }]) { name }',
      'updateConnector(scriptName: "x", patch: [{ op: replace, path: "/applicationXml", value: 3 }]) { name }',
      'updateConnector(scriptName: "x", patch: [{ op: remove, path: "/applicationXml", value: "x" }]) { name }',
      'updateConnector(scriptName: "x", input: { connectorMetadata: "text" }) { name }',
      'updateConnector(scriptName: "..", input: { applicationXml: "<a/>" }) { name }',
      'createCustomConnector(input: { name: " ", className: "c" }) { name }',
      'updateConnectorTranslations(scriptName: "x", locale: "klingon", properties: "a=b") { status }',
      'deleteCustomConnector(scriptName: "../oauth-clients")',
    ];
    await expectRefusedBeforeAnyCall(
      gw,
      cases.map((mutation) => `mutation { ${mutation} }`),
    );
  });

  it('passes ISC 400 errors through with trackingId and detailCode', async () => {
    const [scriptName] = await firstScriptNames(1);
    const r = await gw.gql(
      'mutation($s: ID!) { updateConnector(scriptName: $s, patch: [{ op: test, path: "/applicationXml", value: "not the current value" }]) { name } }',
      {
        s: scriptName,
      },
    );
    expect(r.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      httpStatus: 400,
      trackingId: expect.any(String),
      detailCode: expect.any(String),
    });
    expect(r.errors![0].message).toMatch(/^ISC answered 400/);
  });
});
