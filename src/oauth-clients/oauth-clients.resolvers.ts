import type { Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';

// Placeholder until the OAuth clients domain lands.
export const oauthClientResolvers: Resolvers<Context> = {};
