import { unboundedScope } from '../../src/isc/client.js';
import type { IscAnswer, IscCall, Next, UpstreamRequest } from '../../src/isc/types.js';

/** Calls, answers and scripted `next` functions for tests of pipeline stages alone. */

export function call(request: Partial<UpstreamRequest> = {}, overrides: Partial<IscCall> = {}): IscCall {
  const full: UpstreamRequest = { method: 'GET', path: 'connectors', ...request };
  return {
    credential: { kind: 'client-credentials' },
    request: full,
    url: full.path,
    headers: { accept: 'application/json' },
    body: undefined,
    scope: unboundedScope(),
    route: full.path,
    rateKey: 'client:test',
    callerKey: 'client:test',
    attempt: 1,
    watches: [],
    ...overrides,
  };
}

export const answer = (status: number, body: unknown = {}, headers: Record<string, string> = {}): IscAnswer => ({
  status,
  headers,
  body,
  rawLength: 2,
});

/** A `next` that answers from `script` in turn (an Error is thrown) and records each call as it got it (stages set per-attempt fields in place). */
export function scripted(...script: (IscAnswer | Error)[]): Next & { seen: IscCall[] } {
  const seen: IscCall[] = [];
  const next = async (c: IscCall) => {
    seen.push({ ...c, headers: { ...c.headers } });
    const step = script[Math.min(seen.length - 1, script.length - 1)];
    if (step instanceof Error) throw step;
    return step;
  };
  return Object.assign(next, { seen });
}

export const transportError = (errorCode: string) => Object.assign(new Error(errorCode), { code: errorCode });
