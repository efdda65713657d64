import { deprecationAdvice, type ApiPathLayout } from './api-paths.js';
import type { DeprecatedRoute, Stage } from './types.js';

export type { DeprecatedRoute };

export interface DeprecatedRoutes {
  /** Every route seen deprecated, in the order first seen (bounded: route templates are a fixed set). */
  list(): readonly DeprecatedRoute[];
}

/** Told once per route per process, the first time ISC marks it deprecated. */
export type DeprecationNotice = (route: DeprecatedRoute & { advice: string }) => void;

/**
 * Watches ISC's answers for `X-Deprecated: true` (how ISC marks a deprecated endpoint): each
 * route is reported once per process through `notice`, and counted for the metrics and `/readyz`.
 */
export function watchDeprecations(layout: ApiPathLayout, notice: DeprecationNotice): { stage: Stage; routes: DeprecatedRoutes } {
  const seen = new Map<string, DeprecatedRoute>();
  const stage: Stage = (call, next) =>
    next(call).then((answer) => {
      if (isDeprecated(answer.headers['x-deprecated'])) {
        const key = `${call.request.method} ${call.route}`;
        let route = seen.get(key);
        if (!route) {
          seen.set(key, (route = { method: call.request.method, route: call.route, layout, answers: 0 }));
          notice({ ...route, advice: deprecationAdvice(layout) });
        }
        route.answers++;
      }
      return answer;
    });
  return { stage, routes: { list: () => [...seen.values()] } };
}

function isDeprecated(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim().toLowerCase() === 'true';
}

/** The `/readyz` entry: which routes ISC marks deprecated (still ready: they answer). */
export function deprecationCheck(routes: readonly DeprecatedRoute[]): string | undefined {
  if (routes.length === 0) return undefined;
  const names = routes.map((r) => `${r.method} ${r.route}`).join(', ');
  return `ISC marks ${routes.length === 1 ? 'a route' : `${routes.length} routes`} deprecated (X-Deprecated: true) in the ${routes[0].layout} layout: ${names}; ${deprecationAdvice(routes[0].layout)}`;
}
