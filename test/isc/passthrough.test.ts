import { describe, expect, it } from '@jest/globals';
import { createRateGovernor } from '../../src/isc/governor.js';
import { createPassthroughTokens, UNVERIFIED_KEY, withUnverifiedPool } from '../../src/isc/passthrough.js';
import type { IscCall } from '../../src/isc/types.js';
import { code } from '../support/errors.js';
import { answer, call, scripted } from '../support/stage-calls.js';
import { madeUpJwt } from '../support/tokens.js';

/** The pass-through stage alone: which governor key each call of a caller's token is charged to. */
const governor = () =>
  withUnverifiedPool(
    createRateGovernor({ limit: 10, windowMs: 60_000, maxConcurrency: 4, maxQueue: 10 }),
    createRateGovernor({ limit: 2, windowMs: 60_000, maxConcurrency: 1, maxQueue: 10 }),
  );
const bearerCall = (token: string, address = '10.0.0.1'): IscCall => call({}, { credential: { kind: 'bearer', token, address } });

describe('pass-through tokens and their governor key', () => {
  it('an accepted token moves to its client; its first call (made in the pool) is charged to the client too; the caller key stays per token', async () => {
    const g = governor();
    const tokens = createPassthroughTokens({ governor: g });
    const token = madeUpJwt({ client_id: 'portal' });
    expect(tokens.rateKey(token)).toBe(UNVERIFIED_KEY);
    const next = scripted(answer(404), answer(200));
    await tokens.stage(bearerCall(token), next);
    await tokens.stage(bearerCall(token), next);
    expect(next.seen.map((c) => c.rateKey)).toEqual([UNVERIFIED_KEY, 'client:portal']);
    expect(tokens.rateKey(token)).toBe('client:portal');
    expect(tokens.callerKey(token)).toMatch(/^token:[0-9a-f]{32}$/);
    await new Promise((resolve) => setImmediate(resolve)); // the charge is taken without holding the call up
    expect(g.budget('client:portal').remaining).toBe(9);
    expect(tokens.stats()).toEqual({ withoutClient: 0 });
  });

  it('a token accepted without a client claim keeps its own key and is counted', async () => {
    const tokens = createPassthroughTokens({ governor: governor() });
    const token = madeUpJwt({ client_id: undefined });
    await tokens.stage(bearerCall(token), scripted(answer(200)));
    expect(tokens.rateKey(token)).toBe(tokens.callerKey(token));
    expect(tokens.stats()).toEqual({ withoutClient: 1 });
  });

  it('429, 5xx and network errors say nothing about the token: it stays unverified', async () => {
    const tokens = createPassthroughTokens({ governor: governor() });
    const token = madeUpJwt();
    await tokens.stage(bearerCall(token), scripted(answer(429)));
    await tokens.stage(bearerCall(token), scripted(answer(503)));
    await expect(tokens.stage(bearerCall(token), scripted(new Error('ECONNRESET')))).rejects.toThrow('ECONNRESET');
    expect(tokens.rateKey(token)).toBe(UNVERIFIED_KEY);
  });

  it("one verification per token: the operation's other calls wait for it, and a 401 refuses them all without a call, and later ones too", async () => {
    const tokens = createPassthroughTokens({ governor: governor() });
    const token = madeUpJwt();
    const next = scripted(answer(401));
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.stage(bearerCall(token), next)));
    expect(next.seen).toHaveLength(1);
    expect(results[0]).toEqual({ status: 'fulfilled', value: answer(401) });
    for (const r of results.slice(1)) expect(r).toEqual({ status: 'rejected', reason: code('UNAUTHENTICATED') });
    await expect(tokens.stage(bearerCall(token), next)).rejects.toEqual(code('UNAUTHENTICATED'));
    expect(next.seen).toHaveLength(1);
  });

  it('one verification at a time per client address; another address is not held up', async () => {
    const tokens = createPassthroughTokens({ governor: governor() });
    const started: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const next = async (c: IscCall) => {
      started.push(c.credential.kind === 'bearer' ? `${c.credential.address}` : '?');
      await held;
      return answer(401);
    };
    const a1 = tokens.stage(bearerCall(madeUpJwt({ jti: '1' }), 'A'), next);
    const a2 = tokens.stage(bearerCall(madeUpJwt({ jti: '2' }), 'A'), next);
    const b1 = tokens.stage(bearerCall(madeUpJwt({ jti: '3' }), 'B'), next);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['A', 'B']);
    release();
    await Promise.all([a1, a2, b1]);
    expect(started).toEqual(['A', 'B', 'A']);
  });

  it('other credentials pass untouched', async () => {
    const tokens = createPassthroughTokens({ governor: governor() });
    const next = scripted(answer(401));
    await tokens.stage(call(), next);
    expect(next.seen.map((c) => c.rateKey)).toEqual(['client:test']);
  });
});
