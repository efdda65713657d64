import type { Upstream, UpstreamRequest } from '../isc/client.js';
import type { JsonPatchOperation } from '../shared/json-patch.js';
import { totalCount, type Chunk, type ChunkRequest } from '../shared/paging.js';
import { path } from '../shared/path.js';
import type { IscAppAccountDetails, IscUserApp, UserAppAccountListModel } from './user-apps.mappers.js';

/**
 * Plain functions over the ISC client, one per `/user-apps` operation. The user-apps API is
 * experimental: each call sends `X-SailPoint-Experimental: true`.
 */

const send = <T>(upstream: Upstream, request: Omit<UpstreamRequest, 'experimental'>) => upstream.send<T>({ ...request, experimental: true });

/** The two lists: the caller's own apps, and every identity's (filtered, manage scope). */
export type UserAppListView = 'own' | 'all';

const LIST_PATHS: Record<UserAppListView, string> = { own: 'user-apps', all: 'user-apps/all' };

export async function listUserApps(
  upstream: Upstream,
  view: UserAppListView,
  filters: string | undefined,
  page: ChunkRequest,
): Promise<Chunk<IscUserApp>> {
  const response = await send<IscUserApp[]>(upstream, {
    method: 'GET',
    path: LIST_PATHS[view],
    searchParams: { filters, limit: page.limit, offset: page.offset, count: page.count ? true : undefined },
  });
  return { items: response.body ?? [], total: totalCount(response.headers) };
}

/** ISC's only page of an app's available accounts: the endpoint takes `limit` and `count`, no offset. */
export async function listAvailableAccounts(
  upstream: Upstream,
  id: string,
  query: { limit: number; count: boolean },
): Promise<UserAppAccountListModel> {
  const response = await send<IscAppAccountDetails[]>(upstream, {
    method: 'GET',
    path: path`user-apps/${id}/available-accounts`,
    searchParams: { limit: query.limit, count: query.count ? true : undefined },
  });
  return { items: response.body ?? [], totalCount: query.count ? (totalCount(response.headers) ?? null) : null };
}

export async function patchUserApp(upstream: Upstream, id: string, ops: JsonPatchOperation[]): Promise<IscUserApp> {
  return (await send<IscUserApp>(upstream, { method: 'PATCH', path: path`user-apps/${id}`, jsonPatch: ops })).body;
}
