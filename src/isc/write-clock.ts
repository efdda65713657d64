/**
 * Which writes make which reads stale, and a clock of those writes. A read's stamp names the
 * writes that could have changed its answer; a write advances them before its answer reaches the
 * caller. Whatever is keyed by the stamp (cache entries, reads in flight to share) is then out of
 * reach for any read that starts after the write: no scan, no message to other replicas, and a
 * read that started before the write can only store its answer under the old stamp.
 *
 * Scopes, per collection (the first path segment):
 * - `list:<collection>` — its list pages (`connectors?…`, `source-apps/all?…`);
 * - `all:<collection>` — everything in it (advanced by collection-wide writes: `source-apps/bulk-update`);
 * - `res:<collection>/<id>` — one resource and what hangs below it (its files, its access profiles).
 * A list read depends on `list:`; a resource read on `all:` and its `res:`. A create advances
 * `list:`; a write to a resource advances `list:` and its `res:`; a collection-wide write `list:` and `all:`.
 * So every write moves its collection's `list:` (held-items.ts relies on it).
 */
export interface WriteClock {
  /** Equal stamps for a URL: no write that may change its answer happened between them. */
  stamp(url: string): Promise<string>;
  /** The stamps of several URLs at once (one round trip when shared). */
  stamps(urls: readonly string[]): Promise<string[]>;
  /** A write to `path` was answered (or may have been applied): reads from now on get new stamps. */
  advance(path: string): Promise<void>;
}

/** The literal second segments of a collection's paths (`source-apps/all`): lists, never ids. */
export type RouteWords = (collection: string) => ReadonlySet<string>;

/** The words of every collection, from the domains' route templates. */
export function routeWords(templates: readonly string[]): RouteWords {
  const words = new Map<string, Set<string>>();
  for (const template of templates) {
    const [collection, second] = template.split('/');
    if (!words.has(collection)) words.set(collection, new Set());
    if (second !== undefined && !second.startsWith('{')) words.get(collection)!.add(second);
  }
  const none = new Set<string>();
  return (collection) => words.get(collection) ?? none;
}

const segmentsOf = (url: string): string[] => url.split('?', 1)[0].split('/');

/** The scopes a GET of `url` depends on. */
export function readScopes(url: string, words: RouteWords): string[] {
  const [collection, id] = segmentsOf(url);
  if (id === undefined || words(collection).has(id)) return [`list:${collection}`];
  return [`all:${collection}`, `res:${collection}/${id}`];
}

/** The scopes a write to `path` advances. */
export function writeScopes(path: string, words: RouteWords): string[] {
  const [collection, id] = segmentsOf(path);
  if (id === undefined) return [`list:${collection}`];
  if (words(collection).has(id)) return [`list:${collection}`, `all:${collection}`];
  return [`list:${collection}`, `res:${collection}/${id}`];
}

/**
 * The clock of one process: a counter per scope, bounded. When the bound is reached every counter
 * is dropped and the epoch (part of every stamp) moves on, so no stamp can ever come back.
 */
export function localWriteClock(words: RouteWords, maxScopes = 100_000): WriteClock & { stampNow(url: string): string } {
  let epoch = 0;
  let counters = new Map<string, number>();
  const stampNow = (url: string) =>
    `${epoch}:${readScopes(url, words)
      .map((scope) => counters.get(scope) ?? 0)
      .join('.')}`;
  return {
    stampNow,
    stamp: async (url) => stampNow(url),
    stamps: async (urls) => urls.map(stampNow),
    async advance(path) {
      const scopes = writeScopes(path, words);
      if (counters.size + scopes.length > maxScopes) {
        counters = new Map();
        epoch++;
      }
      for (const scope of scopes) counters.set(scope, (counters.get(scope) ?? 0) + 1);
    },
  };
}
