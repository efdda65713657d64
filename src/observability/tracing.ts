// STUB — to be written (OpenTelemetry). Interface used by ./index.ts.
import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Context } from '../context.js';
import type { Resolvers } from '../generated/graphql.js';
import type { UpstreamObserver } from '../http/isc-client.js';
import type { IssuedToken } from '../http/token-provider.js';
import type { Logger } from '../log.js';

export interface GatewayTracing {
  plugin: ApolloServerPlugin<Context>;
  aroundGraphQL<T>(req: http.IncomingMessage, requestId: string, run: () => Promise<T>): Promise<T>;
  wrapResolvers(resolvers: Resolvers): Resolvers;
  upstreamObserver: UpstreamObserver;
  tokenExchange(exchange: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
  shutdown(): Promise<void>;
}

/** Undefined (no tracing, no cost) unless the OTEL_* environment configures an exporter. */
export function createTracing(_env: NodeJS.ProcessEnv, _logger: Logger, _exporter?: SpanExporter): GatewayTracing | undefined {
  return undefined;
}
