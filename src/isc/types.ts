import type { Method } from 'got';
import type { ApiPathLayout } from './api-paths.js';

/** Whose ISC rights a call uses. A caller's bearer is used for that caller's request only. */
export type Credential =
  | { kind: 'client-credentials' }
  /** A caller's own ISC token; `address` is the client address it came from (fairness of the unverified pool). */
  | { kind: 'bearer'; token: string; address?: string }
  | { kind: 'session'; session: SessionCredential };

/** A browser session's ISC user token (auth/session/): refreshed by the session, not by the client. */
export interface SessionCredential {
  /** Stable for the session (an HMAC of its id): per-caller caches use it, since the token changes at each refresh. */
  key: string;
  /** The sign-in OAuth client: ISC's limit is per client, so every session shares its budget. */
  clientId: string;
  /** The current access token, refreshed ahead of its expiry. */
  accessToken(): Promise<string>;
  /** ISC refused `token` (401): a renewed one, or UNAUTHENTICATED once the session has ended. */
  renew(token: string): Promise<string>;
  /**
   * The session for work after its request (a background refresh): undefined once it has ended
   * (signed out, idle, too old); otherwise a credential that reads each token from the session as
   * stored when asked for, so a sign-out meanwhile still stops the work (UNAUTHENTICATED, nothing sent).
   */
  forBackground(): Promise<SessionCredential | undefined>;
}

export type SearchParams = Record<string, string | number | boolean | undefined>;

/** One ISC call as a domain asks for it. */
export interface UpstreamRequest {
  method: Method;
  /** Layout-neutral path (`connectors/{scriptName}`, built with the `path` tag so identifiers are encoded): the transport maps it to ISC's layout. */
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
  /** Sends `X-SailPoint-Experimental: true` (required by every source-app call, in both path layouts). */
  experimental?: boolean;
  /** Keep a `secret` member in the answer: only for the answer that creates an OAuth client. */
  keepSecret?: boolean;
  /** A lookup of many resources by id in one list call: the response cache keeps and serves it per id (see stages/cached-responses.ts). */
  byIds?: ByIdsRead;
  /** A list whose items are whole resources, as their by-id read answers them: the response cache also keeps each under that read's entry (held-items.ts). */
  holds?: HeldItems;
}

/** How the items of a list answer map to the by-id reads they answer. */
export interface HeldItems {
  /** The path of one resource (its entry's URL): the path its by-id GET asks for. */
  entryPath(id: string): string;
  /** The id of an item of the answer. */
  idOf(item: unknown): string | undefined;
}

/** What the response cache needs to split a lookup by ids into per-id entries, and to ask ISC only for the ids it lacks. */
export interface ByIdsRead extends HeldItems {
  ids: readonly string[];
  /** The same lookup for fewer ids. */
  request(ids: readonly string[]): UpstreamRequest;
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
  /** The operation's own reads, each made once (see stages/operation-reads.ts). */
  reads?: OperationReads;
  /**
   * Work no caller waits for (readiness probes, cache refreshes): never served from the response
   * cache, never retried, and sent only when a rate slot is free at once with nobody queued (see `tryAcquire`).
   */
  background?: boolean;
  /** The caller asked for fresh data (`Cache-Control: no-cache`): the response cache is not read (in-flight reads are still shared). */
  fresh?: boolean;
  /** ISC answers this operation got from the response cache, and their age: reported in `extensions.cache`. */
  cacheHits?: CacheHit[];
}

export interface CacheHit {
  method: string;
  route: string;
  /** How long ago ISC gave this answer. */
  ageMs: number;
  /** Past its TTL. */
  stale: boolean;
  /** Why a stale answer was served: within the stale grace while a background refresh runs, or because the caller's ISC client was limited. */
  reason?: 'revalidating' | 'rate-limited';
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
  /** Answered by another operation's identical call in flight (that operation's line lists the call). */
  coalesced?: boolean;
}

/** An operation's log line lists at most this many calls (its cost limit allows far more). */
export const MAX_CALLS_RECORDED = 50;

/** A call on its way down the pipeline: the request, encoded once, and what every stage needs to know of it. */
export interface IscCall {
  credential: Credential;
  request: UpstreamRequest;
  /** Path and query string, below the API URL. */
  url: string;
  headers: Record<string, string>;
  body: string | FormData | undefined;
  scope: OperationScope;
  /** Route template, for observers and logs. */
  route: string;
  /** The rate-governor key of the credential. */
  rateKey: string;
  /** A GET's write stamp (write-clock.ts): cache entries and shared reads are keyed by it. */
  stamp?: string;
  /** Whose answers these are, for caches across operations: one key per caller (a session, a token, the gateway's client). */
  callerKey: string;
  /** 1 for the first attempt: set in place by the retry stage before each attempt. */
  attempt: number;
  /** What the observers want to hear of this call (set by the observe stage), and what they were told it is. */
  watches: readonly CallWatch[];
  start?: CallStart;
}

/** ISC's answer as the stages pass it up: status, headers and the parsed body. */
export interface IscAnswer extends UpstreamResponse {
  /** Characters of the raw body. */
  rawLength: number;
  /** Served by the response cache, not by ISC. */
  cached?: boolean;
  /** Shared with an identical read already in flight (another operation's call). */
  coalesced?: boolean;
  /** A 429's `Retry-After`, clamped, in ms (set by the governor stage, which paused the key that long). */
  retryAfterMs?: number;
}

export type Next = (call: IscCall) => Promise<IscAnswer>;

/** A route ISC answered with `X-Deprecated: true`, as this process saw it (see deprecations.ts). */
export interface DeprecatedRoute {
  method: string;
  /** Route template (`connectors/{scriptName}`): the same name metrics and logs use. */
  route: string;
  layout: ApiPathLayout;
  /** Deprecated answers seen for it. */
  answers: number;
}

/** One step of the pipeline: does its part and hands the call to `next` (or answers itself). */
export type Stage = (call: IscCall, next: Next) => Promise<IscAnswer>;

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface IscClient {
  send<T>(credential: Credential, request: UpstreamRequest, scope: OperationScope): Promise<UpstreamResponse<T>>;
  /** The rate-governor key of a credential (ISC's limit is per OAuth client). */
  rateKey(credential: Credential): string;
  /** Whose answers a credential gets: the key of per-caller caches (a session's users share a rate key, not their rights). */
  callerKey(credential: Credential): string;
  /** Whether the circuit breaker currently lets calls through. */
  breakerClosed(): boolean;
  breakerState(): BreakerState;
  /** Pass-through tokens verified without naming an OAuth client, for metrics (see passthrough.ts). */
  passthroughStats?(): { withoutClient: number };
  /** The routes ISC answered with `X-Deprecated: true` so far (see deprecations.ts). */
  deprecatedRoutes?(): readonly DeprecatedRoute[];
}

/**
 * The ISC client as one GraphQL operation sees it: bound to the caller's credential and the
 * operation's scope. Every GET is made at most once per operation; a domain primes what a write
 * answered, and a write forgets the reads of its collection.
 */
export interface Upstream {
  send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>>;
  /** Makes `read` answer `body` for the rest of the operation (a write answered the resource's new state). */
  prime(read: UpstreamRequest, body: unknown): void;
}

/**
 * The reads of one GraphQL operation: every GET is made at most once per operation (the same
 * promise for every field that asks, errors included), a write forgets the reads of its
 * collection (so reads after a mutation see the new state), and a domain primes a read with what
 * a write answered. The only per-operation cache: domain loaders remain only where they batch.
 */
export interface OperationReads {
  get(read: UpstreamRequest): Promise<IscAnswer> | undefined;
  set(read: UpstreamRequest, answer: Promise<IscAnswer>): void;
  /** The reads of `path`'s collection (its first segment) are made again. */
  forget(path: string): void;
  prime(read: UpstreamRequest, body: unknown): void;
}

/**
 * The one way to watch ISC calls: metrics, traces, the per-operation call list of the request
 * log and the failed-call log all subscribe here. `start` runs once per call that gets past the
 * operation's own reads; the watch it answers hears of each HTTP attempt (in the async context of
 * the caller, so a tracer sees its parent span, and with the request headers it may add to), of
 * each retry, and of the call's end.
 */
export interface UpstreamObserver {
  start(call: CallStart): CallWatch | undefined;
}

export interface CallWatch {
  /** An attempt is about to be sent; the function answered hears its outcome. */
  attempt?(attempt: UpstreamAttempt, headers: Record<string, string>, call: CallStart): ((outcome: UpstreamAttemptOutcome) => void) | undefined;
  /** The retry stage will try again after `delayMs`. */
  retry?(retry: UpstreamRetry): void;
  end?(end: CallEnd, call: CallStart): void;
}

export interface CallStart {
  method: string;
  /** Route template: never identifiers or query strings. */
  route: string;
  credential: Credential['kind'];
  scope: OperationScope;
}

/** An attempt about to be sent, as observers see it. */
export interface UpstreamAttempt {
  method: string;
  route: string;
  /** 1 for the first attempt of a call. */
  attempt: number;
}

export interface UpstreamAttemptOutcome {
  status?: number;
  /** Transport failure code (ECONNRESET, ETIMEDOUT, EOPENBREAKER…) when there was no answer. */
  error?: string;
  durationMs: number;
}

export interface UpstreamRetry {
  /** The attempt that failed. */
  attempt: number;
  /** A status (`429`, `503`) or a transport failure code. */
  reason: string;
  delayMs: number;
}

export interface CallEnd {
  status?: number;
  /** Answered by the response cache. */
  cached?: boolean;
  /** Answered by an identical call another operation had in flight. */
  coalesced?: boolean;
  /** The error the call ended with (a coded GraphQLError, as the caller gets it). */
  error?: unknown;
  durationMs: number;
}
