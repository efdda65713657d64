import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers, SourceAppResolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { gatewayError, isErrorCode } from '../shared/errors.js';
import { checkPaging, readPage, selectsField, type PageModel, type PagingArgs } from '../shared/paging.js';
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
import { accountSource, objectReference, ownerIdentity, type IscSourceApp } from './source-apps.mappers.js';
import { sourceAppPatch } from './source-apps.patch.js';
import { checkBulkIds, checkIds, checkRemoveLimit, checkSourceAppId, createSourceAppBody } from './source-apps.validation.js';

/**
 * Source app resolvers. Fields ISC sends as the schema has them are left to graphql-js's default
 * resolver; only the fields that translate (source-apps.mappers.ts) or load have one here.
 */

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
  owner: (app) => objectReference(app.owner),
  ownerIdentity,
  accountSource: (app) => accountSource(app.accountSource),
  accessProfiles: async (app, args, ctx) => {
    const appId = checkSourceAppId(app.id);
    const { limit, offset } = checkPaging(args, ctx.maxListLimit);
    const filters = accessProfilesFilters(args);
    // Each page is read once per operation (the operation's reads), concurrently across apps.
    return readPage({ limit, offset, withTotal: false }, (page) => listSourceAppAccessProfiles(ctx.upstream, appId, filters, page));
  },
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
      const app = await createSourceApp(ctx.upstream, createSourceAppBody(input));
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
      const appIds = checkBulkIds(ids);
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
  SourceAppPage: {
    totalCount: (page) => {
      if (page.totalCount === null) throw gatewayError('UPSTREAM_ERROR', 'ISC did not report a total count (X-Total-Count)');
      return page.totalCount;
    },
  },
};
