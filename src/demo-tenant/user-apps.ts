import { badRequest, notFound } from './errors.js';
import { collectionPage, readPaging, type AllowedFilters, type FilterPaths } from './filters.js';
import { isObject } from './json-patch.js';
import type { Handler, RequestContext, Router, RouteOptions } from './router.js';
import { DOMAIN_SCOPES } from './scopes.js';
import { USER_APP_SEED, type AppAccountRecord, type UserAppRecord } from './seed/user-apps.js';
import { experimental } from './source-apps.js';

/**
 * The demo tenant's user apps (ISC's four `/user-apps` operations): the caller's own apps, all
 * apps by filter, an app's available accounts, and choosing one of them (JSON Patch of
 * `/account`). "The caller" is the identity of the request's token (`RequestContext.caller`).
 */

/** The tenant's user apps by id. */
export interface UserAppState {
  apps: Map<string, UserAppRecord>;
}

export function createUserAppState(): UserAppState {
  // Deep copy: every tenant mutates its own records, never the seed.
  return { apps: new Map(structuredClone(USER_APP_SEED).map((app) => [app.id, app])) };
}

// ---------------------------------------------------------------------------------------------
// Filter tables (ISC's, per endpoint): flat names that read the nested representation

const OWN_FILTERS: AllowedFilters = {
  id: ['eq'],
  ownerName: ['eq', 'sw'],
  ownerAlias: ['eq', 'sw'],
  accountId: ['eq'],
  sourceAppId: ['eq'],
};

const ALL_FILTERS: AllowedFilters = { ...OWN_FILTERS, ownerId: ['eq'] };

const FILTER_PATHS: FilterPaths = {
  ownerId: 'owner.id',
  ownerName: 'owner.name',
  ownerAlias: 'owner.alias',
  accountId: 'account.id',
  sourceAppId: 'sourceApp.id',
};

// ---------------------------------------------------------------------------------------------
// Representations

const chosenAccount = (app: UserAppRecord): AppAccountRecord | undefined => app.availableAccounts.find((a) => a.id === app.accountId);

/** ISC's `UserApp`. */
function toUserAppDto(app: UserAppRecord): Record<string, unknown> {
  const account = chosenAccount(app);
  return {
    id: app.id,
    created: app.created,
    modified: app.modified,
    hasMultipleAccounts: app.availableAccounts.length > 1,
    useForPasswordManagement: app.useForPasswordManagement,
    provisionRequestEnabled: app.provisionRequestEnabled,
    appCenterEnabled: app.appCenterEnabled,
    sourceApp: { id: app.sourceApp.id, type: 'APPLICATION', name: app.sourceApp.name },
    source: { id: app.source.id, type: 'SOURCE', name: app.source.name },
    account: account === undefined ? null : { id: account.id, type: 'ACCOUNT', name: account.displayName },
    owner: { id: app.owner.id, type: 'IDENTITY', name: app.owner.name, alias: app.owner.alias },
  };
}

/** ISC's `AppAccountDetails`. */
const toAccountDto = (app: UserAppRecord, account: AppAccountRecord): Record<string, unknown> => ({
  appId: app.sourceApp.id,
  appDisplayName: app.sourceApp.name,
  sourceAccount: { ...account },
});

/** The lists' one order (ISC's lists take no sorters here): by source app name, then by id. */
function inListOrder(apps: Iterable<UserAppRecord>): UserAppRecord[] {
  return [...apps].sort((a, b) => a.sourceApp.name.localeCompare(b.sourceApp.name, 'en') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Input checks

/** The caller's user app, or a 404 (the same for an app of another identity: its existence is not told). */
function ownApp(state: UserAppState, ctx: RequestContext): UserAppRecord {
  const app = state.apps.get(ctx.params.id);
  if (app === undefined || app.owner.id !== ctx.caller.identityId) throw notFound(`User app with id "${ctx.params.id}" was not found`);
  return app;
}

/**
 * The account a patch chooses: ISC patches only `account`, by `replace` with `{ id, type: ACCOUNT }`.
 * Several such operations apply in order (the last one wins); anything else is a 400.
 */
function chosenByPatch(body: unknown, app: UserAppRecord): AppAccountRecord {
  if (!Array.isArray(body) || body.length === 0) {
    throw badRequest('The request body must be a non-empty JSON array of JSON Patch operations replacing /account');
  }
  const ids = body.map((op: unknown, i) => {
    if (!isObject(op) || op.op !== 'replace' || op.path !== '/account') {
      throw badRequest(`Operation ${i}: only "replace" of "/account" is supported; account is the only patchable field`);
    }
    const { value } = op;
    if (!isObject(value) || typeof value.id !== 'string' || value.id === '' || value.type !== 'ACCOUNT') {
      throw badRequest(`Operation ${i}: the value must be an account reference { "id": "…", "type": "ACCOUNT" }`);
    }
    return value.id;
  });
  const id = ids[ids.length - 1];
  const account = app.availableAccounts.find((a) => a.id === id);
  if (account === undefined) throw badRequest(`Account "${id}" is not one of the accounts available for user app "${app.id}"`);
  return account;
}

/** The query without `offset`: the available-accounts endpoint takes none, and ISC ignores parameters an endpoint does not know. */
function withoutOffset(query: Record<string, string>): Record<string, string> {
  const rest = { ...query };
  delete rest.offset;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Routes

/**
 * Scopes per operation (ISC's specification): the caller's list and an app's available accounts
 * accept `idn:app-roles:read` or `:manage`; the list of all user apps and the account patch need
 * `idn:app-roles:manage`. The scopes are the source apps' ones.
 */
const READ = { scopes: [DOMAIN_SCOPES.sourceApps.read, DOMAIN_SCOPES.sourceApps.manage] } as const;
const MANAGE = { scopes: [DOMAIN_SCOPES.sourceApps.manage] } as const;

export function registerUserAppRoutes(router: Router, state: UserAppState): void {
  const add = (method: string, pattern: string, handler: Handler, options: RouteOptions) =>
    router.add(method, pattern, experimental(handler), options);
  const listOptions = { filterPaths: FILTER_PATHS };

  add(
    'GET',
    '/user-apps',
    (ctx) => {
      const own = [...state.apps.values()].filter((app) => app.owner.id === ctx.caller.identityId);
      const page = collectionPage(inListOrder(own).map(toUserAppDto), ctx.query, { ...listOptions, filters: OWN_FILTERS });
      return { json: page.items, headers: page.headers };
    },
    READ,
  );

  // Before `/user-apps/:id/…`; `all` is never taken for an id (only PATCH takes one at this depth).
  add(
    'GET',
    '/user-apps/all',
    (ctx) => {
      if (ctx.query.filters === undefined || ctx.query.filters.trim() === '') {
        throw badRequest('The query parameter "filters" is required when listing all user apps');
      }
      const page = collectionPage(inListOrder(state.apps.values()).map(toUserAppDto), ctx.query, { ...listOptions, filters: ALL_FILTERS });
      return { json: page.items, headers: page.headers };
    },
    MANAGE,
  );

  add(
    'GET',
    '/user-apps/:id/available-accounts',
    (ctx) => {
      const app = ownApp(state, ctx);
      const { limit, count } = readPaging(withoutOffset(ctx.query));
      const accounts = app.availableAccounts.map((account) => toAccountDto(app, account));
      const headers: Record<string, string> = count ? { 'X-Total-Count': String(accounts.length) } : {};
      return { json: accounts.slice(0, limit), headers };
    },
    READ,
  );

  add(
    'PATCH',
    '/user-apps/:id',
    (ctx) => {
      const app = ownApp(state, ctx);
      const account = chosenByPatch(ctx.body, app);
      app.accountId = account.id;
      app.modified = new Date().toISOString();
      return { json: toUserAppDto(app) };
    },
    { ...MANAGE, body: 'json-patch' },
  );
}
