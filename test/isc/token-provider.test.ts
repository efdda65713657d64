import { describe, expect, it } from '@jest/globals';
import { createTokenProvider, failureBackoffMs, refreshMarginMs, withFailureBackoff, type IssuedToken } from '../../src/isc/token-provider.js';

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

describe('token request backoff after failures', () => {
  it('after a refusal, 100 more calls make no request until 1 s passed; then one per backoff step (1 s, 2 s…); a success resets it', async () => {
    let t = 0;
    let requests = 0;
    let refuse = true;
    const exchange = withFailureBackoff(
      async () => {
        requests++;
        if (refuse) throw new Error('refused');
        return { accessToken: 'ok', expiresIn: 600 };
      },
      () => t,
    );
    const attempt = () =>
      exchange().then(
        () => 'ok',
        (e: Error) => e.message,
      );
    expect(await attempt()).toBe('refused');
    expect(new Set(await Promise.all(Array.from({ length: 50 }, attempt)))).toEqual(new Set(['refused']));
    expect(requests).toBe(1);
    for (let i = 0; i < 50; i++) await attempt();
    expect(requests).toBe(1);
    t += 999;
    await attempt();
    expect(requests).toBe(1);
    t += 1;
    await attempt();
    expect(requests).toBe(2); // after 1 s
    t += 1_999;
    await attempt();
    expect(requests).toBe(2);
    t += 1;
    await attempt();
    expect(requests).toBe(3); // after 2 s more
    expect([1, 2, 3, 7, 10].map(failureBackoffMs)).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
    refuse = false;
    t += 4_000;
    expect(await attempt()).toBe('ok');
    refuse = true;
    await attempt();
    t += 1_000;
    await attempt();
    expect(requests).toBe(6); // a success reset the schedule to 1 s
  });
});
