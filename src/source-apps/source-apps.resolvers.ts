import type { Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';

// Placeholder until the source apps domain lands.
export const sourceAppResolvers: Resolvers<Context> = {};
