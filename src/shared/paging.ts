import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { badInput } from './errors.js';

/** ISC's largest page: `limit` above this is a 400 upstream. */
export const ISC_PAGE_SIZE = 250;
const MAX_OFFSET = 10_000_000;

/** What one upstream list call asks for. */
export interface ChunkRequest {
  limit: number;
  offset: number;
  /** Send `count=true`: only when the caller selected `totalCount`. */
  count: boolean;
}

export interface Chunk<T> {
  items: T[];
  /** From `X-Total-Count`, when `count` was asked for. */
  total?: number;
}

/** A page as the GraphQL page types expose it. */
export interface PageModel<T> {
  items: T[];
  totalCount: number | null;
  hasMore: boolean;
}

export interface PagingArgs {
  limit?: number | null;
  offset?: number | null;
}

/** Validates `limit`/`offset` against the gateway's cap. Omitted `limit` means one ISC page. */
export function checkPaging(args: PagingArgs, maxLimit: number): { limit: number; offset: number } {
  const limit = args.limit ?? Math.min(ISC_PAGE_SIZE, maxLimit);
  const offset = args.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > maxLimit) {
    throw badInput(`limit must be between 0 and ${maxLimit}`, { argument: 'limit', max: maxLimit });
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw badInput(`offset must be between 0 and ${MAX_OFFSET}`, { argument: 'offset', max: MAX_OFFSET });
  }
  return { limit, offset };
}

/**
 * Reads `limit` items from `offset` through ISC's 250-item pages.
 *
 * `hasMore` is exact: from the total when it was counted, otherwise by reading one item more than
 * asked for. The first page is read alone (most lists fit in it, and its count or its shortness
 * tells how many more pages are worth reading); the remaining pages are then read in parallel.
 */
export async function readPage<T>(
  { limit, offset, withTotal }: { limit: number; offset: number; withTotal: boolean },
  fetchChunk: (request: ChunkRequest) => Promise<Chunk<T>>,
): Promise<PageModel<T>> {
  const wanted = withTotal ? limit : limit + 1;
  const firstLimit = Math.min(ISC_PAGE_SIZE, wanted);
  const first = await fetchChunk({ limit: firstLimit, offset, count: withTotal });
  let items = first.items;

  let remaining = wanted - firstLimit;
  if (withTotal && first.total !== undefined) remaining = Math.min(remaining, first.total - offset - firstLimit);
  if (first.items.length >= firstLimit && remaining > 0) {
    const requests: ChunkRequest[] = [];
    for (let at = offset + firstLimit; remaining > 0; at += ISC_PAGE_SIZE) {
      const size = Math.min(ISC_PAGE_SIZE, remaining);
      requests.push({ limit: size, offset: at, count: false });
      remaining -= size;
    }
    const rest = await Promise.all(requests.map(fetchChunk));
    items = items.concat(...rest.map((chunk) => chunk.items));
  }

  const total = withTotal ? (first.total ?? null) : null;
  const pageItems = items.slice(0, limit);
  const hasMore = total !== null ? offset + pageItems.length < total : items.length > limit;
  return { items: pageItems, totalCount: total, hasMore };
}

/** ISC's `X-Total-Count` header (sent when `count=true` was asked for). */
export function totalCount(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['x-total-count'];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Whether the current field's selection (through fragments) includes `name`. */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
