import type { CostTable } from '../limits/cost.js';

/** ISC calls of the connector customizer fields (see CostTable). */
export const connectorCustomizerCosts: CostTable = {
  fields: {
    'Query.connectorCustomizers': { calls: 'page' },
    'Query.connectorCustomizer': { calls: 'one' },
    'ConnectorCustomizerVersion.customizer': { calls: 'one' },
    'Mutation.createConnectorCustomizer': { calls: 'one' },
    'Mutation.updateConnectorCustomizer': { calls: 'one' },
    'Mutation.deleteConnectorCustomizer': { calls: 'one' },
    'Mutation.createConnectorCustomizerVersion': { calls: 'one' },
  },
  detailFields: {},
};
