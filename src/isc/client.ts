import type { Got } from 'got';
import { DEFAULTS } from '../config/defaults.js';
import { createAgents, type OutboundAgents } from './agents.js';
import { createRateGovernor, type GovernorOptions, type RateGovernor } from './governor.js';
import { createPassthroughTokens, type PassthroughTokens, type TokenVerdicts } from './passthrough.js';
import { encodeRequest } from './encode.js';
import { PER_RESOURCE, type ApiPaths } from './api-paths.js';
import { watchDeprecations, type DeprecationNotice } from './deprecations.js';
import { localWriteClock, routeWords, type WriteClock } from './write-clock.js';
import { compose } from './pipeline.js';
import type { ResponseCache } from './response-cache.js';
import { routeTemplates } from './routes.js';
import type { RetryOptions } from './retry-policy.js';
import { circuitBreaker, type BreakerOptions } from './stages/breaker.js';
import { observeAttempts, observeCalls } from './stages/observe.js';
import { createOperationReads, operationReads } from './stages/operation-reads.js';
import { outcome } from './stages/outcome.js';
import { rateGoverned } from './stages/rate.js';
import { coalescing } from './stages/coalesce.js';
import { writeStamps } from './stages/write-stamps.js';
import { cachedResponses } from './stages/cached-responses.js';
import { retryPolicy } from './stages/retry.js';
import { renewsRefusedToken, sendsCurrentToken } from './stages/token.js';
import { transport } from './stages/transport.js';
import type { TokenProvider } from './token-provider.js';
import type { Credential, IscCall, IscClient, OperationScope, Upstream, UpstreamObserver, UpstreamRequest, UpstreamResponse } from './types.js';

export type * from './types.js';

export interface IscClientOptions {
  /** The tenant's API host, for example `https://acme.api.identitynow.com`. */
  baseUrl: string;
  /** ISC's path layout (default per-resource, `/connectors/v1/…`): domains write layout-neutral paths, the transport maps them. */
  paths?: ApiPaths;
  /** Hears of each route ISC marks deprecated (`X-Deprecated: true`), once per route. */
  onDeprecated?: DeprecationNotice;
  timeoutMs: number;
  tokens: TokenProvider;
  /** Governor key of the gateway's own OAuth client: its `client_id`. */
  clientId?: string;
  governor?: RateGovernor;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  /** Cross-request cache of reference data (off unless given; see response-cache.ts). */
  cache?: ResponseCache;
  /** Outbound agents (proxy, keep-alive; see agents.ts), shared with the token request. Default: direct keep-alive agents. */
  agents?: Pick<OutboundAgents, 'http' | 'https'>;
  /** Metrics, traces, logs: see observer.ts. */
  observers?: readonly UpstreamObserver[];
  /** Largest answer read, in bytes after decompression (default 32 MiB): beyond it the call is cut. */
  maxBodyBytes?: number;
  /** Longest pause a `Retry-After` may impose (default 1,200 s, ISC's highest backoff tier); `onRetryAfterClamped` hears of longer ones. */
  maxRetryAfterMs?: number;
  onRetryAfterClamped?: (event: { route: string; retryAfterMs: number; pauseMs: number }) => void;
  /** The domains' route templates: observers and logs name calls by them (see routes.ts). */
  routes?: readonly string[];
  /** The clock of writes that keys cache entries and shared reads (write-clock.ts); default: this process's. */
  clock?: WriteClock;
  /** Share identical GETs in flight across operations (default on). */
  coalesce?: boolean;
  /** The verdicts on pass-through tokens, shared by replicas (see passthrough.ts); default: this process's. */
  tokenVerdicts?: TokenVerdicts;
}

/** Without options, the configuration's defaults (src/config/defaults.ts: ISC's documented limit, 100 calls per 10 s per client). */
const { upstream: UPSTREAM_DEFAULTS, rate: RATE_DEFAULTS } = DEFAULTS;
const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: UPSTREAM_DEFAULTS.retryAttempts,
  baseDelayMs: UPSTREAM_DEFAULTS.retryBaseDelayMs,
  maxDelayMs: UPSTREAM_DEFAULTS.retryMaxDelayMs,
};
const DEFAULT_BREAKER: BreakerOptions = {
  errorThresholdPercentage: UPSTREAM_DEFAULTS.breaker.errorPercent,
  volumeThreshold: UPSTREAM_DEFAULTS.breaker.volume,
  resetTimeoutMs: UPSTREAM_DEFAULTS.breaker.resetMs,
  rollingWindowMs: UPSTREAM_DEFAULTS.breaker.rollingWindowMs,
};
const DEFAULT_GOVERNOR: GovernorOptions = {
  limit: RATE_DEFAULTS.limit,
  windowMs: RATE_DEFAULTS.windowMs,
  maxConcurrency: RATE_DEFAULTS.maxConcurrency,
  maxQueue: RATE_DEFAULTS.maxQueue,
};

/** Keep-alive agents: ISC calls of one operation reuse warm connections instead of new TLS handshakes. */
export function keepAliveAgents(): Pick<OutboundAgents, 'http' | 'https'> {
  const { http, https } = createAgents('https://isc.invalid'); // no proxy settings: direct
  return { http, https };
}

/**
 * The single way to ISC: a pipeline of small stages (src/isc/stages/), composed here, top to
 * bottom in the order a call goes through them.
 */
export function createIscClient(options: IscClientOptions, httpClient?: Got): IscClient {
  const breaker = circuitBreaker(options.breaker ?? DEFAULT_BREAKER);
  const governor = options.governor ?? createRateGovernor(DEFAULT_GOVERNOR);
  const passthrough = createPassthroughTokens({ governor, shared: options.tokenVerdicts });
  const clock = options.clock ?? localWriteClock(routeWords(options.routes ?? []));
  const paths = options.paths ?? PER_RESOURCE;
  const origin = new URL(options.baseUrl).origin;
  const deprecations = watchDeprecations(paths.layout, options.onDeprecated ?? (() => undefined));
  const send = compose(
    [
      operationReads, // each GET once per operation; writes forget their collection
      observeCalls(options.observers ?? []), // start and end of each call, for metrics, traces, logs
      options.cache || options.coalesce !== false ? writeStamps(clock) : undefined, // a GET's write stamp; a write moves the clock on before its caller has the answer
      cachedResponses(options.cache, { clock, refresh: (call) => send(call), limited: (key) => governor.budget(key).remaining === 0 }), // the operator's cached domains, per caller and stamp; past the TTL while the client is limited
      options.coalesce === false ? undefined : coalescing(origin), // identical GETs in flight share one call
      outcome, // the final answer, or a coded error keeping ISC's status and trackingId
      passthrough.stage, // a caller's token: its client's budget once ISC accepted it, else one verification call in the unverified pool
      retryPolicy(options.retry ?? DEFAULT_RETRY, origin), // backoff, 429 waits, the deadline before each attempt
      renewsRefusedToken(options.tokens), // the gateway's or a session's token, obtained before the rate wait; a refused one is replaced once
      rateGoverned({
        governor,
        maxRetryAfterMs: options.maxRetryAfterMs ?? UPSTREAM_DEFAULTS.maxRetryAfterMs,
        onRetryAfterClamped: options.onRetryAfterClamped,
      }), // one rate slot per attempt; a 429's Retry-After pauses the client here
      sendsCurrentToken(options.tokens), // the bearer as it is after the rate wait (a token can expire in the queue)
      observeAttempts, // each HTTP attempt, for the observers (and their trace headers)
      breaker.stage, // stops calling a failing ISC for a while
      deprecations.stage, // ISC's `X-Deprecated: true`, noticed once per route
    ],
    transport(
      {
        baseUrl: options.baseUrl,
        paths,
        timeoutMs: options.timeoutMs,
        agents: options.agents ?? keepAliveAgents(),
        maxBodyBytes: options.maxBodyBytes ?? UPSTREAM_DEFAULTS.maxBodyBytes,
      },
      httpClient,
    ),
  );
  const rateKey = rateKeys(options.clientId ?? 'gateway', passthrough);
  const callerKey = callerKeys(rateKey, passthrough);
  const routeOf = routeTemplates(options.routes ?? []);
  return {
    async send<T>(credential: Credential, request: UpstreamRequest, scope: OperationScope): Promise<UpstreamResponse<T>> {
      return (await send(
        encode(credential, request, scope, { rate: rateKey(credential), caller: callerKey(credential) }, routeOf(request.path)),
      )) as UpstreamResponse<T>;
    },
    rateKey,
    callerKey,
    breakerClosed: () => breaker.closed(),
    breakerState: () => breaker.state(),
    passthroughStats: () => passthrough.stats(),
    deprecatedRoutes: () => deprecations.routes.list(),
  };
}

/** The rate-governor key of a credential: the gateway's OAuth client, the sign-in client of a session, or a caller's token's client once ISC accepted the token (see passthrough.ts). */
function rateKeys(clientId: string, passthrough: PassthroughTokens): (credential: Credential) => string {
  return (credential) => {
    if (credential.kind === 'client-credentials') return `client:${clientId}`;
    if (credential.kind === 'session') return `client:${credential.session.clientId}`;
    return passthrough.rateKey(credential.token);
  };
}

/** The key of a caller's own answers: per session, per caller's token (never its client: two users of one client never share an answer), else the gateway's client. */
function callerKeys(rateKey: (credential: Credential) => string, passthrough: PassthroughTokens): (credential: Credential) => string {
  return (credential) => {
    if (credential.kind === 'session') return `session:${credential.session.key}`;
    if (credential.kind === 'bearer') return passthrough.callerKey(credential.token);
    return rateKey(credential);
  };
}

function encode(
  credential: Credential,
  request: UpstreamRequest,
  scope: OperationScope,
  keys: { rate: string; caller: string },
  route: string,
): IscCall {
  return { credential, request, ...encodeRequest(request), scope, route, rateKey: keys.rate, callerKey: keys.caller, attempt: 1, watches: [] };
}

/** No deadline: for callers outside a GraphQL operation (scripts, tests). */
export const unboundedScope = (): OperationScope => ({
  deadline: Number.POSITIVE_INFINITY,
  signal: new AbortController().signal,
  rateLimitWaitLeftMs: RATE_DEFAULTS.limitWaitMs,
  reads: createOperationReads(),
});

/** The client bound to one caller and one operation (see Upstream). */
export function bindUpstream(client: IscClient, credential: Credential, scope: OperationScope = unboundedScope()): Upstream {
  scope.reads ??= createOperationReads();
  const reads = scope.reads;
  return {
    send: <T>(request: UpstreamRequest) => client.send<T>(credential, request, scope),
    prime: (read, body) => reads.prime(read, body),
  };
}
