import { describe, expect, it } from '@jest/globals';
import { createTokenProvider, refreshMarginMs, type IssuedToken } from '../../src/http/token-provider.js';

function fakeIssuer(lifetimeSeconds = 600) {
  let issued = 0;
  let release: (() => void) | undefined;
  const issuer = {
    get count() {
      return issued;
    },
    /** When set, token requests wait for `release()`. */
    hold: false,
    release: () => release?.(),
    request: async (): Promise<IssuedToken> => {
      issued++;
      const n = issued;
      if (issuer.hold) await new Promise<void>((r) => (release = r));
      return { accessToken: `token-${n}`, expiresIn: lifetimeSeconds };
    },
  };
  return issuer;
}

describe('token provider', () => {
  it('uses a margin of 10% of the lifetime or 60 s, whichever is smaller', () => {
    expect(refreshMarginMs(749_000)).toBe(60_000);
    expect(refreshMarginMs(300_000)).toBe(30_000);
    expect(refreshMarginMs(3_000)).toBe(300);
  });

  it('reuses the cached token until the refresh window', async () => {
    let now = 0;
    const issuer = fakeIssuer(600);
    const tokens = createTokenProvider(issuer.request, () => now);
    expect(await tokens.getToken()).toBe('token-1');
    now = 539_000; // 61 s before expiry: outside the 60 s window
    expect(await tokens.getToken()).toBe('token-1');
    expect(issuer.count).toBe(1);
  });

  it('refreshes ahead in the window, serving the still-valid token meanwhile', async () => {
    let now = 0;
    const issuer = fakeIssuer(600);
    const tokens = createTokenProvider(issuer.request, () => now);
    await tokens.getToken();
    now = 545_000; // 55 s left: inside the window
    expect(await tokens.getToken()).toBe('token-1');
    await new Promise((r) => setImmediate(r));
    expect(issuer.count).toBe(2);
    expect(await tokens.getToken()).toBe('token-2');
  });

  it('fetches a new token once the old one has expired', async () => {
    let now = 0;
    const issuer = fakeIssuer(10);
    const tokens = createTokenProvider(issuer.request, () => now);
    await tokens.getToken();
    now = 10_001;
    expect(await tokens.getToken()).toBe('token-2');
  });

  it('makes exactly one token request for 100 concurrent callers on a cold cache', async () => {
    const issuer = fakeIssuer();
    issuer.hold = true;
    const tokens = createTokenProvider(issuer.request);
    const all = Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
    await new Promise((r) => setImmediate(r));
    issuer.release();
    const results = await all;
    expect(issuer.count).toBe(1);
    expect(new Set(results)).toEqual(new Set(['token-1']));
  });

  it('makes one refresh request for 100 concurrent callers in the refresh window', async () => {
    let now = 0;
    const issuer = fakeIssuer(600);
    const tokens = createTokenProvider(issuer.request, () => now);
    await tokens.getToken();
    now = 590_000;
    issuer.hold = true;
    const results = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
    expect(new Set(results)).toEqual(new Set(['token-1']));
    issuer.release();
    await new Promise((r) => setImmediate(r));
    expect(issuer.count).toBe(2);
  });

  it('invalidate drops only the token that was refused', async () => {
    const issuer = fakeIssuer();
    const tokens = createTokenProvider(issuer.request);
    await tokens.getToken();
    tokens.invalidate('some-older-token');
    expect(await tokens.getToken()).toBe('token-1');
    tokens.invalidate('token-1');
    expect(await tokens.getToken()).toBe('token-2');
  });

  it('lets a failed token request fail its callers, and tries again on the next call', async () => {
    let fail = true;
    const tokens = createTokenProvider(async () => {
      if (fail) throw new Error('refused');
      return { accessToken: 'ok', expiresIn: 60 };
    });
    await expect(tokens.getToken()).rejects.toThrow('refused');
    fail = false;
    expect(await tokens.getToken()).toBe('ok');
  });
});
