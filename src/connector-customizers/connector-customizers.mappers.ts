// Placeholder until the connector customizers domain lands.
export type ConnectorCustomizerModel = Record<string, unknown>;
export type ConnectorCustomizerPageModel = Record<string, unknown>;
export type ConnectorCustomizerVersionModel = Record<string, unknown>;
