import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, mergeResolvers, resolverModules } from '../../src/schema.js';
import { isObjectType, isScalarType, isEnumType } from 'graphql';

describe('generated resolver types', () => {
  it('are fresh: running codegen on schema/ reproduces src/generated exactly', async () => {
    // codegen's own --check regenerates in memory and exits 1 when a committed output differs.
    // Run as a child process: its plugins load as native ESM, which jest's module system cannot do.
    const run = spawnSync('node_modules/.bin/graphql-codegen', ['--config', 'codegen.yml', '--check'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const stale = `${run.stdout}${run.stderr}`.includes('stale files');
    // A failure here means the SDL or codegen.yml changed without `npm run codegen`.
    expect({ status: run.status, stale }).toEqual({ status: 0, stale: false });
  }, 90_000);
});

describe('resolver map', () => {
  it('names only types and fields that exist in the schema', () => {
    // With codegen's index signature a misspelled key would compile: check it here.
    const schema = buildSchema();
    const merged = mergeResolvers(resolverModules) as Record<string, Record<string, unknown>>;
    for (const [typeName, fields] of Object.entries(merged)) {
      const type = schema.getType(typeName);
      expect({ typeName, exists: type !== undefined }).toEqual({ typeName, exists: true });
      if (isScalarType(type) || isEnumType(type)) continue;
      expect(isObjectType(type)).toBe(true);
      if (!isObjectType(type)) continue;
      for (const field of Object.keys(fields)) {
        if (field.startsWith('__')) continue;
        expect(`${typeName}.${field}:${field in type.getFields()}`).toBe(`${typeName}.${field}:true`);
      }
    }
  });

  it('refuses a field defined by two domains', () => {
    expect(() => mergeResolvers([{ Query: { a: () => 1 } }, { Query: { a: () => 2 } }])).toThrow('Query.a is defined twice');
  });
});
