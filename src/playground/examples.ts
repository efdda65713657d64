/**
 * Operations the playground opens with, one tab each, covering the five domains. They run against
 * the demo tenant as they are (test/integration/playground.test.ts runs every one, in this order,
 * and expects no errors).
 */
export interface PlaygroundExample {
  query: string;
  variables?: Record<string, unknown>;
}

export const PLAYGROUND_EXAMPLES: PlaygroundExample[] = [
  {
    query: `# Connectors: the catalogue with a typed filter. totalCount is counted by ISC only when selected.
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
  {
    query: `# Connector customizers. ISC cannot count them, so the page has hasMore but no totalCount.
query Customizers {
  connectorCustomizers(limit: 5) {
    items { id name imageVersion imageID created }
    hasMore
  }
}`,
  },
  {
    query: `# Source apps (an experimental ISC API: the gateway sends X-SailPoint-Experimental itself),
# with each app's access profiles: one ISC call per app, all at once.
query SourceAppsWithAccessProfiles {
  allSourceApps(sort: [{ field: NAME }], limit: 5) {
    items {
      id name enabled
      owner { name }
      accountSource { name useForPasswordManagement }
      accessProfiles(limit: 3) { items { name } hasMore }
    }
    totalCount
  }
}`,
  },
  {
    query: `# The apps of the identity signed in (or of the gateway's own credential), with the accounts
# each may use: one ISC call for the list, one per app for its accounts. sourceApp's id and name
# come with the user app: no call.
query MyApps {
  userApps(limit: 5) {
    items {
      id
      sourceApp { id name }
      account { name }
      availableAccounts(limit: 3) { items { id displayName } totalCount }
    }
    totalCount
  }
}`,
  },
  {
    query: `# OAuth clients unused since 2024 began, or never used. Secrets are never readable here:
# only createOAuthClient answers one, once.
query StaleOAuthClients {
  oauthClients(filter: { lastUsedBefore: "2024-01-01T00:00:00Z", neverUsed: true }) {
    id name lastUsed enabled grantTypes accessType type
  }
}`,
  },
  {
    query: `# A mutation: typed input becomes a minimal JSON Patch (omitted = untouched, null = removed).
mutation CreateCustomizer {
  createConnectorCustomizer(input: { name: "playground-example-hook" }) { id name created }
}`,
  },
];
