import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { documentationFiles, graphqlExamples, type GraphQLExample } from '../support/markdown-examples.js';

/**
 * The documentation's GraphQL examples must run as written: every ```graphql block of README.md
 * and of each docs/*.md (read when the test runs, so new pages are covered), with the ```json
 * block right after it as variables, is sent whole, exactly as a user pastes it, against its own
 * fresh demo tenant: its one operation, or each of its named ones after the other, each answering
 * data, no error and no null top-level field.
 */
const ROOT = new URL('../../', import.meta.url);

const examples: GraphQLExample[] = documentationFiles(ROOT).flatMap((file) => graphqlExamples(file, readFileSync(new URL(file, ROOT), 'utf8')));

/** The block as a user pastes it: the whole text, and the operation chosen by name where there are several. */
async function pasted(gw: TestGateway, query: string, operationName: string | undefined, variables: Record<string, unknown>) {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName, variables }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

describe('documentation examples', () => {
  it('finds the README examples (an extraction that finds none would pass vacuously)', () => {
    const readme = examples.filter((e) => e.where.startsWith('README.md:'));
    expect(readme.length).toBeGreaterThanOrEqual(10);
    for (const heading of ['Connectors', 'Connector customizers', 'Source apps', 'OAuth clients']) {
      expect(readme.some((e) => e.heading === heading)).toBe(true);
    }
  });

  /** The README's examples run in both of ISC's path layouts (docs/ pages in the default one). */
  const runs: [string, GraphQLExample, 'per-resource' | 'v2024'][] = [
    ...examples.map((e): [string, GraphQLExample, 'per-resource'] => [`${e.where} (${e.heading})`, e, 'per-resource']),
    ...examples
      .filter((e) => e.where.startsWith('README.md:'))
      .map((e): [string, GraphQLExample, 'v2024'] => [`${e.where} (${e.heading})`, e, 'v2024']),
  ];

  it.each(runs)('%s runs on a fresh demo tenant, paths %s', async (_where, example, layout) => {
    expect(example.operations.length).toBeGreaterThan(0);
    const gw = await startTestGateway({ SAIL_API_PATHS: layout });
    try {
      for (const { operationName } of example.operations) {
        const r = await pasted(gw, example.source, operationName, example.variables);
        const nullFields = Object.entries(r.data ?? {})
          .filter(([, value]) => value === null)
          .map(([field]) => field);
        // The operation's text is part of the comparison, so a failure says which one broke.
        expect({ operationName, status: r.status, errors: r.errors, hasData: r.data != null, nullFields }).toEqual({
          operationName,
          status: 200,
          errors: undefined,
          hasData: true,
          nullFields: [],
        });
      }
      // The layout asked for is the one ISC saw.
      const paths = gw.calls().map((c) => c.path);
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(path).toMatch(layout === 'v2024' ? /^\/v2024\// : /^\/[a-z-]+\/v1(\/|$)/);
    } finally {
      await gw.close();
    }
  });
});

describe('example extraction', () => {
  const markdown = [
    '# Page',
    '## Reads',
    '```graphql',
    'query One { a: connectors { hasMore } }',
    'query Two($s: ID!) { connector(scriptName: $s) { ...F } }',
    'fragment F on Connector { name }',
    '```',
    '',
    '```json',
    '{ "s": "x" }',
    '```',
    'Text between.',
    '```graphql',
    '# A comment, not a heading',
    '{ b: connectors { hasMore } }',
    '```',
    'Not its variables:',
    '```json',
    '{ "t": 1 }',
    '```',
    '```sh',
    'echo "```graphql is not a fence here"',
    '```',
  ].join('\n');

  it('takes every graphql block under its heading, whole, with its operations by name and the adjacent json as variables', () => {
    const found = graphqlExamples('page.md', markdown);
    expect(found.map((e) => [e.where, e.heading, e.variables, e.operations])).toEqual([
      ['page.md:3', 'Reads', { s: 'x' }, [{ operationName: 'One' }, { operationName: 'Two' }]],
      ['page.md:13', 'Reads', {}, [{ operationName: undefined }]],
    ]);
    expect(found[0].source).toBe(markdown.split('\n').slice(3, 6).join('\n'));
  });

  it('refuses a block of several operations where one is anonymous: pasted whole, it answers 400', () => {
    expect(() => graphqlExamples('two.md', '```graphql\n{ a: connectors { hasMore } }\n{ b: connectors { hasMore } }\n```')).toThrow(
      'two.md:1: a block with several operations must name each one',
    );
  });

  it('reads README.md, and every docs/*.md once a docs folder exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-examples-'));
    try {
      const root = pathToFileURL(`${dir}/`);
      expect(documentationFiles(root)).toEqual(['README.md']);
      mkdirSync(join(dir, 'docs'));
      for (const f of ['b.md', 'a.md', 'notes.txt']) writeFileSync(join(dir, 'docs', f), '');
      expect(documentationFiles(root)).toEqual(['README.md', 'docs/a.md', 'docs/b.md']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a block that is not GraphQL and on variables that are not JSON', () => {
    expect(() => graphqlExamples('bad.md', '```graphql\n{ connectors( }\n```')).toThrow(/Syntax Error/);
    expect(() => graphqlExamples('bad.md', '```graphql\n{ connectors { hasMore } }\n```\n```json\n{ s: 1 }\n```')).toThrow(/bad\.md:4/);
  });
});
