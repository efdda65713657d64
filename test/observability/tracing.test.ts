import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { attemptOn } from '../support/observer.js';
import { ApolloServer } from '@apollo/server';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from '../../src/config/index.js';
import type { Context } from '../../src/context.js';
import { createContext } from '../../src/http/context.js';
import type { IscClient } from '../../src/isc/client.js';
import type { Resolvers } from '../../src/generated/graphql.js';
import { createLogger } from '../../src/log/logger.js';
import { DEFAULT_SERVICE_NAME, parseKeyValueList, resourceAttributesOf, traceExportersOf } from '../../src/config/observability.js';
import { ATTR, createTracing, TOKEN_SPAN_NAME, tracedResolverNames, type GatewayTracing } from '../../src/observability/tracing.js';
import { mergeResolvers, resolverModules } from '../../src/schema.js';
import { gatewayError } from '../../src/shared/errors.js';

const silent = createLogger({ level: 'silent' });

describe('traceExportersOf: which OTEL_* settings turn tracing on', () => {
  it.each<[string, NodeJS.ProcessEnv, string[]]>([
    ['nothing set', {}, []],
    ['blank values', { OTEL_TRACES_EXPORTER: ' ', OTEL_EXPORTER_OTLP_ENDPOINT: '' }, []],
    ['an OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, ['otlp']],
    ['a traces-only OTLP endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, ['otlp']],
    ['OTEL_TRACES_EXPORTER=otlp (default endpoint)', { OTEL_TRACES_EXPORTER: 'otlp' }, ['otlp']],
    ['OTEL_TRACES_EXPORTER=console', { OTEL_TRACES_EXPORTER: 'Console' }, ['console']],
    ['a list, repeated names once', { OTEL_TRACES_EXPORTER: 'otlp, console,otlp' }, ['otlp', 'console']],
    ['none wins over an endpoint', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, []],
    ['none in a list', { OTEL_TRACES_EXPORTER: 'console,none' }, []],
    ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' }, []],
    ['OTEL_SDK_DISABLED=false', { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, ['otlp']],
    ['OTLP over HTTP with protobuf named', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, ['otlp']],
    ['gRPC named but only the console exporter chosen', { OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, ['console']],
  ])('%s', (_name, env, expected) => {
    expect(traceExportersOf(env)).toEqual(expected);
  });

  it('refuses exporters and protocols it cannot honour, with the variable named', () => {
    expect(() => traceExportersOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
    expect(() => traceExportersOf({ OTEL_TRACES_EXPORTER: 'otlp,jaeger' })).toThrow(/OTEL_TRACES_EXPORTER: "jaeger" is not supported/);
    expect(() => traceExportersOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported/,
    );
    expect(() =>
      traceExportersOf({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    ).toThrow(ConfigError);
  });
});

describe('createTracing', () => {
  it('is undefined (nothing runs) when the environment configures no exporter', () => {
    expect(createTracing({}, silent)).toBeUndefined();
    expect(createTracing({ OTEL_SERVICE_NAME: 'x', OTEL_RESOURCE_ATTRIBUTES: 'a=b' }, silent)).toBeUndefined();
    expect(createTracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, silent)).toBeUndefined();
    expect(createTracing({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, silent)).toBeUndefined();
  });

  it('is on with an OTLP endpoint, and with an exporter given whatever the environment says', async () => {
    const viaEnv = createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, silent);
    const viaExporter = createTracing({ OTEL_TRACES_EXPORTER: 'none' }, silent, new InMemorySpanExporter());
    expect(viaEnv).toBeDefined();
    expect(viaExporter).toBeDefined();
    await Promise.all([viaEnv!.shutdown(), viaExporter!.shutdown()]);
  });
});

describe('resource attributes', () => {
  it('names the service isc-graphql-gateway unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES says otherwise', () => {
    expect(resourceAttributesOf({})).toEqual({ 'service.name': DEFAULT_SERVICE_NAME });
    expect(resourceAttributesOf({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' })['service.name']).toBe('from-attrs');
    expect(resourceAttributesOf({ OTEL_SERVICE_NAME: 'isc-gateway', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' })['service.name']).toBe(
      'isc-gateway',
    );
  });

  it('reads OTEL_RESOURCE_ATTRIBUTES as percent-encoded key=value pairs, skipping malformed ones', () => {
    expect(parseKeyValueList('deployment.environment=prod, team=id%20mgmt,broken,=x,k=%E0%A4%A')).toEqual({
      'deployment.environment': 'prod',
      team: 'id mgmt',
      k: '%E0%A4%A',
    });
  });
});

describe('which resolvers get a span', () => {
  const merged = mergeResolvers(resolverModules);
  const traced = new Set(tracedResolverNames(merged));

  it('every Query and Mutation field, and every entity reference', () => {
    for (const root of ['Query', 'Mutation'] as const) {
      const fields = Object.keys(merged[root] ?? {});
      expect(fields.length).toBeGreaterThan(3);
      for (const field of fields) expect(traced).toContain(`${root}.${field}`);
    }
    for (const entity of ['Connector', 'ConnectorCustomizer', 'SourceApp', 'OAuthClient']) expect(traced).toContain(`${entity}.__resolveReference`);
  });

  it('exactly the nested fields that load from ISC, and no field mapper', () => {
    const nested = [...traced].filter((n) => !/^(Query|Mutation)\./.test(n) && !n.endsWith('.__resolveReference')).sort();
    expect(nested).toEqual(
      [
        // Connector detail fields: one GET connectors/{scriptName} when the list did not bring them.
        'Connector.applicationXml',
        'Connector.correlationConfigXml',
        'Connector.fileUpload',
        'Connector.s3Location',
        'Connector.sourceConfig',
        'Connector.sourceConfigFrom',
        'Connector.sourceConfigXml',
        'Connector.translationProperties',
        'Connector.uploadedFiles',
        'ConnectorCustomizerVersion.customizer',
        'ConnectorFiles.correlationConfig',
        'ConnectorFiles.sourceConfig',
        'ConnectorFiles.sourceTemplate',
        'ConnectorFiles.translations',
        'SourceApp.accessProfiles',
        // One GET per user app; the source-app lookup beyond the reference's id and name.
        'UserApp.availableAccounts',
        'UserApp.sourceApp',
      ].sort(),
    );
    for (const mapper of [
      'Connector.name',
      'Connector.files',
      'Connector.status',
      'ConnectorPage.totalCount',
      'SourceApp.owner',
      'UserApp.owner',
      'AccessProfile.name',
      'OAuthClient.grantTypes',
    ]) {
      expect(traced).not.toContain(mapper);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Spans of a small schema run through Apollo, with the gateway's hooks called as src/http/ and
// isc-client.ts call them.

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const INPUT_SECRET = 'input-that-must-not-leak';

function incoming(headers: Record<string, string> = {}): http.IncomingMessage {
  const req = new http.IncomingMessage(new net.Socket());
  req.method = 'POST';
  req.headers = headers;
  return req;
}

describe('spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: GatewayTracing;
  let server: ApolloServer<Context>;
  const sentHeaders: Record<string, string>[] = [];
  let resolvers: Resolvers;

  /** What the ISC client does around one HTTP attempt. */
  function callIsc(route: string, status: number, attempt = 1): void {
    const headers: Record<string, string> = { accept: 'application/json' };
    const finish = attemptOn(tracing.upstreamObserver, { method: 'GET', route, attempt }, headers);
    sentHeaders.push(headers);
    finish({ status, durationMs: 1 });
  }

  beforeAll(async () => {
    tracing = createTracing({}, silent, exporter)!;
    resolvers = {
      Query: {
        item: async (_root: unknown, { id }: { id: string }) => {
          callIsc('items/{id}', 200);
          return { id };
        },
        fails: () => {
          throw gatewayError('UPSTREAM_ERROR', `ISC answered 503 for "${INPUT_SECRET}"`, { httpStatus: 503 });
        },
        bug: async () => {
          callIsc('items', 503);
          callIsc('items', 503, 2);
          throw new Error(`a bug with ${INPUT_SECRET}`);
        },
      },
      Item: {
        id: (item: { id: string }) => item.id,
        detail: async (item: { id: string }, _args: unknown, _ctx: unknown) => {
          callIsc('items/{id}/detail', 404);
          return `detail of ${item.id}`;
        },
      },
    } as Resolvers;
    server = new ApolloServer({
      typeDefs: 'type Query { item(id: ID!): Item, fails: String, bug: String } type Item { id: ID!, detail: String }',
      resolvers: tracing.wrapResolvers(resolvers),
      plugins: [tracing.plugin],
    });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await tracing.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    sentHeaders.length = 0;
  });

  // The resolvers here never call the client: it only has to exist for the context.
  const client: IscClient = {
    send: async () => Promise.reject(new Error('not used')),
    rateKey: () => 'client:test',
    callerKey: () => 'client:test',
    breakerClosed: () => true,
    breakerState: () => 'closed',
  };
  const contextValue = () =>
    createContext(client, { kind: 'client-credentials' }, { maxListLimit: 10, operationTimeoutMs: 5_000, rateLimitWaitMs: 0 });
  const run = (query: string, headers: Record<string, string> = {}) =>
    tracing.aroundGraphQL(incoming(headers), 'req-1', async () => {
      const ctx = contextValue();
      try {
        return await server.executeOperation({ query, variables: { id: INPUT_SECRET } }, { contextValue: ctx });
      } finally {
        ctx.dispose();
      }
    });
  const named = (name: string): ReadableSpan => {
    const found = exporter.getFinishedSpans().filter((s) => s.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it("nests upstream spans in resolver spans in the operation span, under the caller's span", async () => {
    await run('query One($id: ID!) { item(id: $id) { id detail } }', { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    const operation = named('query One');
    expect(operation.kind).toBe(SpanKind.SERVER);
    expect(operation.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(operation)).toBe(CALLER_SPAN);
    expect(operation.attributes).toMatchObject({
      [ATTR.operationName]: 'One',
      [ATTR.operationType]: 'query',
      [ATTR.requestId]: 'req-1',
      [ATTR.outcome]: 'ok',
      [ATTR.httpRoute]: '/graphql',
    });
    const item = named('Query.item');
    const detail = named('Item.detail');
    expect([item.kind, parentOf(item), parentOf(detail)]).toEqual([
      SpanKind.INTERNAL,
      operation.spanContext().spanId,
      operation.spanContext().spanId,
    ]);
    expect(detail.attributes).toMatchObject({ [ATTR.fieldName]: 'detail', [ATTR.parentType]: 'Item', [ATTR.fieldPath]: 'item.detail' });
    expect(exporter.getFinishedSpans().map((s) => s.name)).not.toContain('Item.id'); // a mapper: no span

    const get = named('GET items/{id}');
    expect([get.kind, parentOf(get)]).toEqual([SpanKind.CLIENT, item.spanContext().spanId]);
    expect(get.attributes).toEqual({ [ATTR.httpMethod]: 'GET', [ATTR.urlTemplate]: 'items/{id}', [ATTR.httpStatus]: 200 });
    expect(get.status.code).toBe(SpanStatusCode.UNSET);
    const missing = named('GET items/{id}/detail');
    expect(parentOf(missing)).toBe(detail.spanContext().spanId);
    expect(missing.status.code).toBe(SpanStatusCode.ERROR);
    expect(missing.attributes[ATTR.errorType]).toBe('404');
    // What ISC is sent: the upstream span's own context.
    expect(sentHeaders.map((h) => h.traceparent)).toEqual([
      `00-${TRACE_ID}-${get.spanContext().spanId}-01`,
      `00-${TRACE_ID}-${missing.spanContext().spanId}-01`,
    ]);
  });

  it('starts a new trace when the request carries no traceparent', async () => {
    await run('{ item(id: "a") { id } }');
    const operation = named('query');
    expect(operation.parentSpanContext).toBeUndefined();
    expect(operation.spanContext().traceId).not.toBe(TRACE_ID);
    expect(sentHeaders[0].traceparent).toBe(`00-${operation.spanContext().traceId}-${named('GET items/{id}').spanContext().spanId}-01`);
  });

  it('records failures by error code and status, never by message', async () => {
    const result = await run('query Bad { fails bug }');
    expect(result.body.kind === 'single' && result.body.singleResult.errors?.length).toBe(2);
    const fails = named('Query.fails');
    expect(fails.status).toEqual({ code: SpanStatusCode.ERROR, message: 'UPSTREAM_ERROR' });
    expect(fails.attributes).toMatchObject({ [ATTR.errorType]: 'UPSTREAM_ERROR', [ATTR.httpStatus]: 503 });
    expect(named('Query.bug').attributes[ATTR.errorType]).toBe('INTERNAL_SERVER_ERROR');
    const attempts = exporter.getFinishedSpans().filter((s) => s.name === 'GET items');
    expect(attempts.map((s) => s.attributes[ATTR.resendCount])).toEqual([undefined, 1]);
    expect(attempts.every((s) => s.status.code === SpanStatusCode.ERROR && s.attributes[ATTR.httpStatus] === 503)).toBe(true);
    const operation = named('query Bad');
    expect(operation.status.code).toBe(SpanStatusCode.ERROR);
    expect(operation.attributes).toMatchObject({ [ATTR.outcome]: 'partial', [ATTR.errorCodes]: ['UPSTREAM_ERROR', 'INTERNAL_SERVER_ERROR'] });
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.status, s.events]))).not.toContain(INPUT_SECRET);
  });

  it('wraps a copy: the shared resolver map and its mappers stay as they were', () => {
    const original = resolvers.Query!.item;
    const wrapped = tracing.wrapResolvers(resolvers);
    expect(resolvers.Query!.item).toBe(original);
    expect(wrapped.Query!.item).not.toBe(original);
    expect(wrapped.Item!.id).toBe(resolvers.Item!.id);
    expect((wrapped.Item!.detail as (...a: unknown[]) => unknown).length).toBe(3);
  });

  it('spans the token exchange under the caller, with no token in it', async () => {
    const issued = await tracing.aroundGraphQL(incoming(), 'req-2', () =>
      tracing.tokenExchange(async () => ({ accessToken: 'tok-that-must-not-leak', expiresIn: 749 }))(),
    );
    expect(issued.accessToken).toBe('tok-that-must-not-leak');
    const refused = tracing.tokenExchange(async () => {
      throw gatewayError('UNAUTHENTICATED', 'ISC refused the gateway client credentials', { httpStatus: 401 });
    });
    await expect(refused()).rejects.toThrow('refused');
    const [ok, failed] = exporter.getFinishedSpans().filter((s) => s.name === TOKEN_SPAN_NAME);
    expect(ok.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(ok)).toBe(named('POST /graphql').spanContext().spanId);
    expect(failed.attributes).toMatchObject({ [ATTR.errorType]: 'UNAUTHENTICATED', [ATTR.httpStatus]: 401 });
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.status]))).not.toContain('tok-that-must-not-leak');
  });
});
