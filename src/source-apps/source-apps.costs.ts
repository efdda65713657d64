import type { CostTable } from '../limits/cost.js';
import { LIST_FORBIDDEN, MAX_IDS_PER_CALL } from './source-apps.loaders.js';

/** ISC calls of the source app fields (see CostTable). */
export const sourceAppCosts: CostTable = {
  fields: {
    'Query.sourceApps': { calls: 'page' },
    'Query.allSourceApps': { calls: 'page' },
    'Query.assignedSourceApps': { calls: 'page' },
    // Batched through the admin list; one GET per id for callers that list refuses.
    'Query.sourceApp': { calls: 'batch', batchSize: MAX_IDS_PER_CALL, fallbackFact: LIST_FORBIDDEN },
    'SourceApp.accessProfiles': { calls: 'page' },
    'Mutation.createSourceApp': { calls: 'one' },
    'Mutation.updateSourceApp': { calls: 'one' },
    'Mutation.deleteSourceApp': { calls: 'one' },
    'Mutation.bulkUpdateSourceApps': { calls: 'one' },
    'Mutation.removeAccessProfilesFromSourceApp': { calls: 'one' },
  },
  detailFields: {},
};
