import { each, type CostTable } from '../limits/cost.js';
import { LIST_FORBIDDEN, MAX_IDS_PER_CALL } from '../source-apps/source-apps.loaders.js';
import { SOURCE_APP_REFERENCE_FIELDS } from './user-apps.mappers.js';

/** ISC calls of the user app fields (see CostTable). */
export const userAppCosts: CostTable = {
  fields: {
    ...each({ calls: 'page' }, ['Query.userApps', 'Query.allUserApps']),
    'UserApp.availableAccounts': { calls: 'one' },
    'Mutation.updateUserAppAccount': { calls: 'one' },
    // The source-app lookup (batched through the admin list, per id for callers it refuses); free
    // when only what the user app's reference carries is selected.
    'UserApp.sourceApp': { calls: 'batch', batchSize: MAX_IDS_PER_CALL, fallbackFact: LIST_FORBIDDEN, referenceFields: SOURCE_APP_REFERENCE_FIELDS },
  },
  detailFields: {},
};
