import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { PACKAGE_VERSION } from '../support/package.js';
import { recordingLogger, type LogRecord } from '../support/recording-logger.js';

/**
 * `GET /metrics` over loopback: known operations against the demo tenant, then a scrape whose
 * exposition text is parsed (never snapshotted) and compared with what the tenant recorded.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  text: string;
  types: Map<string, string>;
  samples: Sample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Prometheus text format 0.0.4: `# TYPE` lines and `name{label="value",...} number` samples. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL_PAIR)) labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { text, types, samples };
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The value of the sample with exactly these labels (undefined when absent). */
function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return exposition.samples.find((s) => s.name === name && sameLabels(s.labels, labels))?.value;
}

/** Every sample of a metric, as `label=value,...` → value (for exact comparisons of whole families). */
function family(exposition: Exposition, name: string, labelNames: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of exposition.samples) if (s.name === name) out[labelNames.map((l) => s.labels[l]).join(' ')] = s.value;
  return out;
}

async function scrape(gw: TestGateway, init: RequestInit = {}): Promise<Response> {
  return fetch(gw.url.replace(/\/graphql$/, '/metrics'), { ...init, signal: AbortSignal.timeout(10_000) });
}

async function metrics(gw: TestGateway): Promise<Exposition> {
  const response = await scrape(gw);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** Upstream calls the demo tenant recorded, as `METHOD status` → count. */
function recordedByStatus(gw: TestGateway): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of gw.tenant.requests) out[`${r.method} ${r.status}`] = (out[`${r.method} ${r.status}`] ?? 0) + 1;
  return out;
}

function upstreamByStatus(exposition: Exposition): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of exposition.samples) {
    if (s.name !== 'isc_gateway_upstream_requests_total') continue;
    const key = `${s.labels.method} ${s.labels.status}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

const allLabelValues = (exposition: Exposition) => exposition.samples.flatMap((s) => Object.values(s.labels));
const ID_SHAPES = [/[0-9a-f]{32}/i, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, /eyJ/, /Bearer/i];

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('GET /metrics', () => {
  it('counts each operation, ISC attempt and token refresh exactly as they happened', async () => {
    gw = await startTestGateway();
    const list = await gw.gql('query ListConnectors { connectors(limit: 2) { items { scriptName } } }');
    expect(list.errors).toBeUndefined();
    await gw.gql('query ListConnectors { connectors(limit: 2) { items { scriptName } } }');
    const bad = await gw.gql('query BadLimit { connectors(limit: 5000) { items { scriptName } } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const created = await gw.gql('mutation CreateCustomizer { createConnectorCustomizer(input: { name: "metrics-probe" }) { id } }');
    expect(created.errors).toBeUndefined();
    gw.tenant.setFaults({ rate500: 1 });
    const failing = await gw.gql('query FailingList { connectorCustomizers(limit: 1) { items { id } } }');
    expect(failing.errors?.[0].extensions?.code).toBe('UPSTREAM_ERROR');
    gw.tenant.setFaults({});
    gw.tenant.expireAllTokens(); // the next call gets a 401, the gateway fetches a new token and retries
    expect((await gw.gql('query AfterExpiry { connectors(limit: 1) { items { scriptName } } }')).errors).toBeUndefined();
    const parse = await gw.gql('{ connectors(');
    expect(parse.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const longName = `Q${'x'.repeat(64)}`; // 65 characters: not used as a label
    expect((await gw.gql(`query ${longName} { __typename }`)).errors).toBeUndefined();

    const m = await metrics(gw);

    expect(family(m, 'isc_gateway_graphql_operations_total', ['operation_name', 'operation_type', 'outcome'])).toEqual({
      'ListConnectors query success': 2,
      'BadLimit query bad_user_input': 1,
      'CreateCustomizer mutation success': 1,
      'FailingList query upstream_error': 1,
      'AfterExpiry query success': 1,
      'unknown unknown graphql_parse_failed': 1,
      'other query success': 1,
    });
    expect(family(m, 'isc_gateway_graphql_operation_duration_seconds_count', ['operation_type', 'outcome'])).toEqual({
      'query success': 4,
      'query bad_user_input': 1,
      'mutation success': 1,
      'query upstream_error': 1,
      'unknown graphql_parse_failed': 1,
    });

    // Every attempt, retries included, by route template and status: the 401 and its retry are both there.
    expect(family(m, 'isc_gateway_upstream_requests_total', ['method', 'route', 'status'])).toEqual({
      'GET connectors 200': 3,
      'GET connectors 401': 1,
      'POST connector-customizers 201': 1,
      'GET connector-customizers 500': 1,
    });
    expect(upstreamByStatus(m)).toEqual(recordedByStatus(gw));
    expect(family(m, 'isc_gateway_upstream_request_duration_seconds_count', ['method', 'route'])).toEqual({
      'GET connectors': 4,
      'POST connector-customizers': 1,
      'GET connector-customizers': 1,
    });

    expect(gw.tenant.tokenRequests).toHaveLength(2);
    expect(family(m, 'isc_gateway_token_refreshes_total', ['outcome'])).toEqual({ success: gw.tenant.tokenRequests.length });
    expect(valueOf(m, 'isc_gateway_token_refresh_duration_seconds_count')).toBe(2);

    expect(family(m, 'isc_gateway_circuit_breaker_state', ['state'])).toEqual({ closed: 1, open: 0, 'half-open': 0 });
    expect(valueOf(m, 'isc_gateway_governor_queued_calls')).toBe(0);
    expect(valueOf(m, 'isc_gateway_governor_running_calls')).toBe(0);
    expect(valueOf(m, 'isc_gateway_governor_refusals_total')).toBe(0);
    expect(valueOf(m, 'isc_gateway_governor_waits_total')).toEqual(expect.any(Number));
    expect(valueOf(m, 'isc_gateway_governor_wait_seconds_total')).toEqual(expect.any(Number));
    expect(family(m, 'isc_gateway_build_info', ['version'])).toEqual({ [PACKAGE_VERSION]: 1 });
    // The gateway's own OAuth client, the one key every call above was charged to: its limit (the
    // tests' SAIL_RATE_LIMIT), at most the calls made used from it, and no pause.
    const client = gw.tenant.clientId;
    expect(family(m, 'isc_gateway_rate_budget_limit', ['client'])).toEqual({ [client]: 100_000 });
    const remaining = valueOf(m, 'isc_gateway_rate_budget_remaining', { client })!;
    expect(remaining).toBeLessThanOrEqual(100_000);
    expect(remaining).toBeGreaterThanOrEqual(100_000 - gw.tenant.requests.length);
    expect(family(m, 'isc_gateway_rate_paused_seconds', ['client'])).toEqual({ [client]: 0 });
    expect(Object.fromEntries([...m.types].filter(([name]) => name.startsWith('isc_gateway_')))).toEqual({
      isc_gateway_build_info: 'gauge',
      isc_gateway_graphql_operations_total: 'counter',
      isc_gateway_graphql_operation_duration_seconds: 'histogram',
      isc_gateway_upstream_requests_total: 'counter',
      isc_gateway_upstream_request_duration_seconds: 'histogram',
      isc_gateway_upstream_retries_total: 'counter',
      isc_gateway_token_refreshes_total: 'counter',
      isc_gateway_token_refresh_duration_seconds: 'histogram',
      isc_gateway_governor_queued_calls: 'gauge',
      isc_gateway_governor_running_calls: 'gauge',
      isc_gateway_governor_waits_total: 'counter',
      isc_gateway_passthrough_tokens_without_client_total: 'counter',
      isc_gateway_governor_wait_seconds_total: 'counter',
      isc_gateway_governor_refusals_total: 'counter',
      isc_gateway_rate_budget_remaining: 'gauge',
      isc_gateway_rate_budget_limit: 'gauge',
      isc_gateway_rate_paused_seconds: 'gauge',
      isc_gateway_circuit_breaker_state: 'gauge',
      isc_gateway_upstream_deprecated_total: 'counter',
      isc_gateway_coalesced_calls_total: 'counter',
      // No response_cache_* family: RESPONSE_CACHE is off.
    });
    // Process metrics, once.
    expect(m.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(m.text.match(/^# TYPE nodejs_eventloop_lag_seconds /gm)).toHaveLength(1);

    // No identifier, token or secret anywhere in the exposition.
    const ids = [
      ...list.data!.connectors.items.map((i: { scriptName: string }) => i.scriptName),
      created.data!.createConnectorCustomizer.id as string,
    ];
    const tokens = gw.tenant.requests.map((r) => r.headers.authorization.replace(/^Bearer /, ''));
    expect(ids.length).toBe(3);
    expect(new Set(tokens).size).toBe(2);
    for (const secret of [...ids, ...tokens, gw.tenant.clientSecret, longName]) expect(m.text).not.toContain(secret);
    for (const value of allLabelValues(m)) for (const shape of ID_SHAPES) expect(value).not.toMatch(shape);
  });

  it('counts requests refused before execution and failed token exchanges, and is served without an API key', async () => {
    const wrongSecret = `wrong-secret-${Math.random().toString(36).slice(2)}`;
    gw = await startTestGateway({ SAIL_API_KEYS: 'metrics-key-1' }, { externalTenant: { clientSecret: wrongSecret } });
    const noKey = await gw.gql('query NoKey { connectors(limit: 1) { items { scriptName } } }');
    expect(noKey.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const badSecret = await gw.gql('query WithKey { connectors(limit: 1) { items { scriptName } } }', undefined, { 'x-api-key': 'metrics-key-1' });
    expect(badSecret.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    // Refused before Apollo sees them: a body that is not JSON, and a batch when batching is off.
    const post = (body: string) =>
      fetch(gw!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5_000) });
    expect((await post('{not json')).status).toBe(400);
    expect((await post('[{"query":"{ __typename }"},{"query":"{ __typename }"}]')).status).toBe(400);

    const m = await metrics(gw); // no X-Api-Key
    expect(family(m, 'isc_gateway_graphql_operations_total', ['operation_name', 'operation_type', 'outcome'])).toEqual({
      'unknown unknown unauthenticated': 1,
      'WithKey query unauthenticated': 1,
      'unknown unknown bad_request': 2,
    });
    expect(gw.tenant.tokenRequests.length).toBeGreaterThanOrEqual(1);
    expect(family(m, 'isc_gateway_token_refreshes_total', ['outcome'])).toEqual({ unauthenticated: gw.tenant.tokenRequests.length });
    expect(family(m, 'isc_gateway_upstream_requests_total', ['method', 'route', 'status'])).toEqual({});
    expect(gw.calls()).toEqual([]);
    for (const secret of [wrongSecret, 'metrics-key-1', gw.tenant.clientSecret]) expect(m.text).not.toContain(secret);
  });

  it('reports response-cache hits and misses with RESPONSE_CACHE=on; only misses reach ISC', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    for (let i = 0; i < 2; i++) {
      await gw.gql('{ connectors(limit: 3) { items { scriptName } } }');
      await gw.gql('{ connectorCustomizers(limit: 2) { items { id } } }');
    }
    await gw.gql('{ connectors(limit: 3) { items { scriptName } } }');
    const m = await metrics(gw);
    expect(valueOf(m, 'isc_gateway_response_cache_hits_total')).toBe(3);
    expect(valueOf(m, 'isc_gateway_response_cache_misses_total')).toBe(2);
    // The two pages, and each customizer the customizers page held (it asks ISC for one more than the limit: 3).
    expect(valueOf(m, 'isc_gateway_response_cache_entries')).toBe(2 + 3);
    expect(valueOf(m, 'isc_gateway_response_cache_bytes')).toBeGreaterThan(0);
    expect(m.types.get('isc_gateway_response_cache_hits_total')).toBe('counter');
    expect(m.types.get('isc_gateway_response_cache_entries')).toBe('gauge');
    expect(family(m, 'isc_gateway_upstream_requests_total', ['method', 'route', 'status'])).toEqual({
      'GET connectors 200': 1,
      'GET connector-customizers 200': 1,
    });
    expect(upstreamByStatus(m)).toEqual(recordedByStatus(gw));
    expect(family(m, 'isc_gateway_graphql_operations_total', ['operation_name', 'outcome'])).toEqual({ 'anonymous success': 5 });
  });

  it('shows the circuit breaker open after repeated ISC failures; refused attempts are counted, not timed', async () => {
    gw = await startTestGateway({ SAIL_BREAKER_VOLUME: '5', SAIL_BREAKER_RESET_MS: '60000', SAIL_RETRY_ATTEMPTS: '1' });
    gw.tenant.setFaults({ rate500: 1 });
    for (let i = 0; i < 7; i++) await gw.gql('query Probe { connectors(limit: 1) { items { scriptName } } }');
    const m = await metrics(gw);
    expect(family(m, 'isc_gateway_circuit_breaker_state', ['state'])).toEqual({ closed: 0, open: 1, 'half-open': 0 });
    const upstream = family(m, 'isc_gateway_upstream_requests_total', ['status']);
    expect(upstream['500']).toBe(gw.tenant.requests.length);
    expect(upstream['500'] + upstream.EOPENBREAKER).toBe(7); // one attempt per operation
    expect(upstream.EOPENBREAKER).toBeGreaterThanOrEqual(1);
    expect(valueOf(m, 'isc_gateway_upstream_request_duration_seconds_count', { method: 'GET', route: 'connectors' })).toBe(upstream['500']);
    const outcomes = family(m, 'isc_gateway_graphql_operations_total', ['outcome']);
    expect(outcomes).toEqual({ upstream_error: upstream['500'], upstream_unavailable: upstream.EOPENBREAKER });
  });

  it("shows the pause a 429's Retry-After imposed on the OAuth client's budget", async () => {
    gw = await startTestGateway({ SAIL_RATE_LIMIT_WAIT_MS: '100' });
    gw.tenant.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    const limited = await gw.gql('query Limited { connectors(limit: 1) { items { scriptName } } }');
    expect(limited.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(gw.tenant.requests).toHaveLength(1); // the wait budget (0.1 s) is short of Retry-After: no retry
    const m = await metrics(gw);
    const client = gw.tenant.clientId;
    expect(valueOf(m, 'isc_gateway_rate_budget_remaining', { client })).toBe(0);
    // ISC refused the window's only call: the limit in force is what it accepted, at least 1 (not the setting).
    expect(valueOf(m, 'isc_gateway_rate_budget_limit', { client })).toBe(1);
    // 30 s from the 429, less the time since (a margin no load reaches).
    const paused = valueOf(m, 'isc_gateway_rate_paused_seconds', { client })!;
    expect(paused).toBeGreaterThan(20);
    expect(paused).toBeLessThanOrEqual(30);
  });

  it('answers GET and HEAD only', async () => {
    gw = await startTestGateway();
    const post = await scrape(gw, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await scrape(gw, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await head.text()).toBe('');
  });

  it('METRICS=off: no /metrics route, and operations still work', async () => {
    gw = await startTestGateway({ SAIL_METRICS: 'off' });
    expect((await scrape(gw)).status).toBe(404);
    expect((await gw.gql('{ connectors(limit: 1) { items { scriptName } } }')).errors).toBeUndefined();
  });
});

describe('/metrics exposure on a non-loopback host', () => {
  const exposureWarnings = (records: LogRecord[]) => records.filter((r) => r.level === 'warn' && r.msg.startsWith('/metrics answers anyone'));

  it('outside production: one warning at start; none with a token', async () => {
    const { logger, records } = recordingLogger();
    gw = await startTestGateway({ SAIL_HOST: '0.0.0.0' }, { logger });
    expect(exposureWarnings(records).map((r) => r.msg)).toEqual([
      '/metrics answers anyone who reaches SAIL_HOST=0.0.0.0: set SAIL_METRICS_TOKEN or SAIL_METRICS_PORT, or SAIL_METRICS=off',
    ]);
    await gw.close();
    const quiet = recordingLogger();
    gw = await startTestGateway({ SAIL_HOST: '0.0.0.0', SAIL_METRICS_TOKEN: 'a-metrics-token-of-16+' }, { logger: quiet.logger });
    expect(exposureWarnings(quiet.records)).toEqual([]);
  });

  it('the metrics port listens on loopback while the public listener is on 0.0.0.0, unless SAIL_METRICS_HOST says otherwise', async () => {
    gw = await startTestGateway({ SAIL_HOST: '0.0.0.0', SAIL_METRICS_PORT: '0' });
    expect(new URL(gw.gateway.metricsUrl!).hostname).toBe('127.0.0.1');
    expect((await fetch(gw.gateway.metricsUrl!, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    await gw.close();
    gw = await startTestGateway({
      SAIL_HOST: '127.0.0.1',
      SAIL_METRICS_PORT: '0',
      SAIL_METRICS_HOST: '0.0.0.0',
      SAIL_METRICS_TOKEN: 'a-metrics-token-of-16+',
    });
    expect(new URL(gw.gateway.metricsUrl!).hostname).toBe('0.0.0.0');
  });
});
