import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError } from './errors.js';
import { decodeQuery, MAX_BODY_BYTES, readBody, recordHeaders, sendError, sendJson, type RecordedRequest } from './http.js';

export type { RecordedRequest } from './http.js';
import {
  apiPathOf,
  createRouter,
  DEFAULT_API_PREFIX,
  handleApi,
  resolveRoute,
  resourcesOf,
  routeLabel,
  unanswered,
  type ApiPath,
  type Match,
  type PathLayout,
  type Route,
} from './router.js';
import {
  createTokenIssuer,
  handleToken,
  tokenClientId,
  tokenGrantType,
  type AccessGrant,
  type RegisteredClient,
  type TokenEndpoint,
  type TokenIssuer,
} from './tokens.js';
import { createSignIn, DEFAULT_SIGN_IN_SETTINGS, type SignIn } from './sign-in.js';
import { DEMO_USERS, findDemoUser } from './seed/users.js';
import { createFaultInjector, type FaultInjector, type FaultSettings, type RefreshHold } from './faults.js';
import { createConnectorCustomizerState, registerConnectorCustomizerRoutes, type ConnectorCustomizerState } from './connector-customizers.js';
import { createConnectorState, registerConnectorRoutes, type ConnectorState } from './connectors.js';
import { createOAuthClientState, registerOAuthClientRoutes, type OAuthClientState } from './oauth-clients.js';
import { createSourceAppState, registerSourceAppRoutes, type SourceAppState } from './source-apps.js';
import { createUserAppState, registerUserAppRoutes, type UserAppState } from './user-apps.js';
import { createStatsCounter, DEMO_PATH_PREFIX, grantTypeLabel, isLoopback, trimOldest, type DemoTenantStats, type RequestSummary } from './stats.js';

export type { DemoTenantStats, RequestSummary } from './stats.js';
export type { RefreshHold } from './faults.js';
export type { PathLayout } from './router.js';
export { DEMO_USERS, type DemoUser } from './seed/users.js';
export { DEMO_LOGIN_CLIENT_ID, DEMO_LOGIN_CLIENT_SECRET } from './sign-in.js';

/**
 * The demo tenant: an in-memory, stateful fake of the ISC REST API on loopback, for tests and
 * demos of the gateway. This file starts it: the token endpoint (tokens.ts), user sign-in
 * (sign-in.ts: `/oauth/authorize` and the authorization-code and refresh grants), the bearer
 * check, fault injection (faults.ts), request recording and counters (stats.ts), then the router
 * (router.ts), on which each domain file registers its routes over its own slice of the state,
 * each route with the scopes it needs (scopes.ts). Every route answers in both of ISC's path
 * layouts, `${apiPrefix}/connectors/…` and `/connectors/v1/…`: the path is mapped to the
 * layout-neutral form the routes are registered in once, on arrival.
 */

export interface DemoTenantOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  tokenLifetimeSeconds?: number;
  /** Prefix of the year-versioned layout (default `/v2024`); the per-resource layout (`/connectors/v1/…`) is served alongside. */
  apiPrefix?: string;
  faults?: FaultSettings;
  /** Answers of these layouts and routes carry `X-Deprecated: true`, as ISC marks deprecated endpoints. Default: none. */
  deprecated?: Deprecation;
  /**
   * Serves the demo-only `GET /__demo/stats` and `GET /__demo/requests?since=<ms>` (loopback
   * callers only; see stats.ts). Off by default: the standalone process turns it on.
   */
  demoEndpoints?: boolean;
  /**
   * Keeps every request received, headers (callers' `Authorization`) and bodies included, in
   * `requests` and `tokenRequests`: for tests that assert exact calls. Off by default.
   */
  recordRequests?: boolean;
  /** Keeps a header-free summary of each request for `requestSummaries` (the standalone process). Off by default. */
  keepSummaries?: boolean;
  /** Keeps at most this many records and summaries of each kind, dropping the oldest (a long-running process). Default: all. */
  maxRecordedRequests?: number;
  /** Redirect URIs of the sign-in client (`login`), each compared exactly; more with `registerRedirectUri`. Default: none. */
  loginRedirectUris?: string[];
  /** Lifetime of refresh tokens from their issue. Default 86400 (a day). */
  refreshTokenLifetimeSeconds?: number;
  /** How long an authorization code may wait to be exchanged. Default 60. */
  authorizationCodeLifetimeSeconds?: number;
  /** Each refresh answers a new refresh token and voids the one used. Default off (a refresh answers the same refresh token). */
  rotateRefreshTokens?: boolean;
  /** Authorization codes remembered at most (pending and recently used), the oldest dropped. Default 1000. */
  maxAuthorizationCodes?: number;
  /** Refresh tokens remembered at most, the oldest dropped (they then refuse). Default 10000. */
  maxRefreshTokens?: number;
  /**
   * The tenant's time as its rate limits and backoff read it (ms since epoch): a test passes a
   * clock it moves by hand, to count windows and lockouts instead of waiting them out. Default `Date.now`.
   */
  clock?: () => number;
}

/**
 * What the tenant marks deprecated: whole layouts, and routes by their label (`GET /connectors`,
 * as `apiByRoute` and the route limits name them), which marks the route in both layouts.
 */
export interface Deprecation {
  layouts?: readonly PathLayout[];
  routes?: readonly string[];
}

/** Who a token from `DemoTenant.issueToken` speaks for. */
export interface TokenSubject {
  /** A seeded user's name (`DEMO_USERS`): a token as their sign-in through the login client yields. Default: the demo client's own identity. */
  user?: string;
  /** The token's scopes instead of the default (the user's, or `sp:scopes:all` for the demo client). */
  scopes?: readonly string[];
}

export interface DemoTenant {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The sign-in (authorization-code) client every demo tenant registers, and where browsers sign in. */
  login: { clientId: string; clientSecret: string; authorizeUrl: string };
  /** Adds a redirect URI of the login client (compared exactly); throws a TypeError unless it is an absolute http(s) URL without fragment. */
  registerRedirectUri(uri: string): void;
  requests: RecordedRequest[];
  tokenRequests: RecordedRequest[];
  /** `GET` and `POST /oauth/authorize` requests (with `recordRequests`). */
  authorizeRequests: RecordedRequest[];
  clearRequests(): void;
  /** A valid access token: the demo client's (client credentials, `sp:scopes:all`), or a seeded user's. */
  issueToken(subject?: TokenSubject): string;
  expireAllTokens(): void;
  /** Every refresh token issued so far answers invalid_grant from now on (access tokens live on). */
  revokeRefreshTokens(): void;
  /**
   * Switches fault injection (see faults.ts); `{}` turns every fault off (and releases held refresh
   * answers). Rate accounting and backoffs start afresh. Throws a TypeError when `rateLimit.routeLimits` names a route the tenant lacks.
   */
  setFaults(settings: FaultSettings): void;
  /** Marks these layouts and routes deprecated from now on, instead of the earlier ones; `{}` marks none. Throws a TypeError for a route the tenant lacks. */
  setDeprecated(deprecation: Deprecation): void;
  /** Holds every refresh_token answer from now until the hold is released (see faults.ts): races made deterministic. */
  holdRefreshes(): RefreshHold;
  /** Lifetime of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /** Counters since start: API requests by route and status, tokens issued. */
  stats(): DemoTenantStats;
  /** The recorded requests (token and API, in arrival order) that arrived at or after `since`, without headers or bodies. */
  requestSummaries(since?: number): RequestSummary[];
  close(): Promise<void>;
}

/** All mutable data of one tenant; each domain adds its slice here. */
/** The options every part of the tenant reads, defaults applied. */
type TenantSettings = Required<Pick<DemoTenantOptions, 'port' | 'host' | 'clientId' | 'clientSecret' | 'tokenLifetimeSeconds' | 'apiPrefix'>>;

export interface TenantState {
  connectors: ConnectorState;
  connectorCustomizers: ConnectorCustomizerState;
  sourceApps: SourceAppState;
  userApps: UserAppState;
  oauthClients: OAuthClientState;
}

function handleDemoEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: Record<string, string>,
  stats: () => DemoTenantStats,
  summaries: (since: number) => RequestSummary[],
): void {
  if (!isLoopback(req.socket.remoteAddress)) {
    sendError(res, 403, 'The demo-only endpoints answer loopback callers only');
    return;
  }
  if (req.method !== 'GET') {
    sendError(res, 405, `Request method '${req.method}' is not supported for ${path}`);
    return;
  }
  if (path === `${DEMO_PATH_PREFIX}stats`) {
    sendJson(res, 200, stats());
  } else if (path === `${DEMO_PATH_PREFIX}requests`) {
    const since = Number(query.since ?? 0);
    if (!Number.isFinite(since)) {
      sendError(res, 400, 'since must be a time in milliseconds since the epoch');
      return;
    }
    sendJson(res, 200, { requests: summaries(since) });
  } else {
    sendError(res, 404, `No resource found at ${path}; the demo-only paths are ${DEMO_PATH_PREFIX}stats and ${DEMO_PATH_PREFIX}requests`);
  }
}

/** `released`, or a rejection once the tenant closes (a held answer never outlives it). */
function untilOrClosed(released: Promise<void>, closing: AbortSignal): Promise<void> {
  if (closing.aborted) return Promise.reject(new Error('The demo tenant is closing'));
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('The demo tenant is closing'));
    closing.addEventListener('abort', onClose, { once: true });
    void released.then(() => {
      closing.removeEventListener('abort', onClose);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------

export async function startDemoTenant(options: DemoTenantOptions = {}): Promise<DemoTenant> {
  const opts = settingsOf(options);
  const issuer = createTokenIssuer(opts.tokenLifetimeSeconds);
  const routes = registerDomainRoutes();
  checkRouteLimits(routes, options.faults);
  checkDeprecatedRoutes(routes, options.deprecated);
  const faults = createFaultInjector(options.faults, options.clock);
  const closing = new AbortController();
  const demoClient: RegisteredClient = { clientId: opts.clientId, clientSecret: opts.clientSecret, grantTypes: ['client_credentials'] };
  const signIn = startSignIn(options, issuer, faults, () => tokenClients, closing.signal);
  const tokenClients: readonly RegisteredClient[] = [demoClient, signIn.client];
  const parts: TenantParts = {
    opts,
    issuer,
    faults,
    signIn,
    tokenEndpoint: { clients: tokenClients, issuer, grants: signIn.grants },
    routes,
    resources: resourcesOf(routes),
    deprecated: deprecationOf(options.deprecated),
    hung: new Set<ServerResponse>(),
  };
  const log = createRequestLog(options, parts);
  const server = createServer((req, res) => handleRequest(parts, log, options, req, res));
  await listen(server, opts.port, opts.host);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const url = `http://${host}:${address.port}`;

  return {
    url,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    login: { clientId: signIn.client.clientId, clientSecret: signIn.client.clientSecret, authorizeUrl: `${url}/oauth/authorize` },
    registerRedirectUri: (uri) => signIn.registerRedirectUri(uri),
    requests: log.requests,
    tokenRequests: log.tokenRequests,
    authorizeRequests: log.authorizeRequests,
    clearRequests: () => log.clear(),
    issueToken: (subject = {}) => issueDemoToken(parts, subject),
    expireAllTokens: () => issuer.expireAll(),
    revokeRefreshTokens: () => signIn.revokeRefreshTokens(),
    setFaults: (settings) => {
      checkRouteLimits(routes, settings);
      faults.set(settings);
    },
    setDeprecated: (deprecation) => {
      checkDeprecatedRoutes(routes, deprecation);
      parts.deprecated = deprecationOf(deprecation);
    },
    holdRefreshes: () => faults.holdRefreshes(),
    setTokenLifetime: (seconds) => {
      issuer.lifetimeSeconds = seconds;
    },
    stats: log.stats,
    requestSummaries: log.requestSummaries,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        closing.abort(); // delayed answers (refresh faults) stop waiting
        // Keep-alive sockets (fetch pools them) would otherwise hold close() open.
        for (const res of parts.hung) res.destroy();
        server.closeAllConnections();
      }),
  };
}

/** What answering a request reads: the tenant's parts, built once at start. */
interface TenantParts {
  opts: TenantSettings;
  issuer: TokenIssuer;
  faults: FaultInjector;
  signIn: SignIn;
  tokenEndpoint: TokenEndpoint;
  routes: Route[];
  /** The first segments of the routes: each is also served per resource, `/{resource}/v1/…`. */
  resources: ReadonlySet<string>;
  deprecated: Required<Deprecation>;
  /** Answers the `hang` fault never sends; destroyed on close(). */
  hung: Set<ServerResponse>;
}

const deprecationOf = (deprecation: Deprecation | undefined): Required<Deprecation> => ({
  layouts: deprecation?.layouts ?? [],
  routes: deprecation?.routes ?? [],
});

/** A route limit on a route the tenant lacks would silently limit nothing: refused, with the routes there are. */
function checkRouteLimits(routes: Route[], settings: FaultSettings | undefined): void {
  checkRouteLabels(routes, Object.keys(settings?.rateLimit?.routeLimits ?? {}), 'to limit (SAIL_DEMO_TENANT_ROUTE_LIMITS)');
}

/** Likewise a deprecation of a route the tenant lacks would mark nothing. */
function checkDeprecatedRoutes(routes: Route[], deprecation: Deprecation | undefined): void {
  checkRouteLabels(routes, deprecation?.routes ?? [], 'to mark deprecated (SAIL_DEMO_TENANT_DEPRECATED)');
}

function checkRouteLabels(routes: Route[], labels: readonly string[], purpose: string): void {
  const known = routes.map((route) => `${route.method} ${route.pattern}`);
  const unknown = labels.filter((route) => !known.includes(route));
  if (unknown.length > 0) throw new TypeError(`No such route ${purpose}: ${unknown.join(', ')}; the routes are ${known.join(', ')}`);
}

function settingsOf(options: DemoTenantOptions): TenantSettings {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    clientId: options.clientId ?? 'demo-client',
    clientSecret: options.clientSecret ?? 'demo-secret',
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 749,
    apiPrefix: (options.apiPrefix ?? DEFAULT_API_PREFIX).replace(/\/+$/, ''),
  };
}

/** User sign-in (`/oauth/authorize`, the authorization-code and refresh grants); its waits end when the tenant closes. */
function startSignIn(
  options: DemoTenantOptions,
  issuer: TokenIssuer,
  faults: FaultInjector,
  clients: () => readonly RegisteredClient[],
  closing: AbortSignal,
): SignIn {
  return createSignIn({
    issuer,
    faults,
    clients,
    redirectUris: options.loginRedirectUris ?? [],
    settings: {
      codeLifetimeSeconds: options.authorizationCodeLifetimeSeconds ?? DEFAULT_SIGN_IN_SETTINGS.codeLifetimeSeconds,
      refreshTokenLifetimeSeconds: options.refreshTokenLifetimeSeconds ?? DEFAULT_SIGN_IN_SETTINGS.refreshTokenLifetimeSeconds,
      rotateRefreshTokens: options.rotateRefreshTokens ?? DEFAULT_SIGN_IN_SETTINGS.rotateRefreshTokens,
      maxCodes: options.maxAuthorizationCodes ?? DEFAULT_SIGN_IN_SETTINGS.maxCodes,
      maxRefreshTokens: options.maxRefreshTokens ?? DEFAULT_SIGN_IN_SETTINGS.maxRefreshTokens,
    },
    sleep: async (ms) => {
      await delay(ms, undefined, { signal: closing });
    },
    until: (released) => untilOrClosed(released, closing),
  });
}

/** The router with every domain's routes, each over its own slice of a fresh state. */
function registerDomainRoutes(): Route[] {
  const state: TenantState = {
    connectors: createConnectorState(),
    connectorCustomizers: createConnectorCustomizerState(),
    sourceApps: createSourceAppState(),
    userApps: createUserAppState(),
    oauthClients: createOAuthClientState(),
  };
  const { router, routes } = createRouter();
  registerConnectorRoutes(router, state.connectors);
  registerConnectorCustomizerRoutes(router, state.connectorCustomizers);
  registerSourceAppRoutes(router, state.sourceApps);
  registerUserAppRoutes(router, state.userApps);
  registerOAuthClientRoutes(router, state.oauthClients);
  return routes;
}

type RequestKind = RequestSummary['kind'];

/** The requests received (`recordRequests`) or their summaries (`keepSummaries`), and the counters. */
interface RequestLog {
  requests: RecordedRequest[];
  tokenRequests: RecordedRequest[];
  authorizeRequests: RecordedRequest[];
  stats: () => DemoTenantStats;
  requestSummaries: (since?: number) => RequestSummary[];
  /** Keeps a request on arrival (so the lists keep arrival order), and counts it once answered (an API request under `label`). */
  keep(record: RecordedRequest, kind: RequestKind, res: ServerResponse, label?: string): void;
  clear(): void;
}

function createRequestLog(options: DemoTenantOptions, { issuer, faults, signIn }: TenantParts): RequestLog {
  const requests: RecordedRequest[] = [];
  const tokenRequests: RecordedRequest[] = [];
  const authorizeRequests: RecordedRequest[] = [];
  const summaries: RequestSummary[] = [];
  const counter = createStatsCounter();
  const clientIdOf = (record: RecordedRequest, kind: RequestKind): string | null => {
    if (kind === 'token') return tokenClientId(record);
    if (kind === 'authorize') return record.query.client_id ?? (record.method === 'POST' ? decodeQuery(record.body).client_id : undefined) ?? null;
    const client = issuer.clientOf(record.headers.authorization);
    return client === 'unknown' ? null : client;
  };
  const summarise = (record: RecordedRequest, kind: RequestKind): RequestSummary => ({
    kind,
    method: record.method,
    path: record.path,
    at: record.at,
    status: record.status ?? null,
    clientId: clientIdOf(record, kind),
    ...(kind === 'token' ? { grantType: grantTypeLabel(tokenGrantType(record)) } : {}),
  });
  const recordedOf = { token: tokenRequests, authorize: authorizeRequests, api: requests } as const;
  return {
    requests,
    tokenRequests,
    authorizeRequests,
    stats: (): DemoTenantStats =>
      counter.snapshot({
        tokenLifetimeSeconds: issuer.lifetimeSeconds,
        rateLimit: faults.settings().rateLimit ?? null,
        backoffsEntered: faults.backoffsEntered().total,
        backoffsEnteredByClient: faults.backoffsEntered().byClient,
        remembered: { accessTokens: issuer.remembered(), ...signIn.remembered() },
      }),
    requestSummaries: (since = 0): RequestSummary[] =>
      options.recordRequests
        ? (['token', 'authorize', 'api'] as const)
            .flatMap((kind) => recordedOf[kind].filter((r) => r.at >= since).map((r) => summarise(r, kind)))
            .sort((a, b) => a.at - b.at)
        : summaries.filter((r) => r.at >= since),
    keep(record, kind, res, label = `${record.method} (no route)`) {
      // Kept on arrival (completed once answered) so the lists keep arrival order.
      const summary = options.keepSummaries && !options.recordRequests ? summarise(record, kind) : undefined;
      if (summary) {
        summaries.push(summary);
        if (options.maxRecordedRequests !== undefined) trimOldest(summaries, options.maxRecordedRequests * 2);
      }
      res.once('finish', () => {
        record.status = res.statusCode;
        if (summary) Object.assign(summary, summarise(record, kind));
        if (kind === 'token') counter.countToken(res.statusCode, tokenGrantType(record));
        else if (kind === 'authorize') counter.countSignIn(res.statusCode);
        else counter.countApi(label, res.statusCode, clientIdOf(record, kind));
      });
      if (options.recordRequests) {
        const recorded = recordedOf[kind];
        recorded.push(record);
        if (options.maxRecordedRequests !== undefined) trimOldest(recorded, options.maxRecordedRequests);
      }
    },
    clear() {
      // Emptied in place: callers may hold on to the arrays.
      requests.length = 0;
      tokenRequests.length = 0;
      authorizeRequests.length = 0;
      summaries.length = 0;
    },
  };
}

/** Every request: the demo-only endpoints, else recorded and answered. */
function handleRequest(parts: TenantParts, log: RequestLog, options: DemoTenantOptions, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const search = q === -1 ? '' : url.slice(q);
  const path = q === -1 ? url : url.slice(0, q);
  if (options.demoEndpoints && path.startsWith(DEMO_PATH_PREFIX)) {
    // Not an ISC call: neither recorded nor counted.
    handleDemoEndpoint(req, res, path, decodeQuery(search), log.stats, log.requestSummaries);
    return;
  }
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path,
    search,
    query: decodeQuery(search),
    headers: recordHeaders(req),
    body: '',
    at: Date.now(),
  };
  const kind: RequestKind = path === '/oauth/token' ? 'token' : path === '/oauth/authorize' ? 'authorize' : 'api';
  const target = kind === 'api' ? apiTargetOf(parts, record) : undefined;
  log.keep(record, kind, res, target?.label);
  void answerRequest(parts, req, res, record, target);
}

/** An API request's path in the layout-neutral form (once, on arrival), its route, and the route's label. */
interface ApiTarget {
  api: ApiPath | undefined;
  resolved: Match | 'malformed';
  label: string;
}

function apiTargetOf({ opts, routes, resources }: TenantParts, record: RecordedRequest): ApiTarget {
  const api = apiPathOf(record.path, opts.apiPrefix, resources);
  const resolved = resolveRoute(routes, record.method, api);
  return { api, resolved, label: routeLabel(record.method, resolved) };
}

/** Reads the body, then answers: the token endpoint, sign-in, or the API. */
async function answerRequest(
  parts: TenantParts,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  target: ApiTarget | undefined,
): Promise<void> {
  const kind: RequestKind = target ? 'api' : record.path === '/oauth/token' ? 'token' : 'authorize';
  try {
    const raw = await readBody(req);
    if (raw === 'too-large') {
      sendError(res, 413, `The request body is larger than ${MAX_BODY_BYTES} bytes`);
      return;
    }
    record.body = raw.toString('utf8');
    if (kind === 'token') {
      await handleToken(res, record, raw, parts.tokenEndpoint);
      return;
    }
    if (kind === 'authorize') {
      parts.signIn.handleAuthorize(res, record, raw);
      return;
    }
    await answerApi(parts, res, record, raw, target!);
  } catch (err) {
    if (res.headersSent || res.destroyed) {
      res.destroy();
    } else if (err instanceof ApiError) {
      sendError(res, err.status, err.message, err.causes);
    } else {
      sendError(res, 500, 'An internal fault occurred in the demo tenant', [String((err as Error)?.message ?? err)]);
    }
  }
}

/** An API request: the bearer check, then the fault injected (if any), then the route's answer. */
async function answerApi(
  { issuer, faults, deprecated, hung }: TenantParts,
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  { api, resolved, label }: ApiTarget,
): Promise<void> {
  const refusal = issuer.check(record.headers.authorization);
  if (refusal !== undefined) {
    sendJson(res, 401, { error: refusal });
    return;
  }
  // Read now: the token may expire while a fault delays the answer (one that expired since the
  // check above stands for nobody, with no scope).
  const caller = issuer.grantOf(record.headers.authorization) ?? { ...NOBODY, clientId: issuer.clientOf(record.headers.authorization) };
  const { latencyMs } = faults.settings();
  if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
  if (typeof resolved === 'object' && (deprecated.layouts.includes(api!.layout) || deprecated.routes.includes(label))) {
    // Every answer of the route from here on, errors and rate limits included.
    res.setHeader('X-Deprecated', 'true');
  }
  const fault = faults.pick(issuer.clientOf(record.headers.authorization), label);
  if (fault.kind === 'drop') {
    res.destroy();
    return;
  }
  if (fault.kind === 'hang') {
    hung.add(res); // answered never; destroyed on close()
    return;
  }
  if (fault.kind === 'status') {
    if (fault.status === 429) {
      sendJson(res, 429, { message: ' Rate Limit Exceeded ' }, { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
    } else {
      sendError(res, fault.status, fault.status === 503 ? 'The service is temporarily unavailable' : 'An internal fault occurred');
    }
    return;
  }
  if (faults.dropAfterApply()) {
    // Carried out, answer lost: the handler runs against a response nobody receives.
    await handleApi(unanswered(res), record, raw, resolved, caller).catch(() => undefined);
    res.destroy();
    return;
  }
  await handleApi(res, record, raw, resolved, caller);
}

const NOBODY: AccessGrant = { clientId: 'unknown', identityId: '', userName: '', levels: [], scopes: [] };

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A valid access token: the demo client's, or a seeded user's as their sign-in through the login client yields. */
function issueDemoToken({ issuer, opts, signIn }: TenantParts, subject: TokenSubject): string {
  if (subject.user === undefined) return issuer.issue(opts.clientId, subject.scopes).token;
  const user = findDemoUser(subject.user);
  if (user === undefined) throw new Error(`No demo user ${subject.user}; the seeded users are ${DEMO_USERS.map((u) => u.name).join(', ')}`);
  const { id: identityId, name: userName, levels } = user;
  return issuer.issueFor({ clientId: signIn.client.clientId, identityId, userName, levels, scopes: subject.scopes ?? user.scopes }).token;
}
