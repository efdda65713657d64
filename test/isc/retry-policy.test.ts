import { describe, expect, it } from '@jest/globals';
import { backoffMs, decide, isIdempotent, parseRetryAfter } from '../../src/isc/retry-policy.js';

const options = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2000 };
const half = () => 0.5;

describe('retry policy', () => {
  it('knows which calls are idempotent', () => {
    expect(isIdempotent('GET')).toBe(true);
    expect(isIdempotent('PUT')).toBe(true);
    expect(isIdempotent('DELETE')).toBe(true);
    expect(isIdempotent('POST')).toBe(false);
    expect(isIdempotent('PATCH', [{ op: 'replace' }, { op: 'test' }])).toBe(true);
    expect(isIdempotent('PATCH', [{ op: 'replace' }, { op: 'add' }])).toBe(false);
    expect(isIdempotent('PATCH', [{ op: 'remove' }])).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, options, half)).toBe(75);
    expect(backoffMs(2, options, half)).toBe(150);
    expect(backoffMs(3, options, half)).toBe(300);
    expect(backoffMs(10, options, half)).toBe(1500);
    expect(backoffMs(1, options, () => 0)).toBe(50);
    expect(backoffMs(1, options, () => 1)).toBe(100);
  });

  it('retries a 429 for any method, after Retry-After or a backoff', () => {
    expect(decide({ kind: 'status', status: 429, retryAfterMs: 2000 }, 1, false, options)).toEqual({ retry: true, delayMs: 2000, rateLimited: true });
    expect(decide({ kind: 'status', status: 429 }, 5, false, options, half)).toEqual({ retry: true, delayMs: 1200, rateLimited: true });
  });

  it('retries 502/503/504 and transport failures only for idempotent calls, within the attempts', () => {
    for (const status of [502, 503, 504]) {
      expect(decide({ kind: 'status', status }, 1, true, options, half)).toEqual({ retry: true, delayMs: 75, rateLimited: false });
      expect(decide({ kind: 'status', status }, 1, false, options)).toEqual({ retry: false });
    }
    expect(decide({ kind: 'transport', sent: true }, 2, true, options, half)).toEqual({ retry: true, delayMs: 150, rateLimited: false });
    expect(decide({ kind: 'transport', sent: true }, 3, true, options)).toEqual({ retry: false });
    expect(decide({ kind: 'transport', sent: true }, 1, false, options)).toEqual({ retry: false });
    expect(decide({ kind: 'transport', sent: false }, 1, false, options, half)).toEqual({ retry: true, delayMs: 75, rateLimited: false });
  });

  it('never retries other statuses', () => {
    for (const status of [400, 401, 403, 404, 500]) expect(decide({ kind: 'status', status }, 1, true, options)).toEqual({ retry: false });
  });
});
