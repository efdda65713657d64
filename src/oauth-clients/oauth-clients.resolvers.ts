import type { Context } from '../context.js';
import type { CreatedOAuthClientResolvers, OAuthClientResolvers, Resolvers } from '../generated/graphql.js';
import { pathSegment } from '../shared/path.js';
import { createOAuthClient, deleteOAuthClient, getOAuthClient, listOAuthClients, patchOAuthClient, primeOAuthClient } from './oauth-clients.api.js';
import { oauthClientsFilters } from './oauth-clients.filters.js';
import { oauthClientEnumFields, type IscCreatedOAuthClient, type IscOAuthClient } from './oauth-clients.mappers.js';
import { oauthClientPatch } from './oauth-clients.patch.js';
import { createOAuthClientBody } from './oauth-clients.validation.js';

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
  ...oauthClientEnumFields,
};

const CreatedOAuthClient: CreatedOAuthClientResolvers<Context> = { ...oauthClientEnumFields };

export const oauthClientResolvers: Resolvers<Context> = {
  Query: {
    oauthClients: async (_root, args, ctx) => {
      const clients = await listOAuthClients(ctx.upstream, oauthClientsFilters(args));
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
