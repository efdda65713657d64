import type { Context } from '../context.js';
import type { CreatedOAuthClientResolvers, OAuthClientResolvers, Resolvers } from '../generated/graphql.js';
import { enumValue, rawEnum } from '../shared/enums.js';
import { checkRawFilterFields, combineFilters } from '../shared/filters.js';
import { pathSegment } from '../shared/path.js';
import { createOAuthClient, deleteOAuthClient, getOAuthClient, listOAuthClients, patchOAuthClient, primeOAuthClient } from './oauth-clients.api.js';
import { OAUTH_CLIENT_FILTER_FIELDS, oauthClientFilterExpression } from './oauth-clients.filters.js';
import type { IscCreatedOAuthClient, IscOAuthClient } from './oauth-clients.mappers.js';
import { oauthClientPatch } from './oauth-clients.patch.js';
import { ACCESS_TYPES, CLIENT_TYPES, createOAuthClientBody, GRANT_TYPES } from './oauth-clients.validation.js';

/** The closed-set fields both client types share; every other field passes through as ISC sent it. */
type Enums = Pick<IscOAuthClient, 'grantTypes' | 'accessType' | 'type'>;

const enumFields = {
  grantTypes: (c: Enums) => c.grantTypes?.map((v) => enumValue(GRANT_TYPES, v) ?? 'UNKNOWN') ?? null,
  grantTypesRaw: (c: Enums) => c.grantTypes?.map(String) ?? null,
  accessType: (c: Enums) => enumValue(ACCESS_TYPES, c.accessType),
  accessTypeRaw: (c: Enums) => rawEnum(c.accessType),
  type: (c: Enums) => enumValue(CLIENT_TYPES, c.type),
  typeRaw: (c: Enums) => rawEnum(c.type),
};

/** The created client as the read shape: what the operation's reads may hold. */
function withoutSecret(created: IscCreatedOAuthClient): IscOAuthClient {
  const { secret: _secret, ...client } = created;
  return client;
}

const OAuthClient: OAuthClientResolvers<Context> = {
  __resolveReference: (reference, ctx) => {
    pathSegment(reference.id, 'id'); // a representation's id is raw JSON: checked before the loader sees it
    return getOAuthClient(ctx.upstream, reference.id);
  },
  ...enumFields,
};

const CreatedOAuthClient: CreatedOAuthClientResolvers<Context> = { ...enumFields };

export const oauthClientResolvers: Resolvers<Context> = {
  Query: {
    oauthClients: async (_root, { filter, filters }, ctx) => {
      const expression = combineFilters(oauthClientFilterExpression(filter), checkRawFilterFields(filters, OAUTH_CLIENT_FILTER_FIELDS));
      const clients = await listOAuthClients(ctx.upstream, expression);
      for (const client of clients) primeOAuthClient(ctx.upstream, client.id, client);
      return clients;
    },
    oauthClient: (_root, { id }, ctx) => {
      pathSegment(id, 'id');
      return getOAuthClient(ctx.upstream, id);
    },
  },
  Mutation: {
    createOAuthClient: async (_root, { input }, ctx) => {
      const created = await createOAuthClient(ctx.upstream, createOAuthClientBody(input));
      primeOAuthClient(ctx.upstream, created.id, withoutSecret(created));
      return created;
    },
    updateOAuthClient: async (_root, { id, input, patch }, ctx) => {
      pathSegment(id, 'id');
      const updated = await patchOAuthClient(ctx.upstream, id, oauthClientPatch(input, patch));
      primeOAuthClient(ctx.upstream, id, updated);
      return updated;
    },
    deleteOAuthClient: async (_root, { id }, ctx) => {
      pathSegment(id, 'id');
      await deleteOAuthClient(ctx.upstream, id);
      primeOAuthClient(ctx.upstream, id, null);
      return true;
    },
  },
  OAuthClient,
  CreatedOAuthClient,
};
