import type { Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';

// Placeholder until the connector customizers domain lands.
export const connectorCustomizerResolvers: Resolvers<Context> = {};
