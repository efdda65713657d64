import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR, TOKEN_SPAN_NAME } from '../../src/observability/tracing.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * Traces over loopback: the real server with an in-memory exporter, against the demo tenant,
 * which records the `traceparent` each ISC call carried.
 */
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SCRIPT_NAME = 'active-directory-angularsc';
const APP_IDS = ['4535538c25edfff090d4805a28588594', 'bfe4b7bcb1ae342dfb2ff256315ff29b', '3a61572b1f473f50fb6b8290b8174b4b'];
const CUSTOMIZER_ID = '3f6c2a9e-8b41-4d7c-9a05-1e2b7c4d8f10';

const spanId = (s: ReadableSpan) => s.spanContext().spanId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const traceparentOf = (s: ReadableSpan) => `00-${s.spanContext().traceId}-${spanId(s)}-01`;

/** The spans of a run, by role. */
function spansOf(exporter: InMemorySpanExporter) {
  const all = exporter.getFinishedSpans();
  const operations = all.filter((s) => s.kind === SpanKind.SERVER);
  return {
    all,
    operation: (() => {
      expect(operations).toHaveLength(1);
      return operations[0];
    })(),
    resolvers: all.filter((s) => s.kind === SpanKind.INTERNAL),
    upstream: all.filter((s) => s.kind === SpanKind.CLIENT && s.name !== TOKEN_SPAN_NAME),
    tokens: all.filter((s) => s.name === TOKEN_SPAN_NAME),
    named(name: string): ReadableSpan[] {
      return all.filter((s) => s.name === name);
    },
  };
}

describe('with an exporter', () => {
  let gw: TestGateway;
  let exporter: InMemorySpanExporter;
  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    gw = await startTestGateway({ SAIL_RETRY_BASE_DELAY_MS: '1' }, { overrides: { traceExporter: exporter } });
    await gw.gql('{ connectorCustomizers(limit: 1) { hasMore } }'); // token fetched: the token test has its own gateway
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => {
    exporter.reset();
    gw.reset();
  });
  afterEach(() => gw.tenant.setFaults({}));

  it("continues the caller's trace: operation → resolvers → ISC calls, and ISC gets each call's own traceparent", async () => {
    const r = await gw.gql(
      'query ConnectorDetail($s: ID!) { connector(scriptName: $s) { name applicationXml files { sourceConfig } } }',
      { s: SCRIPT_NAME },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, 'x-request-id': 'trace-test-1' },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.connector.name).toEqual(expect.any(String));
    const spans = spansOf(exporter);

    const op = spans.operation;
    expect(op.name).toBe('query ConnectorDetail');
    expect(op.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(op)).toBe(CALLER_SPAN);
    expect(op.attributes).toMatchObject({
      [ATTR.operationName]: 'ConnectorDetail',
      [ATTR.operationType]: 'query',
      [ATTR.requestId]: 'trace-test-1',
      [ATTR.httpMethod]: 'POST',
      [ATTR.httpStatus]: 200,
      [ATTR.outcome]: 'ok',
    });
    expect(spans.all.every((s) => s.spanContext().traceId === TRACE_ID)).toBe(true);

    // Query.connector and ConnectorFiles.sourceConfig call ISC; Connector.applicationXml declares
    // the context (it may), and is answered from the detail already loaded.
    expect(spans.resolvers.map((s) => s.name).sort()).toEqual(['Connector.applicationXml', 'ConnectorFiles.sourceConfig', 'Query.connector']);
    for (const resolver of spans.resolvers) expect(parentOf(resolver)).toBe(spanId(op));

    const [detail] = spans.named('GET connectors/{scriptName}');
    const [file] = spans.named('GET connectors/{scriptName}/source-config');
    expect(parentOf(detail)).toBe(spanId(spans.named('Query.connector')[0]));
    expect(parentOf(file)).toBe(spanId(spans.named('ConnectorFiles.sourceConfig')[0]));
    expect(detail.attributes).toEqual({ [ATTR.httpMethod]: 'GET', [ATTR.urlTemplate]: 'connectors/{scriptName}', [ATTR.httpStatus]: 200 });
    expect(spans.upstream).toHaveLength(2);

    // Each ISC request carried the context of its own upstream span.
    const received = gw.tenant.requests.map((q) => [q.path.replace(SCRIPT_NAME, '{scriptName}'), q.headers.traceparent]).sort();
    expect(received).toEqual(
      [
        ['/connectors/v1/{scriptName}', traceparentOf(detail)],
        ['/connectors/v1/{scriptName}/source-config', traceparentOf(file)],
      ].sort(),
    );
  });

  it('starts a new trace when the request carries no traceparent', async () => {
    await gw.gql('{ connectorCustomizer(id: "' + CUSTOMIZER_ID + '") { name } }');
    const { operation, upstream } = spansOf(exporter);
    expect(operation.parentSpanContext).toBeUndefined();
    expect(operation.spanContext().traceId).not.toBe(TRACE_ID);
    expect(operation.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(gw.tenant.requests.map((q) => q.headers.traceparent)).toEqual([traceparentOf(upstream[0])]);
  });

  it('gives every ISC call made from a nested field a parent resolver span of that field', async () => {
    const reads = await gw.gql(`{
      connectors(limit: 2) { items { scriptName applicationXml files { correlationConfig } } }
      allSourceApps(limit: 2) { items { id accessProfiles(limit: 1) { items { name } } } }
    }`);
    expect(reads.errors).toBeUndefined();
    const spans = spansOf(exporter);
    const resolverById = new Map(spans.resolvers.map((s) => [spanId(s), s.name]));
    const parentNames = spans.upstream.map((s) => [s.name, resolverById.get(parentOf(s)!)]).sort();
    expect(parentNames).toEqual(
      [
        ['GET connectors', 'Query.connectors'],
        ['GET connectors/{scriptName}', 'Connector.applicationXml'],
        ['GET connectors/{scriptName}', 'Connector.applicationXml'],
        ['GET connectors/{scriptName}/correlation-config', 'ConnectorFiles.correlationConfig'],
        ['GET connectors/{scriptName}/correlation-config', 'ConnectorFiles.correlationConfig'],
        ['GET source-apps/all', 'Query.allSourceApps'],
        ['GET source-apps/{id}/access-profiles', 'SourceApp.accessProfiles'],
        ['GET source-apps/{id}/access-profiles', 'SourceApp.accessProfiles'],
      ].sort(),
    );
    // Each field's call hangs under that field's own span, not a sibling's.
    const perResolver = new Set(spans.upstream.map(parentOf));
    expect(perResolver.size).toBe(spans.upstream.length);
    expect(gw.tenant.requests.map((q) => q.headers.traceparent).sort()).toEqual(spans.upstream.map(traceparentOf).sort());
  });

  it('spans a mutation and its ISC write', async () => {
    const r = await gw.gql(`mutation NewVersion { createConnectorCustomizerVersion(id: "${CUSTOMIZER_ID}") { version customizer { name } } }`);
    expect(r.errors).toBeUndefined();
    const spans = spansOf(exporter);
    expect(spans.operation.name).toBe('mutation NewVersion');
    const [write] = spans.named('POST connector-customizers/{id}/versions');
    expect(parentOf(write)).toBe(spanId(spans.named('Mutation.createConnectorCustomizerVersion')[0]));
    const [reread] = spans.named('GET connector-customizers/{id}');
    expect(parentOf(reread)).toBe(spanId(spans.named('ConnectorCustomizerVersion.customizer')[0]));
  });

  it('makes one upstream span for a batched lookup (several sourceApp aliases → one ISC call)', async () => {
    const r = await gw.gql(`{ ${APP_IDS.map((id, i) => `a${i}: sourceApp(id: "${id}") { name }`).join(' ')} }`);
    expect(r.errors).toBeUndefined();
    const spans = spansOf(exporter);
    expect(gw.tenant.requests).toHaveLength(1);
    expect(spans.upstream.map((s) => s.name)).toEqual(['GET source-apps/all']);
    const lookups = spans.named('Query.sourceApp');
    expect(lookups).toHaveLength(3);
    // The batch runs in the context of the resolver that scheduled it: one of the three.
    expect(lookups.map(spanId)).toContain(parentOf(spans.upstream[0]));
    expect(gw.tenant.requests[0].headers.traceparent).toBe(traceparentOf(spans.upstream[0]));
  });

  it('spans entity references from a router', async () => {
    const r = await gw.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on SourceApp { name } } }', {
      r: APP_IDS.slice(0, 2).map((id) => ({ __typename: 'SourceApp', id })),
    });
    expect(r.errors).toBeUndefined();
    const spans = spansOf(exporter);
    const references = spans.named('SourceApp.__resolveReference');
    expect(references).toHaveLength(2);
    expect(references.map(parentOf)).toEqual([spanId(spans.operation), spanId(spans.operation)]);
    expect(references.map(spanId)).toContain(parentOf(spans.upstream[0]));
  });

  it('marks the ISC call, the resolver and the operation as errors when ISC fails, with status and code', async () => {
    gw.tenant.setFaults({ rate503: 1 });
    const r = await gw.gql(`query Failing { connector(scriptName: "${SCRIPT_NAME}") { name } }`);
    expect(r.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR', httpStatus: 503 }) })]);
    const spans = spansOf(exporter);
    const resolver = spans.named('Query.connector')[0];

    // Three attempts (503 is retried for a GET), each its own span under the resolver, each sent its own traceparent.
    expect(spans.upstream).toHaveLength(3);
    for (const attempt of spans.upstream) {
      expect(parentOf(attempt)).toBe(spanId(resolver));
      expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
      expect(attempt.attributes).toMatchObject({ [ATTR.httpStatus]: 503, [ATTR.errorType]: '503' });
    }
    expect(spans.upstream.map((s) => s.attributes[ATTR.resendCount])).toEqual([undefined, 1, 2]);
    expect(gw.tenant.requests.map((q) => q.headers.traceparent)).toEqual(spans.upstream.map(traceparentOf));

    expect(resolver.status).toEqual({ code: SpanStatusCode.ERROR, message: 'UPSTREAM_ERROR' });
    expect(resolver.attributes).toMatchObject({ [ATTR.errorType]: 'UPSTREAM_ERROR', [ATTR.httpStatus]: 503 });
    expect(spans.operation.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans.operation.attributes).toMatchObject({ [ATTR.errorCodes]: ['UPSTREAM_ERROR'], [ATTR.outcome]: 'partial' });
  });

  it("sends an unsampled caller's trace on to ISC and exports nothing of it", async () => {
    const r = await gw.gql(`{ connectorCustomizer(id: "${CUSTOMIZER_ID}") { name } }`, {}, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` });
    expect(r.errors).toBeUndefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(gw.tenant.requests[0].headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-(?!${CALLER_SPAN})[0-9a-f]{16}-00$`));
  });
});

describe('token exchange and secrets', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it('spans the first token exchange under the first call, and no span holds a secret, a token or a raw id', async () => {
    const exporter = new InMemorySpanExporter();
    gw = await startTestGateway({}, { overrides: { traceExporter: exporter } });
    const first = await gw.gql(`{ connector(scriptName: "${SCRIPT_NAME}") { name } }`);
    expect(first.errors).toBeUndefined();
    const spans = spansOf(exporter);
    expect(spans.tokens).toHaveLength(1);
    const [token] = spans.tokens;
    expect(token.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(token)).toBe(spanId(spans.named('Query.connector')[0]));
    expect(token.attributes).toEqual({ [ATTR.httpMethod]: 'POST', [ATTR.urlTemplate]: 'oauth/token' });

    const second = await gw.gql(
      `{ ${APP_IDS.map((id, i) => `a${i}: sourceApp(id: "${id}") { name accessProfiles(limit: 1) { items { id } } }`).join(' ')} }`,
    );
    expect(second.errors).toBeUndefined();
    const all = exporter.getFinishedSpans();
    expect(all.filter((s) => s.name === TOKEN_SPAN_NAME)).toHaveLength(1); // the cached token: no second exchange

    const bearers = gw.tenant.requests.flatMap((q) => (q.headers.authorization ? [q.headers.authorization.replace(/^Bearer /, '')] : []));
    expect(bearers.length).toBeGreaterThan(0);
    const everything = JSON.stringify(all.map((s) => [s.name, s.attributes, s.status, s.events, s.links, s.resource.attributes]));
    for (const secret of [gw.tenant.clientSecret, ...new Set(bearers)]) expect(everything).not.toContain(secret);
    const routes = all.map((s) => String(s.attributes[ATTR.urlTemplate] ?? '')).join(' ');
    expect(routes).toContain('source-apps/{id}/access-profiles');
    for (const raw of [SCRIPT_NAME, ...APP_IDS]) expect(everything).not.toContain(raw);
  });
});

/** Replaces every OTEL_* variable of this process (whatever the developer's shell exports) until restored. */
function useOtelEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith('OTEL_'))
      .map((k) => [k, process.env[k]]),
  );
  for (const key of Object.keys(saved)) delete process.env[key];
  Object.assign(process.env, vars);
  return () => {
    for (const key of Object.keys(process.env).filter((k) => k.startsWith('OTEL_'))) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

describe('configured by the OTEL_* variables alone', () => {
  let gw: TestGateway | undefined;
  let restoreEnv: (() => void) | undefined;
  let collector: http.Server | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    restoreEnv?.();
    restoreEnv = undefined;
    collector?.closeAllConnections();
    await new Promise((resolve) => (collector ? collector.close(resolve) : resolve(undefined)));
    collector = undefined;
  });

  it('sends no traceparent to ISC when no variable turns tracing on, even when the caller sent one', async () => {
    restoreEnv = useOtelEnv({ OTEL_SERVICE_NAME: 'isc-gateway' }); // a name alone exports nothing
    gw = await startTestGateway();
    const r = await gw.gql(
      `{ connector(scriptName: "${SCRIPT_NAME}") { name files { sourceConfig } } }`,
      {},
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    );
    expect(r.errors).toBeUndefined();
    expect(gw.tenant.requests).toHaveLength(2);
    for (const request of gw.tenant.requests) {
      expect(request.headers.traceparent).toBeUndefined();
      expect(request.headers.tracestate).toBeUndefined();
    }
  });

  it('exports OTLP over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, with its headers and the service name', async () => {
    const received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => {
          received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
    });
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    restoreEnv = useOtelEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=collector-key-4711',
      OTEL_SERVICE_NAME: 'isc-gateway-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
    });
    gw = await startTestGateway();
    const r = await gw.gql(
      `query Exported { connector(scriptName: "${SCRIPT_NAME}") { name } }`,
      {},
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    );
    expect(r.errors).toBeUndefined();
    await gw.close(); // flushes the batch
    gw = undefined;

    expect(received.length).toBeGreaterThan(0);
    expect(received.every((x) => x.path === '/v1/traces' && x.headers['x-collector-key'] === 'collector-key-4711')).toBe(true);
    type OtlpValue = { stringValue?: string };
    type OtlpBody = {
      resourceSpans: {
        resource: { attributes: { key: string; value: OtlpValue }[] };
        scopeSpans: { spans: { name: string; traceId: string }[] }[];
      }[];
    };
    const resourceSpans = received.flatMap((x) => (JSON.parse(x.body) as OtlpBody).resourceSpans);
    const resource = Object.fromEntries(resourceSpans[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(resource).toMatchObject({ 'service.name': 'isc-gateway-under-test', 'deployment.environment': 'test' });
    const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['query Exported', 'Query.connector', 'GET connectors/{scriptName}', TOKEN_SPAN_NAME]),
    );
    expect(new Set(spans.map((s) => s.traceId.toLowerCase()))).toEqual(new Set([TRACE_ID]));
  });
});
