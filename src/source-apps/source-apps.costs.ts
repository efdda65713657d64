import { each, type CostTable } from '../limits/cost.js';
import { LIST_FORBIDDEN, MAX_IDS_PER_CALL } from './source-apps.loaders.js';

/** ISC calls of the source app fields (see CostTable). */
export const sourceAppCosts: CostTable = {
  fields: {
    ...each({ calls: 'page' }, ['Query.sourceApps', 'Query.allSourceApps', 'Query.assignedSourceApps', 'SourceApp.accessProfiles']),
    // Batched through the admin list; one GET per id for callers that list refuses.
    'Query.sourceApp': { calls: 'batch', batchSize: MAX_IDS_PER_CALL, fallbackFact: LIST_FORBIDDEN },
    ...each({ calls: 'one' }, [
      'Mutation.createSourceApp',
      'Mutation.updateSourceApp',
      'Mutation.deleteSourceApp',
      'Mutation.bulkUpdateSourceApps',
      'Mutation.removeAccessProfilesFromSourceApp',
    ]),
  },
  detailFields: {},
};
