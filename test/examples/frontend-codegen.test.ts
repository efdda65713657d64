import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import {
  buildSchema,
  Kind,
  parse,
  print,
  validate,
  visit,
  type ASTNode,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { createGatewayClient } from '../../examples/frontend/src/client.js';
import { ConnectorsPageDocument, CreateOAuthClientDocument } from '../../examples/frontend/src/gql/graphql.js';

/**
 * The example frontend's trusted documents. `graphql-codegen --check` (test/schema/codegen.test.ts)
 * already keeps every codegen.yml target fresh; this checks what the gateway will be given: the
 * manifest holds exactly the operations written in examples/frontend/src, each under the SHA-256 of
 * its text, each valid against the schema the gateway serves; and the app names them by hash, for
 * mutations as for queries.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'examples/frontend/src');
const manifest = JSON.parse(readFileSync(join(SRC, 'gql/persisted-documents.json'), 'utf8')) as Record<string, string>;
const schema = buildSchema(readFileSync(join(ROOT, 'test/schema/served-schema.graphql'), 'utf8'));

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Every `graphql(\`…\`)` document of the app's sources (not of the generated gql/). */
function sourceDocuments(): DocumentNode[] {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f) && !f.startsWith('gql/'));
  return files.flatMap((file) => [...readFileSync(join(SRC, file), 'utf8').matchAll(/\bgraphql\(\s*`([^`]*)`\s*\)/g)].map((m) => parse(m[1])));
}

/** Each operation of the sources with the fragments it spreads (directly or not): what a manifest entry holds. */
function sourceOperations(): DocumentNode[] {
  const definitions = sourceDocuments().flatMap((d) => d.definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => {
      const used = new Map<string, FragmentDefinitionNode>();
      const collect = (node: ASTNode): void => {
        visit(node, {
          FragmentSpread(spread) {
            const fragment = fragments.get(spread.name.value);
            if (!fragment) throw new Error(`examples/frontend/src spreads an unknown fragment ${spread.name.value}`);
            if (!used.has(fragment.name.value)) {
              used.set(fragment.name.value, fragment);
              collect(fragment);
            }
          },
        });
      };
      collect(operation);
      return { kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] as DefinitionNode[] };
    });
}

const byPrint = (a: ASTNode, b: ASTNode): number => print(a).localeCompare(print(b));

/**
 * A document compared by meaning: without the `__typename` selections codegen adds for urql's
 * cache, with selections, arguments, variables and definitions in a fixed order.
 */
function normalized(document: DocumentNode): string {
  const sorted = visit(document, {
    Field: { enter: (node) => (node.name.value === '__typename' ? null : undefined) },
    SelectionSet: { leave: (node) => ({ ...node, selections: [...node.selections].sort(byPrint) }) },
    OperationDefinition: {
      leave: (node) => ({ ...node, variableDefinitions: [...(node.variableDefinitions ?? [])].sort(byPrint) }),
    },
    Document: { leave: (node) => ({ ...node, definitions: [...node.definitions].sort(byPrint) }) },
  });
  const withSortedArguments = visit(sorted, {
    Field: { leave: (node) => ({ ...node, arguments: [...(node.arguments ?? [])].sort((a, b) => a.name.value.localeCompare(b.name.value)) }) },
  });
  return print(withSortedArguments);
}

describe('the example frontend’s trusted documents manifest', () => {
  it('names every document by the SHA-256 of its text', () => {
    const entries = Object.entries(manifest);
    expect(entries.length).toBeGreaterThan(0);
    for (const [id, text] of entries) expect({ id, text }).toEqual({ id: `sha256:${sha256(text)}`, text });
  });

  it('holds exactly the operations written in examples/frontend/src', () => {
    const fromSources = sourceOperations().map(normalized).sort();
    const fromManifest = Object.values(manifest)
      .map((text) => normalized(parse(text)))
      .sort();
    expect(fromSources.length).toBeGreaterThanOrEqual(7);
    // A difference here: an operation was added, changed or removed without `npm run codegen`.
    expect(fromManifest).toEqual(fromSources);
  });

  it('validates every document against the schema the gateway serves', () => {
    for (const [id, text] of Object.entries(manifest)) {
      expect({ id, errors: validate(schema, parse(text)).map((e) => e.message) }).toEqual({ id, errors: [] });
    }
  });
});

describe('the example frontend’s GraphQL client', () => {
  interface Sent {
    init: RequestInit;
    body: Record<string, unknown>;
  }

  function recordingClient(answer: () => Response) {
    const sent: Sent[] = [];
    let unauthenticated = 0;
    const client = createGatewayClient({
      url: 'http://localhost:4000/graphql',
      onUnauthenticated: () => unauthenticated++,
      fetch: async (_url, init = {}) => {
        sent.push({ init, body: JSON.parse(init.body as string) });
        return answer();
      },
    });
    return { client, sent, unauthenticated: () => unauthenticated };
  }
  const json = (status: number, body: unknown): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const hashOf = (operationName: string): string => {
    const id = Object.keys(manifest).find((key) =>
      parse(manifest[key]).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName),
    );
    return id!.replace(/^sha256:/, '');
  };

  it('sends queries and mutations as POSTs naming the trusted document by hash, never its text', async () => {
    const { client, sent } = recordingClient(() => json(200, { data: null }));
    await client.query(ConnectorsPageDocument, { limit: 10, offset: 0 }).toPromise();
    const input = {
      name: 'n',
      description: 'd',
      accessTokenValiditySeconds: 750,
      grantTypes: ['CLIENT_CREDENTIALS' as const],
      accessType: 'OFFLINE' as const,
      enabled: true,
    };
    await client.mutation(CreateOAuthClientDocument, { input }).toPromise();

    expect(sent.map((s) => ({ method: s.init.method, credentials: s.init.credentials, query: s.body.query, extensions: s.body.extensions }))).toEqual(
      [
        {
          method: 'POST',
          credentials: 'same-origin',
          query: undefined,
          extensions: { persistedQuery: { version: 1, sha256Hash: hashOf('ConnectorsPage') } },
        },
        {
          method: 'POST',
          credentials: 'same-origin',
          query: undefined,
          extensions: { persistedQuery: { version: 1, sha256Hash: hashOf('CreateOAuthClient') } },
        },
      ],
    );
    expect(sent[1].body.variables).toEqual({ input });
  });

  it('reports UNAUTHENTICATED, so the page can offer sign-in again', async () => {
    const { client, unauthenticated } = recordingClient(() =>
      json(401, { errors: [{ message: 'Your sign-in has ended', extensions: { code: 'UNAUTHENTICATED' } }] }),
    );
    const result = await client.query(ConnectorsPageDocument, { limit: 10, offset: 0 }).toPromise();
    expect(result.error?.graphQLErrors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(unauthenticated()).toBe(1);
  });
});
