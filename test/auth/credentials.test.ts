import { describe, expect, it } from '@jest/globals';
import { isValidApiKey } from '../../src/auth/api-keys.js';
import { resolveCredential, type InboundAuth } from '../../src/auth/credentials.js';
import { clientAddress } from '../../src/http/caller.js';
import { createContext } from '../../src/http/context.js';
import type { IscClient } from '../../src/isc/client.js';
import { code } from '../support/errors.js';
import { madeUpJwt } from '../support/tokens.js';

const jwt = madeUpJwt();

const unauthenticated = code('UNAUTHENTICATED');
const auth = (overrides: Partial<InboundAuth> = {}): InboundAuth => ({ authMode: 'auto', apiKeys: ['k1', 'k2'], openDemo: false, ...overrides });

describe('inbound authentication', () => {
  it('auto: a bearer is passed through, otherwise the client credentials with a valid API key', () => {
    expect(resolveCredential({ authorization: `Bearer ${jwt}`, remoteAddress: '10.0.0.7' }, auth())).toEqual({
      kind: 'bearer',
      token: jwt,
      address: '10.0.0.7',
    });
    expect(resolveCredential({ apiKey: 'k2' }, auth())).toEqual({ kind: 'client-credentials' });
    expect(() => resolveCredential({}, auth())).toThrow(unauthenticated);
    expect(() => resolveCredential({ apiKey: 'wrong' }, auth())).toThrow(unauthenticated);
    expect(() => resolveCredential({ authorization: 'Basic abc' }, auth())).toThrow(unauthenticated);
  });

  it('client-credentials mode ignores a bearer and still needs a key', () => {
    expect(() => resolveCredential({ authorization: 'Bearer abc' }, auth({ authMode: 'client-credentials' }))).toThrow(unauthenticated);
    expect(resolveCredential({ authorization: 'Bearer abc', apiKey: 'k1' }, auth({ authMode: 'client-credentials' }))).toEqual({
      kind: 'client-credentials',
    });
  });

  it('passthrough mode requires a bearer even with a valid key', () => {
    expect(() => resolveCredential({ apiKey: 'k1' }, auth({ authMode: 'passthrough' }))).toThrow(unauthenticated);
    expect(resolveCredential({ authorization: `bearer ${jwt}` }, auth({ authMode: 'passthrough' }))).toEqual({ kind: 'bearer', token: jwt });
  });

  it('refuses a bearer that cannot be an ISC access token (not a JWT, payload not JSON, expired) before any call', () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const notJwts = [
      'abc',
      'a.b',
      'a.b.c.d',
      `${part({})}.${Buffer.from('not json').toString('base64url')}.c`,
      `${part({})}.${part([1])}.c`,
      'a+b.c/d.e',
    ];
    const expired = madeUpJwt({ exp: Math.floor(Date.now() / 1000) - 1 });
    for (const token of [...notJwts, expired]) {
      expect(() => resolveCredential({ authorization: `Bearer ${token}` }, auth())).toThrow(unauthenticated);
      expect(() => resolveCredential({ authorization: `Bearer ${token}` }, auth({ authMode: 'passthrough' }))).toThrow(unauthenticated);
    }
    // No `exp` and no client claim: shaped like a token; ISC decides (and no client budget is assumed).
    expect(resolveCredential({ authorization: `Bearer ${part({})}.${part({ sub: 'x' })}.c` }, auth())).toMatchObject({ kind: 'bearer' });
  });

  it('the loopback demo tenant needs no key', () => {
    expect(resolveCredential({}, auth({ openDemo: true, apiKeys: [] }))).toEqual({ kind: 'client-credentials' });
  });

  it('compares keys of any length without throwing', () => {
    expect(isValidApiKey('k1', ['k1'])).toBe(true);
    expect(isValidApiKey('k1-longer', ['k1'])).toBe(false);
    expect(isValidApiKey(undefined, ['k1'])).toBe(false);
    expect(isValidApiKey('', [])).toBe(false);
  });
});

describe('the principal of an operation', () => {
  it('is computed once, when first asked for, and not by copying the context (as Apollo does per request)', () => {
    let computed = 0;
    const client: IscClient = {
      send: () => Promise.reject(new Error('no ISC call expected')),
      rateKey: () => 'client:test',
      callerKey: () => 'client:test',
      breakerClosed: () => true,
      breakerState: () => 'closed',
    };
    const context = createContext(
      client,
      { kind: 'client-credentials' },
      { maxListLimit: 100, operationTimeoutMs: 1000, rateLimitWaitMs: 0 },
      'req-1',
      () => {
        computed++;
        return 'key:0123456789abcdef';
      },
    );
    const copy = Object.assign(Object.create(Object.getPrototypeOf(context) as object), context) as typeof context;
    expect(computed).toBe(0);
    expect(copy.principal()).toBe('key:0123456789abcdef');
    expect(context.principal()).toBe('key:0123456789abcdef');
    expect(computed).toBe(1);
    context.dispose();
  });
});

describe("the caller's address (SAIL_TRUSTED_PROXY_HOPS)", () => {
  it("is the socket's without trusted proxies, whatever X-Forwarded-For claims", () => {
    expect(clientAddress('10.0.0.7', '203.0.113.7', 0)).toBe('10.0.0.7');
  });

  it("behind n proxies is the entry the outermost one added; entries further left are the caller's word", () => {
    expect(clientAddress('10.0.0.2', '198.51.100.9', 1)).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.2', 'spoofed, 198.51.100.9', 1)).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.2', 'spoofed, 198.51.100.9, 10.0.0.1', 2)).toBe('198.51.100.9');
  });

  it("is the socket's when the request did not come through every proxy (too few entries)", () => {
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '198.51.100.9', 2)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', ' , ', 1)).toBe('10.0.0.2');
  });
});
