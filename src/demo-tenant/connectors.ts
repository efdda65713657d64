import { randomBytes } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, notFound } from './errors.js';
import { checkPatch, isObject } from './json-patch.js';
import { collectionPage, type AllowedFilters } from './filters.js';
import { CONNECTOR_SEED, newCustomConnector, slugify, type ConnectorRecord } from './seed/connectors.js';
import type { Reply, RequestContext, Router } from './router.js';
import { ISC_LOCALES } from '../shared/validation.js';
import { DOMAIN_SCOPES } from './scopes.js';

/** The demo tenant's connectors, keyed by scriptName, in catalogue order. */
export type ConnectorState = Map<string, ConnectorRecord>;

export function createConnectorState(): ConnectorState {
  // Deep copy: every tenant mutates its own records, never the seed.
  return new Map(structuredClone(CONNECTOR_SEED).map((c) => [c.scriptName, c]));
}

/** The spec's locale enum for `locale` query and path parameters (the same list the gateway checks). */
export const CONNECTOR_LOCALES: readonly string[] = ISC_LOCALES;

export const CONNECTOR_LIST_FILTERS: AllowedFilters = {
  name: ['sw', 'co'],
  type: ['sw', 'co', 'eq'],
  directConnect: ['eq'],
  category: ['eq'],
  features: ['ca'],
  labels: ['ca'],
};

const CREATE_STATUSES = ['DEVELOPMENT', 'DEMO', 'RELEASED'];
const PATCHABLE_FIELDS = ['connectorMetadata', 'applicationXml', 'correlationConfigXml', 'sourceConfigXml'];

/** The three XML files: URL name → record field and the file name reported in UpdateDetail. */
const XML_FILES = {
  'source-config': { field: 'sourceConfigXml', fileName: 'source-config.xml' },
  'source-template': { field: 'applicationXml', fileName: 'source-template.xml' },
  'correlation-config': { field: 'correlationConfigXml', fileName: 'correlation-config.xml' },
} as const;

// ---------------------------------------------------------------------------------------------
// Representations

function toConnectorDto(c: ConnectorRecord): Record<string, unknown> {
  return {
    name: c.name,
    type: c.type,
    scriptName: c.scriptName,
    className: c.className,
    features: c.features,
    directConnect: c.directConnect,
    connectorMetadata: c.connectorMetadata,
    status: c.status,
  };
}

function toConnectorDetail(c: ConnectorRecord, locale: string | undefined): Record<string, unknown> {
  return {
    name: c.name,
    type: c.type,
    className: c.className,
    scriptName: c.scriptName,
    applicationXml: c.applicationXml,
    correlationConfigXml: c.correlationConfigXml,
    sourceConfigXml: c.sourceConfigXml,
    sourceConfig: c.sourceConfig,
    sourceConfigFrom: c.sourceConfigFrom,
    s3Location: c.s3Location,
    uploadedFiles: c.uploadedFiles,
    fileUpload: c.fileUpload,
    directConnect: c.directConnect,
    translationProperties: parseProperties(translationsFor(c, locale)),
    connectorMetadata: c.connectorMetadata,
    status: c.status,
  };
}

/** ISC falls back to `en` when a connector has no file for the asked locale. */
const translationsFor = (c: ConnectorRecord, locale: string | undefined): string => c.translations[locale ?? 'en'] ?? c.translations.en ?? '';

/** Minimal Java properties reader (comments, `=`/`:` separators, escapes, continuations). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split(/\r?\n/)) {
    const current = pending + (pending ? line.trimStart() : line);
    const trailing = /\\+$/.exec(current)?.[0].length ?? 0;
    if (trailing % 2 === 1) pending = current.slice(0, -1);
    else {
      logical.push(current);
      pending = '';
    }
  }
  if (pending) logical.push(pending);
  const unescape = (s: string): string =>
    s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
      e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e,
    );
  for (const raw of logical) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    let end = 0; // the key ends at the first unescaped '=', ':' or whitespace
    while (end < line.length && !/[=:\s]/.test(line[end])) end += line[end] === '\\' ? 2 : 1;
    out[unescape(line.slice(0, end))] = unescape(line.slice(end).replace(/^\s*[=:]?\s*/, ''));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Input checks

function checkLocale(value: string | undefined, where: string): string | undefined {
  if (value !== undefined && !CONNECTOR_LOCALES.includes(value)) {
    throw badRequest(`${where} "${value}" is not a supported locale (one of ${CONNECTOR_LOCALES.join(', ')})`);
  }
  return value;
}

function find(state: ConnectorState, scriptName: string): ConnectorRecord {
  const c = state.get(scriptName);
  if (c === undefined) throw notFound(`Connector with scriptName "${scriptName}" was not found`);
  return c;
}

function createInput(body: unknown, state: ConnectorState): ConnectorRecord {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object (V3CreateConnectorDto)');
  const { name, className, type, directConnect, status } = body;
  const problems: string[] = [];
  if (typeof name !== 'string' || name.trim() === '') problems.push('name is required and must be a non-empty string');
  if (typeof className !== 'string' || className.trim() === '') problems.push('className is required and must be a non-empty string');
  if (type !== undefined && typeof type !== 'string') problems.push('type must be a string');
  if (directConnect !== undefined && typeof directConnect !== 'boolean') problems.push('directConnect must be a boolean');
  if (status !== undefined && (typeof status !== 'string' || !CREATE_STATUSES.includes(status))) {
    problems.push(`status must be one of ${CREATE_STATUSES.join(', ')}`);
  }
  if (problems.length > 0) throw badRequest('The connector cannot be created', problems);
  const n = name as string;
  let scriptName: string;
  do {
    // Like ISC: a slug of the name plus a random suffix, so equal names still get distinct ids.
    scriptName = `${slugify(n)}-${randomBytes(4).readUInt32BE().toString(36).padStart(6, '0').slice(-6)}`;
  } while (state.has(scriptName));
  return newCustomConnector({
    name: n,
    className: className as string,
    type: (type as string | undefined) ?? n,
    directConnect: (directConnect as boolean | undefined) ?? true,
    status: (status as string | undefined) ?? 'DEVELOPMENT',
    scriptName,
  });
}

function applyConnectorPatch(c: ConnectorRecord, ops: Operation[]): void {
  const doc = {
    connectorMetadata: c.connectorMetadata,
    applicationXml: c.applicationXml,
    correlationConfigXml: c.correlationConfigXml,
    sourceConfigXml: c.sourceConfigXml,
  };
  let next: typeof doc;
  try {
    // Applied to a copy: a patch that fails half-way must leave the connector as it was.
    next = jsonpatch.applyPatch(structuredClone(doc), ops, true, true).newDocument;
  } catch (err) {
    const e = err as { name?: string; index?: number; message?: string };
    const which = e.index === undefined ? '' : `Operation ${e.index}: `;
    throw badRequest(`${which}the patch cannot be applied (${e.name ?? 'error'})`, [String(e.message ?? err).split('\n')[0]]);
  }
  if (!isObject(next.connectorMetadata)) throw badRequest('connectorMetadata must remain an object');
  for (const key of ['applicationXml', 'correlationConfigXml', 'sourceConfigXml'] as const) {
    if (typeof next[key] !== 'string') throw badRequest(`${key} must remain a string`);
  }
  Object.assign(c, next);
}

/** The content of the multipart part named `file` (a file or a plain field). */
async function uploadedFile(ctx: RequestContext): Promise<string> {
  const part = ctx.form?.get('file');
  if (part === null || part === undefined) throw badRequest("Required request part 'file' is not present");
  return typeof part === 'string' ? part : part.text();
}

function updateDetail(scriptName: string, fileName: string, changed: boolean): Reply {
  return {
    json: {
      message: changed ? `${fileName} updated` : `${fileName} is unchanged: the uploaded content is identical`,
      scriptName,
      updatedFiles: changed ? [fileName] : [],
      status: changed ? 'UPDATED' : 'UNCHANGED',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Routes

/**
 * Scopes per operation (ISC's specification, all 13 connector operations): every read accepts
 * `idn:connector-config:read` or `:manage`, every change (create, patch, delete, file uploads)
 * needs `idn:connector-config:manage`. ISC also limits these operations to the ORG_ADMIN,
 * SOURCE_ADMIN and SOURCE_SUBADMIN user levels; the demo tenant does not check levels.
 */
const READ = { scopes: [DOMAIN_SCOPES.connectors.read, DOMAIN_SCOPES.connectors.manage] } as const;
const MANAGE = { scopes: [DOMAIN_SCOPES.connectors.manage] } as const;

export function registerConnectorRoutes(router: Router, state: ConnectorState): void {
  registerConnectorRecordRoutes(router, state);
  registerConnectorFileRoutes(router, state);
}

/** The connector itself: list, create, read, patch, delete. */
function registerConnectorRecordRoutes(router: Router, state: ConnectorState): void {
  router.add(
    'GET',
    '/connectors',
    (ctx) => {
      checkLocale(ctx.query.locale, 'locale');
      const page = collectionPage([...state.values()], ctx.query, { filters: CONNECTOR_LIST_FILTERS });
      return { json: page.items.map(toConnectorDto), headers: page.headers };
    },
    READ,
  );

  router.add(
    'POST',
    '/connectors',
    (ctx) => {
      const created = createInput(ctx.body, state);
      state.set(created.scriptName, created);
      return { json: toConnectorDto(created) };
    },
    { ...MANAGE, body: 'json' },
  );

  router.add(
    'GET',
    '/connectors/:scriptName',
    (ctx) => {
      const locale = checkLocale(ctx.query.locale, 'locale');
      return { json: toConnectorDetail(find(state, ctx.params.scriptName), locale) };
    },
    READ,
  );

  router.add(
    'PATCH',
    '/connectors/:scriptName',
    (ctx) => {
      const ops = checkPatch(ctx.body, PATCHABLE_FIELDS);
      const c = find(state, ctx.params.scriptName);
      applyConnectorPatch(c, ops);
      return { json: toConnectorDetail(c, undefined) };
    },
    { ...MANAGE, body: 'json-patch' },
  );

  router.add(
    'DELETE',
    '/connectors/:scriptName',
    (ctx) => {
      find(state, ctx.params.scriptName);
      state.delete(ctx.params.scriptName);
      return { status: 204 };
    },
    { ...MANAGE, produces: null },
  );
}

/** The connector's files: its XML files and its translations, read as text, replaced by upload. */
function registerConnectorFileRoutes(router: Router, state: ConnectorState): void {
  for (const [segment, { field, fileName }] of Object.entries(XML_FILES)) {
    router.add(
      'GET',
      `/connectors/:scriptName/${segment}`,
      (ctx) => ({ text: find(state, ctx.params.scriptName)[field], contentType: 'application/xml;charset=utf-8' }),
      { ...READ, produces: 'application/xml' },
    );
    router.add(
      'PUT',
      `/connectors/:scriptName/${segment}`,
      async (ctx) => {
        const c = find(state, ctx.params.scriptName);
        const content = await uploadedFile(ctx);
        const changed = c[field] !== content;
        c[field] = content;
        return updateDetail(c.scriptName, fileName, changed);
      },
      { ...MANAGE, body: 'multipart' },
    );
  }

  router.add(
    'GET',
    '/connectors/:scriptName/translations/:locale',
    (ctx) => {
      const locale = checkLocale(ctx.params.locale, 'locale');
      return { text: translationsFor(find(state, ctx.params.scriptName), locale), contentType: 'text/plain;charset=utf-8' };
    },
    { ...READ, produces: 'text/plain' },
  );

  router.add(
    'PUT',
    '/connectors/:scriptName/translations/:locale',
    async (ctx) => {
      const locale = checkLocale(ctx.params.locale, 'locale') as string;
      const c = find(state, ctx.params.scriptName);
      const content = await uploadedFile(ctx);
      const changed = c.translations[locale] !== content;
      c.translations[locale] = content;
      return updateDetail(c.scriptName, `translations_${locale}.properties`, changed);
    },
    { ...MANAGE, body: 'multipart' },
  );
}
