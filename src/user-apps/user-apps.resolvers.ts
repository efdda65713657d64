import type { Resolvers, UserAppResolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { gatewayError } from '../shared/errors.js';
import { checkPaging, readPage, selectsField } from '../shared/paging.js';
import { selectsOnly } from '../shared/selection.js';
import { sourceAppLoader } from '../source-apps/source-apps.loaders.js';
import { objectReference } from '../source-apps/source-apps.mappers.js';
import { listAvailableAccounts, listUserApps, patchUserApp } from './user-apps.api.js';
import { allUserAppFilters, userAppFilters } from './user-apps.filters.js';
import { availableAccount, SOURCE_APP_REFERENCE_FIELDS, userAppOwner } from './user-apps.mappers.js';
import { userAppAccountPatch } from './user-apps.patch.js';
import { checkAccountId, checkAvailableAccountsLimit, checkUserAppId } from './user-apps.validation.js';

/**
 * User app resolvers. Fields ISC sends as the schema has them are left to graphql-js's default
 * resolver; only the fields that translate or load have one here.
 */

const UserApp: UserAppResolvers<Context> = {
  sourceApp: (app, _args, ctx, info) => {
    const reference = app.sourceApp;
    if (!reference?.id) return null;
    // The reference answers id and name; anything more is the source-app lookup (batched per operation).
    if (selectsOnly(info, SOURCE_APP_REFERENCE_FIELDS)) return { id: reference.id, name: reference.name };
    return sourceAppLoader(ctx).load(reference.id);
  },
  source: (app) => objectReference(app.source),
  account: (app) => objectReference(app.account),
  owner: (app) => userAppOwner(app.owner),
  ownerIdentity: (app) => (app.owner?.id ? { id: app.owner.id } : null),
  availableAccounts: (app, { limit }, ctx, info) => {
    const id = checkUserAppId(app.id);
    const count = selectsField(info, 'totalCount') || selectsField(info, 'hasMore');
    return listAvailableAccounts(ctx.upstream, id, { limit: checkAvailableAccountsLimit(limit, ctx.maxListLimit), count });
  },
};

const reportedTotal = (total: number | null): number => {
  if (total === null) throw gatewayError('UPSTREAM_ERROR', 'ISC did not report a total count (X-Total-Count)');
  return total;
};

export const userAppResolvers: Resolvers<Context> = {
  Query: {
    userApps: (_root, args, ctx, info) => {
      const filters = userAppFilters(args);
      const { limit, offset } = checkPaging(args, ctx.maxListLimit);
      return readPage({ limit, offset, withTotal: selectsField(info, 'totalCount') }, (chunk) => listUserApps(ctx.upstream, 'own', filters, chunk));
    },
    allUserApps: (_root, args, ctx, info) => {
      const filters = allUserAppFilters(args);
      const { limit, offset } = checkPaging(args, ctx.maxListLimit);
      return readPage({ limit, offset, withTotal: selectsField(info, 'totalCount') }, (chunk) => listUserApps(ctx.upstream, 'all', filters, chunk));
    },
  },
  Mutation: {
    updateUserAppAccount: (_root, { id, accountId }, ctx) =>
      patchUserApp(ctx.upstream, checkUserAppId(id), userAppAccountPatch(checkAccountId(accountId))),
  },
  UserApp,
  UserAppPage: { totalCount: (page) => reportedTotal(page.totalCount) },
  UserAppAccountList: {
    items: (list) => list.items.map(availableAccount),
    totalCount: (list) => reportedTotal(list.totalCount),
    hasMore: (list) => reportedTotal(list.totalCount) > list.items.length,
  },
};
