import type { Upstream, UpstreamRequest } from '../isc/client.js';
import { nullIfNotFound } from '../shared/errors.js';
import type { JsonPatchOperation } from '../shared/json-patch.js';
import { totalCount, type Chunk, type ChunkRequest } from '../shared/paging.js';
import { path } from '../shared/path.js';
import type { IscLocale } from '../shared/validation.js';
import type { IscConnector, IscConnectorDetail, IscUpdateDetail } from './connectors.mappers.js';

/** Plain functions over the ISC client, one per `/connectors` operation. */

export async function listConnectors(
  upstream: Upstream,
  query: { filters: string | undefined; locale: IscLocale | undefined },
  page: ChunkRequest,
): Promise<Chunk<IscConnector>> {
  const response = await upstream.send<IscConnector[]>({
    method: 'GET',
    path: 'connectors',
    searchParams: {
      filters: query.filters,
      limit: page.limit,
      offset: page.offset,
      count: page.count ? true : undefined,
      locale: query.locale,
    },
  });
  return { items: response.body ?? [], total: totalCount(response.headers) };
}

const connectorRead = (scriptName: string, locale: IscLocale | undefined): UpstreamRequest => ({
  method: 'GET',
  path: path`connectors/${scriptName}`,
  searchParams: { locale },
});

/** Null when ISC has no such connector. Read once per operation, however many fields ask. */
export async function getConnector(upstream: Upstream, scriptName: string, locale: IscLocale | undefined): Promise<IscConnectorDetail | null> {
  return nullIfNotFound(upstream.send<IscConnectorDetail>(connectorRead(scriptName, locale)));
}

/** The rest of the operation reads the connector (without a locale) as a write answered it, without asking ISC again. */
export function primeConnector(upstream: Upstream, scriptName: string, detail: IscConnectorDetail): void {
  upstream.prime(connectorRead(scriptName, undefined), detail);
}

/** The create body: ISC's `V3CreateConnectorDto`. */
export interface CreateConnectorBody {
  name: string;
  className: string;
  type?: string;
  directConnect?: boolean;
  status?: string;
}

export async function createConnector(upstream: Upstream, body: CreateConnectorBody): Promise<IscConnector> {
  return (await upstream.send<IscConnector>({ method: 'POST', path: 'connectors', json: body })).body;
}

export async function patchConnector(upstream: Upstream, scriptName: string, ops: JsonPatchOperation[]): Promise<IscConnectorDetail> {
  return (await upstream.send<IscConnectorDetail>({ method: 'PATCH', path: path`connectors/${scriptName}`, jsonPatch: ops })).body;
}

export async function deleteConnector(upstream: Upstream, scriptName: string): Promise<void> {
  await upstream.send({ method: 'DELETE', path: path`connectors/${scriptName}` });
}

/** The three XML files of a connector, by their REST path segment. */
export type ConnectorXmlFile = 'source-config' | 'source-template' | 'correlation-config';

export async function getConnectorXml(upstream: Upstream, scriptName: string, file: ConnectorXmlFile): Promise<string | null> {
  return nullIfNotFound(upstream.send<string>({ method: 'GET', path: `${path`connectors/${scriptName}`}/${file}`, accept: 'application/xml' }));
}

export async function getConnectorTranslations(upstream: Upstream, scriptName: string, locale: IscLocale): Promise<string | null> {
  return nullIfNotFound(upstream.send<string>({ method: 'GET', path: path`connectors/${scriptName}/translations/${locale}`, accept: 'text/plain' }));
}

/** Uploads one file as the multipart part named `file`. */
export async function putConnectorFile(
  upstream: Upstream,
  filePath: string,
  content: string,
  file: { name: string; type: string },
): Promise<IscUpdateDetail> {
  const form = new FormData();
  form.set('file', new Blob([content], { type: file.type }), file.name);
  return (await upstream.send<IscUpdateDetail>({ method: 'PUT', path: filePath, form })).body;
}

export const xmlFilePath = (scriptName: string, file: ConnectorXmlFile): string => `${path`connectors/${scriptName}`}/${file}`;
export const translationsPath = (scriptName: string, locale: IscLocale): string => path`connectors/${scriptName}/translations/${locale}`;
