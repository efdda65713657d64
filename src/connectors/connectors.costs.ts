import type { CostTable } from '../limits/cost.js';

/** ISC calls of the connector fields (see CostTable). */
export const connectorCosts: CostTable = {
  fields: {
    'Query.connectors': { calls: 'page' },
    'Query.connector': { calls: 'one', detailed: true },
    'ConnectorFiles.sourceConfig': { calls: 'one' },
    'ConnectorFiles.sourceTemplate': { calls: 'one' },
    'ConnectorFiles.correlationConfig': { calls: 'one' },
    'ConnectorFiles.translations': { calls: 'one' },
    'Mutation.createCustomConnector': { calls: 'one' },
    'Mutation.updateConnector': { calls: 'one', detailed: true },
    'Mutation.deleteCustomConnector': { calls: 'one' },
    'Mutation.updateConnectorSourceConfig': { calls: 'one' },
    'Mutation.updateConnectorSourceTemplate': { calls: 'one' },
    'Mutation.updateConnectorCorrelationConfig': { calls: 'one' },
    'Mutation.updateConnectorTranslations': { calls: 'one' },
  },
  // A list item lacks these: one GET per connector loads them all.
  detailFields: {
    Connector: [
      'applicationXml',
      'correlationConfigXml',
      'sourceConfigXml',
      'sourceConfig',
      'sourceConfigFrom',
      's3Location',
      'uploadedFiles',
      'fileUpload',
      'translationProperties',
    ],
  },
};
