import type { ResponseCache } from '../response-cache.js';
import type { Stage } from '../types.js';

/**
 * The response cache across operations (response-cache.ts; through Redis when scaled out):
 * cacheable GETs are answered from it when fresh, and their answers stored; every write
 * invalidates what it may have changed, also when its outcome is unknown. Background calls
 * (readiness probes) never use it.
 */
export function cachedResponses(cache: ResponseCache | undefined): Stage | undefined {
  if (!cache) return undefined;
  return async (call, next) => {
    if (call.scope.background) return next(call);
    if (call.request.method !== 'GET') {
      try {
        return await next(call);
      } finally {
        await cache.invalidate(call.request.path);
      }
    }
    const key = cache.keyOf(call.callerKey, call.url, call.request.accept ?? 'application/json');
    if (key === undefined) return next(call);
    const lookup = await cache.get(key);
    if (lookup.hit)
      return { status: lookup.hit.status, headers: lookup.hit.headers, body: lookup.hit.body, rawLength: lookup.hit.bytes, cached: true };
    const answer = await next(call);
    await cache.set(key, { status: answer.status, headers: answer.headers, body: answer.body, bytes: answer.rawLength }, lookup.stamp);
    return answer;
  };
}
