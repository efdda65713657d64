import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { attemptOn } from '../support/observer.js';
import { unboundedScope } from '../../src/isc/client.js';
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Registry } from 'prom-client';
import type { RateGovernor } from '../../src/isc/governor.js';
import type { BreakerState, IscClient } from '../../src/isc/client.js';
import type { ResponseCache } from '../../src/isc/response-cache.js';
import type { IssuedToken } from '../../src/isc/token-provider.js';
import type { Context } from '../../src/context.js';
import {
  budgetClientLabel,
  budgetKeys,
  budgetOfGroup,
  createMetrics,
  MAX_BUDGET_CLIENTS,
  MAX_OPERATION_NAMES,
  OTHER_CLIENTS,
  PASSTHROUGH_AGGREGATE,
  operationNameLabels,
  outcomeOf,
  outcomeOfError,
  retryReasonLabel,
  upstreamStatusLabel,
} from '../../src/observability/metrics.js';
import { gatewayError } from '../../src/shared/errors.js';

/** `label=value` pairs → value of every sample of one metric (prom-client's public `get()`). */
async function samples(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const data = await metric.get();
  return data.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

async function valueOf(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const all = await samples(registry, name);
  const match = all.find(
    (s) => Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return match?.value;
}

describe('operation name labels', () => {
  const verified = { caller: 'key:1' };

  it('uses well-formed names as they are and calls an unnamed operation anonymous', () => {
    const label = operationNameLabels();
    expect(label('ListConnectors', verified)).toBe('ListConnectors');
    expect(label('_private_2', verified)).toBe('_private_2');
    expect(label(`A${'b'.repeat(63)}`, verified)).toBe(`A${'b'.repeat(63)}`); // 64 characters
    expect(label(null)).toBe('anonymous');
    expect(label(undefined)).toBe('anonymous');
    expect(label('')).toBe('anonymous');
  });

  it('counts names that are not GraphQL names of at most 64 characters as other', () => {
    const label = operationNameLabels();
    for (const name of [`A${'b'.repeat(64)}`, '2fast', 'with-dash', 'with space', 'a"b', 'ünï', 'connectors/ad', 'x\n']) {
      expect(label(name, verified)).toBe('other');
      expect(label(name, { trusted: true })).toBe('other');
    }
  });

  it('admits the first names up to the bound, then answers other for new ones while old ones keep their label', () => {
    const label = operationNameLabels(3);
    expect(['A', 'B', 'C'].map((name) => label(name, verified))).toEqual(['A', 'B', 'C']);
    expect(label('D', verified)).toBe('other');
    expect(label('B')).toBe('B'); // admitted names are labelled for every caller
    expect(label('E', { caller: 'key:2' })).toBe('other');
    expect(label(null)).toBe('anonymous');
  });

  it('bounds a flood of distinct names to the default of 100, at most 10 from one caller', () => {
    const label = operationNameLabels();
    const labels = new Set(Array.from({ length: 1000 }, (_, i) => label(`Op${i}`, { caller: `key:${Math.floor(i / 20)}` })));
    expect(MAX_OPERATION_NAMES).toBe(100);
    expect(labels.size).toBe(101); // 100 names and `other`
    expect(labels.has('other')).toBe(true);
    expect(labels.has('Op9')).toBe(true);
    expect(labels.has('Op10')).toBe(false); // the 11th name of the first caller
    expect(labels.has('Op20')).toBe(true);
  });

  it('never admits names from unverified callers, so forged bearers cannot take the slots', () => {
    const label = operationNameLabels();
    for (let i = 0; i < 150; i++) expect(label(`Flood${i}`)).toBe('other');
    expect(label('ListConnectors', verified)).toBe('ListConnectors');
  });

  it('labels names from trusted documents whatever the bound', () => {
    const label = operationNameLabels(1);
    expect(label('A', verified)).toBe('A');
    expect(label('FromManifest', { trusted: true })).toBe('FromManifest');
    expect(label('FromManifest')).toBe('FromManifest');
  });
});

describe('outcome classification', () => {
  const err = (code?: unknown) => ({ extensions: code === undefined ? {} : { code } });

  it('is success without errors', () => {
    expect(outcomeOf(undefined)).toBe('success');
    expect(outcomeOf([])).toBe('success');
  });

  it('is the lower-cased code of a known error', () => {
    expect(outcomeOf([err('BAD_USER_INPUT')])).toBe('bad_user_input');
    expect(outcomeOf([err('UPSTREAM_ERROR')])).toBe('upstream_error');
    expect(outcomeOf([err('GRAPHQL_VALIDATION_FAILED')])).toBe('graphql_validation_failed');
    expect(outcomeOf([err('PERSISTED_QUERY_NOT_ALLOWED')])).toBe('persisted_query_not_allowed');
  });

  it('keeps the set bounded: unknown, missing or non-string codes are other_error', () => {
    expect(outcomeOf([err('SOMETHING_NEW')])).toBe('other_error');
    expect(outcomeOf([err('bad_user_input')])).toBe('other_error'); // codes are exact
    expect(outcomeOf([err()])).toBe('other_error');
    expect(outcomeOf([err(42)])).toBe('other_error');
    expect(outcomeOf([{}])).toBe('other_error');
  });

  it('takes the most serious error of several, whatever their order', () => {
    const mixed = [err('NOT_FOUND'), err('BAD_USER_INPUT'), err('UPSTREAM_ERROR')];
    expect(outcomeOf(mixed)).toBe('upstream_error');
    expect(outcomeOf([...mixed].reverse())).toBe('upstream_error');
    expect(outcomeOf([err('DEADLINE_EXCEEDED'), err('INTERNAL_SERVER_ERROR')])).toBe('internal_server_error');
    expect(outcomeOf([err('SOMETHING_NEW'), err('FORBIDDEN')])).toBe('forbidden');
  });

  it('classifies thrown errors: a GraphQLError by its code, anything else as internal_server_error', () => {
    expect(outcomeOfError(gatewayError('UNAUTHENTICATED', 'no'))).toBe('unauthenticated');
    expect(outcomeOfError(new GraphQLError('no code'))).toBe('other_error');
    expect(outcomeOfError(new Error('boom'))).toBe('internal_server_error');
  });
});

describe('upstream status label', () => {
  it('is the HTTP status, else the transport error code', () => {
    expect(upstreamStatusLabel({ status: 200, durationMs: 1 })).toBe('200');
    expect(upstreamStatusLabel({ status: 503, durationMs: 1 })).toBe('503');
    expect(upstreamStatusLabel({ error: 'ECONNRESET', durationMs: 1 })).toBe('ECONNRESET');
    expect(upstreamStatusLabel({ error: 'ERR_GOT_REQUEST_ERROR', durationMs: 1 })).toBe('ERR_GOT_REQUEST_ERROR');
  });

  it('never passes through a malformed value', () => {
    expect(upstreamStatusLabel({ status: 42, durationMs: 1 })).toBe('other');
    expect(upstreamStatusLabel({ status: 200.5, durationMs: 1 })).toBe('other');
    expect(upstreamStatusLabel({ error: 'connect to 10.0.0.1 failed', durationMs: 1 })).toBe('error');
    expect(upstreamStatusLabel({ durationMs: 1 })).toBe('error');
  });
});

describe('budget labels', () => {
  it('labels a client key by its OAuth client id, and every token-hash key (or any other key) by one aggregate', () => {
    expect(
      [
        'client:demo-client',
        'client:2c9180835d2e5168015d32f890ca1581',
        'token:0123456789abcdef0123456789abcdef',
        'unverified',
        'client:',
        'client:a b',
      ].map(budgetClientLabel),
    ).toEqual(['demo-client', '2c9180835d2e5168015d32f890ca1581', PASSTHROUGH_AGGREGATE, PASSTHROUGH_AGGREGATE, OTHER_CLIENTS, OTHER_CLIENTS]);
  });

  it(`gives the first ${MAX_BUDGET_CLIENTS} clients a label each and aggregates the rest; token keys never get one`, () => {
    const keys = budgetKeys();
    for (let i = 0; i < MAX_BUDGET_CLIENTS + 10; i++) keys.note(`client:c${i}`);
    keys.note('client:c0'); // seen again: still its own label
    for (let i = 0; i < 1000; i++) keys.note(`token:${String(i).padStart(32, '0')}`);
    const groups = keys.groups();
    expect(groups.size).toBe(MAX_BUDGET_CLIENTS + 2);
    expect(groups.get('c0')).toEqual(['client:c0']);
    expect(groups.get(`c${MAX_BUDGET_CLIENTS - 1}`)).toEqual([`client:c${MAX_BUDGET_CLIENTS - 1}`]);
    expect(groups.has(`c${MAX_BUDGET_CLIENTS}`)).toBe(false);
    expect(groups.get(OTHER_CLIENTS)).toHaveLength(10);
    // The aggregate keeps the most recently seen keys only: a scrape reads a bounded number of budgets.
    const tokens = groups.get(PASSTHROUGH_AGGREGATE)!;
    expect(tokens).toHaveLength(256);
    expect(tokens).toContain(`token:${String(999).padStart(32, '0')}`);
    expect(tokens).not.toContain(`token:${'0'.repeat(32)}`);
  });

  it("shows a group's smallest budget left, and the longest pause ISC asked of one of its keys", () => {
    expect(
      budgetOfGroup([
        { limit: 100, remaining: 40, resetInMs: 3000, pausedForMs: 0 },
        { limit: 100, remaining: 0, resetInMs: 1200_000, pausedForMs: 1200_000 },
        { limit: 20, remaining: 0, resetInMs: 500, pausedForMs: 0 },
      ]),
    ).toEqual({ remaining: 0, limit: 20, pausedSeconds: 1200 });
    // A window spent is not a pause: its calls leave the window, nobody asked the client to stop.
    expect(budgetOfGroup([{ limit: 100, remaining: 0, resetInMs: 9000, pausedForMs: 0 }])).toEqual({ remaining: 0, limit: 100, pausedSeconds: 0 });
  });
});

describe('createMetrics', () => {
  it('records ISC attempts with one finisher per method and route, reused for every attempt', async () => {
    const m = createMetrics();
    const attempt = { method: 'GET', route: 'connectors/{scriptName}', attempt: 1 };
    const first = attemptOn(m.upstreamObserver, attempt, {});
    const second = attemptOn(m.upstreamObserver, { ...attempt, attempt: 2 }, {});
    expect(second).toBe(first);
    first({ status: 503, durationMs: 40 });
    second({ status: 200, durationMs: 20 });
    attemptOn(m.upstreamObserver, attempt, {})({ error: 'ECONNRESET', durationMs: 5 });
    attemptOn(m.upstreamObserver, attempt, {})({ error: 'EOPENBREAKER', durationMs: 0 });

    const counted = async (status: string) =>
      valueOf(m.registry, 'isc_gateway_upstream_requests_total', { method: 'GET', route: 'connectors/{scriptName}', status });
    expect(await counted('503')).toBe(1);
    expect(await counted('200')).toBe(1);
    expect(await counted('ECONNRESET')).toBe(1);
    expect(await counted('EOPENBREAKER')).toBe(1);
    const text = await m.registry.getSingleMetricAsString('isc_gateway_upstream_request_duration_seconds');
    // Three attempts were sent (the breaker's refusal sent nothing): 0.040 + 0.020 + 0.005 s.
    expect(text).toContain('isc_gateway_upstream_request_duration_seconds_count{method="GET",route="connectors/{scriptName}"} 3');
    expect(Number(/_sum\{.*\} (\S+)$/m.exec(text)![1])).toBeCloseTo(0.065, 6);
  });

  it('counts the waits the retry stage enters before trying again, by reason, malformed reasons as error', async () => {
    const m = createMetrics();
    const start = { method: 'GET', route: 'connectors', credential: 'client-credentials' as const, scope: unboundedScope() };
    const watch = m.upstreamObserver.start(start)!;
    watch.retry!({ attempt: 1, reason: '429', delayMs: 1000 });
    watch.retry!({ attempt: 2, reason: '429', delayMs: 1000 });
    watch.retry!({ attempt: 1, reason: '503', delayMs: 5 });
    watch.retry!({ attempt: 1, reason: 'ECONNRESET', delayMs: 5 });
    watch.retry!({ attempt: 1, reason: 'network error', delayMs: 5 });
    const text = await m.registry.getSingleMetricAsString('isc_gateway_upstream_retries_total');
    expect(text.split('\n').filter((line) => !line.startsWith('#'))).toEqual([
      'isc_gateway_upstream_retries_total{reason="429"} 2',
      'isc_gateway_upstream_retries_total{reason="503"} 1',
      'isc_gateway_upstream_retries_total{reason="ECONNRESET"} 1',
      'isc_gateway_upstream_retries_total{reason="error"} 1',
    ]);
    expect(['429', '503', 'ECONNRESET', '42', '5000', 'a reason with spaces', ''].map(retryReasonLabel)).toEqual([
      '429',
      '503',
      'ECONNRESET',
      'error',
      'error',
      'error',
      'error',
    ]);
  });

  it('counts token exchanges by outcome and passes their result or error through', async () => {
    const m = createMetrics();
    const issued: IssuedToken = { accessToken: 'opaque-test-value', expiresIn: 600 };
    const ok = m.tokenExchange(async () => issued);
    await expect(ok()).resolves.toBe(issued);
    await ok();
    const refused = gatewayError('UNAUTHENTICATED', 'bad credentials');
    await expect(m.tokenExchange(async () => Promise.reject(refused))()).rejects.toBe(refused);
    await expect(m.tokenExchange(async () => Promise.reject(new Error('socket')))()).rejects.toThrow('socket');
    expect(await valueOf(m.registry, 'isc_gateway_token_refreshes_total', { outcome: 'success' })).toBe(2);
    expect(await valueOf(m.registry, 'isc_gateway_token_refreshes_total', { outcome: 'unauthenticated' })).toBe(1);
    expect(await valueOf(m.registry, 'isc_gateway_token_refreshes_total', { outcome: 'internal_server_error' })).toBe(1);
    expect(await m.registry.getSingleMetricAsString('isc_gateway_token_refresh_duration_seconds')).toContain(
      'isc_gateway_token_refresh_duration_seconds_count 4',
    );
  });

  it('reads the governor, breaker and cache at scrape time, and copes with nothing watched yet', async () => {
    const m = createMetrics();
    const before = await m.registry.metrics();
    expect(before).not.toContain('isc_gateway_circuit_breaker_state{');
    expect(before).not.toContain('isc_gateway_response_cache');

    let governorStats = { queued: 3, running: 16, waits: 40, waitMs: 2500, refused: 2 };
    let breaker: BreakerState = 'open';
    const cacheStats = { hits: 7, misses: 5, entries: 4, bytes: 1234 };
    m.watch({
      governor: { stats: () => governorStats } as unknown as RateGovernor,
      client: { breakerState: () => breaker } as unknown as IscClient,
      cache: { stats: () => cacheStats } as unknown as ResponseCache,
    });
    expect(await valueOf(m.registry, 'isc_gateway_governor_queued_calls')).toBe(3);
    expect(await valueOf(m.registry, 'isc_gateway_governor_running_calls')).toBe(16);
    expect(await valueOf(m.registry, 'isc_gateway_governor_waits_total')).toBe(40);
    expect(await valueOf(m.registry, 'isc_gateway_governor_wait_seconds_total')).toBe(2.5);
    expect(await valueOf(m.registry, 'isc_gateway_governor_refusals_total')).toBe(2);
    expect(await valueOf(m.registry, 'isc_gateway_circuit_breaker_state', { state: 'open' })).toBe(1);
    expect(await valueOf(m.registry, 'isc_gateway_circuit_breaker_state', { state: 'closed' })).toBe(0);
    expect(await valueOf(m.registry, 'isc_gateway_response_cache_hits_total')).toBe(7);
    expect(await valueOf(m.registry, 'isc_gateway_response_cache_misses_total')).toBe(5);
    expect(await valueOf(m.registry, 'isc_gateway_response_cache_entries')).toBe(4);
    expect(await valueOf(m.registry, 'isc_gateway_response_cache_bytes')).toBe(1234);

    // Totals are absolute values of the source, not added up scrape after scrape.
    governorStats = { ...governorStats, queued: 0, waits: 41 };
    breaker = 'half-open';
    expect(await valueOf(m.registry, 'isc_gateway_governor_waits_total')).toBe(41);
    expect(await valueOf(m.registry, 'isc_gateway_governor_waits_total')).toBe(41);
    expect(await valueOf(m.registry, 'isc_gateway_governor_queued_calls')).toBe(0);
    expect(await valueOf(m.registry, 'isc_gateway_circuit_breaker_state', { state: 'half-open' })).toBe(1);
    expect(await valueOf(m.registry, 'isc_gateway_circuit_breaker_state', { state: 'open' })).toBe(0);

    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE isc_gateway_governor_waits_total counter');
    expect(text).toContain('# TYPE isc_gateway_governor_queued_calls gauge');
    expect(text).toContain('# TYPE isc_gateway_response_cache_hits_total counter');
  });

  it('keeps each instance separate: many in one process, no shared counts, no "already registered"', async () => {
    const a = createMetrics();
    const b = createMetrics();
    attemptOn(a.upstreamObserver, { method: 'GET', route: 'connectors', attempt: 1 }, {})({ status: 200, durationMs: 1 });
    expect(await valueOf(a.registry, 'isc_gateway_upstream_requests_total', { method: 'GET', route: 'connectors', status: '200' })).toBe(1);
    expect(await valueOf(b.registry, 'isc_gateway_upstream_requests_total', { method: 'GET', route: 'connectors', status: '200' })).toBeUndefined();
    for (let i = 0; i < 20; i++) createMetrics();
  });
});

describe('the Apollo plugin', () => {
  let server: ApolloServer<Context>;
  let metrics: ReturnType<typeof createMetrics>;
  beforeAll(async () => {
    metrics = createMetrics();
    server = new ApolloServer<Context>({
      typeDefs: 'type Query { ok: String, missing(id: ID!): String, broken: String } type Mutation { save: String }',
      resolvers: {
        Query: {
          ok: () => 'fine',
          missing: (_: unknown, { id }: { id: string }) => {
            throw gatewayError('NOT_FOUND', `no ${id}`);
          },
          broken: () => {
            throw gatewayError('UPSTREAM_ERROR', 'ISC answered 502');
          },
        },
        Mutation: { save: () => 'saved' },
      },
      plugins: [metrics.plugin],
    });
    await server.start();
  });
  afterAll(() => server.stop());

  // A caller with an API key (the gateway's own credentials): its operation names may become labels.
  const keyed = { credential: { kind: 'client-credentials' }, principal: () => 'key:test', scope: { calls: [] } };
  const run = (query: string, operationName?: string) =>
    server.executeOperation({ query, operationName }, { contextValue: keyed as unknown as Context });
  const counted = (operation_name: string, operation_type: string, outcome: string) =>
    valueOf(metrics.registry, 'isc_gateway_graphql_operations_total', { operation_name, operation_type, outcome });

  it('counts operations by name, type and outcome, and times them by type and outcome', async () => {
    await run('query Health { ok }');
    await run('query Health { ok }');
    await run('mutation Save { save }');
    await run('{ ok }');
    await run('query Partial { ok missing(id: "4535538c25edfff090d4805a28588594") broken }');
    await run('query Broken { ');
    await run('query Invalid { nope }');
    await run('query Sent { nope }', 'Sent');
    await run('query A { ok } query B { ok }', 'B');
    expect(await counted('Health', 'query', 'success')).toBe(2);
    expect(await counted('Save', 'mutation', 'success')).toBe(1);
    expect(await counted('anonymous', 'query', 'success')).toBe(1);
    expect(await counted('Partial', 'query', 'upstream_error')).toBe(1);
    // Refused before the operation was resolved: only a name the caller sent in operationName is known.
    expect(await counted('unknown', 'unknown', 'graphql_parse_failed')).toBe(1);
    expect(await counted('unknown', 'unknown', 'graphql_validation_failed')).toBe(1);
    expect(await counted('Sent', 'unknown', 'graphql_validation_failed')).toBe(1);
    expect(await counted('B', 'query', 'success')).toBe(1);
    const total = (await samples(metrics.registry, 'isc_gateway_graphql_operations_total')).reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(9);

    const text = await metrics.registry.getSingleMetricAsString('isc_gateway_graphql_operation_duration_seconds');
    expect(text).toContain('isc_gateway_graphql_operation_duration_seconds_count{operation_type="query",outcome="success"} 4');
    expect(text).toContain('isc_gateway_graphql_operation_duration_seconds_count{operation_type="mutation",outcome="success"} 1');
    expect(text).not.toContain('operation_name'); // the histogram has no per-name series
    // No argument value reaches a label.
    expect(await metrics.registry.metrics()).not.toContain('4535538c25edfff090d4805a28588594');
  });
});

describe('the /metrics route', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const m = createMetrics();
    attemptOn(m.upstreamObserver, { method: 'GET', route: 'connectors', attempt: 1 }, {})({ status: 200, durationMs: 3 });
    server = http.createServer((req, res) => void m.route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const ask = (method: string) => fetch(url, { method, signal: AbortSignal.timeout(5_000) });

  it('serves the gateway metrics and the process metrics, once each, in the Prometheus text format', async () => {
    const response = await ask('GET');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('isc_gateway_upstream_requests_total{method="GET",route="connectors",status="200"} 1');
    expect(text.match(/^# TYPE process_cpu_user_seconds_total counter$/gm)).toHaveLength(1);
    expect(text.match(/^# TYPE isc_gateway_upstream_requests_total counter$/gm)).toHaveLength(1);
  });

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const head = await ask('HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const refused = await ask(method);
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe('GET, HEAD');
    }
  });
});
