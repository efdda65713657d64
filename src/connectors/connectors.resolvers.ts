import type { ConnectorFileUpdateResolvers, ConnectorResolvers, Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { enumValue, rawEnum } from '../shared/enums.js';
import { badInput, gatewayError } from '../shared/errors.js';
import { checkRawFilterFields, combineFilters } from '../shared/filters.js';
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
  putConnectorFile,
  translationsPath,
  xmlFilePath,
  type ConnectorXmlFile,
} from './connectors.api.js';
import { CONNECTOR_FILTER_FIELDS, connectorFilterExpression } from './connectors.filters.js';
import type { ConnectorModel, IscConnector, IscConnectorDetail, IscUpdateDetail } from './connectors.mappers.js';
import { connectorPatch } from './connectors.patch.js';

const CONNECTOR_STATUSES = ['RELEASED', 'DEVELOPMENT', 'DEMO', 'DEPRECATED'] as const;
const FILE_UPDATE_STATUSES = ['UPDATED', 'UNCHANGED', 'SKIPPED', 'ERROR'] as const;
/** Bound on uploaded XML and properties files, well below ISC's own limits. */
const MAX_FILE_CHARS = 512 * 1024;

const model = (dto: IscConnector | IscConnectorDetail, detailed: boolean, locale?: IscLocale): ConnectorModel => ({
  dto,
  detailed,
  locale,
});

/** The detail payload: the one in hand, or one GET per connector per operation (deduplicated). */
async function detailOf(connector: ConnectorModel, ctx: Context): Promise<IscConnectorDetail | null> {
  if (connector.detailed) return connector.dto;
  return getConnector(ctx.upstream, connector.dto.scriptName, connector.locale);
}

function detailField<K extends keyof IscConnectorDetail>(key: K) {
  return async (connector: ConnectorModel, _args: unknown, ctx: Context): Promise<NonNullable<IscConnectorDetail[K]> | null> =>
    (await detailOf(connector, ctx))?.[key] ?? null;
}

function checkFileContent(value: string, argument: string): string {
  if (value.length > MAX_FILE_CHARS) throw badInput(`${argument} is larger than ${MAX_FILE_CHARS} characters`, { argument });
  return value;
}

async function uploadXml(ctx: Context, scriptName: string, xml: string, file: ConnectorXmlFile): Promise<IscUpdateDetail> {
  const filePath = xmlFilePath(scriptName, file);
  return putConnectorFile(ctx.upstream, filePath, checkFileContent(xml, 'xml'), { name: `${file}.xml`, type: 'application/xml' });
}

const Connector: ConnectorResolvers<Context> = {
  __resolveReference: async (reference, ctx) => {
    const dto = await getConnector(ctx.upstream, reference.scriptName, undefined);
    return dto && model(dto, true);
  },
  scriptName: (c) => c.dto.scriptName,
  name: (c) => c.dto.name ?? null,
  type: (c) => c.dto.type ?? null,
  className: (c) => c.dto.className ?? null,
  features: (c) => ('features' in c.dto ? (c.dto.features ?? null) : null),
  directConnect: (c) => c.dto.directConnect ?? null,
  connectorMetadata: (c) => c.dto.connectorMetadata ?? null,
  status: (c) => enumValue(CONNECTOR_STATUSES, c.dto.status),
  statusRaw: (c) => rawEnum(c.dto.status),
  applicationXml: detailField('applicationXml'),
  correlationConfigXml: detailField('correlationConfigXml'),
  sourceConfigXml: detailField('sourceConfigXml'),
  sourceConfig: detailField('sourceConfig'),
  sourceConfigFrom: detailField('sourceConfigFrom'),
  s3Location: detailField('s3Location'),
  uploadedFiles: detailField('uploadedFiles'),
  fileUpload: detailField('fileUpload'),
  translationProperties: detailField('translationProperties'),
  files: (c) => ({ scriptName: c.dto.scriptName }),
};

const ConnectorFileUpdate: ConnectorFileUpdateResolvers<Context> = {
  message: (u) => u.message ?? null,
  scriptName: (u) => u.scriptName ?? null,
  updatedFiles: (u) => u.updatedFiles ?? null,
  status: (u) => enumValue(FILE_UPDATE_STATUSES, u.status),
  statusRaw: (u) => rawEnum(u.status),
};

export const connectorResolvers: Resolvers<Context> = {
  Query: {
    connectors: async (_root, args, ctx, info) => {
      const { limit, offset } = checkPaging(args, ctx.maxListLimit);
      const locale = checkOptionalLocale(args.locale);
      const filters = combineFilters(connectorFilterExpression(args.filter), checkRawFilterFields(args.filters, CONNECTOR_FILTER_FIELDS));
      const page = await readPage({ limit, offset, withTotal: selectsField(info, 'totalCount') }, (chunk) =>
        listConnectors(ctx.upstream, { filters, locale }, chunk),
      );
      return { ...page, items: page.items.map((dto) => model(dto, false, locale)) };
    },
    connector: async (_root, { scriptName, locale }, ctx) => {
      const checkedLocale = checkOptionalLocale(locale);
      const dto = await getConnector(ctx.upstream, scriptName, checkedLocale);
      return dto && model(dto, true, checkedLocale);
    },
  },
  Mutation: {
    createCustomConnector: async (_root, { input }, ctx) => {
      for (const field of ['name', 'className'] as const) {
        if (!input[field].trim()) throw badInput(`input.${field} must not be empty`, { argument: `input.${field}` });
      }
      const body = {
        name: input.name,
        className: input.className,
        ...(input.type != null && { type: input.type }),
        ...(input.directConnect != null && { directConnect: input.directConnect }),
        ...(input.status != null && { status: input.status }),
      };
      return model(await createConnector(ctx.upstream, body), false);
    },
    updateConnector: async (_root, { scriptName, input, patch }, ctx) => {
      pathSegment(scriptName, 'scriptName');
      const ops = connectorPatch(input, patch);
      return model(await patchConnector(ctx.upstream, scriptName, ops), true);
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
