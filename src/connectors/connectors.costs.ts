import { each, type CostTable } from '../limits/cost.js';

/** ISC calls of the connector fields (see CostTable). */
export const connectorCosts: CostTable = {
  fields: {
    'Query.connectors': { calls: 'page' },
    'Query.connector': { calls: 'one', detailed: true },
    'Mutation.updateConnector': { calls: 'one', detailed: true },
    ...each({ calls: 'one' }, [
      'ConnectorFiles.sourceConfig',
      'ConnectorFiles.sourceTemplate',
      'ConnectorFiles.correlationConfig',
      'ConnectorFiles.translations',
      'Mutation.createCustomConnector',
      'Mutation.deleteCustomConnector',
      'Mutation.updateConnectorSourceConfig',
      'Mutation.updateConnectorSourceTemplate',
      'Mutation.updateConnectorCorrelationConfig',
      'Mutation.updateConnectorTranslations',
    ]),
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
