import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config/index.js';
import type { Context } from '../context.js';
import type { Resolvers } from '../generated/graphql.js';
import type { UpstreamObserver } from '../isc/types.js';
import type { IssuedToken } from '../isc/token-provider.js';
import type { Logger } from '../log/logger.js';
import type { RouteHandler } from '../shared/http-types.js';
import { auditPlugin } from './audit.js';
import { createMetrics, type WatchedState } from './metrics.js';

export type { WatchedState } from './metrics.js';
import { createTracing } from './tracing.js';
import { operationCallRecorder } from './request-log.js';
import { upstreamFailureLog } from './upstream-log.js';

/**
 * Metrics (`/metrics`, prom-client), audit records and traces (OpenTelemetry), assembled once
 * per gateway and handed to the pieces they watch: the HTTP server, the ISC client and the token
 * exchange. Logs are in log/; the per-operation log line is request-log.ts.
 */
export interface Observability {
  server: ServerObservability;
  upstreamObservers: UpstreamObserver[];
  /** Wraps the client-credentials exchange (token refresh counts, spans). */
  tokenExchange(exchange: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
  /** Registers the state read at scrape time; call once the pieces exist. */
  watch(state: WatchedState): void;
  /** Flushes and stops exporters. */
  shutdown(): Promise<void>;
}

/** What observability adds to the HTTP server. */
export interface ServerObservability {
  plugins: ApolloServerPlugin<Context>[];
  /** Extra routes by exact path (`/metrics`), served before `/graphql`, also while draining. */
  routes: Record<string, RouteHandler>;
  /** Runs the handling of one `/graphql` request (e.g. inside the operation's trace span and context). */
  aroundGraphQL<T>(req: http.IncomingMessage, requestId: string, run: () => Promise<T>): Promise<T>;
  /** Wraps resolvers before the schema is built (resolver spans). */
  schemaResolvers?: (resolvers: Resolvers) => Resolvers;
  /** A GraphQL request answered before Apollo saw it (draining, body too large or not JSON, request limits). */
  onRefused?: (errors: readonly { extensions?: Record<string, unknown> }[]) => void;
}

export interface ObservabilityOptions {
  /** Spans go here instead of the exporter the OTEL_* variables name (tests: an in-memory exporter). */
  traceExporter?: SpanExporter;
}

export function createObservability(
  config: Pick<Config['observability'], 'metrics'>,
  limits: Pick<Config['limits'], 'trustedDocuments'>,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  options: ObservabilityOptions = {},
): Observability {
  const metrics = config.metrics ? createMetrics({ trustedDocuments: limits.trustedDocuments !== undefined }) : undefined;
  const tracing = createTracing(env, logger, options.traceExporter);
  const passThrough = <T>(_req: unknown, _requestId: string, run: () => Promise<T>) => run();
  return {
    server: {
      plugins: [auditPlugin(logger), ...(metrics ? [metrics.plugin] : []), ...(tracing ? [tracing.plugin] : [])],
      routes: metrics ? { '/metrics': metrics.route } : {},
      aroundGraphQL: tracing ? (req, requestId, run) => tracing.aroundGraphQL(req, requestId, run) : passThrough,
      schemaResolvers: tracing ? (resolvers) => tracing.wrapResolvers(resolvers) : undefined,
      onRefused: metrics ? (errors) => metrics.refused(errors) : undefined,
    },
    // Every watcher of ISC calls: the operation's call list (its log line), failed calls, metrics, traces.
    upstreamObservers: [
      operationCallRecorder,
      upstreamFailureLog(logger),
      ...(metrics ? [metrics.upstreamObserver] : []),
      ...(tracing ? [tracing.upstreamObserver] : []),
    ],
    tokenExchange: (exchange) => {
      let wrapped = exchange;
      if (metrics) wrapped = metrics.tokenExchange(wrapped);
      if (tracing) wrapped = tracing.tokenExchange(wrapped);
      return wrapped;
    },
    watch: (state) => metrics?.watch(state),
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
