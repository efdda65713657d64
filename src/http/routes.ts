import type http from 'node:http';
import type { SessionMode } from '../auth/session/index.js';
import type { Readiness } from '../readiness.js';
import { servePlayground, wantsHtml } from '../playground/playground.js';
import { VERSION } from '../shared/package.js';
import { SITE_PREFIX, type StaticSite } from '../static-site.js';
import { guarded } from './operator.js';
import { sendJson } from './respond.js';
import type { Route, RouteHandler } from './types.js';

/** A route for one exact path, any method. */
export function exact(path: string, answer: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>): Route {
  return async (req, res, url) => {
    if (url.pathname !== path) return false;
    await answer(req, res);
    return true;
  };
}

/** `/healthz`: liveness, no check made. */
export const healthRoute: Route = exact('/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));

/**
 * `/`: where a browser lands after signing in, or when someone types the host. Browsers go to
 * the frontend or the playground where one is served; anyone else learns where things are.
 */
export function homeRoute(browserHome: string | undefined): Route {
  return exact('/', (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: 'GET only' });
    }
    if (browserHome && wantsHtml(req)) {
      res.writeHead(302, { location: browserHome, 'cache-control': 'no-store' }).end();
      return;
    }
    sendJson(res, 200, { service: 'ISC GraphQL gateway', version: VERSION, graphql: '/graphql', health: '/healthz', readiness: '/readyz' });
  });
}

/** Where `/` sends a browser: the frontend, else the playground, else nowhere. */
export function browserHomeOf(site: StaticSite | undefined, playground: string): string | undefined {
  return site ? SITE_PREFIX : playground !== 'off' ? '/graphql' : undefined;
}

/** `/readyz`: unready while draining, else whether a token can be obtained and ISC answers. */
export function readinessRoute(readiness: () => Promise<Readiness>, draining: () => boolean): Route {
  return exact('/readyz', async (_req, res) => {
    const state = draining() ? { ready: false, checks: { shutdown: 'in progress' } } : await readiness();
    sendJson(res, state.ready ? 200 : 503, { ...state, version: VERSION });
  });
}

/** The observability routes (`/metrics`) by exact path, behind the operators' token when one is set. */
export function operatorRoutes(routes: Record<string, RouteHandler>, token: string | undefined): Route {
  return async (req, res, url) => {
    const route = routes[url.pathname];
    if (!route) return false;
    await guarded(route, token)(req, res);
    return true;
  };
}

/** The offline GraphiQL page and its assets (`SAIL_PLAYGROUND=graphiql`). */
export const playgroundRoute: Route = (req, res, url) => servePlayground(req, res, url.pathname);

/** `/auth/*`: sign-in at the gateway, once it listens. */
export function signInRoute(session: () => SessionMode | undefined): Route {
  return async (req, res, url) => {
    const signIn = session();
    return signIn !== undefined && url.pathname.startsWith('/auth/') && (await signIn.routes(req, res, url));
  };
}

/** The frontend at `/app/` (`SAIL_FRONTEND_DIR`). */
export function siteRoute(site: StaticSite): Route {
  return (req, res, url) => site.serve(req, res, url.pathname);
}
