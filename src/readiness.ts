import { GraphQLError } from 'graphql';
import { deprecationCheck } from './isc/deprecations.js';
import type { IscClient, UpstreamRequest } from './isc/types.js';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export interface ReadinessOptions {
  client: IscClient;
  /** The cheapest read a domain offers. */
  probe: UpstreamRequest;
  /** Pass-through mode has no credential of its own to probe with. */
  passthrough: boolean;
  /** The replicas' Redis, when configured: reported, but unreachable is not unready. */
  shared?: { available(): boolean };
  /** The response cache's own Redis (`SAIL_REDIS_CACHE_URL`): reported likewise. */
  sharedCache?: { available(): boolean };
  /** How long one probe's result is reused, and the probe's own deadline. */
  intervalMs: number;
  timeoutMs: number;
}

/**
 * `/readyz`: whether a token can be obtained and ISC answers. It answers anonymous callers, so it
 * costs ISC nothing they can multiply: see sharedReadiness and the probe's background scope.
 */
export function readinessCheck(options: ReadinessOptions): () => Promise<Readiness> {
  const probed = sharedReadiness(() => probeOnce(options), options.intervalMs);
  return () => probed().then((result) => withDeprecations(result, options.client));
}

/** Routes ISC marks deprecated are listed as they are now (not as of the last probe); they still answer, so still ready. */
function withDeprecations(result: Readiness, client: IscClient): Readiness {
  const deprecated = deprecationCheck(client.deprecatedRoutes?.() ?? []);
  return deprecated ? { ...result, checks: { ...result.checks, deprecated } } : result;
}

/** One probe at a time (single flight); its result, success or failure, is reused for `intervalMs`. */
export function sharedReadiness(probe: () => Promise<Readiness>, intervalMs: number, now: () => number = Date.now): () => Promise<Readiness> {
  let last: { at: number; result: Readiness } | undefined;
  let inFlight: Promise<Readiness> | undefined;
  return () => {
    if (last && now() - last.at < intervalMs) return Promise.resolve(last.result);
    inFlight ??= probe()
      .then((result) => {
        last = { at: now(), result };
        return result;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

async function probeOnce({ client, probe, passthrough, shared, sharedCache, timeoutMs }: ReadinessOptions): Promise<Readiness> {
  // Redis unreachable is not unready: the replica serves on its per-process share.
  const redis: Record<string, string> = {
    ...(shared && { redis: shared.available() ? 'ok' : 'unreachable: per-process fallback' }),
    ...(sharedCache && { cacheRedis: sharedCache.available() ? 'ok' : 'unreachable: caching in this process' }),
  };
  if (!client.breakerClosed()) return { ready: false, checks: { upstream: 'circuit open after repeated failures', ...redis } };
  if (passthrough) return { ready: true, checks: { upstream: 'circuit closed', ...redis } };
  const silence = `no answer within ${timeoutMs} ms (SAIL_READINESS_TIMEOUT_MS)`;
  // A background call with a deadline of its own: no cache, no retry, no queueing ahead of callers.
  const scope = { deadline: Date.now() + timeoutMs, signal: AbortSignal.timeout(timeoutMs), rateLimitWaitLeftMs: 0, background: true };
  const deadline = timeout(timeoutMs, silence);
  try {
    await Promise.race([client.send({ kind: 'client-credentials' }, probe, scope), deadline.promise]);
    return { ready: true, checks: { token: 'ok', upstream: 'ok', ...redis } };
  } catch (error) {
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    // Callers are using the whole rate budget right now: the gateway works, it just did not probe.
    if (code === 'RATE_LIMITED') return { ready: true, checks: { upstream: 'not probed: the rate budget is in use by callers', ...redis } };
    // A token was issued and ISC answered: the credential lacks this one right, which other operations may not need.
    if (code === 'FORBIDDEN') {
      return {
        ready: true,
        checks: { token: 'ok', upstream: `ok (ISC answered 403 to GET /${probe.path}: the credential lacks that right)`, ...redis },
      };
    }
    return { ready: false, checks: { upstream: code === 'DEADLINE_EXCEEDED' ? silence : (error as Error).message, ...redis } };
  } finally {
    deadline.cancel();
  }
}

/** Rejects with `message` after `ms` (unref'd): the token request has no deadline of the probe's. */
function timeout(ms: number, message: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
