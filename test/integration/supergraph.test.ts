import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildSchema, subgraphSdl } from '../../src/schema.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * This gateway composed into a supergraph with a tiny "identities" subgraph written here, served by
 * @apollo/gateway over loopback. The identities subgraph owns `Identity`, extends `SourceApp` and
 * `Connector` with fields computed from their keys, and hands out references that the ISC subgraph
 * must resolve through its per-request loaders.
 */
const identitiesTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Identity @key(fields: "id") {
    id: ID!
    displayName: String!
  }

  type SourceApp @key(fields: "id") {
    id: ID!
    catalogUrl: String!
  }

  type Connector @key(fields: "scriptName") {
    scriptName: ID!
    docsUrl: String!
  }

  type Query {
    featuredSourceApps: [SourceApp!]!
    watchedConnectors: [Connector!]!
  }
`);

let isc: TestGateway;
let identities: ApolloServer;
let supergraph: ApolloServer;
let supergraphUrl: string;
let compositionHints: string[];
let featuredIds: string[] = [];
let watchedScriptNames: string[] = [];

async function query(document: string) {
  const response = await fetch(supergraphUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: document }),
    signal: AbortSignal.timeout(20_000),
  });
  return (await response.json()) as { data?: any; errors?: { message: string }[] };
}

beforeAll(async () => {
  isc = await startTestGateway();

  // 50 source apps to reference: the 30 seeded ones and 20 created here.
  const existing = await isc.gql('{ allSourceApps(limit: 250) { items { id } } }');
  const sourceId = (await isc.gql('{ allSourceApps(limit: 1) { items { accountSource { id } } } }')).data!.allSourceApps.items[0].accountSource.id;
  featuredIds = existing.data!.allSourceApps.items.map((a: { id: string }) => a.id);
  for (let i = featuredIds.length; i < 50; i++) {
    const created = await isc.gql('mutation($i: CreateSourceAppInput!) { createSourceApp(input: $i) { id } }', {
      i: { name: `Federated App ${i}`, description: 'Created by the supergraph test', accountSourceId: sourceId },
    });
    featuredIds.push(created.data!.createSourceApp.id);
  }
  featuredIds = featuredIds.slice(0, 50);
  // 50 connector references, seven of them repeated.
  const connectors = await isc.gql('{ connectors(limit: 43) { items { scriptName } } }');
  const names = connectors.data!.connectors.items.map((c: { scriptName: string }) => c.scriptName);
  watchedScriptNames = [...names, ...names.slice(0, 50 - names.length)];

  identities = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: identitiesTypeDefs,
      resolvers: {
        Query: {
          featuredSourceApps: () => featuredIds.map((id) => ({ id })),
          watchedConnectors: () => watchedScriptNames.map((scriptName) => ({ scriptName })),
        },
        Identity: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id, displayName: `Identity ${ref.id.slice(0, 6)}` }),
        },
        SourceApp: { catalogUrl: (app: { id: string }) => `https://catalog.example.com/apps/${app.id}` },
        Connector: { docsUrl: (c: { scriptName: string }) => `https://docs.example.com/connectors/${c.scriptName}` },
      },
    }),
  });
  const identitiesUrl = (await startStandaloneServer(identities, { listen: { port: 0, host: '127.0.0.1' } })).url;

  const composition = composeServices([
    { name: 'isc', typeDefs: parse(await subgraphSdl(buildSchema())), url: isc.url },
    { name: 'identities', typeDefs: identitiesTypeDefs, url: identitiesUrl },
  ]);
  if (composition.errors) throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  compositionHints = composition.hints.map((h) => `${h.definition.code}: ${h.message}`);

  supergraph = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: composition.supergraphSdl,
      buildService: ({ url }) => new RemoteGraphQLDataSource({ url }),
    }),
  });
  supergraphUrl = (await startStandaloneServer(supergraph, { listen: { port: 0, host: '127.0.0.1' } })).url;
}, 60_000);

afterAll(async () => {
  await supergraph?.stop();
  await identities?.stop();
  await isc?.close();
});

function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[figures] ${name}: ${JSON.stringify(figures)}\n`);
}

describe('supergraph', () => {
  it('composes with no errors and no hints', () => {
    expect(compositionHints).toEqual([]);
  });

  it('resolves 50 source-app references with ONE batched ISC call, crossing back for the owners', async () => {
    isc.reset();
    const r = await query('{ featuredSourceApps { id name catalogUrl owner { name } ownerIdentity { id displayName } } }');
    expect(r.errors).toBeUndefined();
    const apps = r.data.featuredSourceApps as {
      id: string;
      name: string;
      catalogUrl: string;
      ownerIdentity: { id: string; displayName: string } | null;
    }[];
    expect(apps.map((a) => a.id)).toEqual(featuredIds);
    for (const app of apps) {
      expect(app.name).toEqual(expect.any(String));
      expect(app.catalogUrl).toBe(`https://catalog.example.com/apps/${app.id}`);
      if (app.ownerIdentity) expect(app.ownerIdentity.displayName).toBe(`Identity ${app.ownerIdentity.id.slice(0, 6)}`);
    }
    expect(apps.some((a) => a.ownerIdentity !== null)).toBe(true);
    const calls = isc.calls();
    report('supergraph source apps', { references: 50, upstreamCalls: calls.length });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/source-apps/v1/all', headers: { 'x-sailpoint-experimental': 'true' } });
    expect(calls[0].query.filters).toBe(`id in (${featuredIds.map((id) => `"${id}"`).join(',')})`);
  });

  it('resolves 50 connector references (7 repeated) with one GET per distinct connector, never twice', async () => {
    isc.reset();
    const r = await query('{ watchedConnectors { scriptName name type docsUrl } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.watchedConnectors).toHaveLength(50);
    expect(r.data.watchedConnectors[45].name).toBe(r.data.watchedConnectors[2].name);
    const paths = isc.calls().map((c) => c.path);
    report('supergraph connectors', { references: 50, distinct: new Set(watchedScriptNames).size, upstreamCalls: paths.length });
    expect(paths).toHaveLength(new Set(watchedScriptNames).size);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('serves ISC-rooted queries that cross into the identities subgraph', async () => {
    isc.reset();
    const r = await query(
      '{ allSourceApps(limit: 5) { items { name catalogUrl ownerIdentity { displayName } accountSource { name source { id } } } } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.allSourceApps.items).toHaveLength(5);
    expect(r.data.allSourceApps.items[0].catalogUrl).toMatch(/^https:\/\/catalog\.example\.com\/apps\//);
    expect(isc.calls()).toHaveLength(1);
  });
});

describe('entity resolution in this subgraph', () => {
  it('resolves every entity type through its per-request loader', async () => {
    const ids = {
      connectors: watchedScriptNames.slice(0, 2),
      customizers: (await isc.gql('{ connectorCustomizers(limit: 2) { items { id } } }')).data!.connectorCustomizers.items.map(
        (c: { id: string }) => c.id,
      ),
      apps: featuredIds.slice(0, 2),
      clients: (await isc.gql('{ oauthClients { id } }')).data!.oauthClients.slice(0, 2).map((c: { id: string }) => c.id),
    };
    const representations = [
      ...ids.connectors.map((scriptName) => ({ __typename: 'Connector', scriptName })),
      ...ids.customizers.map((id: string) => ({ __typename: 'ConnectorCustomizer', id })),
      ...ids.apps.map((id) => ({ __typename: 'SourceApp', id })),
      ...ids.clients.map((id: string) => ({ __typename: 'OAuthClient', id })),
      // Repeats: resolved from the same loaders, no further call.
      { __typename: 'Connector', scriptName: ids.connectors[0] },
      { __typename: 'SourceApp', id: ids.apps[0] },
    ];
    isc.reset();
    const r = await isc.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Connector { scriptName name } ... on ConnectorCustomizer { id name }
        ... on SourceApp { id name } ... on OAuthClient { id name } } }`,
      { r: representations },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities).toHaveLength(representations.length);
    for (const entity of r.data!._entities) expect(entity.name).toEqual(expect.any(String));
    const calls = isc
      .calls()
      .map((c) => `${c.method} ${c.path.endsWith('/all') ? c.path : c.path.replace(/\/[^/]+$/, '/{id}')}`)
      .sort();
    expect(calls).toEqual(
      [
        'GET /connector-customizers/v1/{id}',
        'GET /connector-customizers/v1/{id}',
        'GET /connectors/v1/{id}',
        'GET /connectors/v1/{id}',
        'GET /oauth-clients/v1/{id}',
        'GET /oauth-clients/v1/{id}',
        'GET /source-apps/v1/all',
      ].sort(),
    );
  });
});
