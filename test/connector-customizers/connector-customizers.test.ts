import { describe, expect, it } from '@jest/globals';
import { DateTimeResolver } from 'graphql-scalars';
import { getConnectorCustomizer, primeConnectorCustomizer } from '../../src/connector-customizers/connector-customizers.api.js';
import { rfc3339Timestamp, type IscConnectorCustomizer } from '../../src/connector-customizers/connector-customizers.mappers.js';
import { customizerBody } from '../../src/connector-customizers/connector-customizers.validation.js';
import { checkIdentifier } from '../../src/shared/path.js';
import type { Context } from '../../src/context.js';
import { createContext } from '../../src/http/context.js';
import type { UpstreamRequest } from '../../src/isc/client.js';
import { fakeIscClient } from '../support/fake-isc-client.js';
import { gatewayError } from '../../src/shared/errors.js';
import { badInput } from '../support/errors.js';

describe('customizer timestamps', () => {
  it.each([
    ['2009-11-10 23:00:00 +0000 UTC', '2009-11-10T23:00:00.000Z'],
    ['2024-01-18 10:47:52.93 +0000 UTC', '2024-01-18T10:47:52.930Z'],
    ['2024-01-18 16:17:52.123456789 +0530 IST', '2024-01-18T10:47:52.123Z'],
    ['2024-01-18 06:47:52 -0400 -04', '2024-01-18T10:47:52.000Z'],
    ['2024-01-18 10:47:52.5 +0000 UTC m=+0.000012', '2024-01-18T10:47:52.500Z'],
    ['2024-01-18 10:47:52 +0100', '2024-01-18T09:47:52.000Z'],
  ])('reads Go layout %s as the instant %s', (go, utc) => {
    const normalised = rfc3339Timestamp(go)!;
    expect(new Date(normalised).toISOString()).toBe(utc);
    // The scalar accepts it (it serialises a Date, which travels as its ISO string).
    expect(JSON.stringify(DateTimeResolver.serialize(normalised))).toBe(JSON.stringify(utc));
  });

  it('leaves RFC 3339 and anything unrecognised untouched, and null as null', () => {
    expect(rfc3339Timestamp('2022-02-08T14:50:03.827Z')).toBe('2022-02-08T14:50:03.827Z');
    expect(rfc3339Timestamp('2022-02-08T16:50:03+02:00')).toBe('2022-02-08T16:50:03+02:00');
    expect(rfc3339Timestamp('yesterday')).toBe('yesterday');
    expect(rfc3339Timestamp('2024-01-18 10:47 +0000 UTC')).toBe('2024-01-18 10:47 +0000 UTC');
    expect(rfc3339Timestamp(null)).toBeNull();
    expect(rfc3339Timestamp(undefined)).toBeNull();
  });
});

describe('customizer input checks', () => {
  it('sends exactly the name, refusing empty or blank ones', () => {
    expect(customizerBody({ name: 'ad-password-policy-hook' })).toEqual({ name: 'ad-password-policy-hook' });
    expect(customizerBody({ name: ' spaced ' })).toEqual({ name: ' spaced ' });
    expect(() => customizerBody({ name: '' })).toThrow(badInput);
    expect(() => customizerBody({ name: ' \t\n' })).toThrow(badInput);
  });

  it('accepts ids that stay one path segment and refuses dot segments in any encoding', () => {
    expect(checkIdentifier('b07dc46a-0000-4000-8000-259a68e70c8a')).toBe('b07dc46a-0000-4000-8000-259a68e70c8a');
    expect(checkIdentifier('a/b')).toBe('a/b');
    for (const id of ['', '.', '..', '%2e%2E', '../x', '%252e%252e']) expect(() => checkIdentifier(id)).toThrow(badInput);
  });
});

/** An operation whose ISC answers GETs from a table and records every call (under the real per-operation reads). */
function fakeContext(records: Record<string, IscConnectorCustomizer>) {
  const calls: string[] = [];
  const client = fakeIscClient(async (request: UpstreamRequest) => {
    calls.push(`${request.method} ${request.path}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const id = decodeURIComponent(request.path.split('/')[1]);
    const record = records[id];
    if (record === undefined) throw gatewayError('NOT_FOUND', 'ISC answered 404', { httpStatus: 404 });
    if (id === 'boom') throw gatewayError('UPSTREAM_ERROR', 'ISC answered 500', { httpStatus: 500 });
    return { status: 200, headers: {}, body: structuredClone(record) };
  });
  const ctx = createContext(client, { kind: 'client-credentials' }, { maxListLimit: 1000, operationTimeoutMs: 10_000, rateLimitWaitMs: 0 });
  return { ctx, calls };
}

describe('customizers by id, per operation', () => {
  const a: IscConnectorCustomizer = { id: 'a', name: 'alpha', imageVersion: 1 };
  const b: IscConnectorCustomizer = { id: 'b', name: 'beta', imageVersion: 3 };
  const load = (ctx: Context, id: string) => getConnectorCustomizer(ctx.upstream, id);

  it('reads each distinct id once, concurrently, with null for missing ones', async () => {
    const { ctx, calls } = fakeContext({ a, b });
    const results = await Promise.all(['a', 'b', 'missing', 'a'].map((id) => load(ctx, id)));
    expect(results).toEqual([a, b, null, a]);
    expect(await load(ctx, 'b')).toEqual(b);
    expect(calls.sort()).toEqual(['GET connector-customizers/a', 'GET connector-customizers/b', 'GET connector-customizers/missing']);
  });

  it('fails only the key whose read failed', async () => {
    const { ctx } = fakeContext({ a, boom: { id: 'boom' } });
    const [ok, failed] = await Promise.allSettled([load(ctx, 'a'), load(ctx, 'boom')]);
    expect(ok).toEqual({ status: 'fulfilled', value: a });
    expect(failed).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR' }) }),
    });
  });

  it('after a PUT answers the written copy without a read; after another write reads again', async () => {
    const { ctx, calls } = fakeContext({ a });
    expect(await load(ctx, 'a')).toEqual(a);
    const written = { ...a, name: 'alpha-renamed' };
    primeConnectorCustomizer(ctx.upstream, written);
    expect(await load(ctx, 'a')).toEqual(written);
    expect(calls).toEqual(['GET connector-customizers/a']);
    await ctx.upstream.send({ method: 'POST', path: 'connector-customizers/a/versions' }).catch(() => undefined);
    expect(await load(ctx, 'a')).toEqual(a);
    expect(calls).toEqual(['GET connector-customizers/a', 'POST connector-customizers/a/versions', 'GET connector-customizers/a']);
  });

  it('keeps reads per operation: another operation reads again', async () => {
    const first = fakeContext({ a });
    const second = fakeContext({ a });
    await load(first.ctx, 'a');
    await load(second.ctx, 'a');
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(1);
  });
});
