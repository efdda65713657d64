import { randomBytes, randomInt } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, badRequest, notFound } from './errors.js';
import { checkPatch, isObject } from './json-patch.js';
import { collectionPage, readPaging, type AllowedFilters } from './filters.js';
import {
  SOURCE_APP_SEED,
  type AccessProfileRecord,
  type AccountSourceRecord,
  type IdentityRecord,
  type SourceAppRecord,
} from './seed/source-apps.js';
import type { Handler, Router, RouteOptions } from './router.js';
import { DOMAIN_SCOPES } from './scopes.js';

/** The demo tenant's source apps and what they point at, each keyed by id. */
export interface SourceAppState {
  apps: Map<string, SourceAppRecord>;
  accessProfiles: Map<string, AccessProfileRecord>;
  sources: Map<string, AccountSourceRecord>;
  identities: Map<string, IdentityRecord>;
}

export function createSourceAppState(): SourceAppState {
  // Deep copy: every tenant mutates its own records, never the seed.
  const seed = structuredClone(SOURCE_APP_SEED);
  const byId = <T extends { id: string }>(items: T[]): Map<string, T> => new Map(items.map((item) => [item.id, item]));
  return {
    apps: byId(seed.apps),
    accessProfiles: byId(seed.accessProfiles),
    sources: byId(seed.sources),
    identities: byId(seed.identities),
  };
}

// ---------------------------------------------------------------------------------------------
// Callers without admin rights (for tests of the gateway's fallback)

const nonAdminTokens = new Set<string>();

/**
 * Makes the demo tenant treat this bearer token (from `DemoTenant.issueToken()`) as a caller
 * without the admin level `GET /source-apps/all` requires: that list answers 403 for it, while
 * the other source app endpoints still serve it.
 */
export function withoutSourceAppAdminRights(token: string): void {
  nonAdminTokens.add(token);
}

/**
 * Observes `GET /source-apps/{id}/access-profiles` for tests of the gateway's concurrency: each
 * answer waits `delayMs` (0 by default), and `maxInFlight` records the most requests that were
 * being answered at the same time.
 */
export const accessProfileTraffic = { delayMs: 0, inFlight: 0, maxInFlight: 0 };

const bearerOf = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];

// ---------------------------------------------------------------------------------------------
// Filter tables (ISC's, per endpoint)

const DATE_OPS = ['gt', 'lt', 'ge', 'le'] as const;

export const SOURCE_APP_LIST_FILTERS: AllowedFilters = {
  id: ['eq', 'in'],
  name: ['eq', 'in', 'co', 'sw'],
  created: DATE_OPS,
  modified: DATE_OPS,
  'accountSource.id': ['eq', 'in'],
};

export const ALL_SOURCE_APP_FILTERS: AllowedFilters = {
  id: ['eq', 'in'],
  name: ['eq', 'in', 'co', 'sw'],
  created: DATE_OPS,
  modified: ['gt', 'ge', 'le'],
  'owner.id': ['eq', 'in'],
  enabled: ['eq'],
};

export const ACCESS_PROFILE_FILTERS: AllowedFilters = {
  id: ['eq', 'in'],
  name: ['eq', 'in'],
  created: DATE_OPS,
  modified: DATE_OPS,
};

const SORTERS = ['id', 'name', 'created', 'modified', 'owner.id', 'accountSource.id'];
const ASSIGNED_SORTERS = ['id', 'name', 'created', 'modified', 'accountSource.id'];

const PATCHABLE_FIELDS = [
  'name',
  'description',
  'enabled',
  'owner',
  'provisionRequestEnabled',
  'appCenterEnabled',
  'accountSource',
  'matchAllAccounts',
  'accessProfiles',
];
const MAX_BULK_APPS = 50;

// ---------------------------------------------------------------------------------------------
// Representations

function sourceRef(state: SourceAppState, id: string | null): Record<string, unknown> | null {
  const source = id === null ? undefined : state.sources.get(id);
  if (source === undefined) return null;
  return {
    id: source.id,
    type: 'SOURCE',
    name: source.name,
    useForPasswordManagement: source.useForPasswordManagement,
    passwordPolicies: source.passwordPolicies,
  };
}

function ownerRef(state: SourceAppState, id: string | null): Record<string, unknown> | null {
  const identity = id === null ? undefined : state.identities.get(id);
  return identity === undefined ? null : { type: 'IDENTITY', id: identity.id, name: identity.name };
}

/** ISC's `SourceApp`. */
function toSourceAppDto(state: SourceAppState, app: SourceAppRecord): Record<string, unknown> {
  return {
    id: app.id,
    cloudAppId: app.cloudAppId,
    name: app.name,
    created: app.created,
    modified: app.modified,
    enabled: app.enabled,
    provisionRequestEnabled: app.provisionRequestEnabled,
    description: app.description,
    matchAllAccounts: app.matchAllAccounts,
    appCenterEnabled: app.appCenterEnabled,
    accountSource: sourceRef(state, app.accountSourceId),
    owner: ownerRef(state, app.ownerId),
  };
}

/** ISC's `SourceAppPatchDto`: the app plus its access profile ids. */
const toSourceAppPatchDto = (state: SourceAppState, app: SourceAppRecord): Record<string, unknown> => ({
  ...toSourceAppDto(state, app),
  accessProfiles: [...app.accessProfiles],
});

/** ISC's `AccessProfileDetails`, as listed for one app. */
function toAccessProfileDto(state: SourceAppState, ap: AccessProfileRecord, app: SourceAppRecord): Record<string, unknown> {
  const source = state.sources.get(ap.sourceId);
  return {
    id: ap.id,
    name: ap.name,
    description: ap.description,
    created: ap.created,
    modified: ap.modified,
    disabled: ap.disabled,
    requestable: ap.requestable,
    protected: ap.protected,
    ownerId: ap.ownerId,
    sourceId: source?.legacyId ?? null,
    sourceName: source?.name ?? null,
    appId: Number(app.cloudAppId),
    appName: app.name,
    applicationId: app.id,
    type: 'source',
    entitlements: [...ap.entitlements],
    entitlementCount: ap.entitlements.length,
    segments: [...ap.segments],
    approvalSchemes: ap.approvalSchemes,
    revokeRequestApprovalSchemes: ap.revokeRequestApprovalSchemes,
    requestCommentsRequired: ap.requestCommentsRequired,
    deniedCommentsRequired: ap.deniedCommentsRequired,
    accountSelector: structuredClone(ap.accountSelector),
  };
}

const appProfiles = (state: SourceAppState, app: SourceAppRecord): Record<string, unknown>[] =>
  app.accessProfiles.flatMap((id) => {
    const ap = state.accessProfiles.get(id);
    return ap ? [toAccessProfileDto(state, ap, app)] : [];
  });

// ---------------------------------------------------------------------------------------------
// Input checks

const isNonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function find(state: SourceAppState, id: string): SourceAppRecord {
  const app = state.apps.get(id);
  if (app === undefined) throw notFound(`Source app with id "${id}" was not found`);
  return app;
}

/** An `{ id }` reference to a known object, or the 400 ISC gives for it. */
function knownRef<T>(value: unknown, catalogue: Map<string, T>, what: string): string {
  if (!isObject(value) || typeof value.id !== 'string') throw badRequest(`${what} must be a reference object with an id`);
  if (!catalogue.has(value.id)) throw badRequest(`${what} "${value.id}" does not exist`);
  return value.id;
}

function createInput(body: unknown, state: SourceAppState): SourceAppRecord {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object (SourceAppCreateDto)');
  const { name, description, accountSource, matchAllAccounts } = body;
  const problems: string[] = [];
  if (!isNonEmpty(name)) problems.push('name is required and must be a non-empty string');
  if (!isNonEmpty(description)) problems.push('description is required and must be a non-empty string');
  if (!isObject(accountSource) || !isNonEmpty(accountSource.id)) problems.push('accountSource is required and must have an id');
  if (matchAllAccounts !== undefined && typeof matchAllAccounts !== 'boolean') problems.push('matchAllAccounts must be a boolean');
  if (problems.length > 0) throw badRequest('The source app cannot be created', problems);
  const accountSourceId = knownRef(accountSource, state.sources, 'accountSource');
  const now = new Date().toISOString();
  let id: string;
  do id = randomBytes(16).toString('hex');
  while (state.apps.has(id));
  return {
    id,
    cloudAppId: String(randomInt(10_000_000, 99_999_999)),
    name: name as string,
    description: description as string,
    created: now,
    modified: now,
    enabled: false,
    provisionRequestEnabled: false,
    appCenterEnabled: true,
    matchAllAccounts: (matchAllAccounts as boolean | undefined) ?? false,
    accountSourceId,
    ownerId: null,
    accessProfiles: [],
    assignedToCaller: false,
  };
}

/** Applies a checked patch to a copy of the app and answers the patched copy (the app itself is untouched). */
function patched(state: SourceAppState, app: SourceAppRecord, ops: Operation[]): SourceAppRecord {
  const doc: Record<string, unknown> = {
    name: app.name,
    description: app.description,
    enabled: app.enabled,
    owner: ownerRef(state, app.ownerId),
    provisionRequestEnabled: app.provisionRequestEnabled,
    appCenterEnabled: app.appCenterEnabled,
    accountSource: sourceRef(state, app.accountSourceId),
    matchAllAccounts: app.matchAllAccounts,
    accessProfiles: [...app.accessProfiles],
  };
  let next: Record<string, unknown>;
  try {
    next = jsonpatch.applyPatch(structuredClone(doc), ops, true, false).newDocument;
  } catch (err) {
    const e = err as { name?: string; index?: number; message?: string };
    const which = e.index === undefined ? '' : `Operation ${e.index}: `;
    throw badRequest(`${which}the patch cannot be applied (${e.name ?? 'error'})`, [String(e.message ?? err).split('\n')[0]]);
  }
  // ISC's rules: name, description and owner can't be empty or null.
  if (!isNonEmpty(next.name)) throw badRequest('name cannot be empty or null');
  if (!isNonEmpty(next.description)) throw badRequest('description cannot be empty or null');
  if (next.owner === null || next.owner === undefined) throw badRequest('owner cannot be empty or null');
  for (const key of ['enabled', 'provisionRequestEnabled', 'appCenterEnabled', 'matchAllAccounts'] as const) {
    if (typeof next[key] !== 'boolean') throw badRequest(`${key} must be a boolean`);
  }
  const profiles = next.accessProfiles ?? [];
  if (!Array.isArray(profiles) || !profiles.every((p): p is string => typeof p === 'string')) {
    throw badRequest('accessProfiles must be an array of access profile ids');
  }
  const unknownProfile = profiles.find((p) => !state.accessProfiles.has(p));
  if (unknownProfile !== undefined) throw badRequest(`access profile "${unknownProfile}" does not exist`);
  const accountSource = next.accountSource;
  return {
    ...app,
    name: next.name,
    description: next.description,
    enabled: next.enabled as boolean,
    ownerId: knownRef(next.owner, state.identities, 'owner'),
    provisionRequestEnabled: next.provisionRequestEnabled as boolean,
    appCenterEnabled: next.appCenterEnabled as boolean,
    accountSourceId: accountSource === null || accountSource === undefined ? null : knownRef(accountSource, state.sources, 'accountSource'),
    matchAllAccounts: next.matchAllAccounts as boolean,
    accessProfiles: [...new Set(profiles)],
    modified: new Date().toISOString(),
  };
}

function checkBulkUpdate(body: unknown, state: SourceAppState): { apps: SourceAppRecord[]; ops: Operation[] } {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object (SourceAppBulkUpdateRequest)');
  const { appIds, jsonPatch } = body;
  if (!Array.isArray(appIds) || appIds.length === 0 || !appIds.every(isNonEmpty)) {
    throw badRequest('appIds is required and must be a non-empty array of source app ids');
  }
  if (appIds.length > MAX_BULK_APPS) throw badRequest(`appIds may hold at most ${MAX_BULK_APPS} source app ids`);
  if (jsonPatch === undefined) throw badRequest('jsonPatch is required');
  const ops = checkPatch(jsonPatch, PATCHABLE_FIELDS);
  return { apps: [...new Set(appIds)].map((id) => find(state, id)), ops };
}

// ---------------------------------------------------------------------------------------------
// Routes

/** ISC refuses every source apps (and user apps) call that does not opt in to the experimental API. */
export function experimental(handler: Handler): Handler {
  return (ctx) => {
    if (ctx.headers['x-sailpoint-experimental']?.trim().toLowerCase() !== 'true') {
      throw badRequest('This endpoint is experimental: the header X-SailPoint-Experimental: true is required');
    }
    return handler(ctx);
  };
}

/**
 * Scopes per operation (ISC's specification, all 10 source app operations): the three lists and
 * get accept `idn:app-roles:read` or `:manage`; listing an app's access profiles needs
 * `idn:app-roles:manage` although it only reads; create, patch, bulk update, delete and the bulk
 * removal of access profiles need `idn:app-roles:manage`. ISC also limits `GET /source-apps/all`
 * to the ORG_ADMIN user level: the caller's grant must carry it (`withoutSourceAppAdminRights`
 * above also takes it away from one token).
 */
const READ = { scopes: [DOMAIN_SCOPES.sourceApps.read, DOMAIN_SCOPES.sourceApps.manage] } as const;
const MANAGE = { scopes: [DOMAIN_SCOPES.sourceApps.manage] } as const;

/** Adds a route that answers only calls opting in to the experimental API. */
type AddRoute = (method: string, pattern: string, handler: Handler, options: RouteOptions) => void;

export function registerSourceAppRoutes(router: Router, state: SourceAppState): void {
  const add: AddRoute = (method, pattern, handler, options) => router.add(method, pattern, experimental(handler), options);
  // Literal paths come before `/source-apps/:id`, so `all` and `assigned` are never taken for ids.
  registerSourceAppListRoutes(add, state);
  registerSourceAppRecordRoutes(add, state);
  registerAppAccessProfileRoutes(add, state);
}

/** The three lists: available, all (ORG_ADMIN), assigned to the caller. */
function registerSourceAppListRoutes(add: AddRoute, state: SourceAppState): void {
  const dtos = (apps: Iterable<SourceAppRecord>) => [...apps].map((app) => toSourceAppDto(state, app));
  add(
    'GET',
    '/source-apps',
    (ctx) => {
      const available = [...state.apps.values()].filter((a) => a.enabled && a.provisionRequestEnabled && a.appCenterEnabled);
      const page = collectionPage(dtos(available), ctx.query, { filters: SOURCE_APP_LIST_FILTERS, sorters: SORTERS, defaultSort: 'name' });
      return { json: page.items, headers: page.headers };
    },
    READ,
  );

  add(
    'GET',
    '/source-apps/all',
    (ctx) => {
      const token = bearerOf(ctx.headers.authorization);
      if (!ctx.caller.levels.includes('ORG_ADMIN') || (token !== undefined && nonAdminTokens.has(token))) {
        throw new ApiError(403, 'Listing all source apps requires the ORG_ADMIN user level');
      }
      const page = collectionPage(dtos(state.apps.values()), ctx.query, { filters: ALL_SOURCE_APP_FILTERS, sorters: SORTERS, defaultSort: 'name' });
      return { json: page.items, headers: page.headers };
    },
    READ,
  );

  add(
    'GET',
    '/source-apps/assigned',
    (ctx) => {
      const assigned = [...state.apps.values()].filter((a) => a.assignedToCaller);
      const page = collectionPage(dtos(assigned), ctx.query, { filters: SOURCE_APP_LIST_FILTERS, sorters: ASSIGNED_SORTERS, defaultSort: 'name' });
      return { json: page.items, headers: page.headers };
    },
    READ,
  );
}

/** One app: create, bulk update, read, patch, delete. */
function registerSourceAppRecordRoutes(add: AddRoute, state: SourceAppState): void {
  add(
    'POST',
    '/source-apps',
    (ctx) => {
      const app = createInput(ctx.body, state);
      state.apps.set(app.id, app);
      return { json: toSourceAppDto(state, app) };
    },
    { ...MANAGE, body: 'json' },
  );

  add(
    'POST',
    '/source-apps/bulk-update',
    (ctx) => {
      const { apps, ops } = checkBulkUpdate(ctx.body, state);
      // All or nothing: every app is patched on a copy before any is stored.
      const updated = apps.map((app) => patched(state, app, structuredClone(ops)));
      for (const app of updated) state.apps.set(app.id, app);
      return { status: 204 };
    },
    { ...MANAGE, body: 'json', produces: null },
  );

  add('GET', '/source-apps/:id', (ctx) => ({ json: toSourceAppDto(state, find(state, ctx.params.id)) }), READ);

  add(
    'PATCH',
    '/source-apps/:id',
    (ctx) => {
      const ops = checkPatch(ctx.body, PATCHABLE_FIELDS);
      const app = patched(state, find(state, ctx.params.id), ops);
      state.apps.set(app.id, app);
      return { json: toSourceAppPatchDto(state, app) };
    },
    { ...MANAGE, body: 'json-patch' },
  );

  add(
    'DELETE',
    '/source-apps/:id',
    (ctx) => {
      const app = find(state, ctx.params.id);
      state.apps.delete(app.id);
      return { json: toSourceAppDto(state, app) };
    },
    MANAGE,
  );
}

/** An app's access profiles: list (paced by accessProfileTraffic) and bulk removal. */
function registerAppAccessProfileRoutes(add: AddRoute, state: SourceAppState): void {
  add(
    'GET',
    '/source-apps/:id/access-profiles',
    async (ctx) => {
      const app = find(state, ctx.params.id);
      const page = collectionPage(appProfiles(state, app), ctx.query, { filters: ACCESS_PROFILE_FILTERS });
      const traffic = accessProfileTraffic;
      traffic.maxInFlight = Math.max(traffic.maxInFlight, ++traffic.inFlight);
      try {
        if (traffic.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, traffic.delayMs));
      } finally {
        traffic.inFlight--;
      }
      return { json: page.items };
    },
    MANAGE,
  );

  add(
    'POST',
    '/source-apps/:id/access-profiles/bulk-remove',
    (ctx) => {
      const { limit } = readPaging(ctx.query);
      const app = find(state, ctx.params.id);
      const ids: unknown = ctx.body;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isNonEmpty)) {
        throw badRequest('The request body must be a non-empty JSON array of access profile ids');
      }
      const removed = new Set(ids);
      app.accessProfiles = app.accessProfiles.filter((id) => !removed.has(id));
      app.modified = new Date().toISOString();
      return { json: appProfiles(state, app).slice(0, limit) };
    },
    { ...MANAGE, body: 'json' },
  );
}
