import { describe, expect, it } from '@jest/globals';
import { rfc3339Timestamp } from '../../src/connector-customizers/connector-customizers.mappers.js';
import { createConnectorCustomizerState, goTimeString } from '../../src/demo-tenant/connector-customizers.js';
import { CUSTOMIZER_SEED } from '../../src/demo-tenant/seed/connector-customizers.js';
import { expectIscError, useDemoTenant } from '../support/demo-tenant-api.js';

/** The demo tenant's `/connector-customizers` endpoints, spoken to directly over HTTP. */

const demo = useDemoTenant();

type Json = Record<string, unknown>;

const { api, send } = demo;

const GO_LAYOUT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+0000 UTC$/;

describe('GET /connector-customizers', () => {
  it('lists the seed with limit/offset, timestamps in the Go layout, and no count support', async () => {
    const res = await api('/connector-customizers?limit=3&offset=1&count=true');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBeNull();
    const items = (await res.json()) as Json[];
    expect(items.map((c) => c.id)).toEqual(CUSTOMIZER_SEED.slice(1, 4).map((c) => c.id));
    for (const c of items) expect(c.created).toMatch(GO_LAYOUT);
    expect(Object.keys(items[0]).sort()).toEqual(['created', 'id', 'imageID', 'imageVersion', 'name', 'tenantID']);
  });

  it('refuses a limit above 250 and a malformed offset with an ErrorResponseDto', async () => {
    await expectIscError(await api('/connector-customizers?limit=251'), 400, /limit/);
    await expectIscError(await api('/connector-customizers?offset=-2'), 400, /offset/);
  });
});

describe('customizer writes', () => {
  it('creates (201, no image fields), versions, replaces, deletes', async () => {
    const created = await send('POST', '/connector-customizers', { name: 'box-collab-pruner' });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Json;
    expect(Object.keys(body).sort()).toEqual(['created', 'id', 'name', 'tenantID']);
    const id = body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const fresh = (await (await api(`/connector-customizers/${id}`)).json()) as Json;
    expect(fresh).toMatchObject({ id, name: 'box-collab-pruner', imageVersion: 0 });
    expect(fresh).not.toHaveProperty('imageID');

    const v1 = (await (await api(`/connector-customizers/${id}/versions`, { method: 'POST' })).json()) as Json;
    const v2res = await api(`/connector-customizers/${id}/versions`, { method: 'POST' });
    expect(v2res.status).toBe(200);
    const v2 = (await v2res.json()) as Json;
    expect(v1).toMatchObject({ customizerID: id, version: 1 });
    expect(v2).toMatchObject({ customizerID: id, version: 2 });
    expect(v2.imageID).not.toBe(v1.imageID);
    expect(Date.parse(v2.created as string)).not.toBeNaN();

    const put = await send('PUT', `/connector-customizers/${id}`, { name: 'box-collaboration-pruner' });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id, name: 'box-collaboration-pruner', imageVersion: 2, imageID: v2.imageID });

    const del = await api(`/connector-customizers/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    await expectIscError(await api(`/connector-customizers/${id}`), 404, /was not found/);
    await expectIscError(await api(`/connector-customizers/${id}`, { method: 'DELETE' }), 404, /was not found/);
  });

  it.each([
    ['no name', {}, /name is required/],
    ['a null name', { name: null }, /name is required/],
    ['a number', { name: 7 }, /name must be a string/],
    ['an empty name', { name: '' }, /name must not be empty/],
    ['a blank name', { name: '  ' }, /name must not be empty/],
    ['an array body', [{ name: 'x' }], /JSON object/],
  ])('refuses %s with 400 on create and on replace', async (_what, payload, text) => {
    await expectIscError(await send('POST', '/connector-customizers', payload), 400, text);
    await expectIscError(await send('PUT', `/connector-customizers/${CUSTOMIZER_SEED[0].id}`, payload), 400, text);
  });

  it('answers 404 for writes on an unknown id', async () => {
    const missing = '99999999-9999-4999-8999-999999999999';
    await expectIscError(await send('PUT', `/connector-customizers/${missing}`, { name: 'x' }), 404, /was not found/);
    await expectIscError(await api(`/connector-customizers/${missing}/versions`, { method: 'POST' }), 404, /was not found/);
  });
});

describe('seed and state', () => {
  it('seeds about eight customizers, several with versions, all of one tenant', () => {
    expect(CUSTOMIZER_SEED.length).toBeGreaterThanOrEqual(8);
    expect(CUSTOMIZER_SEED.filter((c) => c.versions.length > 1).length).toBeGreaterThanOrEqual(3);
    expect(new Set(CUSTOMIZER_SEED.map((c) => c.tenantID)).size).toBe(1);
    for (const c of CUSTOMIZER_SEED) {
      c.versions.forEach((v, i) => {
        expect(v.version).toBe(i + 1);
        expect(Date.parse(v.created)).toBeGreaterThanOrEqual(Date.parse(c.created));
      });
    }
  });

  it('gives every tenant its own copy of the seed', () => {
    const a = createConnectorCustomizerState();
    const b = createConnectorCustomizerState();
    const id = CUSTOMIZER_SEED[0].id;
    a.get(id)!.name = 'changed';
    a.get(id)!.versions.pop();
    expect(b.get(id)!.name).toBe(CUSTOMIZER_SEED[0].name);
    expect(b.get(id)!.versions).toHaveLength(CUSTOMIZER_SEED[0].versions.length);
  });

  it('writes the Go layout that the gateway reads back as the same instant', () => {
    for (const iso of ['2024-01-18T10:47:52.930Z', '2024-01-18T10:47:52.000Z', '2023-12-31T23:59:59.001Z']) {
      const go = goTimeString(iso);
      expect(go).toMatch(GO_LAYOUT);
      expect(Date.parse(rfc3339Timestamp(go)!)).toBe(Date.parse(iso));
    }
    expect(goTimeString('2024-01-18T10:47:52.930Z')).toBe('2024-01-18 10:47:52.93 +0000 UTC');
    expect(goTimeString('2024-01-18T10:47:52.000Z')).toBe('2024-01-18 10:47:52 +0000 UTC');
  });
});
