import http from 'node:http';
import { apiKeyChecker } from '../auth/api-keys.js';
import { bearerTokenOf } from '../shared/bearer.js';
import { header, sendJson } from './respond.js';
import type { RouteHandler } from './types.js';

/**
 * A route for operators (`/metrics`): with a token configured, only a request that presents it as
 * `Authorization: Bearer <token>` is served (compared in constant time); others get 401.
 */
export function guarded(route: RouteHandler, token: string | undefined): RouteHandler {
  if (token === undefined) return route;
  const accepts = apiKeyChecker([token]);
  return (req, res) => {
    const presented = bearerTokenOf(header(req, 'authorization'));
    if (accepts(presented)) return route(req, res);
    res
      .writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' })
      .end('a bearer token is required (SAIL_METRICS_TOKEN)\n');
  };
}

/** The listener of `SAIL_METRICS_PORT`: the observability routes and nothing else. */
export function operatorServer(routes: Record<string, RouteHandler>, token: string | undefined): http.Server {
  return http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://gateway.invalid').pathname];
    if (!route) return sendJson(res, 404, { error: 'not found' });
    Promise.resolve(guarded(route, token)(req, res)).catch(() => res.destroy());
  });
}
