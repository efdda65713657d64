// STUB — to be written (prom-client). Interface used by ./index.ts.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.js';
import type { UpstreamObserver } from '../http/isc-client.js';
import type { IssuedToken } from '../http/token-provider.js';
import type { RouteHandler } from '../server.js';
import type { WatchedState } from './index.js';

export interface GatewayMetrics {
  plugin: ApolloServerPlugin<Context>;
  route: RouteHandler;
  upstreamObserver: UpstreamObserver;
  tokenExchange(exchange: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
  watch(state: WatchedState): void;
}

export function createMetrics(): GatewayMetrics {
  return {
    plugin: {},
    route: (_req, res) => {
      res.writeHead(501).end();
    },
    upstreamObserver: { onAttempt: () => () => undefined },
    tokenExchange: (exchange) => exchange,
    watch: () => undefined,
  };
}
