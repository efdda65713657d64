/**
 * OpenTelemetry traces: one SERVER span per GraphQL operation (its parent taken from the incoming
 * W3C `traceparent`), an INTERNAL span per resolver that may call ISC, a CLIENT span per HTTP
 * attempt to ISC (its context sent to ISC as `traceparent`) and one per token exchange.
 *
 * Off unless the OTEL_* environment names an exporter: then `createTracing` answers undefined and
 * nothing here runs. Even the SDK is imported only when tracing is on (it is slow to load),
 * so this module's static imports are types and the gateway's own code.
 *
 * Several gateways may run in one process (the tests): each has its own tracer provider and
 * propagator and never touches the global tracer provider. Only the context manager is global
 * (context must flow through every `await`); it is registered once per process.
 */
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { Attributes, Span, TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import {
  parseKeyValueList,
  resourceAttributesOf,
  SERVICE_NAME_ATTRIBUTE,
  traceExportersOf,
  type TraceExporterName,
} from '../config/observability.js';
import type { Context } from '../context.js';
import type { Resolvers } from '../generated/graphql.js';
import type { CallWatch, UpstreamAttempt, UpstreamAttemptOutcome, UpstreamObserver } from '../isc/types.js';
import type { IssuedToken } from '../isc/token-provider.js';
import { type Logger } from '../log/logger.js';
import { errorCodeOf } from '../shared/errors.js';
import { registerSecret } from '../log/redaction.js';

export interface GatewayTracing {
  plugin: ApolloServerPlugin<Context>;
  aroundGraphQL<T>(req: http.IncomingMessage, requestId: string, run: () => Promise<T>): Promise<T>;
  wrapResolvers(resolvers: Resolvers): Resolvers;
  upstreamObserver: UpstreamObserver;
  tokenExchange(exchange: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
  shutdown(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Attribute names. Stable OpenTelemetry semantic conventions where one exists; the incubating
// ones (graphql.*, url.template) are copied here, as the semconv package advises.

export const ATTR = {
  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
  httpRoute: 'http.route',
  resendCount: 'http.request.resend_count',
  urlTemplate: 'url.template',
  errorType: 'error.type',
  serviceName: SERVICE_NAME_ATTRIBUTE,
  operationName: 'graphql.operation.name',
  operationType: 'graphql.operation.type',
  fieldName: 'graphql.field.name',
  fieldPath: 'graphql.field.path',
  parentType: 'graphql.parent.name',
  /** The gateway's own: */
  errorCodes: 'graphql.error.codes',
  outcome: 'gateway.outcome',
  requestId: 'gateway.request_id',
} as const;

export const TOKEN_SPAN_NAME = 'ISC token';
const TRACER_NAME = 'isc-graphql-gateway';
/** Longest a shutdown waits for the last spans to reach the collector. */
const SHUTDOWN_FLUSH_MS = 3_000;

// ---------------------------------------------------------------------------------------------
// Which resolvers get a span (pure)

type AnyResolver = (this: unknown, ...args: unknown[]) => unknown;

const ROOT_TYPES = new Set(['Query', 'Mutation']);

/**
 * The rule: every Query and Mutation field and every `__resolveReference` (they all read ISC or
 * a loader), and any other field resolver that declares the context parameter — a resolver can
 * only reach ISC through `ctx.upstream` or a loader built from `ctx`. Mappers of the parent
 * object (`(c) => c.name`) take no context and get no span.
 */
export function tracesResolver(typeName: string, fieldName: string, resolver: unknown): resolver is AnyResolver {
  if (typeof resolver !== 'function') return false;
  if (fieldName === '__resolveReference') return true;
  if (fieldName.startsWith('__')) return false;
  return ROOT_TYPES.has(typeName) || resolver.length >= 3;
}

const isFieldMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** `Type.field` of every resolver the rule selects. */
export function tracedResolverNames(resolvers: Resolvers): string[] {
  const names: string[] = [];
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (!isFieldMap(fields)) continue;
    for (const [fieldName, resolver] of Object.entries(fields)) {
      if (tracesResolver(typeName, fieldName, resolver)) names.push(`${typeName}.${fieldName}`);
    }
  }
  return names;
}

/** A copy of the map with the selected resolvers replaced by `wrap(...)` (the shared modules are never mutated). */
function mapTracedResolvers(resolvers: Resolvers, wrap: (typeName: string, fieldName: string, resolver: AnyResolver) => AnyResolver): Resolvers {
  const result: Record<string, unknown> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (!isFieldMap(fields)) {
      result[typeName] = fields; // a scalar
      continue;
    }
    result[typeName] = Object.fromEntries(
      Object.entries(fields).map(([fieldName, resolver]) => [
        fieldName,
        tracesResolver(typeName, fieldName, resolver) ? wrap(typeName, fieldName, resolver) : resolver,
      ]),
    );
  }
  return result as Resolvers;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

// ---------------------------------------------------------------------------------------------
// The SDK, loaded only when tracing is on

async function loadSdk(withOtlp: boolean) {
  const [api, asyncHooks, node, core, resources, otlp] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    withOtlp ? import('@opentelemetry/exporter-trace-otlp-http') : undefined,
  ]);
  return { api, asyncHooks, node, core, resources, otlp };
}
type Sdk = Awaited<ReturnType<typeof loadSdk>>;

/**
 * Makes context flow through async code, process-wide and once: a context manager that already
 * propagates (another gateway's, a test's, an APM agent's) is kept.
 */
function ensureContextManager({ api, asyncHooks }: Sdk): boolean {
  const probe = api.createContextKey('isc-gateway context probe');
  const propagates = () => api.context.with(api.ROOT_CONTEXT.setValue(probe, true), () => api.context.active().getValue(probe) === true);
  if (propagates()) return true;
  const manager = new asyncHooks.AsyncLocalStorageContextManager().enable();
  if (!api.context.setGlobalContextManager(manager)) manager.disable();
  return propagates();
}

/** Failed exports are logged (at most once a minute); the SDK would only report them to its silent diag logger. */
function logExportFailures(exporter: SpanExporter, sdk: Sdk, logger: Logger): SpanExporter {
  let lastLogged = 0;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code === sdk.core.ExportResultCode.FAILED && Date.now() - lastLogged > 60_000) {
          lastLogged = Date.now();
          logger.warn('Trace export failed; spans dropped', { spans: spans.length, error: result.error?.message?.slice(0, 200) });
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

function spanProcessorsFor(sdk: Sdk, exporters: TraceExporterName[], logger: Logger, injected?: SpanExporter): SpanProcessor[] {
  // An injected exporter (tests) gets every span synchronously as it ends.
  if (injected) return [new sdk.node.SimpleSpanProcessor(injected)];
  return exporters.map((name) =>
    name === 'console'
      ? new sdk.node.SimpleSpanProcessor(new sdk.node.ConsoleSpanExporter())
      : // Endpoint, headers, timeout and the batch sizes come from the OTEL_* variables, read by the SDK.
        new sdk.node.BatchSpanProcessor(logExportFailures(new sdk.otlp!.OTLPTraceExporter(), sdk, logger)),
  );
}

/** The spans themselves, once the SDK is loaded. */
interface Tracing {
  requestListener(): GraphQLRequestListener<Context> | undefined;
  aroundGraphQL<T>(req: http.IncomingMessage, requestId: string, run: () => Promise<T>): Promise<T>;
  resolve(name: string, typeName: string, fieldName: string, resolver: AnyResolver, self: unknown, args: unknown[]): unknown;
  onAttempt(attempt: UpstreamAttempt, headers: Record<string, string>): (outcome: UpstreamAttemptOutcome) => void;
  exchangeToken(exchange: () => Promise<IssuedToken>): Promise<IssuedToken>;
  shutdown(): Promise<void>;
}

/** What every span-making piece shares: the SDK's API, this gateway's tracer and propagator. */
interface TracerKit {
  api: Sdk['api'];
  tracer: Tracer;
  propagator: TextMapPropagator;
  /** The operation spans this gateway started, so the Apollo plugin finds its own. */
  operations: WeakSet<Span>;
}

function fail({ api }: TracerKit, span: Span, errorType: string): void {
  span.setAttribute(ATTR.errorType, errorType);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: errorType });
}

function failWith(kit: TracerKit, span: Span, error: unknown): void {
  const httpStatus = error instanceof GraphQLError ? error.extensions.httpStatus : undefined;
  if (typeof httpStatus === 'number') span.setAttribute(ATTR.httpStatus, httpStatus);
  fail(kit, span, errorCodeOf(error));
}

/** Names the operation span once the operation is known, and marks its outcome when the answer leaves. */
function operationListener({ api }: TracerKit, span: Span): GraphQLRequestListener<Context> {
  return {
    async didResolveOperation({ operationName, operation }) {
      if (!operation) return;
      span.updateName(operationName ? `${operation.operation} ${operationName}` : operation.operation);
      span.setAttribute(ATTR.operationType, operation.operation);
      if (operationName) span.setAttribute(ATTR.operationName, operationName);
    },
    async willSendResponse({ response }) {
      const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
      const errors = result.errors ?? [];
      if (errors.length === 0) {
        span.setAttribute(ATTR.outcome, 'ok');
        return;
      }
      const codes = [...new Set(errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR')))].slice(
        0,
        20,
      );
      span.setAttribute(ATTR.outcome, result.data ? 'partial' : 'error');
      span.setAttribute(ATTR.errorCodes, codes);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: codes.join(',') });
    },
  };
}

/** The SERVER span of one GraphQL request, its parent taken from the incoming `traceparent`. */
async function traceGraphQLRequest<T>(kit: TracerKit, req: http.IncomingMessage, requestId: string, run: () => Promise<T>): Promise<T> {
  const { context, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT, defaultTextMapGetter } = kit.api;
  const parent = kit.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
  const method = req.method ?? 'POST';
  const span = kit.tracer.startSpan(
    `${method} /graphql`,
    { kind: SpanKind.SERVER, attributes: { [ATTR.httpMethod]: method, [ATTR.httpRoute]: '/graphql', [ATTR.requestId]: requestId } },
    parent,
  );
  kit.operations.add(span);
  try {
    const result = await context.with(trace.setSpan(parent, span), run);
    const status = (result as { status?: number } | undefined)?.status ?? 200;
    span.setAttribute(ATTR.httpStatus, status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: String(status) });
    return result;
  } catch (error) {
    fail(kit, span, (error as Error)?.name ?? 'Error');
    throw error;
  } finally {
    span.end();
  }
}

/** Runs a resolver inside an INTERNAL span that ends when its result (or its promise) does. */
function traceResolver(
  kit: TracerKit,
  name: string,
  typeName: string,
  fieldName: string,
  resolver: AnyResolver,
  self: unknown,
  args: unknown[],
): unknown {
  const info = (fieldName === '__resolveReference' ? args[2] : args[3]) as GraphQLResolveInfo | undefined;
  const attributes: Attributes = { [ATTR.fieldName]: fieldName, [ATTR.parentType]: typeName };
  if (info?.path) attributes[ATTR.fieldPath] = responsePathAsArray(info.path).join('.');
  return kit.tracer.startActiveSpan(name, { kind: kit.api.SpanKind.INTERNAL, attributes }, (span) => {
    let result: unknown;
    try {
      result = resolver.apply(self, args);
    } catch (error) {
      failWith(kit, span, error);
      span.end();
      throw error;
    }
    if (!isPromiseLike(result)) {
      span.end();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failWith(kit, span, error);
        span.end();
        throw error;
      },
    );
  });
}

/** A CLIENT span per ISC attempt, its context written into the attempt's headers as `traceparent`. */
function traceAttempt(
  kit: TracerKit,
  { method, route, attempt }: UpstreamAttempt,
  headers: Record<string, string>,
): (outcome: UpstreamAttemptOutcome) => void {
  const { context, trace, SpanKind, defaultTextMapSetter } = kit.api;
  const attributes: Attributes = { [ATTR.httpMethod]: method, [ATTR.urlTemplate]: route };
  if (attempt > 1) attributes[ATTR.resendCount] = attempt - 1;
  const span = kit.tracer.startSpan(`${method} ${route}`, { kind: SpanKind.CLIENT, attributes });
  kit.propagator.inject(trace.setSpan(context.active(), span), headers, defaultTextMapSetter);
  return ({ status, error }) => {
    if (status !== undefined) {
      span.setAttribute(ATTR.httpStatus, status);
      if (status >= 400) fail(kit, span, String(status));
    } else if (error) {
      fail(kit, span, error);
    }
    span.end();
  };
}

/** A CLIENT span around one token exchange. */
function traceTokenExchange(kit: TracerKit, exchange: () => Promise<IssuedToken>): Promise<IssuedToken> {
  const attributes = { [ATTR.httpMethod]: 'POST', [ATTR.urlTemplate]: 'oauth/token' };
  return kit.tracer.startActiveSpan(TOKEN_SPAN_NAME, { kind: kit.api.SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await exchange();
    } catch (error) {
      failWith(kit, span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function startTracing(sdk: Sdk, env: NodeJS.ProcessEnv, exporters: TraceExporterName[], logger: Logger, injected?: SpanExporter): Tracing {
  const { api, core, node, resources } = sdk;
  if (!ensureContextManager(sdk)) {
    logger.warn('Another OpenTelemetry context manager is registered and does not propagate context: spans will not nest');
  }
  const provider = new node.NodeTracerProvider({
    resource: resources.defaultResource().merge(resources.resourceFromAttributes(resourceAttributesOf(env))),
    spanProcessors: spanProcessorsFor(sdk, exporters, logger, injected),
  });
  const kit: TracerKit = {
    api,
    tracer: provider.getTracer(TRACER_NAME),
    // Trace context only: baggage from callers is not forwarded to ISC.
    propagator: new core.W3CTraceContextPropagator(),
    operations: new WeakSet<Span>(),
  };

  return {
    requestListener() {
      const span = api.trace.getSpan(api.context.active());
      return span && kit.operations.has(span) ? operationListener(kit, span) : undefined;
    },
    aroundGraphQL: (req, requestId, run) => traceGraphQLRequest(kit, req, requestId, run),
    resolve: (name, typeName, fieldName, resolver, self, args) => traceResolver(kit, name, typeName, fieldName, resolver, self, args),
    onAttempt: (attempt, headers) => traceAttempt(kit, attempt, headers),
    exchangeToken: (exchange) => traceTokenExchange(kit, exchange),
    shutdown: () => provider.shutdown(),
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Undefined (no tracing, no cost) unless the OTEL_* environment configures an exporter or one is
 * given (tests). Throws ConfigError on settings the gateway cannot honour.
 */
export function createTracing(env: NodeJS.ProcessEnv, logger: Logger, exporter?: SpanExporter): GatewayTracing | undefined {
  const exporters = traceExportersOf(env);
  if (!exporter && exporters.length === 0) return undefined;
  // Collector credentials (e.g. an API key header) never reach a log line.
  for (const value of Object.values(parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS))) registerSecret(value);
  for (const value of Object.values(parseKeyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS))) registerSecret(value);

  // The SDK loads while the server starts. Every operation waits for it in aroundGraphQL, so all
  // of an operation's spans exist; ISC calls made before that (none in practice) go untraced.
  let tracing: Tracing | undefined;
  const ready = loadSdk(!exporter && exporters.includes('otlp'))
    .then((sdk) => {
      tracing = startTracing(sdk, env, exporters, logger, exporter);
      if (!exporter) logger.info('OpenTelemetry tracing on', { exporters, serviceName: resourceAttributesOf(env)[ATTR.serviceName] });
    })
    .catch((error: unknown) => logger.error('OpenTelemetry tracing could not start; continuing without traces', { error }));

  // One watch for every call: a CLIENT span per attempt, its context sent to ISC as `traceparent`.
  const callWatch: CallWatch = { attempt: (attempt, headers) => (tracing ? tracing.onAttempt(attempt, headers) : undefined) };
  return {
    plugin: {
      async requestDidStart() {
        return tracing?.requestListener();
      },
    },
    async aroundGraphQL(req, requestId, run) {
      await ready;
      return tracing ? tracing.aroundGraphQL(req, requestId, run) : run();
    },
    wrapResolvers: (resolvers) =>
      mapTracedResolvers(resolvers, (typeName, fieldName, resolver) => {
        const name = `${typeName}.${fieldName}`;
        const traced = function (this: unknown, ...args: unknown[]) {
          return tracing ? tracing.resolve(name, typeName, fieldName, resolver, this, args) : resolver.apply(this, args);
        };
        // The same arity as the original, for anything that inspects it (and for the rule above).
        Object.defineProperty(traced, 'length', { value: resolver.length });
        return traced;
      }),
    upstreamObserver: {
      start: () => callWatch,
    },
    tokenExchange: (exchange) => async () => {
      await ready;
      return tracing ? tracing.exchangeToken(exchange) : exchange();
    },
    async shutdown() {
      await ready;
      if (!tracing) return;
      // Flushes the spans still queued. A collector that is down must neither fail nor stall the
      // gateway's shutdown (the exporter would retry for up to OTEL_EXPORTER_OTLP_TIMEOUT).
      const timer = new AbortController();
      const flushed = tracing.shutdown().then(
        () => 'flushed' as const,
        (error: unknown) => (error as Error)?.message?.slice(0, 200) ?? 'error',
      );
      const expired = sleep(SHUTDOWN_FLUSH_MS, undefined, { signal: timer.signal, ref: false }).then(
        () => `not finished within ${SHUTDOWN_FLUSH_MS} ms`,
        () => 'flushed' as const,
      );
      const outcome = await Promise.race([flushed, expired]);
      timer.abort();
      if (outcome !== 'flushed') logger.warn('Trace export failed at shutdown; the last spans were dropped', { error: outcome });
    },
  };
}
