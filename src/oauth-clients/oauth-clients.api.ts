import type { Upstream, UpstreamRequest } from '../isc/client.js';
import { nullIfNotFound } from '../shared/errors.js';
import type { JsonPatchOperation } from '../shared/json-patch.js';
import { heldById } from '../shared/held-by-id.js';
import { path } from '../shared/path.js';
import type { IscCreatedOAuthClient, IscOAuthClient } from './oauth-clients.mappers.js';

/** Plain functions over the ISC client, one per `/oauth-clients` operation. */

const clientRead = (id: string): UpstreamRequest => ({ method: 'GET', path: path`oauth-clients/${id}` });
const HOLDS_CLIENTS = heldById((id) => clientRead(id).path);

/**
 * All clients matching `filters` (ISC pages nothing here: one call answers the whole list). Its
 * items are whole clients, as their by-id read answers them: the response cache may keep each.
 */
export async function listOAuthClients(upstream: Upstream, filters: string | undefined): Promise<IscOAuthClient[]> {
  const response = await upstream.send<IscOAuthClient[]>({
    method: 'GET',
    path: 'oauth-clients',
    searchParams: { filters },
    holds: HOLDS_CLIENTS,
  });
  return response.body ?? [];
}

/** Null when ISC has no such client. Read once per operation, however many fields ask. */
export async function getOAuthClient(upstream: Upstream, id: string): Promise<IscOAuthClient | null> {
  return nullIfNotFound(upstream.send<IscOAuthClient>(clientRead(id)));
}

/**
 * The rest of the operation reads the client as a list or a write answered it (null: deleted),
 * without asking ISC again. Only read shapes are primed: never a secret.
 */
export function primeOAuthClient(upstream: Upstream, id: string, client: IscOAuthClient | null): void {
  upstream.prime(clientRead(id), client);
}

/** The create body: ISC's `CreateOAuthClientRequest`. */
export interface CreateOAuthClientBody {
  name: string;
  description: string;
  accessTokenValiditySeconds: number;
  grantTypes: string[];
  accessType: string;
  enabled: boolean;
  refreshTokenValiditySeconds?: number;
  type?: string;
  businessName?: string;
  homepageUrl?: string;
  redirectUris?: string[];
  internal?: boolean;
  strongAuthSupported?: boolean;
  claimsSupported?: boolean;
  scope?: string[];
}

/** The one call whose answer keeps its `secret` (`keepSecret`): ISC shows it only here. */
export async function createOAuthClient(upstream: Upstream, body: CreateOAuthClientBody): Promise<IscCreatedOAuthClient> {
  return (await upstream.send<IscCreatedOAuthClient>({ method: 'POST', path: 'oauth-clients', json: body, keepSecret: true })).body;
}

export async function patchOAuthClient(upstream: Upstream, id: string, ops: JsonPatchOperation[]): Promise<IscOAuthClient> {
  return (await upstream.send<IscOAuthClient>({ method: 'PATCH', path: path`oauth-clients/${id}`, jsonPatch: ops })).body;
}

export async function deleteOAuthClient(upstream: Upstream, id: string): Promise<void> {
  await upstream.send({ method: 'DELETE', path: path`oauth-clients/${id}` });
}
