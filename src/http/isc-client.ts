import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import CircuitBreaker from 'opossum';
import DataLoader from 'dataloader';
import got, { type Got, type HandlerFunction, type Method, type Options, type PlainResponse, type StreamOptions } from 'got';
import { gatewayError } from '../shared/errors.js';
import { routeTemplate } from '../shared/path.js';
import { createAgents, type OutboundAgents } from './agents.js';
import type { ResponseCache } from './response-cache.js';
import { createRateGovernor, deadlineExceeded, type RateGovernor } from './governor.js';
import { decide, isIdempotent, parseRetryAfter, type Failure, type RetryOptions } from './retry-policy.js';
import type { TokenProvider } from './token-provider.js';
import { upstreamError } from './upstream-errors.js';
import { parseJsonLosslessly } from './lossless-json.js';
import { wellFormed } from '../shared/validation.js';

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
  jsonPatch?: readonly { op: string }[];
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
  /** Length of the raw answer (characters), for the response cache's byte bound. */
  rawLength?: number;
  /**
   * A DELETE whose retry found nothing (404) after an earlier attempt may have been applied and its
   * answer lost: the resource is gone, and what the delete answered is lost with it.
   */
  deletedByEarlierAttempt?: boolean;
}

/**
 * What one GraphQL operation allows its ISC calls: a deadline (pending reads are cancelled
 * through `signal` when it passes; writes already sent are never cancelled) and a budget of time
 * to spend waiting out 429s.
 */
export interface OperationScope {
  deadline: number;
  signal: AbortSignal;
  rateLimitWaitLeftMs: number;
  /** When present, every ISC attempt and cache hit of the operation is recorded here (its log line). */
  calls?: UpstreamCallRecord[];
  /**
   * Work no caller waits for (readiness probes): never served from the response cache, never
   * retried, and sent only when a rate slot is free at once with nobody queued (see `tryAcquire`).
   */
  background?: boolean;
}

/** One ISC call attempt (or response-cache hit) of an operation, for its log line. */
export interface UpstreamCallRecord {
  method: string;
  /** Route template (`connectors/{scriptName}`): never identifiers or query strings. */
  route: string;
  status?: number;
  /** Transport failure code (ECONNRESET, ETIMEDOUT…) when there was no answer. */
  error?: string;
  durationMs: number;
  cached?: boolean;
}

/** An attempt about to be sent, as observers (metrics, traces) see it. */
export interface UpstreamAttempt {
  method: string;
  route: string;
  /** 1 for the first attempt of a call. */
  attempt: number;
}

export interface UpstreamAttemptOutcome {
  status?: number;
  error?: string;
  durationMs: number;
}

/**
 * Watches every HTTP attempt to ISC. `onAttempt` runs just before the request is sent, in the
 * async context of the code that made the call (so a tracer sees its parent span), may add
 * request headers (W3C trace context), and returns the function called with the outcome.
 */
export interface UpstreamObserver {
  onAttempt(attempt: UpstreamAttempt, headers: Record<string, string>): (outcome: UpstreamAttemptOutcome) => void;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface IscClientOptions {
  /** For example `https://acme.api.identitynow.com/v2024`. */
  apiUrl: string;
  timeoutMs: number;
  tokens: TokenProvider;
  /** Governor key of the gateway's own OAuth client: its `client_id`. */
  clientId?: string;
  governor?: RateGovernor;
  retry?: RetryOptions;
  breaker?: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number; rollingWindowMs: number };
  /** Cross-request cache of reference data (off unless given; see response-cache.ts). */
  cache?: ResponseCache;
  /** Outbound agents (proxy, keep-alive; see agents.ts), shared with the token request. Default: direct keep-alive agents. */
  agents?: Pick<OutboundAgents, 'http' | 'https'>;
  /** Metrics, traces: see UpstreamObserver. */
  observers?: readonly UpstreamObserver[];
  /** Largest answer read, in bytes after decompression (default 32 MiB): beyond it the call is cut. */
  maxBodyBytes?: number;
  /** Longest pause a `Retry-After` may impose (default 30 s); `onRetryAfterClamped` hears of longer ones. */
  maxRetryAfterMs?: number;
  onRetryAfterClamped?: (event: { route: string; retryAfterMs: number; pauseMs: number }) => void;
}

/** Defaults match ISC's documented limit (100 calls per 10 s per client) and README's table. */
const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };
const DEFAULT_BREAKER = { errorThresholdPercentage: 50, volumeThreshold: 20, resetTimeoutMs: 5_000, rollingWindowMs: 10_000 };

export interface IscClient {
  send<T>(credential: Credential, request: UpstreamRequest, scope: OperationScope): Promise<UpstreamResponse<T>>;
  /** The rate-governor key of a credential (ISC's limit is per OAuth client). */
  rateKey(credential: Credential): string;
  /** Whether the circuit breaker currently lets calls through. */
  breakerClosed(): boolean;
  breakerState(): BreakerState;
}

/**
 * Node's request options for one call: the method, headers and agent, which is all the gateway sets
 * (TLS settings live in the agents). got's own `createNativeRequestOptions` copies every TLS and
 * socket option it knows, unset here, into an object literal that starts with a spread; V8 11
 * (Node 20) builds such literals on a slow path, about 40 µs per ISC call (more than Node's whole
 * `http.request`), and Node then copies and inspects each unset option again. A got handler puts
 * this one in its place on each request's options (got's public getters only).
 */
function nativeRequestOptions(this: Options): ReturnType<Options['createNativeRequestOptions']> {
  const url = this.url as URL;
  const lean: RequestOptions = { method: this.method, headers: this.headers, agent: url.protocol === 'https:' ? this.agent.https : this.agent.http };
  // got's declared type lists every option it knows, as possibly undefined; the absent ones are.
  return lean as ReturnType<Options['createNativeRequestOptions']>;
}

const leanNativeOptions: HandlerFunction = (options, next) => {
  options.createNativeRequestOptions = nativeRequestOptions;
  return next(options);
};

/** Keep-alive agents: ISC calls of one operation reuse warm connections instead of new TLS handshakes. */
export function keepAliveAgents(): Pick<OutboundAgents, 'http' | 'https'> {
  const { http, https } = createAgents('https://isc.invalid'); // no proxy settings: direct
  return { http, https };
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
      return parseJsonLosslessly(text);
    } catch {
      return text;
    }
  }
  return text;
}

function searchParamsOf(request: UpstreamRequest): Record<string, string | number | boolean> | undefined {
  return request.searchParams
    ? (Object.fromEntries(Object.entries(request.searchParams).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>)
    : undefined;
}

/** Failures before anything reached ISC: safe to retry for any method. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NOT_SENT_TIMEOUT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);

function transportFailure(error: unknown): Failure & { kind: 'transport' } {
  const { code, event } = error as { code?: string; event?: string };
  const sent = !(NOT_SENT_CODES.has(code ?? '') || (code === 'ETIMEDOUT' && NOT_SENT_TIMEOUT_EVENTS.has(event ?? '')));
  return { kind: 'transport', sent };
}

/** URL (path and query string), headers and body of one ISC call. */
interface Encoded {
  url: string;
  headers: Record<string, string>;
  body: string | FormData | undefined;
}

/** What the client uses of an ISC answer: the status, the headers and the whole body as text. */
interface RawResponse {
  statusCode: number;
  headers: PlainResponse['headers'];
  body: string;
}

/**
 * One HTTP exchange through got's stream interface, read to its end. got's promise interface
 * wraps the same request in a cancelable promise and reads the body through an async iterator:
 * about 15–30% more CPU per call in a micro-benchmark, the largest per-call cost a fan-out pays.
 * Timeouts, the abort signal, agents and decompression are got's either way, and its errors
 * (RequestError, TimeoutError, AbortError) are the same.
 */
function exchange(api: Got, url: string, options: StreamOptions, maxBodyBytes: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const stream = api.stream(url, options);
    let response: PlainResponse | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      reject(new AnswerTooLarge(maxBodyBytes));
      stream.destroy(); // cuts the connection: nothing more is read
    };
    stream.once('response', (answer: PlainResponse) => {
      response = answer;
      // A declared length over the cap (uncompressed answers only: the cap counts decoded bytes).
      const declared = Number(answer.headers['content-length']);
      if (!answer.headers['content-encoding'] && declared > maxBodyBytes) tooLarge();
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge();
      else chunks.push(chunk);
    });
    stream.on('error', reject); // not `once`: a second 'error' without a listener would be thrown
    stream.once('end', () => {
      if (!response) return reject(new Error('ISC closed the connection without an answer'));
      try {
        resolve({ statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      } catch (error) {
        reject(error as Error); // a body Buffer or V8 cannot hold as one string
      }
    });
    // got's stream waits for a body to be piped in, except for GET and HEAD.
    if (options.body === undefined && options.method !== 'GET' && options.method !== 'HEAD') stream.end();
  });
}

/** An answer larger than the configured cap: the call was cut while reading it. */
class AnswerTooLarge extends Error {
  constructor(readonly maxBodyBytes: number) {
    super(`ISC's answer is larger than ${maxBodyBytes} bytes`);
    this.name = 'AnswerTooLarge';
  }
}

/** A 3xx: the gateway follows no redirect (the next host would get the bearer or the client secret). */
function redirectRefused(status: number, location: string | string[] | undefined): Error {
  let where = 'no location';
  try {
    if (typeof location === 'string') where = new URL(location, 'https://isc.invalid').origin;
  } catch {
    where = 'an unreadable location';
  }
  return gatewayError('UPSTREAM_ERROR', `ISC answered ${status}, a redirect to ${where}; the gateway follows no redirects (check SAIL_BASE_URL)`, {
    httpStatus: status,
  });
}

/** A 5xx as an error, so the circuit breaker counts it; unwrapped again right after. */
class ServerFailure extends Error {
  constructor(readonly response: RawResponse) {
    super(`ISC answered ${response.statusCode}`);
  }
}

/** An operation's log line lists at most this many calls (its cost limit allows far more). */
export const MAX_CALLS_RECORDED = 50;

/** Statuses after which a retried DELETE's 404 may mean the earlier attempt was applied. */
const MAY_HAVE_APPLIED = new Set([500, 502, 503, 504]);

/**
 * The single HTTP choke point to ISC: base URL, auth, rate governor, retries, circuit breaker,
 * timeouts and error mapping. See README "Resilience" for the policy.
 */
export function createIscClient(clientOptions: IscClientOptions, httpClient: Got = got): IscClient {
  const options = {
    ...clientOptions,
    clientId: clientOptions.clientId ?? 'gateway',
    governor: clientOptions.governor ?? createRateGovernor({ limit: 100, windowMs: 10_000, maxConcurrency: 16, maxQueue: 1000 }),
    retry: clientOptions.retry ?? DEFAULT_RETRY,
    breaker: clientOptions.breaker ?? DEFAULT_BREAKER,
    maxBodyBytes: clientOptions.maxBodyBytes ?? 32 * 1_048_576,
    maxRetryAfterMs: clientOptions.maxRetryAfterMs ?? 30_000,
  };
  const api = httpClient.extend({
    prefixUrl: options.apiUrl,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 }, // retries are decided below, with the governor and the operation's budget
    throwHttpErrors: false,
    followRedirect: false,
    // Only the two agents: got rejects any other key (OutboundAgents also carries `proxy`).
    agent: clientOptions.agents ? { http: clientOptions.agents.http, https: clientOptions.agents.https } : keepAliveAgents(),
    headers: { 'user-agent': 'isc-graphql-gateway' },
    handlers: [leanNativeOptions],
  });

  const breaker = new CircuitBreaker(async (call: () => Promise<RawResponse>) => {
    const response = await call();
    if (response.statusCode >= 500) throw new ServerFailure(response);
    return response;
  }, {
    timeout: false, // every call has its own timeout
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    volumeThreshold: options.breaker.volumeThreshold,
    resetTimeout: options.breaker.resetTimeoutMs,
    rollingCountTimeout: options.breaker.rollingWindowMs,
    // A cancelled read, or an answer over the size cap, says nothing about ISC's health.
    errorFilter: (error: unknown) => error instanceof AnswerTooLarge || (error as { name?: string }).name === 'AbortError',
  });

  /**
   * URL, headers and body of a request, built once per call (not per attempt). The query string is
   * encoded here rather than through got's `searchParams`, which normalises it again on every
   * attempt (got's per-call option handling is the largest cost in the gateway's CPU profile).
   */
  function encode(request: UpstreamRequest): Encoded {
    const params = searchParamsOf(request);
    // A lone surrogate cannot be percent-encoded faithfully (URLSearchParams would send U+FFFD).
    if (!wellFormed(request.path) || Object.values(params ?? {}).some((v) => typeof v === 'string' && !wellFormed(v))) {
      throw gatewayError('BAD_USER_INPUT', 'An identifier or filter value is not well-formed Unicode (it holds a lone surrogate)');
    }
    const query = params ? new URLSearchParams(params as Record<string, string>).toString() : '';
    const url = query ? `${request.path}?${query}` : request.path;
    const headers: Record<string, string> = { accept: request.accept ?? 'application/json' };
    if (request.experimental) headers['x-sailpoint-experimental'] = 'true';
    if (request.jsonPatch) {
      headers['content-type'] = 'application/json-patch+json';
      return { url, headers, body: JSON.stringify(request.jsonPatch) };
    }
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      return { url, headers, body: JSON.stringify(request.json) };
    }
    return { url, headers, body: request.form };
  }

  const observers = clientOptions.observers ?? [];
  const { maxBodyBytes } = options;

  async function attempt(
    token: string,
    request: UpstreamRequest,
    encoded: Encoded,
    scope: OperationScope,
    attemptNo: number,
  ): Promise<RawResponse> {
    // Reads are cancelled at the deadline; a write, once sent, always runs to its answer.
    const signal = request.method === 'GET' ? scope.signal : undefined;
    const headers = { ...encoded.headers, authorization: `Bearer ${token}` };
    // Only the options that are set: got validates and merges every key it is given, per call.
    const options: StreamOptions = { method: request.method, headers };
    if (encoded.body !== undefined) options.body = encoded.body;
    if (signal) options.signal = signal;
    if (observers.length === 0 && !scope.calls) {
      return breaker.fire(() => exchange(api, encoded.url, options, maxBodyBytes)) as Promise<RawResponse>;
    }
    const route = routeTemplate(request.path);
    const started = performance.now();
    const finishers = observers.map((o) => o.onAttempt({ method: request.method, route, attempt: attemptNo }, headers));
    let outcome: UpstreamAttemptOutcome = { durationMs: 0 };
    try {
      const response = (await breaker.fire(() => exchange(api, encoded.url, options, maxBodyBytes))) as RawResponse;
      outcome = { status: response.statusCode, durationMs: performance.now() - started };
      return response;
    } catch (error) {
      outcome =
        error instanceof ServerFailure
          ? { status: error.response.statusCode, durationMs: performance.now() - started }
          : { error: (error as { code?: string }).code ?? (error as Error).name ?? 'error', durationMs: performance.now() - started };
      throw error;
    } finally {
      for (const finish of finishers) finish(outcome);
      if (scope.calls && scope.calls.length < MAX_CALLS_RECORDED) scope.calls.push({ method: request.method, route, ...outcome });
    }
  }

  const tokenKeys = new Map<string, string>();
  function rateKey(credential: Credential): string {
    if (credential.kind === 'client-credentials') return `client:${options.clientId}`;
    // The caller's bearer is not verified, so its claims decide nothing: its hash is the key.
    let key = tokenKeys.get(credential.token);
    if (!key) {
      if (tokenKeys.size > 10_000) tokenKeys.clear();
      key = `token:${createHash('sha256').update(credential.token).digest('hex').slice(0, 32)}`;
      tokenKeys.set(credential.token, key);
    }
    return key;
  }

  /** The response cache in front of `call`: reference-data GETs served from it, writes invalidate it. */
  async function send<T>(credential: Credential, request: UpstreamRequest, scope: OperationScope): Promise<UpstreamResponse<T>> {
    const cache = clientOptions.cache;
    const encoded = encode(request); // a body that cannot be serialised fails here, not as a network error
    if (!cache || scope.background) return call<T>(credential, request, encoded, scope);
    if (request.method !== 'GET') {
      try {
        return await call<T>(credential, request, encoded, scope);
      } finally {
        await cache.invalidate(request.path); // also when the outcome is unknown
      }
    }
    const key = cache.keyOf(rateKey(credential), encoded.url, request.accept ?? 'application/json');
    const started = performance.now();
    const lookup = key === undefined ? undefined : await cache.get(key);
    const hit = lookup?.hit;
    if (hit) {
      if (scope.calls && scope.calls.length < MAX_CALLS_RECORDED) {
        scope.calls.push({ method: 'GET', route: routeTemplate(request.path), status: hit.status, durationMs: performance.now() - started, cached: true });
      }
      return { status: hit.status, headers: hit.headers, body: hit.body as T };
    }
    const response = await call<T>(credential, request, encoded, scope);
    if (key !== undefined && lookup?.stamp !== undefined) {
      await cache.set(key, { status: response.status, headers: response.headers, body: response.body, bytes: response.rawLength ?? 0 }, lookup.stamp);
    }
    return response;
  }

  async function call<T>(
    credential: Credential,
    request: UpstreamRequest,
    encoded: Encoded,
    scope: OperationScope,
  ): Promise<UpstreamResponse<T>> {
    const key = rateKey(credential);
    const idempotent = isIdempotent(request.method, request.jsonPatch);
    const signal = request.method === 'GET' ? scope.signal : undefined;
    let token = credential.kind === 'bearer' ? credential.token : await options.tokens.getToken();
    let refreshedToken = false;
    // 429s are bounded by the operation's wait budget, so they do not use up the attempts that
    // `RETRY_ATTEMPTS` allows for 5xx and transport failures.
    let rateLimitedTries = 0;

    // Whether an earlier attempt of this call may have been applied though its answer was lost.
    let mayHaveApplied = false;

    for (let attemptNo = 1; ; attemptNo++) {
      if (scope.signal.aborted && request.method === 'GET') throw deadlineExceeded();
      const release = scope.background ? await options.governor.tryAcquire(key) : await options.governor.acquire(key, scope.deadline, scope.signal);
      if (!release) throw gatewayError('RATE_LIMITED', 'The rate budget is in use by callers: background calls wait their turn');
      let response: RawResponse;
      try {
        response = await attempt(token, request, encoded, scope, attemptNo);
      } catch (error) {
        if (error instanceof ServerFailure) response = error.response;
        else if (signal?.aborted) throw deadlineExceeded();
        else if (error instanceof AnswerTooLarge) {
          throw gatewayError('UPSTREAM_RESPONSE_TOO_LARGE', `ISC's answer was larger than ${error.maxBodyBytes} bytes (SAIL_MAX_UPSTREAM_BODY_BYTES); the gateway stopped reading it`, {
            maxBytes: error.maxBodyBytes,
          });
        } else if ((error as { code?: string }).code === 'EOPENBREAKER') {
          throw gatewayError('UPSTREAM_UNAVAILABLE', 'ISC is failing repeatedly; the gateway is not calling it for a few seconds (circuit open)');
        } else {
          const transport = transportFailure(error);
          mayHaveApplied ||= transport.sent;
          const decision = decide(transport, attemptNo - rateLimitedTries, idempotent && !scope.background, options.retry);
          if (decision.retry && Date.now() + decision.delayMs < scope.deadline) {
            await sleep(decision.delayMs, undefined, { ref: false });
            continue;
          }
          const reason = (error as { code?: string }).code ?? 'network error';
          if (transport.sent && !idempotent) {
            throw gatewayError('UPSTREAM_OUTCOME_UNKNOWN', `ISC did not answer (${reason}); the ${request.method} may or may not have been applied — check before repeating it`);
          }
          throw gatewayError('UPSTREAM_ERROR', `ISC could not be reached: ${reason}`);
        }
      } finally {
        release();
      }

      if (response.statusCode === 401 && credential.kind === 'client-credentials' && !refreshedToken) {
        // The cached token was revoked or expired early: fetch a new one and retry once.
        options.tokens.invalidate(token);
        token = await options.tokens.getToken();
        refreshedToken = true;
        attemptNo--;
        continue;
      }

      const contentType = response.headers['content-type'];
      if (response.statusCode >= 300 && response.statusCode < 400) throw redirectRefused(response.statusCode, response.headers.location);
      if (response.statusCode < 400) {
        const parsed = parseBody(response.body, contentType);
        return {
          status: response.statusCode,
          headers: response.headers,
          body: (request.keepSecret ? parsed : withoutSecrets(parsed)) as T,
          rawLength: response.body.length,
        };
      }
      if (response.statusCode === 404 && request.method === 'DELETE' && mayHaveApplied) {
        // The earlier attempt deleted it: reporting NOT_FOUND would tell the caller the delete failed.
        return { status: 404, headers: response.headers, body: undefined as T, deletedByEarlierAttempt: true };
      }

      const retryAfterHeader = response.headers['retry-after'];
      const retryAfterMs = clampRetryAfter(parseRetryAfter(typeof retryAfterHeader === 'string' ? retryAfterHeader : undefined), request);
      const failure: Failure = { kind: 'status', status: response.statusCode, retryAfterMs };
      if (response.statusCode === 429) {
        const decision = decide(failure, ++rateLimitedTries, idempotent, options.retry);
        const wait = decision.retry ? decision.delayMs : retryAfterMs ?? 1000;
        options.governor.pauseUntil(key, Date.now() + wait); // every caller of this client waits it out
        if (decision.retry && !scope.background && wait <= scope.rateLimitWaitLeftMs && Date.now() + wait < scope.deadline) {
          scope.rateLimitWaitLeftMs -= wait;
          await sleep(wait, undefined, { ref: false });
          continue;
        }
        throw upstreamError(429, parseBody(response.body, contentType), String(Math.max(1, Math.ceil(wait / 1000))));
      }
      mayHaveApplied ||= MAY_HAVE_APPLIED.has(response.statusCode);
      const decision = decide(failure, attemptNo - rateLimitedTries, idempotent && !scope.background, options.retry);
      if (decision.retry && Date.now() + decision.delayMs < scope.deadline) {
        await sleep(decision.delayMs, undefined, { ref: false });
        continue;
      }
      throw upstreamError(response.statusCode, withoutSecrets(parseBody(response.body, contentType)));
    }
  }

  /** A `Retry-After` longer than the configured maximum pauses only that long (one far-off date must not stop the gateway for a day). */
  function clampRetryAfter(retryAfterMs: number | undefined, request: UpstreamRequest): number | undefined {
    if (retryAfterMs === undefined || retryAfterMs <= options.maxRetryAfterMs) return retryAfterMs;
    clientOptions.onRetryAfterClamped?.({ route: routeTemplate(request.path), retryAfterMs, pauseMs: options.maxRetryAfterMs });
    return options.maxRetryAfterMs;
  }

  return {
    send,
    rateKey,
    breakerClosed: () => !breaker.opened,
    breakerState: () => (breaker.halfOpen ? 'half-open' : breaker.opened ? 'open' : 'closed'),
  };
}

/**
 * The ISC client as one GraphQL operation sees it: bound to the caller's credential and the
 * operation's scope, with every GET made at most once per operation (a per-request DataLoader
 * keyed by URL and media type). Writes clear that cache, so reads after a mutation see the new state.
 */
export interface Upstream {
  send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>>;
}

/** No deadline: for callers outside a GraphQL operation (scripts, tests). */
export const unboundedScope = (): OperationScope => ({
  deadline: Number.POSITIVE_INFINITY,
  signal: new AbortController().signal,
  rateLimitWaitLeftMs: 15_000,
});

export function bindUpstream(client: IscClient, credential: Credential, scope: OperationScope = unboundedScope()): Upstream {
  // Created on the first GET: operations refused before execution or answered from elsewhere make none.
  let gets: DataLoader<UpstreamRequest, UpstreamResponse<unknown>, string> | undefined;
  const loader = () =>
    (gets ??= new DataLoader<UpstreamRequest, UpstreamResponse<unknown>, string>(
      (requests) => Promise.all(requests.map((r) => client.send(credential, r, scope).catch((e: unknown) => e as Error))),
      { batch: false, cacheKeyFn: (r) => JSON.stringify([r.path, r.searchParams ?? {}, r.accept ?? '', !!r.experimental]) },
    ));
  return {
    async send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>> {
      if (request.method === 'GET') return (await loader().load(request)) as UpstreamResponse<T>;
      gets?.clearAll();
      try {
        return await client.send<T>(credential, request, scope);
      } finally {
        gets?.clearAll();
      }
    },
  };
}
