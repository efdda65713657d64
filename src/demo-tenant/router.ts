import type { ServerResponse } from 'node:http';
import { admits, mediaType, send, sendError, sendJson, type RecordedRequest } from './http.js';
import { checkScopes } from './scopes.js';
import type { AccessGrant } from './tokens.js';

/**
 * The demo tenant's router: the contract domain files register their routes with, route
 * matching, and the dispatch of one API request (content negotiation, body parsing, the
 * handler's answer).
 */

/** The request body a route requires; the server checks the content type and parses it. */
export type BodyKind = 'json' | 'json-patch' | 'multipart';

export interface RouteOptions {
  /**
   * The OAuth scopes the operation accepts, any one of them (scopes.ts); a token with none of
   * them gets a 403. Every route states them, as ISC's specification does per operation.
   */
  scopes: readonly string[];
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
  /** Who calls: the grant of the request's bearer token (identity, user levels, scopes). */
  caller: AccessGrant;
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
  /** `pattern` is layout-neutral, e.g. `/connectors/:scriptName/translations/:locale` (served as `/v2024/connectors/…` and `/connectors/v1/…`). */
  add(method: string, pattern: string, handler: Handler, options: RouteOptions): void;
}

export interface Route {
  method: string;
  /** As registered, e.g. `/connectors/:scriptName`: the label of the route in the stats. */
  pattern: string;
  segments: string[];
  handler: Handler;
  options: RouteOptions;
}

export function createRouter(): { router: Router; routes: Route[] } {
  const routes: Route[] = [];
  const router: Router = {
    add(method, pattern, handler, options) {
      routes.push({ method: method.toUpperCase(), pattern, segments: pattern.split('/').slice(1), handler, options });
    },
  };
  return { router, routes };
}

export type Match = { route: Route; params: Record<string, string> } | 'method-not-allowed' | undefined;

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

/**
 * The two path layouts ISC serves the same operations under: year-versioned
 * (`/v2024/connectors/{scriptName}`, the prefix configurable) and per-resource
 * (`/connectors/v1/{scriptName}`, SailPoint's current one).
 */
export type PathLayout = 'v2024' | 'per-resource';
export const PATH_LAYOUTS: readonly PathLayout[] = ['v2024', 'per-resource'];

/** The year-versioned prefix served unless `apiPrefix` says otherwise. */
export const DEFAULT_API_PREFIX = '/v2024';

/** The version every resource carries in the per-resource layout (`/connectors/v1`, `/source-apps/v1`, …). */
export const PER_RESOURCE_VERSION = 'v1';

/**
 * An API path in the layout-neutral form the routes are registered in: its segments after the
 * layout's prefix (`/v2024/connectors/x` and `/connectors/v1/x` both give `connectors`, `x`),
 * percent-decoded once; `segments` is undefined when the encoding is malformed.
 */
export interface ApiPath {
  layout: PathLayout;
  segments: string[] | undefined;
}

/**
 * The resources of the route table (the first segment of every pattern): each is served under
 * `/{resource}/v1` too, so a domain that registers routes (user apps, say) gets both layouts.
 */
export function resourcesOf(routes: readonly Route[]): ReadonlySet<string> {
  return new Set(routes.map((route) => route.segments[0]));
}

/**
 * Maps a received path to the layout-neutral form once; undefined when it is in neither layout.
 * The per-resource layout is tried first: its literal `/v1` never names a year-versioned prefix.
 */
export function apiPathOf(path: string, prefix: string, resources: ReadonlySet<string>): ApiPath | undefined {
  const raw = path.split('/').slice(1);
  if (raw.length >= 2 && raw[1] === PER_RESOURCE_VERSION && resources.has(raw[0])) {
    return { layout: 'per-resource', segments: decodeSegments([raw[0], ...raw.slice(2)]) };
  }
  if (path === prefix || path.startsWith(`${prefix}/`)) {
    return { layout: 'v2024', segments: decodeSegments(path.slice(prefix.length).split('/').slice(1)) };
  }
  return undefined;
}

function decodeSegments(raw: string[]): string[] | undefined {
  try {
    return raw.map(decodeURIComponent);
  } catch {
    return undefined; // malformed percent-encoding
  }
}

/** The route an API path names, or why none answers it. */
export function resolveRoute(routes: Route[], method: string, api: ApiPath | undefined): Match | 'malformed' {
  if (api === undefined) return undefined;
  if (api.segments === undefined) return 'malformed';
  return matchRoute(routes, method, api.segments);
}

/**
 * The label of an API request in the stats, route limits, faults and deprecations: its method
 * and route template, the same in both layouts (`GET /connectors/:scriptName`), so ids do not
 * multiply the labels and a label names one operation whichever layout it was called in.
 */
export function routeLabel(method: string, resolved: Match | 'malformed'): string {
  return typeof resolved === 'object' ? `${method} ${resolved.route.pattern}` : `${method} (no route)`;
}

const EXPECTED_CONTENT_TYPE: Record<BodyKind, string> = {
  json: 'application/json',
  'json-patch': 'application/json-patch+json',
  multipart: 'multipart/form-data',
};

/** A stand-in for `res` that takes an answer and sends nothing (the dropped-answer fault). */
export function unanswered(res: ServerResponse): ServerResponse {
  const sink = Object.create(res) as ServerResponse;
  sink.setHeader = () => sink;
  sink.end = (() => sink) as ServerResponse['end'];
  return sink;
}

/** Answers one API request whose bearer token is valid and stands for `caller` (its grant); `resolved` is its route (resolveRoute). */
export async function handleApi(
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  resolved: Match | 'malformed',
  caller: AccessGrant,
): Promise<void> {
  if (resolved === 'malformed') {
    sendError(res, 400, 'The request path contains malformed percent-encoding');
    return;
  }
  if (resolved === undefined) {
    sendError(res, 404, `No resource found at ${record.path}`);
    return;
  }
  if (resolved === 'method-not-allowed') {
    sendError(res, 405, `Request method '${record.method}' is not supported for ${record.path}`);
    return;
  }
  const { route, params } = resolved;
  // After the route is known (404 and 405 first, as ISC answers them), before anything else is looked at.
  checkScopes(caller.scopes, route.options.scopes);
  const produces = route.options.produces === undefined ? 'application/json' : route.options.produces;
  if (produces !== null && !admits(record.headers.accept, produces)) {
    sendError(res, 406, `This resource answers ${produces}, which the Accept header "${record.headers.accept}" does not admit`);
    return;
  }

  const kind = route.options.body;
  const parsed = kind === undefined ? NO_BODY : await readRouteBody(res, record, raw, kind);
  if (parsed === undefined) return;
  const ctx: RequestContext = {
    method: record.method,
    params,
    query: record.query,
    headers: record.headers,
    rawBody: raw,
    body: parsed.body,
    form: parsed.form,
    caller,
  };
  sendReply(res, await route.handler(ctx));
}

const NO_BODY: Pick<RequestContext, 'body' | 'form'> = { body: undefined, form: undefined };

/**
 * The body as a route that takes one reads it: JSON parsed, multipart as form data. Undefined
 * once a 400 was answered (no body, another content type, a body that does not parse).
 */
async function readRouteBody(
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  kind: BodyKind,
): Promise<Pick<RequestContext, 'body' | 'form'> | undefined> {
  const expected = EXPECTED_CONTENT_TYPE[kind];
  const actual = mediaType(record.headers['content-type']);
  if (raw.length === 0 && actual === '') {
    sendError(res, 400, `A request body of type ${expected} is required`);
    return undefined;
  }
  if (actual !== expected) {
    sendError(res, 400, `Content type '${actual || 'none'}' is not supported here; send ${expected}`);
    return undefined;
  }
  if (raw.length === 0) {
    sendError(res, 400, `A request body of type ${expected} is required`);
    return undefined;
  }
  if (kind === 'multipart') {
    try {
      const form = await new Request('http://demo-tenant.invalid/', {
        method: 'PUT',
        headers: { 'content-type': record.headers['content-type'] },
        body: raw,
      }).formData();
      return { body: undefined, form };
    } catch {
      sendError(res, 400, 'The multipart/form-data body could not be parsed');
      return undefined;
    }
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')), form: undefined };
  } catch (err) {
    sendError(res, 400, 'Malformed JSON request body', [(err as Error).message]);
    return undefined;
  }
}

function sendReply(res: ServerResponse, reply: Reply): void {
  const status = reply.status ?? 200;
  if (reply.json !== undefined) sendJson(res, status, reply.json, reply.headers);
  else if (reply.text !== undefined) send(res, status, reply.text, reply.contentType ?? 'text/plain;charset=utf-8', reply.headers);
  else send(res, status, undefined, undefined, reply.headers);
}
