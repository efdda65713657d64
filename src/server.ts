import http from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from './config/index.js';
import type { Readiness } from './readiness.js';
import { apiKeyChecker } from './auth/api-keys.js';
import { principalOf, resolveCredential, sessionPrincipal, type InboundAuth } from './auth/credentials.js';
import type { SessionMode } from './auth/session/index.js';
import { createCallerFacts, createContext, requestIdOf, type Context } from './context.js';
import type { RateGovernor } from './isc/governor.js';
import type { CacheHit, IscClient } from './isc/client.js';
import { COSTS } from './domains.js';
import { queryCostPlugin } from './limits/cost-plugin.js';
import { checkRequestLimits } from './limits/request-checks.js';
import { introspectionOffRule, limitValidationRules } from './limits/validation-rules.js';
import { automaticPersistedQueries, persistedQueryGuardPlugin } from './limits/persisted-queries.js';
import { loadTrustedDocuments, trustedDocumentsPlugin } from './limits/trusted-documents.js';
import type { Logger } from './log/logger.js';
import type { ServerObservability } from './observability/index.js';
import { apolloLogger, maskUnexpectedErrors, requestLogPlugin } from './observability/request-log.js';
import { servePlayground, wantsHtml } from './playground/playground.js';
import { buildSchema } from './schema.js';
import { SITE_PREFIX, type StaticSite } from './static-site.js';
import { VERSION } from './shared/package.js';
import type { RouteHandler } from './shared/http-types.js';

export interface HttpGatewayOptions {
  config: Pick<Config, 'server' | 'limits' | 'rate' | 'observability'>;
  auth: InboundAuth;
  client: IscClient;
  governor: RateGovernor;
  /** Readiness: whether a token can be obtained and ISC answers (see readiness.ts). */
  readiness: () => Promise<Readiness>;
  /** Metrics, audit, traces (see src/observability/index.ts). */
  observability?: ServerObservability;
  logger: Logger;
  /** Sign-in at the gateway, once it listens (its redirect URI needs the port); undefined when off. */
  session?: () => SessionMode | undefined;
  /** A frontend served at /app/ (`SAIL_FRONTEND_DIR`). */
  site?: StaticSite;
}

export type { RouteHandler, ServerObservability };

/** What browsers on allowed origins may send, and read: the headers README documents. */
const CORS_ALLOW_HEADERS =
  'content-type, authorization, x-api-key, apollo-require-preflight, x-apollo-operation-name, x-request-id, traceparent, tracestate, cache-control';
const CORS_EXPOSE_HEADERS = 'x-request-id, retry-after';

class BodyTooLarge extends Error {}

/** The charsets that name UTF-8, the only encoding GraphQL over HTTP uses. */
const UTF_8 = new Set(['utf-8', 'utf8']);

/** A Content-Type's media type (JSON or not) and its charset parameter, lower case. */
export function mediaTypeOf(value: string | undefined): { json: boolean; charset: string | undefined } {
  const [type = '', ...parameters] = (value ?? '').toLowerCase().split(';');
  const media = type.trim();
  const charset = parameters
    .map((p) => p.trim().split('='))
    .find(([name]) => name.trim() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1');
  return { json: media === 'application/json' || media.endsWith('+json'), charset };
}

/**
 * `extensions.cache`: the ISC answers an operation got from the response cache, each with its
 * route and age, so a frontend can tell how fresh what it shows is. Per ISC answer rather than per
 * field: one answer feeds several fields and the gateway knows freshness per answer; an extension
 * leaves the schema (and the supergraph) untouched.
 */
function cacheReport(hits: readonly CacheHit[] | undefined): { hits: { route: string; ageSeconds: number; stale: boolean }[] } | undefined {
  if (!hits || hits.length === 0) return undefined;
  return { hits: hits.map((hit) => ({ route: `${hit.method} ${hit.route}`, ageSeconds: Math.floor(hit.ageMs / 1000), stale: hit.stale })) };
}

/**
 * Reads the body up to `limit` bytes. On overflow the rest is read and discarded (up to
 * `drainLimit` bytes, or for at most 10 s), so a client that writes its whole body before reading
 * gets the 413 answer instead of a reset connection; a body beyond that is cut.
 */
function readBody(req: http.IncomingMessage, limit: number, drainLimit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off('data', onData).off('end', onEnd);
      const cut = () => {
        clearTimeout(timer);
        req.off('data', drain);
        reject(new BodyTooLarge());
      };
      const timer = setTimeout(cut, 10_000).unref();
      const drain = (more: Buffer) => {
        size += more.length;
        if (size > drainLimit) cut();
      };
      req.on('data', drain).once('end', cut);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A route for operators (`/metrics`): with a token configured, only a request that presents it as
 * `Authorization: Bearer <token>` is served (compared in constant time); others get 401.
 */
export function guarded(route: RouteHandler, token: string | undefined): RouteHandler {
  if (token === undefined) return route;
  const accepts = apiKeyChecker([token]);
  return (req, res) => {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '')?.[1];
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

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The HTTP server: `/graphql` goes to Apollo Server, `/healthz` answers liveness, CORS admits only
 * the configured origins. A small `node:http` server, since Apollo's standalone server cannot add
 * routes.
 */
export async function createHttpGateway({ config, auth, client, governor, readiness, observability, logger, session, site }: HttpGatewayOptions) {
  const { server, limits } = config;
  const { metricsPort, metricsToken } = config.observability;
  const operation = { maxListLimit: limits.maxListLimit, operationTimeoutMs: limits.operationTimeoutMs, rateLimitWaitMs: config.rate.limitWaitMs };
  let shuttingDown = false;
  const httpServer = http.createServer();
  // Trusted documents replace APQ: ids are answered from the manifest, never registered by clients.
  const trusted = limits.trustedDocuments ? loadTrustedDocuments(limits.trustedDocuments) : undefined;
  const apollo = new ApolloServer<Context>({
    schema: buildSchema(observability?.schemaResolvers),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (gateway.ts): unready first, drain, then stop. Apollo's own signal
    // handler would close the listener at once.
    stopOnTerminationSignals: false,
    logger: apolloLogger(logger),
    // Errors the gateway did not raise on purpose answer "Internal server error" with an errorId.
    formatError: maskUnexpectedErrors(logger),
    // Query limits (src/limits): a refused operation never reaches a resolver.
    validationRules: [...limitValidationRules(limits), ...(server.introspection ? [] : [introspectionOffRule])],
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: limits.maxBatchOperations > 1,
    persistedQueries: trusted ? false : automaticPersistedQueries(limits),
    // Inline tracing (on by default for subgraphs) costs CPU on every request and feeds only
    // Apollo's hosted reporting, which this gateway does not use.
    plugins: [
      {
        // Apollo hands each operation a shallow copy of the context: give each its own deadline
        // and caches. Every answer reports the caller's ISC budget left, so a frontend can pace itself.
        async requestDidStart({ contextValue }) {
          Object.assign(contextValue, contextValue.beginOperation());
          return {
            async willSendResponse({ contextValue, response }) {
              contextValue.dispose();
              if (response.body.kind !== 'single') return;
              const budget = governor.budget(contextValue.rateKey);
              const cache = cacheReport(contextValue.scope.cacheHits);
              response.body.singleResult.extensions = { ...response.body.singleResult.extensions, rateLimit: budget, ...(cache && { cache }) };
            },
          };
        },
      },
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // HTTP cache hints are not used (answers are per caller); the plugin would wrap every resolver.
      ApolloServerPluginCacheControlDisabled(),
      requestLogPlugin(logger),
      // GraphiQL is served by servePlayground below; Apollo's own page only in sandbox mode (it loads from a CDN).
      server.playground === 'sandbox' ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      queryCostPlugin({ limits, governor, rate: config.rate, costs: COSTS }),
      trusted ? trustedDocumentsPlugin(trusted) : persistedQueryGuardPlugin(),
      ...(observability?.plugins ?? []),
    ],
    // Refused by introspectionOffRule when off, with a message that names the gateway's setting.
    introspection: true,
  });
  await apollo.start();
  const allowedOrigins = new Set(server.corsOrigins);
  const callerFacts = createCallerFacts();

  /**
   * `/`: where a browser lands after signing in, or when someone types the host. Browsers go to
   * the frontend or the playground where one is served; anyone else learns where things are.
   */
  function home(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: 'GET only' });
    }
    const browserHome = site ? SITE_PREFIX : server.playground !== 'off' ? '/graphql' : undefined;
    if (browserHome && wantsHtml(req)) {
      res.writeHead(302, { location: browserHome, 'cache-control': 'no-store' }).end();
      return;
    }
    sendJson(res, 200, { service: 'ISC GraphQL gateway', version: VERSION, graphql: '/graphql', health: '/healthz', readiness: '/readyz' });
  }

  /** Answers a GraphQL request Apollo never sees, and counts it. */
  function refuse(res: http.ServerResponse, status: number, errors: { message: string; extensions: Record<string, unknown> }[]): void {
    observability?.onRefused?.(errors);
    sendJson(res, status, { errors });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway.invalid');
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'the request URL cannot be parsed', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const origin = header(req, 'origin');
    if (origin && allowedOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (origin && allowedOrigins.has(origin)) {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
        res.setHeader('access-control-max-age', '600');
      }
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/') return home(req, res);
    if (url.pathname === '/readyz') {
      const state = shuttingDown ? { ready: false, checks: { shutdown: 'in progress' } } : await readiness();
      return sendJson(res, state.ready ? 200 : 503, { ...state, version: VERSION });
    }
    // With SAIL_METRICS_PORT, the observability routes live on that listener only (see operatorServer).
    const route = metricsPort === undefined ? observability?.routes[url.pathname] : undefined;
    if (route) return guarded(route, metricsToken)(req, res);
    if (server.playground === 'graphiql' && servePlayground(req, res, url.pathname)) return;
    if (shuttingDown) {
      // Draining: operations already running finish; new ones go to another replica.
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '1');
      return refuse(res, 503, [{ message: 'the gateway is shutting down', extensions: { code: 'SHUTTING_DOWN' } }]);
    }
    const signIn = session?.();
    if (signIn && url.pathname.startsWith('/auth/') && (await signIn.routes(req, res, url))) return;
    if (site?.serve(req, res, url.pathname)) return;
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });

    const contentType = mediaTypeOf(header(req, 'content-type'));
    if (req.method === 'POST' && contentType.charset !== undefined && !UTF_8.has(contentType.charset)) {
      return refuse(res, 415, [
        {
          message: `request bodies must be UTF-8 (Content-Type names charset=${contentType.charset.slice(0, 40)})`,
          extensions: { code: 'BAD_REQUEST' },
        },
      ]);
    }
    let body: unknown;
    try {
      const text = req.method === 'POST' ? await readBody(req, server.maxBodyBytes, Math.max(8 * 1_048_576, 4 * server.maxBodyBytes)) : '';
      body = text && contentType.json ? JSON.parse(text) : text || undefined;
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        // A body still arriving (past the drain limit) is cut once the answer is out.
        res.once('finish', () => {
          if (!req.complete) req.destroy();
        });
        return refuse(res, 413, [
          {
            message: `request body larger than ${server.maxBodyBytes} bytes (SAIL_MAX_BODY_BYTES)`,
            extensions: { code: 'BAD_REQUEST', limit: 'SAIL_MAX_BODY_BYTES', max: server.maxBodyBytes },
          },
        ]);
      }
      return refuse(res, 400, [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }]);
    }
    const refused = checkRequestLimits({ body, searchParams: url.searchParams }, limits);
    if (refused) {
      observability?.onRefused?.(refused.body.errors);
      return sendJson(res, refused.status, refused.body);
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const requestId = requestIdOf(header(req, 'x-request-id'));
    res.setHeader('x-request-id', requestId);
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          const settings = /\bno-cache\b/i.test(header(req, 'cache-control') ?? '') ? { ...operation, fresh: true } : operation;
          // A session cookie comes first; one that names no live session is refused, never passed over.
          const signedIn = await signIn?.sessionOf({ cookie: req.headers.cookie, origin });
          if (signedIn) {
            const credential = { kind: 'session' as const, session: signedIn.credential };
            return createContext(client, credential, settings, requestId, () => sessionPrincipal(signedIn.user), callerFacts);
          }
          const apiKey = header(req, 'x-api-key');
          const credential = resolveCredential({ authorization: header(req, 'authorization'), apiKey }, auth);
          return createContext(client, credential, settings, requestId, () => principalOf(credential, apiKey, auth.openDemo), callerFacts);
        },
      });
    const result = observability ? await observability.aroundGraphQL(req, requestId, execute) : await execute();
    res.statusCode = result.status ?? 200;
    for (const [name, value] of result.headers) res.setHeader(name, value);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  httpServer.on('request', (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('request handler failed', { error });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
  return {
    httpServer,
    apollo,
    /** Turns /readyz unready (the first step of a graceful shutdown). */
    markShuttingDown: () => {
      shuttingDown = true;
    },
  };
}
