/**
 * Operations the playground opens with, one tab each. They run against the demo tenant as they
 * are (test/integration/playground.test.ts runs every one and expects no errors).
 */
export interface PlaygroundExample {
  query: string;
  variables?: Record<string, unknown>;
}

export const PLAYGROUND_EXAMPLES: PlaygroundExample[] = [
  {
    query: `# Connectors: the catalogue, with a typed filter. totalCount is counted by ISC only when selected.
query DirectConnectors {
  connectors(filter: { directConnect: true, featuresContainAll: ["PROVISIONING"] }, limit: 10) {
    items { name scriptName type status statusRaw features }
    totalCount
    hasMore
  }
}`,
  },
  {
    query: `# One connector with detail fields and files; each file is one ISC call, made only when selected.
query ConnectorDetail($scriptName: ID!) {
  connector(scriptName: $scriptName, locale: "en") {
    name
    className
    status
    files { sourceConfig translations(locale: "en") }
  }
}`,
    variables: { scriptName: 'active-directory-angularsc' },
  },
];
