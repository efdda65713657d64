import http from 'node:http';
import https from 'node:https';
import DataLoader from 'dataloader';
import got, { type Got, type Method } from 'got';
import type { TokenProvider } from './token-provider.js';
import { transportError, upstreamError } from './upstream-errors.js';

/** Whose ISC rights a call uses. A caller's bearer is used for that caller's request only. */
export type Credential = { kind: 'client-credentials' } | { kind: 'bearer'; token: string };

export type SearchParams = Record<string, string | number | boolean | undefined>;

export interface UpstreamRequest {
  method: Method;
  /** Path below the API prefix, built with the `path` tag so identifiers are encoded. */
  path: string;
  searchParams?: SearchParams;
  /** JSON body (`application/json`). */
  json?: unknown;
  /** JSON Patch body (`application/json-patch+json`). */
  jsonPatch?: readonly unknown[];
  /** Multipart body (`multipart/form-data`, boundary set by got). */
  form?: FormData;
  /** Media type to ask for; JSON unless the endpoint serves XML or text. */
  accept?: 'application/json' | 'application/xml' | 'text/plain';
  /** Sends `X-SailPoint-Experimental: true` (required by every v2024 /source-apps call). */
  experimental?: boolean;
  /** Keep a `secret` member in the answer: only for the answer that creates an OAuth client. */
  keepSecret?: boolean;
}

export interface UpstreamResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface IscClientOptions {
  /** For example `https://acme.api.identitynow.com/v2024`. */
  apiUrl: string;
  timeoutMs: number;
  tokens: TokenProvider;
}

export interface IscClient {
  send<T>(credential: Credential, request: UpstreamRequest): Promise<UpstreamResponse<T>>;
}

/** Keep-alive agents: ISC calls of one operation reuse warm connections instead of new TLS handshakes. */
export function keepAliveAgents(): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  };
}

/**
 * ISC answers may include an OAuth client's `secret`. It is removed from every answer except the
 * one that creates the client, before anything can log, cache or map it.
 */
function withoutSecrets(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutSecrets);
  if (body && typeof body === 'object' && 'secret' in body) {
    const { secret: _secret, ...rest } = body as Record<string, unknown>;
    return rest;
  }
  return body;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** The single HTTP choke point to ISC: base URL, auth, timeouts, error mapping. */
export function createIscClient(options: IscClientOptions, httpClient: Got = got): IscClient {
  const api = httpClient.extend({
    prefixUrl: options.apiUrl,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    responseType: 'text',
    agent: keepAliveAgents(),
    headers: { 'user-agent': 'isc-graphql-gateway' },
  });

  async function once(token: string, request: UpstreamRequest) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: request.accept ?? 'application/json',
    };
    if (request.experimental) headers['x-sailpoint-experimental'] = 'true';
    let body: string | FormData | undefined;
    if (request.jsonPatch) {
      headers['content-type'] = 'application/json-patch+json';
      body = JSON.stringify(request.jsonPatch);
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      body = request.form;
    }
    const searchParams = request.searchParams
      ? Object.fromEntries(Object.entries(request.searchParams).filter(([, v]) => v !== undefined) as [string, string | number | boolean][])
      : undefined;
    try {
      return await api(request.path, { method: request.method, headers, body, searchParams });
    } catch (error) {
      throw transportError(error);
    }
  }

  async function tokenFor(credential: Credential): Promise<string> {
    return credential.kind === 'bearer' ? credential.token : options.tokens.getToken();
  }

  return {
    async send<T>(credential: Credential, request: UpstreamRequest): Promise<UpstreamResponse<T>> {
      let token = await tokenFor(credential);
      let response = await once(token, request);
      if (response.statusCode === 401 && credential.kind === 'client-credentials') {
        // The cached token was revoked or expired early: fetch a new one and retry once.
        options.tokens.invalidate(token);
        token = await options.tokens.getToken();
        response = await once(token, request);
      }
      const contentType = response.headers['content-type'];
      const parsed = parseBody(response.body, contentType);
      if (response.statusCode >= 400) {
        const retryAfter = response.headers['retry-after'];
        throw upstreamError(response.statusCode, parsed, typeof retryAfter === 'string' ? retryAfter : undefined);
      }
      return {
        status: response.statusCode,
        headers: response.headers,
        body: (request.keepSecret ? parsed : withoutSecrets(parsed)) as T,
      };
    },
  };
}

/**
 * The ISC client as one GraphQL operation sees it: bound to the caller's credential, with every
 * GET made at most once per operation (a per-request DataLoader keyed by URL and media type).
 * Writes clear that cache, so reads after a mutation see the new state.
 */
export interface Upstream {
  send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>>;
}

export function bindUpstream(client: IscClient, credential: Credential): Upstream {
  const gets = new DataLoader<UpstreamRequest, UpstreamResponse<unknown>, string>(
    (requests) => Promise.all(requests.map((r) => client.send(credential, r).catch((e: unknown) => e as Error))),
    { batch: false, cacheKeyFn: (r) => JSON.stringify([r.path, r.searchParams ?? {}, r.accept ?? '', !!r.experimental]) },
  );
  return {
    async send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>> {
      if (request.method === 'GET') return (await gets.load(request)) as UpstreamResponse<T>;
      gets.clearAll();
      try {
        return await client.send<T>(credential, request);
      } finally {
        gets.clearAll();
      }
    },
  };
}
