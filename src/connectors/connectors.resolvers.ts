import type { ConnectorFileUpdateResolvers, ConnectorResolvers, Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { gatewayError } from '../shared/errors.js';
import { checkPaging, readPage, selectsField } from '../shared/paging.js';
import { checkLocale, checkOptionalLocale, type IscLocale } from '../shared/validation.js';
import { pathSegment } from '../shared/path.js';
import {
  createConnector,
  deleteConnector,
  getConnector,
  getConnectorTranslations,
  getConnectorXml,
  listConnectors,
  patchConnector,
  primeConnector,
  putConnectorFile,
  translationsPath,
  xmlFilePath,
  type ConnectorXmlFile,
} from './connectors.api.js';
import { connectorsFilters } from './connectors.filters.js';
import {
  connectorStatusFields,
  fileUpdateStatusFields,
  type ConnectorModel,
  type IscConnectorDetail,
  type IscUpdateDetail,
} from './connectors.mappers.js';
import { connectorPatch } from './connectors.patch.js';
import { checkFileContent, createConnectorBody } from './connectors.validation.js';

/**
 * Connector resolvers. Resolvers receive ISC's payloads as they arrive; fields ISC sends as the
 * schema has them are left to graphql-js's default resolver.
 */

/** The GET that holds a connector's detail fields: the scriptName it was asked by and the locale. */
interface DetailRead {
  scriptName: string;
  locale: IscLocale | undefined;
}

/**
 * The read each connector payload of the operation came from. ISC's payload carries neither the
 * locale it was asked in nor the scriptName the caller gave, and a field resolver does not see
 * its parent field's arguments: this per-operation record does. Payloads without one (a create
 * answer) are read by their own scriptName, without a locale.
 */
const detailReads = (ctx: Context): WeakMap<ConnectorModel, DetailRead> =>
  ctx.perRequest('connectors:detail-reads', () => new WeakMap<ConnectorModel, DetailRead>());

function readFrom<T extends ConnectorModel | null>(ctx: Context, connector: T, scriptName: string, locale: IscLocale | undefined): T {
  if (connector) detailReads(ctx).set(connector, { scriptName, locale });
  return connector;
}

/**
 * The detail payload, one GET per connector per operation: for a payload that was the detail
 * (`connector`, an entity reference, an update) the operation's reads answer it without ISC.
 */
async function detailOf(connector: ConnectorModel, ctx: Context): Promise<IscConnectorDetail | null> {
  const read = detailReads(ctx).get(connector) ?? { scriptName: connector.scriptName, locale: undefined };
  return getConnector(ctx.upstream, read.scriptName, read.locale);
}

function detailField<K extends keyof IscConnectorDetail>(key: K) {
  return async (connector: ConnectorModel, _args: unknown, ctx: Context): Promise<NonNullable<IscConnectorDetail[K]> | null> =>
    (await detailOf(connector, ctx))?.[key] ?? null;
}

async function uploadXml(ctx: Context, scriptName: string, xml: string, file: ConnectorXmlFile): Promise<IscUpdateDetail> {
  const filePath = xmlFilePath(scriptName, file);
  return putConnectorFile(ctx.upstream, filePath, checkFileContent(xml, 'xml'), { name: `${file}.xml`, type: 'application/xml' });
}

const Connector: ConnectorResolvers<Context> = {
  __resolveReference: async (reference, ctx) =>
    readFrom(ctx, await getConnector(ctx.upstream, reference.scriptName, undefined), reference.scriptName, undefined),
  ...connectorStatusFields,
  applicationXml: detailField('applicationXml'),
  correlationConfigXml: detailField('correlationConfigXml'),
  sourceConfigXml: detailField('sourceConfigXml'),
  sourceConfig: detailField('sourceConfig'),
  sourceConfigFrom: detailField('sourceConfigFrom'),
  s3Location: detailField('s3Location'),
  uploadedFiles: detailField('uploadedFiles'),
  fileUpload: detailField('fileUpload'),
  translationProperties: detailField('translationProperties'),
  files: (c) => ({ scriptName: c.scriptName }),
};

const ConnectorFileUpdate: ConnectorFileUpdateResolvers<Context> = { ...fileUpdateStatusFields };

export const connectorResolvers: Resolvers<Context> = {
  Query: {
    connectors: async (_root, args, ctx, info) => {
      const { limit, offset } = checkPaging(args, ctx.maxListLimit);
      const locale = checkOptionalLocale(args.locale);
      const filters = connectorsFilters(args);
      const page = await readPage({ limit, offset, withTotal: selectsField(info, 'totalCount') }, (chunk) =>
        listConnectors(ctx.upstream, { filters, locale }, chunk),
      );
      // Detail fields of the items are read in the list's locale.
      for (const item of page.items) readFrom(ctx, item, item.scriptName, locale);
      return page;
    },
    connector: async (_root, { scriptName, locale }, ctx) => {
      const checkedLocale = checkOptionalLocale(locale);
      return readFrom(ctx, await getConnector(ctx.upstream, scriptName, checkedLocale), scriptName, checkedLocale);
    },
  },
  Mutation: {
    createCustomConnector: async (_root, { input }, ctx) => {
      return createConnector(ctx.upstream, createConnectorBody(input));
    },
    updateConnector: async (_root, { scriptName, input, patch }, ctx) => {
      pathSegment(scriptName, 'scriptName');
      const ops = connectorPatch(input, patch);
      const updated = await patchConnector(ctx.upstream, scriptName, ops);
      // The answer is the detail: the operation's reads of it need no GET.
      primeConnector(ctx.upstream, scriptName, updated);
      return readFrom(ctx, updated, scriptName, undefined);
    },
    deleteCustomConnector: async (_root, { scriptName }, ctx) => {
      pathSegment(scriptName, 'scriptName');
      await deleteConnector(ctx.upstream, scriptName);
      return true;
    },
    updateConnectorSourceConfig: (_root, { scriptName, xml }, ctx) => uploadXml(ctx, scriptName, xml, 'source-config'),
    updateConnectorSourceTemplate: (_root, { scriptName, xml }, ctx) => uploadXml(ctx, scriptName, xml, 'source-template'),
    updateConnectorCorrelationConfig: (_root, { scriptName, xml }, ctx) => uploadXml(ctx, scriptName, xml, 'correlation-config'),
    updateConnectorTranslations: async (_root, { scriptName, locale, properties }, ctx) => {
      const checkedLocale = checkLocale(locale);
      const filePath = translationsPath(scriptName, checkedLocale);
      return putConnectorFile(ctx.upstream, filePath, checkFileContent(properties, 'properties'), {
        name: `${checkedLocale}.properties`,
        type: 'text/plain',
      });
    },
  },
  Connector,
  ConnectorFiles: {
    sourceConfig: (f, _args, ctx) => getConnectorXml(ctx.upstream, f.scriptName, 'source-config'),
    sourceTemplate: (f, _args, ctx) => getConnectorXml(ctx.upstream, f.scriptName, 'source-template'),
    correlationConfig: (f, _args, ctx) => getConnectorXml(ctx.upstream, f.scriptName, 'correlation-config'),
    translations: (f, { locale }, ctx) => getConnectorTranslations(ctx.upstream, f.scriptName, checkLocale(locale)),
  },
  ConnectorPage: {
    totalCount: (page) => {
      if (page.totalCount === null) throw gatewayError('UPSTREAM_ERROR', 'ISC did not report a total count (X-Total-Count)');
      return page.totalCount;
    },
  },
  ConnectorFileUpdate,
};
