import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import type { RecordedRequest } from '../../src/demo-tenant/server.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/gateway.js';
import type { Logger } from '../../src/log/logger.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
  headers: Headers;
}

/** Headers that carry meaning upstream; transport headers (host, length, connection…) are left out. */
const MEANINGFUL = ['authorization', 'content-type', 'accept', 'x-sailpoint-experimental'] as const;

export interface UpstreamCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Partial<Record<(typeof MEANINGFUL)[number], string>>;
  body: string;
}

export function describeCall(request: RecordedRequest): UpstreamCall {
  const headers: UpstreamCall['headers'] = {};
  for (const name of MEANINGFUL) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
  return { method: request.method, path: request.path, query: request.query, headers, body: request.body };
}

export interface TestGateway {
  gateway: RunningGateway;
  tenant: DemoTenant;
  url: string;
  /** Runs one GraphQL operation over loopback HTTP. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Upstream API calls since the last `reset()`, as the demo tenant received them. */
  calls(): UpstreamCall[];
  reset(): void;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /**
   * Run the demo tenant as if it were a real tenant (`SAIL_BASE_URL` set), so the gateway applies
   * its production rules (API keys for the client credentials).
   */
  externalTenant?: boolean | { clientSecret?: string };
  /** Passed to startGateway (e.g. an in-memory trace exporter). */
  overrides?: GatewayOverrides;
  /** The gateway's logger (silent by default in tests). */
  logger?: Logger;
}

/** The real server on a random loopback port, against a fresh demo tenant. */
export async function startTestGateway(env: Record<string, string> = {}, options: TestGatewayOptions = {}): Promise<TestGateway> {
  let external: DemoTenant | undefined;
  if (options.externalTenant) {
    external = await startDemoTenant({ recordRequests: true });
    const secret = typeof options.externalTenant === 'object' ? options.externalTenant.clientSecret : undefined;
    env = { SAIL_BASE_URL: external.url, SAIL_CLIENT_ID: external.clientId, SAIL_CLIENT_SECRET: secret ?? external.clientSecret, ...env };
  }
  // Functional tests set the governor high so it never paces them; the fault tests set their own.
  const gateway = await startGateway(
    loadConfig({ SAIL_PORT: '0', SAIL_HOST: '127.0.0.1', SAIL_RATE_LIMIT: '100000', SAIL_RATE_WINDOW_MS: '1000', ...env }),
    options.logger,
    { recordDemoTenantRequests: true, ...options.overrides },
  );
  const tenant = external ?? gateway.demoTenant!;
  return {
    gateway,
    tenant,
    url: gateway.url,
    async gql(query, variables, headers = {}) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(20_000),
      });
      const body = (await response.json()) as { data?: any; errors?: any[]; extensions?: Record<string, any> };
      return { status: response.status, data: body.data, errors: body.errors, extensions: body.extensions, headers: response.headers };
    },
    calls: () => tenant.requests.map(describeCall),
    reset: () => tenant.clearRequests(),
    async close() {
      await gateway.close();
      await external?.close();
    },
  };
}

/** The bearer the gateway sends with its own (client-credentials) token. */
export const bearer = expect.stringMatching(/^Bearer \S+$/);

/** The gateway (real server, loopback, random port) in front of `tenant`, with the production rules; `env` on top. */
export function gatewayAgainst(
  tenant: { url: string; clientId: string; clientSecret: string },
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<RunningGateway> {
  return startGateway(
    loadConfig({
      SAIL_PORT: '0',
      SAIL_HOST: '127.0.0.1',
      SAIL_BASE_URL: tenant.url,
      SAIL_CLIENT_ID: tenant.clientId,
      SAIL_CLIENT_SECRET: tenant.clientSecret,
      ...env,
    }),
    logger,
  );
}

/** Each operation answers BAD_USER_INPUT, and none of them made an ISC call. */
export async function expectRefusedBeforeAnyCall(
  gw: TestGateway,
  operations: readonly string[],
  variables?: (operation: string) => Record<string, unknown>,
): Promise<void> {
  for (const operation of operations) {
    const r = await gw.gql(operation, variables?.(operation));
    expect({ operation, errors: r.errors }).toEqual({
      operation,
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })],
    });
  }
  expect(gw.calls()).toEqual([]);
}

/**
 * Identifiers stay on their route: each injection in `$id` is refused before any call, and an id
 * with URL syntax is sent as one encoded segment below `base`.
 */
export async function expectIdsKeptOnTheirRoute(gw: TestGateway, query: string, base: string, injections: readonly string[]): Promise<void> {
  for (const id of injections) {
    const r = await gw.gql(query, { id });
    expect({ id, errors: r.errors }).toEqual({
      id,
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })],
    });
  }
  expect(gw.calls()).toEqual([]);
  const r = await gw.gql(query, { id: 'a/b?c#d' });
  expect(Object.values(r.data ?? {})).toEqual([null]);
  expect(gw.calls().map((c) => c.path)).toEqual([`${base}/a%2Fb%3Fc%23d`]);
}

/**
 * One test gateway for a whole file: started before its tests, closed after them, its recorded
 * calls cleared before each test. The object answered stands for it (it is started in a hook).
 */
export function useTestGateway(env: Record<string, string> = {}, options: TestGatewayOptions = {}): TestGateway {
  let current: TestGateway | undefined;
  beforeAll(async () => {
    current = await startTestGateway(env, options);
  });
  afterAll(() => current?.close());
  beforeEach(() => current?.reset());
  const started = (): TestGateway => {
    if (!current) throw new Error('the test gateway starts in beforeAll');
    return current;
  };
  return {
    get gateway() {
      return started().gateway;
    },
    get tenant() {
      return started().tenant;
    },
    get url() {
      return started().url;
    },
    gql: (query, variables, headers) => started().gql(query, variables, headers),
    calls: () => started().calls(),
    reset: () => started().reset(),
    close: () => started().close(),
  };
}
