import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { CallerFacts, Context, OperationSettings } from '../context.js';
import { bindUpstream, type Credential, type IscClient, type OperationScope } from '../isc/client.js';
import type { Caller } from './caller.js';

export function createCallerFacts({ ttlMs = 10 * 60_000, max = 10_000 } = {}): CallerFacts {
  const facts = new LRUCache<string, boolean>({ max, ttl: ttlMs });
  return {
    get: (caller, fact) => facts.get(`${caller}\u0000${fact}`),
    set: (caller, fact, value) => void facts.set(`${caller}\u0000${fact}`, value),
  };
}

/** The operation's deadline (a timer that aborts its ISC calls) and its 429 wait budget. */
function operationScope(settings: OperationSettings): { scope: OperationScope; dispose: () => void } {
  const deadlineTimer = new AbortController();
  // Every pending read of the operation listens on this signal; dozens is normal, not a leak.
  setMaxListeners(0, deadlineTimer.signal);
  const timer = setTimeout(() => deadlineTimer.abort(), settings.operationTimeoutMs);
  timer.unref();
  const scope: OperationScope = {
    deadline: Date.now() + settings.operationTimeoutMs,
    signal: deadlineTimer.signal,
    rateLimitWaitLeftMs: settings.rateLimitWaitMs,
    calls: [],
    fresh: settings.fresh,
  };
  return { scope, dispose: () => clearTimeout(timer) };
}

/**
 * The context of one GraphQL operation, the one builder of it: the gateway builds one per
 * operation (see operationContextPlugin), so each operation of a batch has its own deadline,
 * GET cache and per-request values, and one finishing never ends another's deadline.
 */
export function createContext(
  client: IscClient,
  credential: Credential,
  settings: OperationSettings,
  requestId: string = randomUUID(),
  /** Computed on first use: only mutations (audit records) need it. */
  principal: () => string = () => 'unknown',
  callerFacts: CallerFacts = createCallerFacts(),
): Context {
  let principalName: string | undefined;
  const callerKey = client.callerKey(credential);
  const values = new Map<string, unknown>();
  const { scope, dispose } = operationScope(settings);
  return {
    requestId,
    credential,
    principal: () => (principalName ??= principal()),
    maxListLimit: settings.maxListLimit,
    rateKey: () => client.rateKey(credential),
    facts: { get: (fact) => callerFacts.get(callerKey, fact), set: (fact, value) => callerFacts.set(callerKey, fact, value) },
    scope,
    upstream: bindUpstream(client, credential, scope),
    dispose,
    perRequest<T>(key: string, create: () => T): T {
      if (!values.has(key)) values.set(key, create());
      return values.get(key) as T;
    },
  };
}

/** A caller's `X-Request-Id` is kept only when it is a short token of safe characters (it goes into logs and headers). */
export function requestIdOf(presented: string | undefined): string {
  return presented && /^[A-Za-z0-9._:-]{1,128}$/.test(presented) ? presented : randomUUID();
}

const CALLER = Symbol('caller');

/**
 * What Apollo's context hook answers, once per HTTP request: the caller alone. Apollo gives each
 * operation a shallow copy of it, and operationContextPlugin builds the operation's context on that
 * copy before any other plugin or resolver reads it; hence the cast to the type Apollo expects.
 */
export function pendingContext(caller: Caller): Context {
  return { [CALLER]: caller } as unknown as Context;
}

/** Builds each operation's context, once, when Apollo starts the operation; ends its deadline timer with the answer. */
export function operationContextPlugin(build: (caller: Caller) => Context): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const pending = contextValue as Context & { [CALLER]: Caller };
      Object.assign(contextValue, build(pending[CALLER]));
      return {
        async willSendResponse({ contextValue }) {
          contextValue.dispose();
        },
      };
    },
  };
}
