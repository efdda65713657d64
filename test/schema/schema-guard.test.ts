import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildASTSchema, buildSchema as buildFromSdl, findBreakingChanges, findDangerousChanges, parse, printSchema, visit } from 'graphql';
import { buildSchema } from '../../src/schema.js';

/**
 * The schema-change guard: the schema the gateway serves is compared with the committed snapshot.
 * A breaking change (graphql's findBreakingChanges) fails with the list of what breaks; any other
 * difference fails too, so the snapshot always describes what is served. Refresh it deliberately,
 * in the same change, with `npm run schema:print -- --snapshot`.
 */
describe('schema-change guard', () => {
  const served = printSchema(buildSchema());
  const snapshot = readFileSync(new URL('./served-schema.graphql', import.meta.url), 'utf8');

  it('has no breaking change against the committed snapshot', () => {
    const breaking = findBreakingChanges(buildFromSdl(snapshot), buildFromSdl(served)).map((c) => `${c.type}: ${c.description}`);
    expect(breaking).toEqual([]);
  });

  it('reports dangerous changes (e.g. enum values added) only through an updated snapshot', () => {
    const dangerous = findDangerousChanges(buildFromSdl(snapshot), buildFromSdl(served)).map((c) => `${c.type}: ${c.description}`);
    expect(dangerous).toEqual([]);
  });

  it('matches the snapshot exactly (run `npm run schema:print -- --snapshot` after a deliberate change)', () => {
    expect(served.trimEnd()).toBe(snapshot.trimEnd());
  });

  it('would catch a removed field', () => {
    // The guard itself can fail: removing a Query field from the served schema is reported.
    const withoutField = visit(parse(served), {
      FieldDefinition: (node, _key, _parent, _path, ancestors) => {
        const owner = ancestors.at(-1) as { name?: { value: string } } | undefined;
        return node.name.value === 'connector' && owner?.name?.value === 'Query' ? null : undefined;
      },
    });
    const breaking = findBreakingChanges(buildFromSdl(served), buildASTSchema(withoutField));
    expect(breaking.map((c) => c.description)).toContain('Query.connector was removed.');
  });
});
