import type { UpstreamRequest } from './types.js';

/**
 * What the infrastructure needs to know of one domain's ISC endpoints, declared next to its api
 * (`<domain>.routes.ts`) and merged in src/domains.ts.
 */
export interface DomainRoutes {
  /** The first path segment (`connectors`). */
  collection: string;
  /** Every path the domain calls, identifiers as `{name}`: metrics, logs and spans name calls by them. */
  templates: readonly string[];
  /** GET answers may be kept by the response cache across operations (reference data). */
  cacheable?: boolean;
  /** The cheapest read of the domain, if it offers one for readiness probes. */
  probe?: UpstreamRequest;
}

/** A path no template matches: a fixed label, so nothing a caller sends becomes one. */
export const UNKNOWN_ROUTE = 'other';

/**
 * Names an upstream path by the template it matches (`connectors/ad%2Fx/translations/fr` →
 * `connectors/{scriptName}/translations/{locale}`), preferring literal segments (`source-apps/all`
 * over `source-apps/{id}`): a low-cardinality label that never carries caller data.
 */
export function routeTemplates(templates: readonly string[]): (path: string) => string {
  const parsed = templates.map((template) => ({ template, segments: template.split('/') }));
  // Operations ask for the same paths again and again: each is matched once (bounded).
  const known = new Map<string, string>();
  return (path) => {
    let route = known.get(path);
    if (route === undefined) {
      if (known.size >= 2_000) known.clear();
      known.set(path, (route = match(parsed, path)));
    }
    return route;
  };
}

function match(parsed: readonly { template: string; segments: string[] }[], path: string): string {
  const segments = path.split('?', 1)[0].split('/');
  let best: { template: string; literals: number } | undefined;
  for (const { template, segments: pattern } of parsed) {
    if (pattern.length !== segments.length) continue;
    let literals = 0;
    const matches = pattern.every((part, i) => (part.startsWith('{') ? segments[i] !== '' : part === segments[i] && ++literals > 0));
    if (matches && (!best || literals > best.literals)) best = { template, literals };
  }
  return best?.template ?? UNKNOWN_ROUTE;
}
