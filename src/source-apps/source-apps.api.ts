import type { Upstream, UpstreamRequest } from '../isc/client.js';
import { gatewayError, nullIfNotFound } from '../shared/errors.js';
import { condition } from '../shared/filters.js';
import type { JsonPatchOperation } from '../shared/json-patch.js';
import { totalCount, type Chunk, type ChunkRequest } from '../shared/paging.js';
import { heldById } from '../shared/held-by-id.js';
import { path } from '../shared/path.js';
import type { IscAccessProfile, IscSourceApp } from './source-apps.mappers.js';

/**
 * Plain functions over the ISC client, one per `/source-apps` operation. Every v2024 source apps
 * endpoint is experimental: each call sends `X-SailPoint-Experimental: true`.
 */

const send = <T>(upstream: Upstream, request: Omit<UpstreamRequest, 'experimental'>) => upstream.send<T>({ ...request, experimental: true });

/** The three list views: available for access requests, the whole org (admin), the caller's own. */
export type SourceAppListView = 'available' | 'all' | 'assigned';

const LIST_PATHS: Record<SourceAppListView, string> = {
  available: 'source-apps',
  all: 'source-apps/all',
  assigned: 'source-apps/assigned',
};

/** Every list answers whole apps, as `GET /source-apps/{id}` does: the response cache may keep each as that read's answer. */
const HOLDS_APPS = heldById((id) => path`source-apps/${id}`);

export async function listSourceApps(
  upstream: Upstream,
  view: SourceAppListView,
  query: { filters: string | undefined; sorters: string | undefined },
  page: ChunkRequest,
): Promise<Chunk<IscSourceApp>> {
  const response = await send<IscSourceApp[]>(upstream, {
    method: 'GET',
    path: LIST_PATHS[view],
    searchParams: {
      filters: query.filters,
      sorters: query.sorters,
      limit: page.limit,
      offset: page.offset,
      count: page.count ? true : undefined,
    },
    holds: HOLDS_APPS,
  });
  return { items: response.body ?? [], total: totalCount(response.headers) };
}

/** One `id in (...)` lookup; the response cache may keep and serve its apps one by one (`byIds`). */
function byIdsRequest(ids: readonly string[]): UpstreamRequest {
  return {
    method: 'GET',
    path: LIST_PATHS.all,
    searchParams: { filters: condition('id', 'in', ids), limit: ids.length },
    byIds: { ...HOLDS_APPS, ids, request: byIdsRequest },
  };
}

/** Several apps by id in one call on the admin view (`id in (...)`); absent ids are simply missing. */
export async function listSourceAppsByIds(upstream: Upstream, ids: readonly string[]): Promise<IscSourceApp[]> {
  const response = await send<IscSourceApp[]>(upstream, byIdsRequest(ids));
  return response.body ?? [];
}

/** Null when ISC has no such app. */
export async function getSourceApp(upstream: Upstream, id: string): Promise<IscSourceApp | null> {
  return nullIfNotFound(send<IscSourceApp>(upstream, { method: 'GET', path: HOLDS_APPS.entryPath(id) }));
}

/** The create body: ISC's `SourceAppCreateDto`. */
export interface CreateSourceAppBody {
  name: string;
  description: string;
  accountSource: { id: string };
  matchAllAccounts?: boolean;
}

export async function createSourceApp(upstream: Upstream, body: CreateSourceAppBody): Promise<IscSourceApp> {
  return (await send<IscSourceApp>(upstream, { method: 'POST', path: 'source-apps', json: body })).body;
}

export async function patchSourceApp(upstream: Upstream, id: string, ops: JsonPatchOperation[]): Promise<IscSourceApp> {
  return (await send<IscSourceApp>(upstream, { method: 'PATCH', path: path`source-apps/${id}`, jsonPatch: ops })).body;
}

/** ISC answers 200 with the deleted app. */
export async function deleteSourceApp(upstream: Upstream, id: string): Promise<IscSourceApp | null> {
  const response = await send<IscSourceApp | undefined>(upstream, { method: 'DELETE', path: path`source-apps/${id}` });
  if (response.deletedByEarlierAttempt) {
    throw gatewayError(
      'UPSTREAM_OUTCOME_UNKNOWN',
      'The source app was deleted by an earlier attempt whose answer was lost (the retry found it gone), so the deleted app can no longer be read',
    );
  }
  return response.body ?? null;
}

/** One atomic call for up to 50 apps; ISC answers 204. */
export async function bulkUpdateSourceApps(upstream: Upstream, appIds: readonly string[], jsonPatch: JsonPatchOperation[]): Promise<void> {
  await send(upstream, { method: 'POST', path: 'source-apps/bulk-update', json: { appIds, jsonPatch } });
}

export async function listSourceAppAccessProfiles(
  upstream: Upstream,
  id: string,
  filters: string | undefined,
  page: ChunkRequest,
): Promise<Chunk<IscAccessProfile>> {
  const response = await send<IscAccessProfile[]>(upstream, {
    method: 'GET',
    path: path`source-apps/${id}/access-profiles`,
    searchParams: { filters, limit: page.limit, offset: page.offset },
  });
  return { items: response.body ?? [] };
}

/** Answers the access profiles the app still has afterwards (at most `limit` of them; ISC's default is 250). */
export async function removeSourceAppAccessProfiles(
  upstream: Upstream,
  id: string,
  accessProfileIds: readonly string[],
  limit: number | undefined,
): Promise<IscAccessProfile[]> {
  const response = await send<IscAccessProfile[]>(upstream, {
    method: 'POST',
    path: path`source-apps/${id}/access-profiles/bulk-remove`,
    searchParams: { limit },
    json: accessProfileIds,
  });
  return response.body ?? [];
}
