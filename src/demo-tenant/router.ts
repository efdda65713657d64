import type { ServerResponse } from 'node:http';
import { admits, mediaType, send, sendError, sendJson, type RecordedRequest } from './http.js';
import { checkScopes } from './scopes.js';

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

/**
 * The raw segments below the API of a request path, in either of ISC's layouts: year-versioned
 * (`${prefix}/connectors/x`) or per resource (`/connectors/v1/x`); undefined for any other path.
 */
function apiSegments(prefix: string, path: string): string[] | undefined {
  if (path === prefix || path.startsWith(`${prefix}/`)) return path.slice(prefix.length).split('/').slice(1);
  const segments = path.split('/').slice(1);
  return segments.length >= 2 && segments[1] === 'v1' ? [segments[0], ...segments.slice(2)] : undefined;
}

/** The stats label of an API request: its route template, so ids do not multiply the labels. */
export function routeLabel(routes: Route[], prefix: string, method: string, path: string): string {
  const segments = apiSegments(prefix, path);
  if (segments) {
    try {
      const match = matchRoute(routes, method, segments.map(decodeURIComponent));
      if (match !== undefined && match !== 'method-not-allowed') return `${method} ${match.route.pattern}`;
    } catch {
      // Malformed percent-encoding: no route.
    }
  }
  return `${method} (no route)`;
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

/** Answers one API request whose bearer token is valid and carries `granted` (its `scope` claim). */
export async function handleApi(
  res: ServerResponse,
  record: RecordedRequest,
  raw: Buffer,
  prefix: string,
  routes: Route[],
  granted: readonly string[],
): Promise<void> {
  const segments = apiSegments(prefix, record.path);
  if (!segments) {
    sendError(res, 404, `No resource found at ${record.path}`);
    return;
  }
  let decoded: string[];
  try {
    decoded = segments.map(decodeURIComponent);
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
  // After the route is known (404 and 405 first, as ISC answers them), before anything else is looked at.
  checkScopes(granted, route.options.scopes);
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
