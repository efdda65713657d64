import { describe, expect, it } from '@jest/globals';
import { unboundedScope } from '../../src/isc/client.js';
import type { CallStart } from '../../src/isc/types.js';
import { upstreamFailureLog } from '../../src/observability/upstream-log.js';
import { gatewayError } from '../../src/shared/errors.js';
import { recordingLogger } from '../support/recording-logger.js';

describe('upstreamFailureLog', () => {
  const start = (background: boolean): CallStart => ({
    method: 'GET',
    route: 'connectors',
    credential: 'client-credentials',
    scope: { ...unboundedScope(), background },
  });

  it('warns of ISC trouble, but a background refresh skipped for want of spare budget is only a debug line', () => {
    const { logger, records } = recordingLogger();
    const observer = upstreamFailureLog(logger);
    const end = (background: boolean, error: unknown) => {
      const call = start(background);
      observer.start(call)!.end!({ error, durationMs: 1 }, call);
    };
    end(true, gatewayError('RATE_LIMITED', 'The rate budget is in use by callers: background calls wait their turn'));
    end(false, gatewayError('RATE_LIMITED', 'no slot before the deadline'));
    end(true, gatewayError('RATE_LIMITED', 'ISC answered 429', { httpStatus: 429 }));
    end(true, gatewayError('UPSTREAM_ERROR', 'ISC answered 503', { httpStatus: 503 }));
    expect(records.map((r) => [r.level, r.msg, r.fields?.code, r.fields?.httpStatus])).toEqual([
      ['debug', 'ISC call refused', 'RATE_LIMITED', undefined],
      ['warn', 'ISC call failed', 'RATE_LIMITED', undefined],
      ['warn', 'ISC call failed', 'RATE_LIMITED', 429],
      ['warn', 'ISC call failed', 'UPSTREAM_ERROR', 503],
    ]);
  });
});
