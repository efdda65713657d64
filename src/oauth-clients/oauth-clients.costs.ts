import type { CostTable } from '../limits/cost.js';

/** ISC calls of the OAuth client fields (see CostTable). The list has no paging: one call answers all. */
export const oauthClientCosts: CostTable = {
  fields: {
    'Query.oauthClients': { calls: 'one' },
    'Query.oauthClient': { calls: 'one' },
    'Mutation.createOAuthClient': { calls: 'one' },
    'Mutation.updateOAuthClient': { calls: 'one' },
    'Mutation.deleteOAuthClient': { calls: 'one' },
  },
  detailFields: {},
};
