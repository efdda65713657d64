import { GraphQLError } from 'graphql';
import type { CallWatch, UpstreamObserver } from '../isc/types.js';
import { errorCodeOf } from '../shared/errors.js';
import type { Logger } from '../log/logger.js';

/** Failures that say something about ISC or the gateway's budget, as opposed to a caller's mistake. */
const UPSTREAM_TROUBLE = new Set([
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_OUTCOME_UNKNOWN',
  'UPSTREAM_RESPONSE_TOO_LARGE',
  'RATE_LIMITED',
  'DEADLINE_EXCEEDED',
]);

/**
 * Logs every ISC call that finally failed (after the client's retries): method, route template
 * (`connectors/{scriptName}`, never the identifiers), status, ISC's trackingId and detailCode, and
 * the gateway's error code. Never headers, bodies, query parameters or ISC's message text (they
 * may carry tokens or caller data).
 */
export function upstreamFailureLog(logger: Logger): UpstreamObserver {
  // The same watch for every call: the call's description comes with its end.
  const watch: CallWatch = {
    end({ error, durationMs }, { method, route, credential, scope }) {
      if (error === undefined) return;
      const extensions = error instanceof GraphQLError ? error.extensions : {};
      const code = errorCodeOf(error);
      const fields = {
        method,
        route,
        credential,
        code,
        httpStatus: extensions.httpStatus,
        trackingId: extensions.trackingId,
        detailCode: extensions.detailCode,
        durationMs: Math.round(durationMs),
      };
      // A 404 on a single-item read or a refused input is the caller's business, not an incident;
      // background work skipped for want of spare budget (RATE_LIMITED, nothing sent) is by design.
      const skipped = scope.background === true && code === 'RATE_LIMITED' && extensions.httpStatus === undefined;
      if (!skipped && (!(error instanceof GraphQLError) || UPSTREAM_TROUBLE.has(code))) logger.warn('ISC call failed', fields);
      else logger.debug('ISC call refused', fields);
    },
  };
  return { start: () => watch };
}
