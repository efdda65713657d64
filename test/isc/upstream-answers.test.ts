import { describe, expect, it } from '@jest/globals';
import { parseJsonLosslessly } from '../../src/isc/lossless-json.js';
import { errorDetails, upstreamError, MAX_ERROR_DETAIL_CHARS, MAX_ERROR_DETAILS } from '../../src/isc/upstream-errors.js';
import { sharedReadiness } from '../../src/readiness.js';
import { wellFormed } from '../../src/shared/validation.js';

describe('lossless JSON', () => {
  it('keeps integers beyond 2^53 as their digits and everything else as JSON.parse reads it', () => {
    expect(parseJsonLosslessly('{"a":9007199254740993,"b":-12345678901234567890,"c":9007199254740991,"d":1.25,"e":"12345678901234567"}')).toEqual({
      a: '9007199254740993',
      b: '-12345678901234567890',
      c: 9007199254740991,
      d: 1.25,
      e: '12345678901234567',
    });
    expect(parseJsonLosslessly('[1,{"x":[2,3]},null,true]')).toEqual([1, { x: [2, 3] }, null, true]);
    expect(parseJsonLosslessly('{"k":1,"k":9007199254740993}')).toEqual({ k: '9007199254740993' }); // the last value wins, as in JSON.parse
    expect(() => parseJsonLosslessly('{"a":12345678901234567,')).toThrow();
  });
});

describe('ISC error detail', () => {
  it('keeps every message and cause (text, locale), at most 10 entries of at most 1,000 characters', () => {
    const messages = Array.from({ length: 12 }, (_, i) => ({ locale: 'en-US', localeOrigin: 'DEFAULT', text: `message ${i}` }));
    const error = upstreamError(400, {
      detailCode: '400.1 Bad Request Content',
      trackingId: 'a1b2c3',
      messages,
      causes: [{ locale: 'en-US', text: 'x'.repeat(5_000) }, { text: 42 }, null],
    });
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      httpStatus: 400,
      trackingId: 'a1b2c3',
      detailCode: '400.1 Bad Request Content',
    });
    expect(error.extensions.messages).toEqual(messages.slice(0, MAX_ERROR_DETAILS).map(({ locale, text }) => ({ locale, text })));
    const causes = error.extensions.causes as { text: string; locale: string }[];
    expect(causes).toHaveLength(1);
    expect(causes[0].text).toHaveLength(MAX_ERROR_DETAIL_CHARS);
    expect(error.message).toBe('ISC answered 400: message 0');
    expect(errorDetails('not a list')).toBeUndefined();
    expect(errorDetails([])).toBeUndefined();
  });
});

describe('readiness probe sharing', () => {
  it('runs one probe at a time and reuses its result, failure included, for the interval', async () => {
    let t = 0;
    let probes = 0;
    let release: (ready: boolean) => void = () => undefined;
    const readiness = sharedReadiness(
      () => {
        probes++;
        return new Promise((resolve) => (release = (ready) => resolve({ ready, checks: {} })));
      },
      5_000,
      () => t,
    );
    const concurrent = Array.from({ length: 1000 }, () => readiness());
    release(false);
    expect(new Set((await Promise.all(concurrent)).map((r) => r.ready))).toEqual(new Set([false]));
    expect(probes).toBe(1);
    t += 4_999;
    expect((await readiness()).ready).toBe(false);
    expect(probes).toBe(1);
    t += 1;
    const next = readiness();
    release(true);
    expect((await next).ready).toBe(true);
    expect(probes).toBe(2);
  });
});

describe('well-formed strings', () => {
  it('finds lone surrogates, and accepts pairs', () => {
    expect(['ab\uD800cd', '\uDC00', 'x\uD800'].map(wellFormed)).toEqual([false, false, false]);
    expect(['😀', 'plain', ''].map(wellFormed)).toEqual([true, true, true]);
  });
});

describe('the Long scalar', () => {
  it('serialises safe integers as numbers and larger int64 values as digit strings, and refuses the rest', async () => {
    const { LongScalar } = await import('../../src/shared/long.js');
    expect([42, '42', '9007199254740993', -9007199254740991, 9223372036854775807n].map((v) => LongScalar.serialize(v))).toEqual([
      42,
      42,
      '9007199254740993',
      -9007199254740991,
      '9223372036854775807',
    ]);
    for (const bad of [1.5, '12a', '9223372036854775808', true, null]) expect(() => LongScalar.serialize(bad)).toThrow(/Long cannot represent/);
  });
});
