import { HeaderMap } from '@apollo/server';
import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { bearerTokenOf } from '../../src/shared/bearer.js';
import { gatewayError, httpRefusal, refusalError, uncodedError } from '../../src/shared/errors.js';

describe('the error factories', () => {
  it('gatewayError: the code first, undefined details left out', () => {
    const error = gatewayError('UPSTREAM_ERROR', 'ISC answered 502', { httpStatus: 502, trackingId: undefined });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('ISC answered 502');
    expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', httpStatus: 502 });
  });

  it("refusalError: the catalogue's HTTP status for the code, and the headers given", () => {
    expect(refusalError('UNAUTHENTICATED', 'no key').extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    expect(refusalError('SESSION_STORE_UNAVAILABLE', 'no redis').extensions).toEqual({ code: 'SESSION_STORE_UNAVAILABLE', http: { status: 503 } });
    const limited = refusalError('RATE_LIMITED', 'later', { retryAfter: 3 }, { 'retry-after': '3' });
    expect(limited.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 3, http: { status: 429, headers: expect.any(HeaderMap) } });
    expect([...(limited.extensions.http as { headers: HeaderMap }).headers]).toEqual([['retry-after', '3']]);
  });

  it('httpRefusal: the JSON body the gateway sends itself, with the code first; the status the code’s unless given', () => {
    expect(httpRefusal('SHUTTING_DOWN', 'draining')).toEqual({
      status: 503,
      body: { errors: [{ message: 'draining', extensions: { code: 'SHUTTING_DOWN' } }] },
    });
    expect(httpRefusal('BAD_REQUEST', 'too big', { limit: 'SAIL_MAX_BODY_BYTES', max: 10 }, 413)).toEqual({
      status: 413,
      body: { errors: [{ message: 'too big', extensions: { code: 'BAD_REQUEST', limit: 'SAIL_MAX_BODY_BYTES', max: 10 } }] },
    });
    expect(Object.keys(httpRefusal('BAD_REQUEST', 'x', { limit: 'L' }).body.errors[0].extensions)).toEqual(['code', 'limit']);
  });

  it('uncodedError: no code of its own (graphql-js and Apollo code it where it surfaces)', () => {
    const error = uncodedError('The operation is 5 levels deep', { extensions: { limit: 'SAIL_MAX_DEPTH' } });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual({ limit: 'SAIL_MAX_DEPTH' });
    expect(uncodedError('Long takes an integer').extensions).toEqual({});
  });
});

describe('bearerTokenOf', () => {
  it.each([
    ['Bearer abc.def', 'abc.def'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
  ])('%j → %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });

  it.each([[undefined], [''], ['Bearer'], ['Bearer '], ['Basic abc'], ['Bearer a b'], ['xBearer abc']])('%j → undefined', (header) => {
    expect(bearerTokenOf(header)).toBeUndefined();
  });
});
