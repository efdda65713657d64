import type { GraphQLResolveInfo } from 'graphql';
import type { AccessProfileResolvers, ObjectReference, Resolvers, SourceAppAccountSource, SourceAppResolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { enumValue, rawEnum } from '../shared/enums.js';
import { badInput, gatewayError, isErrorCode } from '../shared/errors.js';
import { checkPaging, ISC_PAGE_SIZE, readPage, selectsField, type PageModel, type PagingArgs } from '../shared/paging.js';
import { checkIdentifier } from '../shared/path.js';
import {
  bulkUpdateSourceApps,
  createSourceApp,
  deleteSourceApp,
  listSourceApps,
  patchSourceApp,
  removeSourceAppAccessProfiles,
  type SourceAppListView,
  listSourceAppAccessProfiles,
} from './source-apps.api.js';
import { accessProfilesFilters, allSourceAppFilterExpression, listQuery, sourceAppFilterExpression } from './source-apps.filters.js';
import { LIST_FORBIDDEN, primeSourceApp, sourceAppLoader } from './source-apps.loaders.js';
import type { IscAccountSource, IscReference, IscSourceApp } from './source-apps.mappers.js';
import { sourceAppPatch } from './source-apps.patch.js';
import { SOURCE_APP_ROUTE_WORDS } from './source-apps.routes.js';

/** ISC takes at most 50 apps per bulk update; splitting would not be atomic, so more is refused. */
export const MAX_BULK_IDS = 50;

// ISC's DtoType values, for the `ReferenceType` enum.
const REFERENCE_TYPES = [
  'ACCOUNT_CORRELATION_CONFIG',
  'ACCESS_PROFILE',
  'ACCESS_REQUEST_APPROVAL',
  'ACCOUNT',
  'APPLICATION',
  'CAMPAIGN',
  'CAMPAIGN_FILTER',
  'CERTIFICATION',
  'CLUSTER',
  'CONNECTOR_SCHEMA',
  'ENTITLEMENT',
  'GOVERNANCE_GROUP',
  'IDENTITY',
  'IDENTITY_PROFILE',
  'IDENTITY_REQUEST',
  'MACHINE_IDENTITY',
  'LIFECYCLE_STATE',
  'PASSWORD_POLICY',
  'ROLE',
  'RULE',
  'SOD_POLICY',
  'SOURCE',
  'TAG',
  'TAG_CATEGORY',
  'TASK_RESULT',
  'REPORT_RESULT',
  'SOD_VIOLATION',
  'ACCOUNT_ACTIVITY',
  'WORKGROUP',
] as const;

/** The literal second segments of `/source-apps/...`: as an id, each would reach another route. */
const RESERVED_IDS: ReadonlySet<string> = new Set(SOURCE_APP_ROUTE_WORDS);

/** Checks a source app id the way path segments are checked (it may become one), refusing the route words. */
export function checkSourceAppId(value: string, argument = 'id'): string {
  checkIdentifier(value, argument);
  if (RESERVED_IDS.has(value.toLowerCase())) {
    throw badInput(`${argument} "${value}" names an ISC route (/source-apps/${value}), not a source app`, { argument });
  }
  return value;
}

/** A non-empty list of ids, each checked; repeated ids count once. */
export function checkIds(
  values: readonly string[],
  argument: string,
  check: (value: string, argument: string) => string = checkIdentifier,
): string[] {
  if (values.length === 0) throw badInput(`${argument} must not be empty`, { argument });
  return [...new Set(values.map((v, i) => check(v, `${argument}[${i}]`)))];
}

/** `limit` of a bulk remove: how many remaining access profiles ISC answers (ISC takes 0 to 250; the gateway's list cap also holds). */
export function checkRemoveLimit(limit: number | null | undefined, maxListLimit: number): number | undefined {
  if (limit == null) return undefined;
  const max = Math.min(ISC_PAGE_SIZE, maxListLimit);
  if (!Number.isInteger(limit) || limit < 0 || limit > max) throw badInput(`limit must be between 0 and ${max}`, { argument: 'limit', max });
  return limit;
}

/** ISC's `{ id, type, name }` with the type under the unknown-enum rule. */
function referenceFields(ref: IscReference): Omit<ObjectReference, '__typename'> {
  return { id: ref.id ?? null, type: enumValue(REFERENCE_TYPES, ref.type), typeRaw: rawEnum(ref.type), name: ref.name ?? null };
}

const reference = (ref: IscReference | null | undefined): ObjectReference | null => (ref ? referenceFields(ref) : null);

function accountSource(source: IscAccountSource | null | undefined): SourceAppAccountSource | null {
  if (!source) return null;
  return {
    ...referenceFields(source),
    source: source.id ? { id: source.id } : null,
    useForPasswordManagement: source.useForPasswordManagement ?? null,
    passwordPolicies: source.passwordPolicies ? source.passwordPolicies.map(referenceFields) : null,
  };
}

/** A resolver that passes an ISC field through, turning "absent" into null. */
const pass =
  <T, K extends keyof T>(key: K) =>
  (parent: T): NonNullable<T[K]> | null =>
    parent[key] ?? null;

async function listView(
  ctx: Context,
  info: GraphQLResolveInfo,
  view: SourceAppListView,
  query: { filters: string | undefined; sorters: string | undefined },
  args: PagingArgs,
): Promise<PageModel<IscSourceApp>> {
  const { limit, offset } = checkPaging(args, ctx.maxListLimit);
  let page: PageModel<IscSourceApp>;
  try {
    page = await readPage({ limit, offset, withTotal: selectsField(info, 'totalCount') }, (chunk) =>
      listSourceApps(ctx.upstream, view, query, chunk),
    );
  } catch (error) {
    // The admin list's answer tells whether lookups by id can be batched for this caller.
    if (view === 'all' && isErrorCode(error, 'FORBIDDEN')) ctx.facts.set(LIST_FORBIDDEN, true);
    throw error;
  }
  if (view === 'all') ctx.facts.set(LIST_FORBIDDEN, false);
  // Later lookups by id in the same operation reuse what the list already brought.
  const loader = sourceAppLoader(ctx);
  for (const app of page.items) loader.prime(app.id, app);
  return page;
}

const SourceApp: SourceAppResolvers<Context> = {
  __resolveReference: (reference, ctx) => sourceAppLoader(ctx).load(checkSourceAppId(reference.id)),
  id: (app) => app.id,
  cloudAppId: pass('cloudAppId'),
  name: pass('name'),
  description: pass('description'),
  created: pass('created'),
  modified: pass('modified'),
  enabled: pass('enabled'),
  provisionRequestEnabled: pass('provisionRequestEnabled'),
  appCenterEnabled: pass('appCenterEnabled'),
  matchAllAccounts: pass('matchAllAccounts'),
  owner: (app) => reference(app.owner),
  ownerIdentity: (app) => (app.owner?.id ? { id: app.owner.id } : null),
  accountSource: (app) => accountSource(app.accountSource),
  accessProfiles: async (app, args, ctx) => {
    const appId = checkSourceAppId(app.id);
    const { limit, offset } = checkPaging(args, ctx.maxListLimit);
    const filters = accessProfilesFilters(args);
    // Each page is read once per operation (the operation's reads), concurrently across apps.
    return readPage({ limit, offset, withTotal: false }, (page) => listSourceAppAccessProfiles(ctx.upstream, appId, filters, page));
  },
};

const AccessProfile: AccessProfileResolvers<Context> = {
  id: (ap) => ap.id,
  name: pass('name'),
  description: pass('description'),
  created: pass('created'),
  modified: pass('modified'),
  disabled: pass('disabled'),
  requestable: pass('requestable'),
  protected: pass('protected'),
  ownerId: pass('ownerId'),
  sourceId: pass('sourceId'),
  sourceName: pass('sourceName'),
  appId: pass('appId'),
  appName: pass('appName'),
  applicationId: pass('applicationId'),
  type: pass('type'),
  entitlements: pass('entitlements'),
  entitlementCount: pass('entitlementCount'),
  segments: pass('segments'),
  approvalSchemes: pass('approvalSchemes'),
  revokeRequestApprovalSchemes: pass('revokeRequestApprovalSchemes'),
  requestCommentsRequired: pass('requestCommentsRequired'),
  deniedCommentsRequired: pass('deniedCommentsRequired'),
  accountSelector: pass('accountSelector'),
};

export const sourceAppResolvers: Resolvers<Context> = {
  Query: {
    sourceApps: (_root, args, ctx, info) =>
      listView(ctx, info, 'available', listQuery('available', sourceAppFilterExpression(args.filter), args), args),
    allSourceApps: (_root, args, ctx, info) => listView(ctx, info, 'all', listQuery('all', allSourceAppFilterExpression(args.filter), args), args),
    assignedSourceApps: (_root, args, ctx, info) =>
      listView(ctx, info, 'assigned', listQuery('assigned', sourceAppFilterExpression(args.filter), args), args),
    sourceApp: (_root, { id }, ctx) => sourceAppLoader(ctx).load(checkSourceAppId(id)),
  },
  Mutation: {
    createSourceApp: async (_root, { input }, ctx) => {
      for (const field of ['name', 'description', 'accountSourceId'] as const) {
        if (!input[field].trim()) throw badInput(`input.${field} must not be empty`, { argument: `input.${field}` });
      }
      const app = await createSourceApp(ctx.upstream, {
        name: input.name,
        description: input.description,
        accountSource: { id: input.accountSourceId },
        ...(input.matchAllAccounts != null && { matchAllAccounts: input.matchAllAccounts }),
      });
      primeSourceApp(ctx, app.id, app);
      return app;
    },
    updateSourceApp: async (_root, { id, input, patch }, ctx) => {
      checkSourceAppId(id);
      const ops = sourceAppPatch(input, patch);
      const app = await patchSourceApp(ctx.upstream, id, ops);
      primeSourceApp(ctx, id, app);
      return app;
    },
    deleteSourceApp: async (_root, { id }, ctx) => {
      checkSourceAppId(id);
      const app = await deleteSourceApp(ctx.upstream, id);
      primeSourceApp(ctx, id, null);
      return app;
    },
    bulkUpdateSourceApps: async (_root, { ids, input, patch }, ctx) => {
      const appIds = checkIds(ids, 'ids', checkSourceAppId);
      if (appIds.length > MAX_BULK_IDS) {
        throw badInput(`ids: ISC updates at most ${MAX_BULK_IDS} source apps in one call (got ${appIds.length})`, {
          argument: 'ids',
          max: MAX_BULK_IDS,
        });
      }
      const ops = sourceAppPatch(input, patch);
      await bulkUpdateSourceApps(ctx.upstream, appIds, ops);
      const loader = sourceAppLoader(ctx);
      for (const id of appIds) loader.clear(id);
      return true;
    },
    removeAccessProfilesFromSourceApp: async (_root, { id, accessProfileIds, limit }, ctx) => {
      checkSourceAppId(id);
      const profileIds = checkIds(accessProfileIds, 'accessProfileIds');
      const remaining = await removeSourceAppAccessProfiles(ctx.upstream, id, profileIds, checkRemoveLimit(limit, ctx.maxListLimit));
      sourceAppLoader(ctx).clear(id);
      return remaining;
    },
  },
  SourceApp,
  AccessProfile,
  SourceAppPage: {
    totalCount: (page) => {
      if (page.totalCount === null) throw gatewayError('UPSTREAM_ERROR', 'ISC did not report a total count (X-Total-Count)');
      return page.totalCount;
    },
  },
};
