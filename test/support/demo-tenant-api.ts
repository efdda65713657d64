import { afterAll, beforeAll, expect } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';

export interface TenantApi {
  /** A request to the tenant's API with the test's bearer; `path` is layout-neutral (`/connectors/x`), sent per resource. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** A request with a JSON (or other) body. */
  send: (method: string, path: string, body: unknown, contentType?: string) => Promise<Response>;
}

/**
 * A layout-neutral path (`/connectors/x?locale=fr`) in ISC's default, per-resource layout
 * (`/connectors/v1/x?locale=fr`), as the suite's gateways send it: the version follows the collection.
 */
export const perResource = (path: string): string => path.replace(/^\/([^/?]+)/, '/$1/v1');

/** Whether a request the tenant recorded is an API call (`/connectors/v1/…`), not a token or sign-in one. */
export const isApiPath = (path: string): boolean => /^\/[a-z-]+\/v1(\/|$)/.test(path);

/** Speaks to a demo tenant's API directly over HTTP; `current` is read at each call (tenants are started in hooks). */
export function tenantApi(current: () => { tenant: DemoTenant; auth: Record<string, string> }): TenantApi {
  const api = (path: string, init: RequestInit = {}) => {
    const { tenant, auth } = current();
    return fetch(`${tenant.url}${perResource(path)}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  };
  return {
    api,
    send: (method, path, body, contentType = 'application/json') =>
      api(path, { method, headers: { 'content-type': contentType }, body: JSON.stringify(body) }),
  };
}

/**
 * The id of the tenant's first connector customizer, read from the tenant directly: a list read
 * through a gateway with the cache on would answer that caller's later reads of it (held-items.ts).
 */
export async function firstCustomizerId(tenant: DemoTenant): Promise<string> {
  const res = await fetch(`${tenant.url}/connector-customizers/v1?limit=1`, {
    headers: { authorization: `Bearer ${tenant.issueToken()}` },
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }[])[0].id;
}

/** An ISC-shaped error answer: the status, `detailCode`, a `trackingId`, localised `messages` and `causes`, and text matching `text`. */
export async function expectIscError(res: Response, status: number, text?: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    detailCode: string;
    trackingId: string;
    messages: { text: string; locale?: string; localeOrigin?: string }[];
    causes: { text: string }[];
  };
  expect(body.detailCode).toMatch(new RegExp(`^${status}`));
  expect(body.trackingId).toMatch(/^[0-9a-f]{32}$/);
  expect(body.messages[0]).toMatchObject({ locale: 'en-US', localeOrigin: 'DEFAULT' });
  expect(Array.isArray(body.causes)).toBe(true);
  if (text) expect([...body.messages, ...body.causes].map((m) => m.text).join(' | ')).toMatch(text);
}

/** One demo tenant for a whole file (started before its tests, closed after) and its API with a valid bearer. */
export function useDemoTenant(): TenantApi & { tenant(): DemoTenant } {
  let current: { tenant: DemoTenant; auth: Record<string, string> } | undefined;
  beforeAll(async () => {
    const tenant = await startDemoTenant({ recordRequests: true });
    current = { tenant, auth: { authorization: `Bearer ${tenant.issueToken()}` } };
  });
  afterAll(() => current?.tenant.close());
  const started = () => {
    if (!current) throw new Error('the demo tenant starts in beforeAll');
    return current;
  };
  return { ...tenantApi(started), tenant: () => started().tenant };
}
