import type { Upstream, UpstreamRequest } from '../isc/client.js';
import { nullIfNotFound } from '../shared/errors.js';
import type { Chunk, ChunkRequest } from '../shared/paging.js';
import { heldById } from '../shared/held-by-id.js';
import { path } from '../shared/path.js';
import type { IscConnectorCustomizer, IscConnectorCustomizerVersion } from './connector-customizers.mappers.js';

/** Plain functions over the ISC client, one per `/connector-customizers` operation. */

const customizerRead = (id: string): UpstreamRequest => ({ method: 'GET', path: path`connector-customizers/${id}` });
const HOLDS_CUSTOMIZERS = heldById((id) => customizerRead(id).path);

/**
 * ISC takes only `limit` and `offset` here: `count` is never sent, so a chunk has no total. Its
 * items are whole customizers, as their by-id read answers them: the response cache may keep each.
 */
export async function listConnectorCustomizers(upstream: Upstream, page: ChunkRequest): Promise<Chunk<IscConnectorCustomizer>> {
  const response = await upstream.send<IscConnectorCustomizer[]>({
    method: 'GET',
    path: 'connector-customizers',
    searchParams: { limit: page.limit, offset: page.offset },
    holds: HOLDS_CUSTOMIZERS,
  });
  return { items: response.body ?? [] };
}

/** Null when ISC has no such customizer. Read once per operation, however many fields ask. */
export async function getConnectorCustomizer(upstream: Upstream, id: string): Promise<IscConnectorCustomizer | null> {
  return nullIfNotFound(upstream.send<IscConnectorCustomizer>(customizerRead(id)));
}

/** The rest of the operation reads the customizer as a write answered it, without asking ISC again. */
export function primeConnectorCustomizer(upstream: Upstream, customizer: IscConnectorCustomizer): void {
  upstream.prime(customizerRead(customizer.id), customizer);
}

export async function createConnectorCustomizer(upstream: Upstream, body: { name: string }): Promise<IscConnectorCustomizer> {
  return (await upstream.send<IscConnectorCustomizer>({ method: 'POST', path: 'connector-customizers', json: body })).body;
}

/** Full replacement: the body is the customizer's whole new state. */
export async function putConnectorCustomizer(upstream: Upstream, id: string, body: { name: string }): Promise<IscConnectorCustomizer> {
  return (await upstream.send<IscConnectorCustomizer>({ method: 'PUT', path: path`connector-customizers/${id}`, json: body })).body;
}

export async function deleteConnectorCustomizer(upstream: Upstream, id: string): Promise<void> {
  await upstream.send({ method: 'DELETE', path: path`connector-customizers/${id}` });
}

/** POST with no body. ISC's spec marks the answer nullable, hence `| null`. */
export async function createConnectorCustomizerVersion(upstream: Upstream, id: string): Promise<IscConnectorCustomizerVersion | null> {
  const response = await upstream.send<IscConnectorCustomizerVersion | null | undefined>({
    method: 'POST',
    path: path`connector-customizers/${id}/versions`,
  });
  return response.body ?? null;
}
