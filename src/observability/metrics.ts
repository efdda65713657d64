import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../shared/package.js';
import type { Context } from '../context.js';
import type { BreakerState, IscClient } from '../isc/client.js';
import type { Budget } from '../isc/governor.js';
import type { CallWatch, UpstreamAttemptOutcome, UpstreamObserver } from '../isc/types.js';
import type { RateGovernor } from '../isc/governor.js';
import type { ResponseCache } from '../isc/response-cache.js';
import type { IssuedToken } from '../isc/token-provider.js';
import type { RouteHandler } from '../shared/http-types.js';

/** What the metrics read when scraped (gauges of state owned elsewhere). */
export interface WatchedState {
  governor: RateGovernor;
  client: IscClient;
  cache?: ResponseCache;
  /** The replicas' Redis, when configured (SAIL_REDIS_URL). */
  shared?: { available(): boolean };
  /** The Redis of the shared cache's entries, when it is another one (SAIL_REDIS_CACHE_URL). */
  sharedCache?: { available(): boolean };
}

export interface GatewayMetrics {
  plugin: ApolloServerPlugin<Context>;
  route: RouteHandler;
  upstreamObserver: UpstreamObserver;
  tokenExchange(exchange: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
  watch(state: WatchedState): void;
  /** A GraphQL request refused before Apollo saw it: counted with unknown name and type. */
  refused(errors: readonly { extensions?: Readonly<Record<string, unknown>> }[]): void;
  /** This gateway's own metrics (not the process metrics), for tests and embedding code. */
  registry: Registry;
}

// ---------------------------------------------------------------------------------------------
// Label values: every one comes from a bounded set, so no caller can grow the series without end.

/** The shape of a GraphQL name, at most 64 characters: only such operation names become labels. */
const OPERATION_NAME_SHAPE = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
export const MAX_OPERATION_NAMES = 100;
/** Names one caller may add to the label set: a caller can take only a few of the slots. */
export const MAX_OPERATION_NAMES_PER_CALLER = 10;

/** Who sent an operation, as far as label admission is concerned. */
export interface NameSource {
  /** The operation came from the trusted-documents manifest: its name is the operator's. */
  trusted?: boolean;
  /** A caller the gateway or ISC has verified (an API key, or a bearer ISC accepted), by a stable key; undefined otherwise. */
  caller?: string;
}

/**
 * Operation names are chosen by callers, so only names from trusted documents, or the first few
 * names of each verified caller (at most `max` in all), become label values; names of unverified
 * callers (any unchecked bearer can be forged), later names and malformed ones count as `other`.
 * An unnamed operation is `anonymous`.
 */
export function operationNameLabels(
  max = MAX_OPERATION_NAMES,
  perCaller = MAX_OPERATION_NAMES_PER_CALLER,
): (name: string | null | undefined, source?: NameSource) => string {
  const admitted = new Set<string>();
  const trustedNames = new Set<string>();
  const byCaller = new Map<string, number>();
  return (name, source = {}) => {
    if (!name) return 'anonymous';
    if (admitted.has(name) || trustedNames.has(name)) return name;
    if (!OPERATION_NAME_SHAPE.test(name)) return 'other';
    if (source.trusted) {
      trustedNames.add(name); // bounded by the manifest
      return name;
    }
    if (source.caller === undefined || admitted.size >= max) return 'other';
    const added = byCaller.get(source.caller) ?? 0;
    if (added >= perCaller) return 'other';
    if (byCaller.size >= 10 * max) byCaller.clear(); // forgetting callers only lets them add a few names again
    byCaller.set(source.caller, added + 1);
    admitted.add(name);
    return name;
  };
}

/** A verified caller's key: the gateway's own credentials (an API key was checked), or a bearer ISC answered without 401. */
function verifiedCaller(context: Context | undefined): string | undefined {
  if (!context) return undefined;
  // The gateway's own credentials (an API key was checked), or a session it signed in itself.
  if (context.credential.kind !== 'bearer') return context.principal();
  const accepted = context.scope.calls?.some((call) => call.status !== undefined && call.status !== 401 && call.status < 500);
  return accepted ? context.principal() : undefined;
}

/**
 * The outcomes of an operation other than `success`: the lower-cased `extensions.code` values the
 * gateway and Apollo Server answer with, most serious first. An answer with several errors counts
 * as its most serious one; a code not listed here counts as `other_error`.
 */
export const ERROR_OUTCOMES = [
  'internal_server_error',
  'upstream_outcome_unknown',
  'upstream_unavailable',
  'upstream_response_too_large',
  'upstream_error',
  'deadline_exceeded',
  'rate_limited',
  'unauthenticated',
  'forbidden',
  'not_found',
  'bad_user_input',
  'query_too_complex',
  'graphql_validation_failed',
  'graphql_parse_failed',
  'persisted_query_not_allowed',
  'persisted_query_not_found',
  'persisted_query_not_supported',
  'operation_resolution_failure',
  'bad_request',
  'other_error',
] as const;
export type Outcome = 'success' | (typeof ERROR_OUTCOMES)[number];

const OTHER_ERROR = ERROR_OUTCOMES.length - 1;
const RANK_BY_CODE: ReadonlyMap<string, number> = new Map(ERROR_OUTCOMES.map((outcome, rank) => [outcome.toUpperCase(), rank]));
const rankOf = (code: unknown): number => (typeof code === 'string' ? (RANK_BY_CODE.get(code) ?? OTHER_ERROR) : OTHER_ERROR);

/** `success` without errors, else the most serious error's code (see ERROR_OUTCOMES). */
export function outcomeOf(errors: readonly { readonly extensions?: Readonly<Record<string, unknown>> }[] | undefined): Outcome {
  if (!errors || errors.length === 0) return 'success';
  let rank = OTHER_ERROR;
  for (const error of errors) rank = Math.min(rank, rankOf(error.extensions?.code));
  return ERROR_OUTCOMES[rank];
}

/** The outcome of a thrown error: its code when it is a GraphQLError, else `internal_server_error`. */
export function outcomeOfError(error: unknown): Outcome {
  return error instanceof GraphQLError ? ERROR_OUTCOMES[rankOf(error.extensions.code)] : 'internal_server_error';
}

/** Transport failure codes (ECONNRESET, ETIMEDOUT…) and error names are set by code, never by callers; this only guards the shape. */
const TRANSPORT_CODE_SHAPE = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** `status` label of an ISC attempt: the HTTP status, else the transport failure code. */
export function upstreamStatusLabel(outcome: UpstreamAttemptOutcome): string {
  if (outcome.status !== undefined)
    return Number.isInteger(outcome.status) && outcome.status >= 100 && outcome.status <= 599 ? String(outcome.status) : 'other';
  return outcome.error !== undefined && TRANSPORT_CODE_SHAPE.test(outcome.error) ? outcome.error : 'error';
}

/** `reason` label of a retry: the status that caused it (`429`, `503`…), else the transport failure code. */
export function retryReasonLabel(reason: string): string {
  return /^[1-5]\d\d$/.test(reason) || TRANSPORT_CODE_SHAPE.test(reason) ? reason : 'error';
}

/** Distinct (method, route) pairs kept as labels; routes are templates, so this is a safety net only. */
const MAX_UPSTREAM_ROUTES = 200;
/** Distinct statuses / failure codes remembered per route (more are still counted, just looked up each time). */
const MAX_STATUSES_PER_ROUTE = 64;

// ---------------------------------------------------------------------------------------------
// Budgets per OAuth client: the `client` label is the OAuth client id of a governor key
// (`client:<id>`: the gateway's credential, a sign-in client, a verified pass-through client).
// Keys that are token hashes (or any key that names no client) never become labels.

/** Clients shown by their own label; later ones share OTHER_CLIENTS. */
export const MAX_BUDGET_CLIENTS = 50;
/** The one label of every governor key that is not an OAuth client: token hashes, unverified tokens. */
export const PASSTHROUGH_AGGREGATE = 'passthrough-unverified-or-hashed';
/** The label of clients past MAX_BUDGET_CLIENTS (or with an id of unexpected shape). */
export const OTHER_CLIENTS = 'other-clients';
/** Keys behind the two aggregate labels, the most recently used kept: bounds the work of a scrape. */
const MAX_AGGREGATED_KEYS = 256;
const CLIENT_ID_SHAPE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The `client` label of a governor key: its OAuth client id, the aggregate of token keys, or OTHER_CLIENTS. */
export function budgetClientLabel(key: string): string {
  if (!key.startsWith('client:')) return PASSTHROUGH_AGGREGATE;
  const id = key.slice('client:'.length);
  return CLIENT_ID_SHAPE.test(id) ? id : OTHER_CLIENTS;
}

/** The governor keys seen so far, by label: the first `max` clients each under their own, the rest aggregated. */
export interface BudgetKeys {
  note(key: string): void;
  /** Label → the keys it stands for. */
  groups(): Map<string, string[]>;
}

export function budgetKeys(max = MAX_BUDGET_CLIENTS): BudgetKeys {
  const labelled = new Map<string, string>();
  // One bounded set per aggregate, so that a flood of token keys never pushes clients out of theirs.
  const aggregated = new Map(
    [PASSTHROUGH_AGGREGATE, OTHER_CLIENTS].map((label) => [label, new LRUCache<string, true>({ max: MAX_AGGREGATED_KEYS })]),
  );
  return {
    note(key) {
      if (labelled.has(key)) return;
      const label = budgetClientLabel(key);
      const aggregate = aggregated.get(label);
      if (aggregate) aggregate.set(key, true);
      else if (labelled.size < max) labelled.set(key, label);
      else aggregated.get(OTHER_CLIENTS)!.set(key, true);
    },
    groups() {
      const groups = new Map([...labelled].map(([key, label]) => [label, [key]]));
      for (const [label, keys] of aggregated) if (keys.size > 0) groups.set(label, [...keys.keys()]);
      return groups;
    },
  };
}

/** One label's budget: the smallest budget left among its keys, and the longest pause ISC asked of one of them. */
export function budgetOfGroup(budgets: readonly Budget[]): { remaining: number; limit: number; pausedSeconds: number } {
  let remaining = Number.POSITIVE_INFINITY;
  let limit = Number.POSITIVE_INFINITY;
  let pausedMs = 0;
  for (const budget of budgets) {
    remaining = Math.min(remaining, budget.remaining);
    limit = Math.min(limit, budget.limit);
    pausedMs = Math.max(pausedMs, budget.pausedForMs);
  }
  return { remaining, limit, pausedSeconds: pausedMs / 1000 };
}

/** The budget gauges, read from the governor at scrape time for every key noted so far. */
function registerBudgetMetrics(registry: Registry, watched: () => WatchedState | undefined, keys: BudgetKeys): void {
  const read = () => {
    const state = watched();
    if (!state) return [];
    return [...keys.groups()].map(([client, group]) => ({ client, ...budgetOfGroup(group.map((key) => state.governor.budget(key))) }));
  };
  const gauge = (name: string, help: string, value: (budget: ReturnType<typeof read>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['client'],
      registers: [registry],
      collect() {
        this.reset();
        for (const budget of read()) this.set({ client: budget.client }, value(budget));
      },
    });
  gauge(
    'isc_gateway_rate_budget_remaining',
    `ISC calls this OAuth client may start now without waiting (per client id; ${PASSTHROUGH_AGGREGATE}: the smallest among token-keyed budgets)`,
    (budget) => budget.remaining,
  );
  gauge(
    'isc_gateway_rate_budget_limit',
    "The calls per window the rate governor allows this OAuth client (ISC's limit as the gateway sees it)",
    (b) => b.limit,
  );
  gauge(
    'isc_gateway_rate_paused_seconds',
    "Seconds before this OAuth client may start a call, while its budget is spent: the pause after ISC's 429 (Retry-After) in force, or the wait for a slot of the window; 0 while budget is left",
    (budget) => budget.pausedSeconds,
  );
}

// ---------------------------------------------------------------------------------------------
// Process metrics: prom-client's default collectors are process-wide (event-loop monitor, GC
// observer), so they are set up once per process, in their own registry, and appended to every
// gateway's scrape. A gateway's own metrics live in a registry per createMetrics(), so tests that
// start many gateways in one process never collide ("already registered") or share counts.

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

/** An ISC attempt the open circuit refused: nothing was sent, so it has no latency worth observing. */
const NOT_SENT_BREAKER_OPEN = 'EOPENBREAKER';

type CounterChild = { inc(value?: number): void };
type HistogramChild = { observe(value: number): void };

/** Metrics read at scrape time from a source's totals: a counter set to the absolute value. */
function totalsCounter(registry: Registry, name: string, help: string, read: () => number | undefined): Counter {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      this.reset();
      if (value !== undefined) this.inc(value);
    },
  });
}

function stateGauge(registry: Registry, name: string, help: string, read: () => number | undefined): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read() ?? 0);
    },
  });
}

/** The scrape of a gateway: its own metrics, then the process metrics. */
function scrapeOf(registry: Registry, processWide: Registry): () => Promise<string> {
  return async () => {
    const [own, shared] = await Promise.all([registry.metrics(), processWide.metrics()]);
    return `${own}\n${shared}`;
  };
}

/** `GET /metrics` (and HEAD): the scrape in Prometheus' text format, never cached. */
function metricsRoute(contentType: string, scrape: () => Promise<string>): RouteHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const headers = { 'content-type': contentType, 'cache-control': 'no-store' };
    if (req.method === 'HEAD') {
      res.writeHead(200, headers).end();
      return;
    }
    const text = await scrape();
    res.writeHead(200, headers).end(text);
  };
}

/** Which release is running: one series, always 1, so dashboards can join or annotate by version. */
function registerBuildInfo(registry: Registry): void {
  new Gauge({ name: 'isc_gateway_build_info', help: 'The running release of the gateway (always 1)', labelNames: ['version'], registers: [registry] })
    .labels(VERSION)
    .set(1);
}

interface OperationRecorder {
  count(name: string, type: string, outcome: Outcome): void;
  time(type: string, outcome: Outcome, seconds: number): void;
}

/** GraphQL operations: counted by name, type and outcome, timed by type and outcome. */
function operationMetrics(registry: Registry): OperationRecorder {
  const operations = new Counter({
    name: 'isc_gateway_graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (success, or the most serious error code)',
    labelNames: ['operation_name', 'operation_type', 'outcome'],
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'isc_gateway_graphql_operation_duration_seconds',
    help: 'Time from the start of a GraphQL operation to its answer, by operation type and outcome',
    labelNames: ['operation_type', 'outcome'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const operationCounts = new Map<string, CounterChild>();
  const operationDurations = new Map<string, HistogramChild>();
  return {
    count(name, type, outcome) {
      const key = `${name}\u0000${type}\u0000${outcome}`;
      let count = operationCounts.get(key);
      if (!count) operationCounts.set(key, (count = operations.labels(name, type, outcome)));
      count.inc();
    },
    time(type, outcome, seconds) {
      const key = `${type}\u0000${outcome}`;
      let duration = operationDurations.get(key);
      if (!duration) operationDurations.set(key, (duration = operationDuration.labels(type, outcome)));
      duration.observe(seconds);
    },
  };
}

/** The Apollo plugin that records every operation, those refused before they were resolved included. */
function operationPlugin(
  operations: OperationRecorder,
  trustedDocuments: boolean,
  answered: (context: Context) => void,
): ApolloServerPlugin<Context> {
  const nameLabel = operationNameLabels();
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName, request, errors, contextValue }) {
          const body = response.body;
          const formatted = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const outcome = outcomeOf(formatted ?? errors);
          // Refused before the operation was resolved (parse or validation failure): only a name sent in
          // `operationName` is known.
          const type = operation?.operation ?? 'unknown';
          const source: NameSource = { trusted: trustedDocuments, caller: verifiedCaller(contextValue) };
          const name = operation ? nameLabel(operationName, source) : request.operationName ? nameLabel(request.operationName, source) : 'unknown';
          operations.count(name, type, outcome);
          operations.time(type, outcome, (performance.now() - started) / 1000);
          answered(contextValue);
        },
      };
    },
    // Refused before the document was read: no credential, or a malformed HTTP request.
    async contextCreationDidFail({ error }) {
      operations.count('unknown', 'unknown', outcomeOfError(error));
    },
    async invalidRequestWasReceived() {
      operations.count('unknown', 'unknown', 'bad_request');
    },
  };
}

type AttemptFinisher = (outcome: UpstreamAttemptOutcome) => void;

interface UpstreamAttempts {
  /** The finisher of an attempt on (method, route), created on first use and reused for every attempt. */
  finisherFor(method: string, route: string): AttemptFinisher;
  /** Whether routes are still taken as labels (below MAX_UPSTREAM_ROUTES). */
  routesOpen(): boolean;
}

/** ISC attempts: counted by (method, route, status), timed by (method, route). */
function upstreamAttemptMetrics(registry: Registry): UpstreamAttempts {
  const upstreamRequests = new Counter({
    name: 'isc_gateway_upstream_requests_total',
    help: 'HTTP requests to ISC (every attempt, retries included) by method, route template and status or transport error code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'isc_gateway_upstream_request_duration_seconds',
    help: 'Duration of one HTTP request to ISC (one attempt), by method and route template',
    labelNames: ['method', 'route'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const finishers = new Map<string, Map<string, AttemptFinisher>>();
  let routeCount = 0;

  function upstreamFinisher(method: string, route: string): AttemptFinisher {
    const byStatus = new Map<number | string, CounterChild>();
    const duration = upstreamDuration.labels(method, route);
    return (outcome) => {
      const key = outcome.status ?? outcome.error ?? '';
      let count = byStatus.get(key);
      if (!count) {
        count = upstreamRequests.labels(method, route, upstreamStatusLabel(outcome));
        if (byStatus.size < MAX_STATUSES_PER_ROUTE) byStatus.set(key, count);
      }
      count.inc();
      if (outcome.error !== NOT_SENT_BREAKER_OPEN) duration.observe(outcome.durationMs / 1000);
    };
  }
  function finisherFor(method: string, route: string): AttemptFinisher {
    let byRoute = finishers.get(method);
    let finish = byRoute?.get(route);
    if (finish) return finish;
    if (routeCount >= MAX_UPSTREAM_ROUTES) return finisherFor('other', 'other');
    if (!byRoute) finishers.set(method, (byRoute = new Map<string, AttemptFinisher>()));
    finish = upstreamFinisher(method, route);
    byRoute.set(route, finish);
    routeCount++;
    return finish;
  }
  return { finisherFor, routesOpen: () => routeCount < MAX_UPSTREAM_ROUTES };
}

/** Token refreshes (client-credentials exchanges): a wrapper that counts and times each exchange. */
function tokenExchangeMetrics(registry: Registry): GatewayMetrics['tokenExchange'] {
  const tokenRefreshes = new Counter({
    name: 'isc_gateway_token_refreshes_total',
    help: 'Client-credentials token requests to ISC by outcome (success, or the error code)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const tokenDuration = new Histogram({
    name: 'isc_gateway_token_refresh_duration_seconds',
    help: 'Duration of one client-credentials token request to ISC',
    buckets: TOKEN_BUCKETS,
    registers: [registry],
  });
  return (exchange) => async () => {
    const started = performance.now();
    try {
      const issued = await exchange();
      tokenRefreshes.inc({ outcome: 'success' });
      return issued;
    } catch (error) {
      tokenRefreshes.inc({ outcome: outcomeOfError(error) });
      throw error;
    } finally {
      tokenDuration.observe((performance.now() - started) / 1000);
    }
  };
}

/** The rate governor and the circuit breaker, read at scrape time; nothing is exported until watch() is called. */
function registerGovernorAndBreakerMetrics(registry: Registry, watched: () => WatchedState | undefined): void {
  const governor = () => watched()?.governor.stats();
  stateGauge(
    registry,
    'isc_gateway_governor_queued_calls',
    'ISC calls waiting for the rate governor (a permit or a slot in the window) now',
    () => governor()?.queued,
  );
  stateGauge(registry, 'isc_gateway_governor_running_calls', 'ISC calls holding a rate-governor permit now', () => governor()?.running);
  totalsCounter(
    registry,
    'isc_gateway_passthrough_tokens_without_client_total',
    'Pass-through bearer tokens ISC accepted that name no OAuth client (client_id): each keeps a rate budget of its own',
    () => watched()?.client.passthroughStats?.().withoutClient,
  );
  totalsCounter(registry, 'isc_gateway_governor_waits_total', 'ISC calls that waited for the rate governor before starting', () => governor()?.waits);
  totalsCounter(registry, 'isc_gateway_governor_wait_seconds_total', 'Total time ISC calls waited for the rate governor', () => {
    const waitMs = governor()?.waitMs;
    return waitMs === undefined ? undefined : waitMs / 1000;
  });
  totalsCounter(
    registry,
    'isc_gateway_governor_refusals_total',
    'ISC calls the rate governor refused (RATE_LIMITED: queue full or no slot before the deadline)',
    () => governor()?.refused,
  );
  const breakerLabels = BREAKER_STATES.map((state) => ({ state }));
  new Gauge({
    name: 'isc_gateway_circuit_breaker_state',
    help: 'State of the circuit breaker in front of ISC: 1 for the current state, 0 for the others',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const state = watched();
      if (!state) return;
      const current = state.client.breakerState();
      for (const labels of breakerLabels) this.set(labels, labels.state === current ? 1 : 0);
    },
  });
}

/** ISC's answers marked `X-Deprecated: true`, by route (a fixed set of templates) and layout, read at scrape time. */
function registerDeprecationMetrics(registry: Registry, watched: () => WatchedState | undefined): void {
  new Counter({
    name: 'isc_gateway_upstream_deprecated_total',
    help: 'ISC answers marked deprecated (X-Deprecated: true), by method, route and path layout (SAIL_API_PATHS): the route will stop working, see the warning in the log',
    labelNames: ['method', 'route', 'layout'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { method, route, layout, answers } of watched()?.client.deprecatedRoutes?.() ?? []) this.inc({ method, route, layout }, answers);
    },
  });
}

/** Whether the replicas' Redis (and the cache's own Redis, when there is one) answers, read at scrape time. */
function registerRedisMetrics(registry: Registry, watched: () => WatchedState | undefined): void {
  stateGauge(registry, 'isc_gateway_redis_up', 'Whether the shared Redis answers (1) or this replica runs on its per-process fallback (0)', () => {
    const shared = watched()?.shared;
    return shared ? (shared.available() ? 1 : 0) : undefined;
  });
  if (watched()?.sharedCache) {
    stateGauge(
      registry,
      'isc_gateway_cache_redis_up',
      "Whether the response cache's own Redis answers (1) or this replica caches in its memory (0)",
      () => {
        const sharedCache = watched()?.sharedCache;
        return sharedCache ? (sharedCache.available() ? 1 : 0) : undefined;
      },
    );
  }
}

/** The response cache's hits, misses and size, read at scrape time. */
function registerCacheMetrics(registry: Registry, watched: () => WatchedState | undefined): void {
  const cache = () => watched()?.cache?.stats();
  totalsCounter(registry, 'isc_gateway_response_cache_hits_total', 'GETs answered from the response cache within their TTL', () => cache()?.hits);
  // By why the stale entry answered (bounded: two reasons, both always served).
  new Counter({
    name: 'isc_gateway_response_cache_stale_hits_total',
    help: 'GETs answered from the response cache past their TTL, by reason: revalidating (within SAIL_RESPONSE_CACHE_STALE_MS, a background refresh was started) or rate-limited (within SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS, the ISC client paused or out of budget)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const stats = cache();
      this.reset();
      if (!stats) return;
      this.inc({ reason: 'revalidating' }, stats.stale);
      this.inc({ reason: 'rate-limited' }, stats.staleIfLimited);
    },
  });
  totalsCounter(
    registry,
    'isc_gateway_response_cache_misses_total',
    'Cacheable GETs not found in the response cache (sent to ISC)',
    () => cache()?.misses,
  );
  stateGauge(registry, 'isc_gateway_response_cache_entries', 'Entries in the response cache now (this process)', () => cache()?.entries);
  stateGauge(registry, 'isc_gateway_response_cache_bytes', 'Bytes held by the response cache now (this process)', () => cache()?.bytes);
}

/** The same watch for every call: attempts are counted by (method, route), with no per-call state. */
function upstreamCallWatch(registry: Registry, attempts: UpstreamAttempts): CallWatch {
  // Reads that shared another operation's ISC call in flight, by route (bounded: route templates).
  const coalesced = new Counter({
    name: 'isc_gateway_coalesced_calls_total',
    help: 'GETs answered by an identical ISC call another operation had in flight, instead of a call of their own',
    labelNames: ['route'],
    registers: [registry],
  });
  // Waits the retry stage entered before trying again, by what caused them (bounded: statuses and transport codes).
  const retries = new Counter({
    name: 'isc_gateway_upstream_retries_total',
    help: 'ISC attempts retried after a wait (a 429 after its Retry-After, a 5xx or a transport failure with backoff), by reason: the status or the transport error code',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    attempt: ({ method, route }) => attempts.finisherFor(method, route),
    retry: ({ reason }) => retries.inc({ reason: retryReasonLabel(reason) }),
    end: (end, call) => {
      if (end.coalesced) coalesced.inc({ route: attempts.routesOpen() ? call.route : 'other' });
    },
  };
}

/**
 * The gateway's Prometheus metrics (`GET /metrics`): GraphQL operations, ISC attempts, token
 * refreshes, and at scrape time the rate governor (its budget per OAuth client), circuit breaker and response cache, plus the
 * process metrics. Recording costs a map lookup and prom-client's own update: label children are
 * created once per label set, never per request.
 */
export function createMetrics(options: { trustedDocuments?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  let watched: WatchedState | undefined;
  const readWatched = () => watched;

  // Registered in this order, which is the order of the scrape.
  registerBuildInfo(registry);
  const operations = operationMetrics(registry);
  const attempts = upstreamAttemptMetrics(registry);
  const tokenExchange = tokenExchangeMetrics(registry);
  registerGovernorAndBreakerMetrics(registry, readWatched);
  registerDeprecationMetrics(registry, readWatched);
  const budgets = budgetKeys();
  registerBudgetMetrics(registry, readWatched, budgets);
  const callWatch = upstreamCallWatch(registry, attempts);
  let redisMetricRegistered = false;
  let cacheMetricsRegistered = false;

  return {
    registry,
    // The budget gauges show each key an operation was charged to, as the client keys it (after the operation: a bearer's key may change once ISC accepted it).
    plugin: operationPlugin(operations, options.trustedDocuments === true, (context) => {
      if (watched && context) budgets.note(watched.client.rateKey(context.credential));
    }),
    route: metricsRoute(registry.contentType, scrapeOf(registry, processMetrics())),
    upstreamObserver: {
      start: () => callWatch,
    },
    tokenExchange,
    refused: (errors) => operations.count('unknown', 'unknown', outcomeOf(errors)),
    watch: (state) => {
      watched = state;
      if (state.cache && !cacheMetricsRegistered) {
        cacheMetricsRegistered = true;
        registerCacheMetrics(registry, readWatched);
      }
      if (state.shared && !redisMetricRegistered) {
        redisMetricRegistered = true;
        registerRedisMetrics(registry, readWatched);
      }
    },
  };
}
