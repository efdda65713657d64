/**
 * How a domain's list answer maps to its by-id reads (`UpstreamRequest.holds`, see
 * src/isc/held-items.ts): items keyed by their `id` field, each the answer of the GET of
 * `entryPath(id)`. Here, on the ground floor, so that a domain declares it without importing the
 * pipeline.
 */
export function heldById(entryPath: (id: string) => string): { entryPath(id: string): string; idOf(item: unknown): string | undefined } {
  return {
    entryPath,
    idOf: (item) => {
      const id = (item as { id?: unknown } | null)?.id;
      return typeof id === 'string' ? id : undefined;
    },
  };
}
