import type { GraphQLResolveInfo } from 'graphql';
import type {
  AccessProfileResolvers,
  ObjectReference,
  Resolvers,
  SourceAppAccountSource,
  SourceAppResolvers,
} from '../generated/graphql.js';
import type { Context } from '../context.js';
import { enumValue, rawEnum } from '../shared/enums.js';
import { badInput, gatewayError } from '../shared/errors.js';
import { checkPaging, readPage, selectsField, type PageModel, type PagingArgs } from '../shared/paging.js';
import { checkIdentifier } from '../shared/path.js';
import {
  bulkUpdateSourceApps,
  createSourceApp,
  deleteSourceApp,
  listSourceApps,
  patchSourceApp,
  removeSourceAppAccessProfiles,
  type SourceAppListView,
} from './source-apps.api.js';
import {
  accessProfileFilterExpression,
  allSourceAppFilterExpression,
  sortersParam,
  sourceAppFilterExpression,
} from './source-apps.filters.js';
import { accessProfilesLoader, primeSourceApp, sourceAppLoader } from './source-apps.loaders.js';
import type { IscAccountSource, IscReference, IscSourceApp } from './source-apps.mappers.js';
import { sourceAppPatch } from './source-apps.patch.js';

/** ISC takes at most 50 apps per bulk update; splitting would not be atomic, so more is refused. */
export const MAX_BULK_IDS = 50;

// ISC's DtoType values, for the `ReferenceType` enum.
const REFERENCE_TYPES = [
  'ACCOUNT_CORRELATION_CONFIG', 'ACCESS_PROFILE', 'ACCESS_REQUEST_APPROVAL', 'ACCOUNT', 'APPLICATION', 'CAMPAIGN',
  'CAMPAIGN_FILTER', 'CERTIFICATION', 'CLUSTER', 'CONNECTOR_SCHEMA', 'ENTITLEMENT', 'GOVERNANCE_GROUP', 'IDENTITY',
  'IDENTITY_PROFILE', 'IDENTITY_REQUEST', 'MACHINE_IDENTITY', 'LIFECYCLE_STATE', 'PASSWORD_POLICY', 'ROLE', 'RULE',
  'SOD_POLICY', 'SOURCE', 'TAG', 'TAG_CATEGORY', 'TASK_RESULT', 'REPORT_RESULT', 'SOD_VIOLATION', 'ACCOUNT_ACTIVITY',
  'WORKGROUP',
] as const;

/** Checks an identifier the way path segments are checked (it may become one on the fallback path). */
/** A non-empty list of ids, each checked; repeated ids count once. */
export function checkIds(values: readonly string[], argument: string): string[] {
  if (values.length === 0) throw badInput(`${argument} must not be empty`, { argument });
  return [...new Set(values.map((v, i) => checkIdentifier(v, `${argument}[${i}]`)))];
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
  const page = await readPage({ limit, offset, withTotal: selectsField(info, 'totalCount') }, (chunk) =>
    listSourceApps(ctx.upstream, view, query, chunk),
  );
  // Later lookups by id in the same operation reuse what the list already brought.
  const loader = sourceAppLoader(ctx);
  for (const app of page.items) loader.prime(app.id, app);
  return page;
}

/** After a write that may change access profiles, no cached page of them may be served again. */
function forgetAccessProfiles(ctx: Context): void {
  accessProfilesLoader(ctx).clearAll();
}

const SourceApp: SourceAppResolvers<Context> = {
  __resolveReference: (reference, ctx) => sourceAppLoader(ctx).load(checkIdentifier(reference.id, 'id')),
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
    const { limit, offset } = checkPaging(args, ctx.maxListLimit);
    const filters = accessProfileFilterExpression(args.filter);
    const loader = accessProfilesLoader(ctx);
    return readPage({ limit, offset, withTotal: false }, (page) => loader.load({ appId: app.id, filters, page }));
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
      listView(ctx, info, 'available', { filters: sourceAppFilterExpression(args.filter), sorters: sortersParam(args.sort) }, args),
    allSourceApps: (_root, args, ctx, info) =>
      listView(ctx, info, 'all', { filters: allSourceAppFilterExpression(args.filter), sorters: sortersParam(args.sort) }, args),
    assignedSourceApps: (_root, args, ctx, info) =>
      listView(ctx, info, 'assigned', { filters: sourceAppFilterExpression(args.filter), sorters: sortersParam(args.sort) }, args),
    sourceApp: (_root, { id }, ctx) => sourceAppLoader(ctx).load(checkIdentifier(id, 'id')),
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
      checkIdentifier(id, 'id');
      const ops = sourceAppPatch(input, patch);
      const app = await patchSourceApp(ctx.upstream, id, ops);
      primeSourceApp(ctx, id, app);
      forgetAccessProfiles(ctx);
      return app;
    },
    deleteSourceApp: async (_root, { id }, ctx) => {
      checkIdentifier(id, 'id');
      const app = await deleteSourceApp(ctx.upstream, id);
      primeSourceApp(ctx, id, null);
      return app;
    },
    bulkUpdateSourceApps: async (_root, { ids, input, patch }, ctx) => {
      const appIds = checkIds(ids, 'ids');
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
      forgetAccessProfiles(ctx);
      return true;
    },
    removeAccessProfilesFromSourceApp: async (_root, { id, accessProfileIds }, ctx) => {
      checkIdentifier(id, 'id');
      const remaining = await removeSourceAppAccessProfiles(ctx.upstream, id, checkIds(accessProfileIds, 'accessProfileIds'));
      sourceAppLoader(ctx).clear(id);
      forgetAccessProfiles(ctx);
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
