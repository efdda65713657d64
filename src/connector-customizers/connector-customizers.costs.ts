import { each, type CostTable } from '../limits/cost.js';

/** ISC calls of the connector customizer fields (see CostTable). */
export const connectorCustomizerCosts: CostTable = {
  fields: {
    'Query.connectorCustomizers': { calls: 'page' },
    ...each({ calls: 'one' }, [
      'Query.connectorCustomizer',
      'ConnectorCustomizerVersion.customizer',
      'Mutation.createConnectorCustomizer',
      'Mutation.updateConnectorCustomizer',
      'Mutation.deleteConnectorCustomizer',
      'Mutation.createConnectorCustomizerVersion',
    ]),
  },
  detailFields: {},
};
