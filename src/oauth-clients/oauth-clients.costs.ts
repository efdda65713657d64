import { each, type CostTable } from '../limits/cost.js';

/** ISC calls of the OAuth client fields (see CostTable). The list has no paging: one call answers all. */
export const oauthClientCosts: CostTable = {
  fields: each({ calls: 'one' }, [
    'Query.oauthClients',
    'Query.oauthClient',
    'Mutation.createOAuthClient',
    'Mutation.updateOAuthClient',
    'Mutation.deleteOAuthClient',
  ]),
  detailFields: {},
};
