import { randomUUID } from 'node:crypto';
import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { CallWatch, UpstreamObserver } from '../isc/types.js';
import { MAX_CALLS_RECORDED, type UpstreamCallRecord } from '../isc/types.js';
import { log as defaultLogger, type Logger } from '../log/logger.js';
import { redactText } from '../log/redaction.js';

/** Apollo's logger interface (from @apollo/utils.logger, which @apollo/server does not re-export). */
type ApolloLogger = NonNullable<ApolloServerOptions<BaseContext>['logger']>;

/** At most this many errors are itemised in one request line (an alias flood can make thousands). */
const MAX_ERRORS_LOGGED = 20;

interface ErrorSummary {
  code: unknown;
  path?: string;
  httpStatus?: unknown;
  trackingId?: unknown;
}

/** The parts of the gateway's Context the line reads (absent when the plugin serves another server, as in unit tests). */
interface LoggedContext {
  requestId?: string;
  scope?: { calls?: UpstreamCallRecord[] };
}

/**
 * Records each ISC attempt of an operation, and each answer the response cache or another
 * operation's call in flight gave it, in the operation's `scope.calls` (at most MAX_CALLS_RECORDED): the calls its log line lists.
 */
const record = (calls: UpstreamCallRecord[], entry: UpstreamCallRecord) => {
  if (calls.length < MAX_CALLS_RECORDED) calls.push(entry);
};

/** The same watch for every call: what it records goes to the call's own operation (no per-call state). */
const callRecord: CallWatch = {
  attempt:
    (_attempt, _headers, { method, route, scope }) =>
    (outcome) =>
      record(scope.calls!, { method, route, ...outcome }),
  end: ({ cached, coalesced, status, durationMs }, { method, route, scope }) => {
    if (cached) record(scope.calls!, { method, route, status, durationMs, cached: true });
    else if (coalesced) record(scope.calls!, { method, route, status, durationMs, coalesced: true });
  },
};

export const operationCallRecorder: UpstreamObserver = {
  start: ({ scope }) => (scope.calls ? callRecord : undefined),
};

/**
 * The operation's ISC calls: count, summed and longest duration, and each call (method, route
 * template, status or transport error, rounded duration, whether the response cache answered).
 * Routes are templates: never identifiers, query strings, headers or bodies.
 */
export function upstreamSummary(calls: readonly UpstreamCallRecord[] | undefined): Record<string, unknown> {
  if (!calls) return {};
  if (calls.length === 0) return { upstreamCalls: 0 };
  let total = 0;
  let longest = 0;
  const upstream = calls.map(({ method, route, status, error, durationMs, cached, coalesced }) => {
    total += durationMs;
    if (durationMs > longest) longest = durationMs;
    return { method, route, status, error, durationMs: Math.round(durationMs), cached, coalesced };
  });
  return {
    upstreamCalls: calls.length,
    // The client stops recording at its cap: the operation made at least this many calls.
    upstreamCallsCapped: calls.length >= MAX_CALLS_RECORDED || undefined,
    upstreamTotalMs: Math.round(total),
    upstreamMaxMs: Math.round(longest),
    upstream,
  };
}

function summarise(errors: readonly GraphQLFormattedError[]): ErrorSummary[] {
  return errors.slice(0, MAX_ERRORS_LOGGED).map((e) => ({
    code: e.extensions?.code ?? 'UNKNOWN',
    path: e.path?.join('.'),
    httpStatus: e.extensions?.httpStatus,
    trackingId: e.extensions?.trackingId,
  }));
}

/**
 * One log line per GraphQL operation: its request id, name and type, duration, HTTP status, the
 * errors' codes with ISC's status and trackingId (what support needs to follow a failure
 * upstream), and the ISC calls it made (see upstreamSummary). Never the document, the variables,
 * headers or the answer (they may carry secrets, and a created OAuth client's secret is in its
 * create answer). Requests refused before execution (no valid credential, malformed HTTP request)
 * are logged too.
 */
export function requestLogPlugin<TContext extends BaseContext>(logger: Logger = defaultLogger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName, operation, errors, contextValue }) {
          const context = contextValue as LoggedContext;
          const body = response.body;
          const formatted = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const summaries = formatted ? summarise(formatted) : summarise((errors ?? []).map((e) => e.toJSON()));
          const errorCount = formatted?.length ?? errors?.length ?? 0;
          const fields = {
            requestId: context.requestId,
            operationName: operationName ?? undefined,
            operationType: operation?.operation,
            durationMs: Math.round(performance.now() - started),
            status: response.http.status ?? 200,
            errorCount: errorCount || undefined,
            errors: summaries.length ? summaries : undefined,
            ...upstreamSummary(context.scope?.calls),
          };
          const internal = summaries.some((s) => s.code === 'INTERNAL_SERVER_ERROR');
          // Written after the answer has gone out: serialising and redacting the line (one entry
          // per ISC call) is not the caller's wait.
          setImmediate(() => {
            if (internal) logger.error('graphql operation', fields);
            else logger.info('graphql operation', fields);
          });
        },
      };
    },
    async contextCreationDidFail({ error }) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      logger.info('graphql request refused', { code: code ?? 'INTERNAL_SERVER_ERROR', reason: error.message });
    },
    async invalidRequestWasReceived({ error }) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      logger.info('graphql request invalid', { code: code ?? 'BAD_REQUEST', reason: error.message });
    },
    async unexpectedErrorProcessingRequest({ error }) {
      logger.error('graphql request failed unexpectedly', { error });
    },
  };
}

/**
 * Apollo's `formatError`: an error the gateway did not create on purpose (a bug, a library's
 * exception, anything that is not a `GraphQLError`) may carry internal details, so the client
 * sees "Internal server error" and an `errorId`, and the full error goes to the log (redacted)
 * under that id. Every other message is passed through the redaction layer before it leaves.
 */
export function maskUnexpectedErrors(logger: Logger = defaultLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' && !(original instanceof GraphQLError)) {
      const errorId = randomUUID();
      logger.error('unexpected error', { errorId, path: formatted.path?.join('.'), error: original });
      return {
        message: 'Internal server error',
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
      };
    }
    const message = redactText(formatted.message);
    return message === formatted.message ? formatted : { ...formatted, message };
  };
}

/** Apollo Server's own log lines (startup warnings, plugin failures), through the redacting logger. */
export function apolloLogger(logger: Logger = defaultLogger): ApolloLogger {
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  return {
    debug: (...args: unknown[]) => logger.debug(text(args), { source: 'apollo' }),
    info: (...args: unknown[]) => logger.info(text(args), { source: 'apollo' }),
    warn: (...args: unknown[]) => logger.warn(text(args), { source: 'apollo' }),
    error: (...args: unknown[]) => logger.error(text(args), { source: 'apollo' }),
  };
}
