import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, errorBody } from './errors.js';
import { createFaultInjector, type FaultSettings } from './faults.js';
import {
  createConnectorCustomizerState,
  registerConnectorCustomizerRoutes,
  type ConnectorCustomizerState,
} from './connector-customizers.js';
import { createConnectorState, registerConnectorRoutes, type ConnectorState } from './connectors.js';
import { createOAuthClientState, registerOAuthClientRoutes, type OAuthClientState } from './oauth-clients.js';
import { createSourceAppState, registerSourceAppRoutes, type SourceAppState } from './source-apps.js';
import {
  createStatsCounter,
  DEMO_PATH_PREFIX,
  isLoopback,
  trimOldest,
  type DemoTenantStats,
  type RequestSummary,
} from './stats.js';

export type { DemoTenantStats, RequestSummary } from './stats.js';

/**
 * The demo tenant: an in-memory, stateful fake of the ISC REST API on loopback, for tests and
 * demos of the gateway. This file owns everything shared by all domains (token endpoint, bearer
 * check, router, body parsing, content negotiation, error bodies, request recording); each domain
 * file only registers its routes on the router and keeps its own slice of `TenantState`.
 */

export interface DemoTenantOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  tokenLifetimeSeconds?: number;
  apiPrefix?: string;
  faults?: FaultSettings;
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
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** Arrival time (ms since epoch). */
  at: number;
  /** Status answered (undefined while pending, or when the connection was dropped). */
  status?: number;
}

export interface DemoTenant {
  url: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  tokenRequests: RecordedRequest[];
  clearRequests(): void;
  issueToken(): string;
  expireAllTokens(): void;
  /** Switches fault injection (see faults.ts); `{}` turns every fault off. */
  setFaults(settings: FaultSettings): void;
  /** Lifetime of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /** Counters since start: API requests by route and status, tokens issued. */
  stats(): DemoTenantStats;
  /** The recorded requests (token and API, in arrival order) that arrived at or after `since`, without headers or bodies. */
  requestSummaries(since?: number): RequestSummary[];
  close(): Promise<void>;
}

/** All mutable data of one tenant; each domain adds its slice here. */
export interface TenantState {
  connectors: ConnectorState;
  connectorCustomizers: ConnectorCustomizerState;
  sourceApps: SourceAppState;
  oauthClients: OAuthClientState;
}

// ---------------------------------------------------------------------------------------------
// Router contract for domain files

/** The request body a route requires; the server checks the content type and parses it. */
export type BodyKind = 'json' | 'json-patch' | 'multipart';

export interface RouteOptions {
  body?: BodyKind;
  /** Media type of a successful answer; a request whose Accept excludes it gets a 406. Default JSON; null = no body. */
  produces?: string | null;
}

export interface RequestContext {
  method: string;
  /** Path parameters, percent-decoded exactly once. */
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  rawBody: Buffer;
  /** Parsed JSON for `json` / `json-patch` routes. */
  body: unknown;
  /** Parsed form for `multipart` routes. */
  form: FormData | undefined;
}

/** A handler's answer: `json` (serialised), or `text` with `contentType`, or neither (empty body). */
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Router {
  /** `pattern` is relative to the API prefix, e.g. `/connectors/:scriptName/translations/:locale`. */
  add(method: string, pattern: string, handler: Handler, options?: RouteOptions): void;
}

interface Route {
  method: string;
  /** As registered, e.g. `/connectors/:scriptName`: the label of the route in the stats. */
  pattern: string;
  segments: string[];
  handler: Handler;
  options: RouteOptions;
}

function createRouter(): { router: Router; routes: Route[] } {
  const routes: Route[] = [];
  const router: Router = {
    add(method, pattern, handler, options = {}) {
      routes.push({ method: method.toUpperCase(), pattern, segments: pattern.split('/').slice(1), handler, options });
    },
  };
  return { router, routes };
}

type Match = { route: Route; params: Record<string, string> } | 'method-not-allowed' | undefined;

/** `decoded` segments were percent-decoded once; no dot-segment normalisation ever happens. */
function matchRoute(routes: Route[], method: string, decoded: string[]): Match {
  let pathMatched = false;
  for (const route of routes) {
    if (route.segments.length !== decoded.length) continue;
    const params: Record<string, string> = {};
    const ok = route.segments.every((seg, i) => {
      if (seg.startsWith(':')) {
        params[seg.slice(1)] = decoded[i];
        return decoded[i] !== '';
      }
      return seg === decoded[i];
    });
    if (!ok) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

/** The stats label of an API request: its route template, so ids do not multiply the labels. */
function routeLabel(routes: Route[], prefix: string, method: string, path: string): string {
  if (path === prefix || path.startsWith(`${prefix}/`)) {
    try {
      const match = matchRoute(routes, method, path.slice(prefix.length).split('/').slice(1).map(decodeURIComponent));
      if (match !== undefined && match !== 'method-not-allowed') return `${method} ${match.route.pattern}`;
    } catch {
      // Malformed percent-encoding: no route.
    }
  }
  return `${method} (no route)`;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const JSON_TYPE = 'application/json;charset=utf-8';
const EXPECTED_CONTENT_TYPE: Record<BodyKind, string> = {
  json: 'application/json',
  'json-patch': 'application/json-patch+json',
  multipart: 'multipart/form-data',
};

const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** Whether an Accept header admits `type` (missing header = anything; q=0 excludes). */
export function admits(accept: string | undefined, type: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [major] = type.split('/');
  return accept.split(',').some((entry) => {
    const [range, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return range === '*/*' || range === `${major}/*` || range === type;
  });
}

function recordHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** Decoded query; for a repeated parameter the first value wins (as Spring binds it). */
function decodeQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) if (!(k in query)) query[k] = v;
  return query;
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: string | undefined, contentType?: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', contentType ?? JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void =>
  send(res, status, JSON.stringify(value), JSON_TYPE, headers);

const sendError = (res: ServerResponse, status: number, text: string, causes?: string[]): void =>
  sendJson(res, status, errorBody(status, text, causes));

// ---------------------------------------------------------------------------------------------
// Tokens

/** The options every part of the tenant reads, defaults applied. */
type TenantSettings = Required<Omit<DemoTenantOptions, 'faults' | 'demoEndpoints' | 'maxRecordedRequests' | 'recordRequests' | 'keepSummaries'>>;

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

interface TokenIssuer {
  lifetimeSeconds: number;
  issue(clientId: string): { token: string; jti: string };
  /** The OAuth client a valid token was issued to. */
  clientOf(authorization: string | undefined): string;
  /** Why the Authorization header is refused, or undefined when it carries a valid token. */
  check(authorization: string | undefined): string | undefined;
  expireAll(): void;
  identity: { tenantId: string; identityId: string; userName: string };
}

function createTokenIssuer(lifetimeSeconds: number): TokenIssuer {
  const signingKey = randomBytes(32);
  const expiries = new Map<string, number>(); // token → expiry in ms since epoch
  const clients = new Map<string, string>(); // token → client_id
  const identity = { tenantId: randomUUID(), identityId: randomBytes(16).toString('hex'), userName: 'demo.admin' };
  const issuer: TokenIssuer = {
    identity,
    lifetimeSeconds,
    clientOf(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      return (match && clients.get(match[1])) ?? 'unknown';
    },
    issue(clientId) {
      const lifetimeSeconds = issuer.lifetimeSeconds;
      const now = Date.now();
      const iat = Math.floor(now / 1000);
      const jti = randomUUID();
      const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
      const payload = base64url(
        JSON.stringify({
          tenant_id: identity.tenantId,
          internal: true,
          pod: 'demo',
          org: 'demo',
          identity_id: identity.identityId,
          user_name: identity.userName,
          strong_auth: false,
          authorities: ['ORG_ADMIN'],
          client_id: clientId,
          scope: ['sp:scopes:all'],
          iat,
          exp: iat + lifetimeSeconds,
          jti,
        }),
      );
      const signature = createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url');
      const token = `${header}.${payload}.${signature}`;
      expiries.set(token, now + lifetimeSeconds * 1000);
      clients.set(token, clientId);
      return { token, jti };
    },
    check(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return 'JWT validation failed: JWT is missing';
      const expiry = expiries.get(match[1]);
      if (expiry === undefined) return 'JWT validation failed: JWT is invalid';
      if (Date.now() >= expiry) return 'JWT validation failed: JWT is expired';
      return undefined;
    },
    expireAll() {
      for (const token of expiries.keys()) expiries.set(token, 0);
    },
  };
  return issuer;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** POST /oauth/token, client-credentials grant; parameters from the query and/or a form body. */
function handleToken(
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  opts: TenantSettings,
  issuer: TokenIssuer,
): void {
  if (record.method !== 'POST') {
    sendJson(res, 405, { error: 'method_not_allowed', error_description: `Request method '${record.method}' is not supported` });
    return;
  }
  const params = { ...record.query };
  if (mediaType(record.headers['content-type']) === 'application/x-www-form-urlencoded') {
    Object.assign(params, decodeQuery(raw.toString('utf8')));
  }
  // Spring's token endpoint also takes the client in an HTTP Basic header.
  const basic = /^Basic\s+(\S+)$/i.exec(record.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.client_id ??= decoded.slice(0, colon);
      params.client_secret ??= decoded.slice(colon + 1);
    }
  }
  // Client authentication comes before the grant type is looked at, as in ISC.
  if (
    params.client_id === undefined ||
    params.client_secret === undefined ||
    !safeEqual(params.client_id, opts.clientId) ||
    !safeEqual(params.client_secret, opts.clientSecret)
  ) {
    sendJson(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
    return;
  }
  if (params.grant_type === undefined) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing grant type' });
    return;
  }
  if (params.grant_type !== 'client_credentials') {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${params.grant_type}` });
    return;
  }
  const { token, jti } = issuer.issue(opts.clientId);
  sendJson(res, 200, {
    access_token: token,
    token_type: 'bearer',
    expires_in: issuer.lifetimeSeconds,
    scope: 'sp:scopes:all',
    tenant_id: issuer.identity.tenantId,
    internal: true,
    pod: 'demo',
    org: 'demo',
    identity_id: issuer.identity.identityId,
    user_name: issuer.identity.userName,
    strong_auth: false,
    jti,
  });
}

/** The client a token request named (form body or query), shown in the request summaries. */
function tokenClientId(record: RecordedRequest): string | null {
  const form = mediaType(record.headers['content-type']) === 'application/x-www-form-urlencoded' ? decodeQuery(record.body) : {};
  return form.client_id ?? record.query.client_id ?? null;
}

/** `GET /__demo/stats` and `GET /__demo/requests?since=<ms>`: demo-only, loopback callers only. */
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

// ---------------------------------------------------------------------------------------------
// API dispatch

/** A stand-in for `res` that takes an answer and sends nothing (the dropped-answer fault). */
function unanswered(res: ServerResponse): ServerResponse {
  const sink = Object.create(res) as ServerResponse;
  sink.setHeader = () => sink;
  sink.end = (() => sink) as ServerResponse['end'];
  return sink;
}

async function handleApi(
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  prefix: string,
  routes: Route[],
): Promise<void> {
  const prefixed = record.path === prefix || record.path.startsWith(`${prefix}/`);
  if (!prefixed) {
    sendError(res, 404, `No resource found at ${record.path}`);
    return;
  }
  let decoded: string[];
  try {
    decoded = record.path.slice(prefix.length).split('/').slice(1).map(decodeURIComponent);
  } catch {
    sendError(res, 400, 'The request path contains malformed percent-encoding');
    return;
  }
  const match = matchRoute(routes, record.method, decoded);
  if (match === undefined) {
    sendError(res, 404, `No resource found at ${record.path}`);
    return;
  }
  if (match === 'method-not-allowed') {
    sendError(res, 405, `Request method '${record.method}' is not supported for ${record.path}`);
    return;
  }
  const { route, params } = match;
  const produces = route.options.produces === undefined ? 'application/json' : route.options.produces;
  if (produces !== null && !admits(record.headers.accept, produces)) {
    sendError(res, 406, `This resource answers ${produces}, which the Accept header "${record.headers.accept}" does not admit`);
    return;
  }

  const ctx: RequestContext = {
    method: record.method,
    params,
    query: record.query,
    headers: record.headers,
    rawBody: raw,
    body: undefined,
    form: undefined,
  };
  const kind = route.options.body;
  if (kind !== undefined) {
    const expected = EXPECTED_CONTENT_TYPE[kind];
    const actual = mediaType(record.headers['content-type']);
    if (raw.length === 0 && actual === '') {
      sendError(res, 400, `A request body of type ${expected} is required`);
      return;
    }
    if (actual !== expected) {
      sendError(res, 400, `Content type '${actual || 'none'}' is not supported here; send ${expected}`);
      return;
    }
    if (raw.length === 0) {
      sendError(res, 400, `A request body of type ${expected} is required`);
      return;
    }
    if (kind === 'multipart') {
      try {
        ctx.form = await new Request('http://demo-tenant.invalid/', {
          method: 'PUT',
          headers: { 'content-type': record.headers['content-type'] },
          body: raw,
        }).formData();
      } catch {
        sendError(res, 400, 'The multipart/form-data body could not be parsed');
        return;
      }
    } else {
      try {
        ctx.body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        sendError(res, 400, 'Malformed JSON request body', [(err as Error).message]);
        return;
      }
    }
  }

  const reply = await route.handler(ctx);
  const status = reply.status ?? 200;
  if (reply.json !== undefined) sendJson(res, status, reply.json, reply.headers);
  else if (reply.text !== undefined) send(res, status, reply.text, reply.contentType ?? 'text/plain;charset=utf-8', reply.headers);
  else send(res, status, undefined, undefined, reply.headers);
}

// ---------------------------------------------------------------------------------------------

export async function startDemoTenant(options: DemoTenantOptions = {}): Promise<DemoTenant> {
  const opts: TenantSettings = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    clientId: options.clientId ?? 'demo-client',
    clientSecret: options.clientSecret ?? 'demo-secret',
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 749,
    apiPrefix: (options.apiPrefix ?? '/v2024').replace(/\/+$/, ''),
  };
  const issuer = createTokenIssuer(opts.tokenLifetimeSeconds);
  const faults = createFaultInjector(options.faults);
  const hung = new Set<ServerResponse>();
  const state: TenantState = {
    connectors: createConnectorState(),
    connectorCustomizers: createConnectorCustomizerState(),
    sourceApps: createSourceAppState(),
    oauthClients: createOAuthClientState(),
  };
  const { router, routes } = createRouter();
  registerConnectorRoutes(router, state);
  registerConnectorCustomizerRoutes(router, state);
  registerSourceAppRoutes(router, state);
  registerOAuthClientRoutes(router, state);

  const requests: RecordedRequest[] = [];
  const tokenRequests: RecordedRequest[] = [];
  const summaries: RequestSummary[] = [];
  const counter = createStatsCounter();
  const stats = (): DemoTenantStats =>
    counter.snapshot({ tokenLifetimeSeconds: issuer.lifetimeSeconds, rateLimit: faults.settings().rateLimit ?? null });
  const clientIdOf = (record: RecordedRequest, kind: RequestSummary['kind']): string | null => {
    if (kind === 'token') return record.status === 200 ? opts.clientId : tokenClientId(record);
    const client = issuer.clientOf(record.headers.authorization);
    return client === 'unknown' ? null : client;
  };
  const summarise = (record: RecordedRequest, kind: RequestSummary['kind']): RequestSummary => ({
    kind,
    method: record.method,
    path: record.path,
    at: record.at,
    status: record.status ?? null,
    clientId: clientIdOf(record, kind),
  });
  const requestSummaries = (since = 0): RequestSummary[] =>
    options.recordRequests
      ? [
          ...tokenRequests.filter((r) => r.at >= since).map((r) => summarise(r, 'token')),
          ...requests.filter((r) => r.at >= since).map((r) => summarise(r, 'api')),
        ].sort((a, b) => a.at - b.at)
      : summaries.filter((r) => r.at >= since);

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const search = q === -1 ? '' : url.slice(q);
    const path = q === -1 ? url : url.slice(0, q);
    if (options.demoEndpoints && path.startsWith(DEMO_PATH_PREFIX)) {
      // Not an ISC call: neither recorded nor counted.
      handleDemoEndpoint(req, res, path, decodeQuery(search), stats, requestSummaries);
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
    const isToken = record.path === '/oauth/token';
    const kind = isToken ? 'token' : 'api';
    // Kept on arrival (completed once answered) so the lists keep arrival order.
    const summary = options.keepSummaries && !options.recordRequests ? summarise(record, kind) : undefined;
    if (summary) {
      summaries.push(summary);
      if (options.maxRecordedRequests !== undefined) trimOldest(summaries, options.maxRecordedRequests * 2);
    }
    res.once('finish', () => {
      record.status = res.statusCode;
      if (summary) {
        summary.status = res.statusCode;
        summary.clientId = clientIdOf(record, kind);
      }
      if (isToken) counter.countToken(res.statusCode);
      else counter.countApi(routeLabel(routes, opts.apiPrefix, record.method, record.path), res.statusCode);
    });
    if (options.recordRequests) {
      const recorded = isToken ? tokenRequests : requests;
      recorded.push(record);
      if (options.maxRecordedRequests !== undefined) trimOldest(recorded, options.maxRecordedRequests);
    }

    void (async () => {
      try {
        const raw = await readBody(req);
        if (raw === 'too-large') {
          sendError(res, 413, `The request body is larger than ${MAX_BODY_BYTES} bytes`);
          return;
        }
        record.body = raw.toString('utf8');
        if (isToken) {
          handleToken(res, record, raw, opts, issuer);
          return;
        }
        const refusal = issuer.check(record.headers.authorization);
        if (refusal !== undefined) {
          sendJson(res, 401, { error: refusal });
          return;
        }
        const { latencyMs } = faults.settings();
        if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        const fault = faults.pick(issuer.clientOf(record.headers.authorization));
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
          await handleApi(unanswered(res), record, raw, opts.apiPrefix, routes).catch(() => undefined);
          res.destroy();
          return;
        }
        await handleApi(res, record, raw, opts.apiPrefix, routes);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
        } else if (err instanceof ApiError) {
          sendError(res, err.status, err.message, err.causes);
        } else {
          sendError(res, 500, 'An internal fault occurred in the demo tenant', [String((err as Error)?.message ?? err)]);
        }
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    requests,
    tokenRequests,
    clearRequests() {
      // Emptied in place: callers may hold on to the arrays.
      requests.length = 0;
      tokenRequests.length = 0;
      summaries.length = 0;
    },
    issueToken: () => issuer.issue(opts.clientId).token,
    expireAllTokens: () => issuer.expireAll(),
    setFaults: (settings) => faults.set(settings),
    setTokenLifetime: (seconds) => {
      issuer.lifetimeSeconds = seconds;
    },
    stats,
    requestSummaries,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (fetch pools them) would otherwise hold close() open.
        for (const res of hung) res.destroy();
        server.closeAllConnections();
      }),
  };
}
