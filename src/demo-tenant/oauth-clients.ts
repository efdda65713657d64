import { randomBytes } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, notFound } from './errors.js';
import { checkPatch, isObject } from './json-patch.js';
import { compileFilter, type AllowedFilters } from './filters.js';
import { OAUTH_CLIENT_SEED, type OAuthClientRecord } from './seed/oauth-clients.js';
import type { Router } from './router.js';
import { DOMAIN_SCOPES } from './scopes.js';

/** The demo tenant's OAuth clients, keyed by id, in creation order. */
export type OAuthClientState = Map<string, OAuthClientRecord>;

export function createOAuthClientState(): OAuthClientState {
  // Deep copy: every tenant mutates its own records, never the seed.
  return new Map(structuredClone(OAUTH_CLIENT_SEED).map((c) => [c.id, c]));
}

export const OAUTH_CLIENT_LIST_FILTERS: AllowedFilters = { lastUsed: ['le', 'isnull'] };

const GRANT_TYPES = ['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'REFRESH_TOKEN'];
const ACCESS_TYPES = ['ONLINE', 'OFFLINE'];
const CLIENT_TYPES = ['CONFIDENTIAL', 'PUBLIC'];
const PATCHABLE_FIELDS = [
  'businessName',
  'homepageUrl',
  'name',
  'description',
  'accessTokenValiditySeconds',
  'refreshTokenValiditySeconds',
  'redirectUris',
  'grantTypes',
  'accessType',
  'enabled',
  'strongAuthSupported',
  'claimsSupported',
] as const;
type PatchableField = (typeof PATCHABLE_FIELDS)[number];

// ---------------------------------------------------------------------------------------------
// Representations

/**
 * The read shape (`GetOAuthClientResponse`). ISC's read schema declares a nullable `secret`; the
 * demo tenant fills it with the real secret, the worst case the gateway must strip on every read.
 */
function toReadDto(c: OAuthClientRecord): Record<string, unknown> {
  return { ...c };
}

/** `CreateOAuthClientResponse`: the create answer, the one that is meant to carry the secret. */
function toCreatedDto(c: OAuthClientRecord): Record<string, unknown> {
  const { lastUsed: _lastUsed, metadata: _metadata, ...created } = c;
  return created;
}

// ---------------------------------------------------------------------------------------------
// Checks, as ISC applies them to the request body

const isPositiveInt32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 2_147_483_647;
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';

/** Problems with one field's value; `required` fields of the create request must be present. */
const FIELD_RULES: Record<string, { ok: (v: unknown) => boolean; must: string }> = {
  name: { ok: (v) => typeof v === 'string' && v.trim() !== '', must: 'a non-empty string' },
  description: { ok: isNullableString, must: 'a string or null' },
  businessName: { ok: isNullableString, must: 'a string or null' },
  homepageUrl: { ok: isNullableString, must: 'a string or null' },
  accessTokenValiditySeconds: { ok: isPositiveInt32, must: 'a positive 32-bit integer' },
  refreshTokenValiditySeconds: { ok: isPositiveInt32, must: 'a positive 32-bit integer' },
  redirectUris: { ok: (v) => v === null || isStringList(v), must: 'an array of strings or null' },
  grantTypes: {
    ok: (v) => isStringList(v) && v.length > 0 && v.every((g) => GRANT_TYPES.includes(g)),
    must: `a non-empty array of ${GRANT_TYPES.join(', ')}`,
  },
  accessType: { ok: (v) => typeof v === 'string' && ACCESS_TYPES.includes(v), must: `one of ${ACCESS_TYPES.join(', ')}` },
  type: { ok: (v) => typeof v === 'string' && CLIENT_TYPES.includes(v), must: `one of ${CLIENT_TYPES.join(', ')}` },
  internal: { ok: (v) => typeof v === 'boolean', must: 'a boolean' },
  enabled: { ok: (v) => typeof v === 'boolean', must: 'a boolean' },
  strongAuthSupported: { ok: (v) => typeof v === 'boolean', must: 'a boolean' },
  claimsSupported: { ok: (v) => typeof v === 'boolean', must: 'a boolean' },
  scope: { ok: (v) => v === null || isStringList(v), must: 'an array of strings or null' },
};
const CREATE_REQUIRED = ['name', 'description', 'accessTokenValiditySeconds', 'grantTypes', 'accessType', 'enabled'];

function fieldProblems(values: Record<string, unknown>, fields: readonly string[]): string[] {
  return fields.filter((f) => f in values && !FIELD_RULES[f].ok(values[f])).map((f) => `${f} must be ${FIELD_RULES[f].must}`);
}

const needsRedirect = (grantTypes: unknown, redirectUris: unknown): boolean =>
  Array.isArray(grantTypes) && grantTypes.includes('AUTHORIZATION_CODE') && !(Array.isArray(redirectUris) && redirectUris.length > 0);

function createRecord(body: unknown, state: OAuthClientState): OAuthClientRecord {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object (CreateOAuthClientRequest)');
  const problems = [...CREATE_REQUIRED.filter((f) => !(f in body)).map((f) => `${f} is required`), ...fieldProblems(body, Object.keys(FIELD_RULES))];
  if (needsRedirect(body.grantTypes, body.redirectUris)) problems.push('redirectUris must not be empty for the AUTHORIZATION_CODE grant type');
  if (problems.length > 0) throw badRequest('The OAuth client cannot be created', problems);

  let id: string;
  do id = randomBytes(16).toString('hex');
  while (state.has(id));
  const now = new Date().toISOString();
  const opt = <T>(key: string, fallback: T): T => (body[key] ?? fallback) as T;
  return {
    id,
    businessName: opt('businessName', null),
    homepageUrl: opt('homepageUrl', null),
    name: body.name as string,
    description: body.description as string | null,
    accessTokenValiditySeconds: body.accessTokenValiditySeconds as number,
    refreshTokenValiditySeconds: opt('refreshTokenValiditySeconds', 86400),
    redirectUris: opt('redirectUris', []),
    grantTypes: body.grantTypes as string[],
    accessType: body.accessType as string,
    type: opt('type', 'CONFIDENTIAL'),
    internal: opt('internal', false),
    enabled: body.enabled as boolean,
    strongAuthSupported: opt('strongAuthSupported', false),
    claimsSupported: opt('claimsSupported', false),
    created: now,
    modified: now,
    lastUsed: null,
    metadata: null,
    // ISC's default when no scope is given: all the rights of the creator.
    scope: opt('scope', ['sp:scopes:all']),
    secret: randomBytes(32).toString('hex'),
  };
}

/** The fields a patch writes to (a `test` only reads). */
const touchedFields = (ops: Operation[]): PatchableField[] =>
  ops.filter((op) => op.op !== 'test').map((op) => op.path.split('/')[1] as PatchableField);

function applyOAuthClientPatch(c: OAuthClientRecord, ops: Operation[]): void {
  const doc: Record<string, unknown> = Object.fromEntries(PATCHABLE_FIELDS.map((f) => [f, c[f]]));
  let next: Record<string, unknown>;
  try {
    // Applied to a copy: a patch that fails half-way must leave the client as it was.
    next = jsonpatch.applyPatch(structuredClone(doc), ops, true, true).newDocument;
  } catch (err) {
    const e = err as { name?: string; index?: number; message?: string };
    const which = e.index === undefined ? '' : `Operation ${e.index}: `;
    throw badRequest(`${which}the patch cannot be applied (${e.name ?? 'error'})`, [String(e.message ?? err).split('\n')[0]]);
  }
  const touched = touchedFields(ops);
  // A removed field becomes null in ISC's representation; only nullable fields may end up so.
  for (const f of touched) if (!(f in next)) next[f] = null;
  const problems = fieldProblems(next, touched);
  if (touched.includes('grantTypes') || touched.includes('redirectUris')) {
    if (needsRedirect(next.grantTypes, next.redirectUris)) problems.push('redirectUris must not be empty for the AUTHORIZATION_CODE grant type');
  }
  if (problems.length > 0) throw badRequest('The patch leaves the OAuth client invalid', problems);
  Object.assign(c, next);
  if (touched.length > 0) c.modified = new Date().toISOString();
}

function find(state: OAuthClientState, id: string): OAuthClientRecord {
  const c = state.get(id);
  if (c === undefined) throw notFound(`OAuth client with id "${id}" was not found`);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Routes

/**
 * Scopes per operation (ISC's specification, all 5 OAuth client operations): list and get accept
 * `sp:oauth-client:read` or `:manage` (get also from a client-credentials token: ISC lists it for
 * API clients too, which the demo tenant accepts anyway); create, patch and delete need
 * `sp:oauth-client:manage`. ISC names no user level for them.
 */
const READ = { scopes: [DOMAIN_SCOPES.oauthClients.read, DOMAIN_SCOPES.oauthClients.manage] } as const;
const MANAGE = { scopes: [DOMAIN_SCOPES.oauthClients.manage] } as const;

export function registerOAuthClientRoutes(router: Router, state: OAuthClientState): void {
  // No paging on this endpoint: ISC answers every matching client.
  router.add(
    'GET',
    '/oauth-clients',
    (ctx) => {
      let clients = [...state.values()];
      const filters = ctx.query.filters;
      if (filters !== undefined && filters.trim() !== '') clients = clients.filter(compileFilter(filters, OAUTH_CLIENT_LIST_FILTERS));
      return { json: clients.map(toReadDto) };
    },
    READ,
  );

  router.add(
    'POST',
    '/oauth-clients',
    (ctx) => {
      const created = createRecord(ctx.body, state);
      state.set(created.id, created);
      return { json: toCreatedDto(created) };
    },
    { ...MANAGE, body: 'json' },
  );

  router.add('GET', '/oauth-clients/:id', (ctx) => ({ json: toReadDto(find(state, ctx.params.id)) }), READ);

  router.add(
    'PATCH',
    '/oauth-clients/:id',
    (ctx) => {
      const ops = checkPatch(ctx.body, PATCHABLE_FIELDS);
      const c = find(state, ctx.params.id);
      applyOAuthClientPatch(c, ops);
      return { json: toReadDto(c) };
    },
    { ...MANAGE, body: 'json-patch' },
  );

  router.add(
    'DELETE',
    '/oauth-clients/:id',
    (ctx) => {
      find(state, ctx.params.id);
      state.delete(ctx.params.id);
      return { status: 204 };
    },
    { ...MANAGE, produces: null },
  );
}
