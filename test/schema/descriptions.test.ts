import { describe, expect, it } from '@jest/globals';
import { isEnumType, isInputObjectType, isIntrospectionType, isObjectType, type GraphQLNamedType } from 'graphql';
import { buildSchema } from '../../src/schema.js';

/**
 * The playground's documentation is the SDL's descriptions, so every type, field, argument, input
 * field and enum value this gateway defines must have one (federation's own types excepted).
 */
const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID', 'Query', 'Mutation']);
const isFederationType = (type: GraphQLNamedType) =>
  type.name.startsWith('_') || type.name.startsWith('link__') || type.name.startsWith('federation__') || type.name === 'FieldSet';

describe('SDL descriptions', () => {
  it('describe every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(buildSchema().getTypeMap())) {
      if (isIntrospectionType(type) || isFederationType(type)) continue;
      if (!BUILT_IN.has(type.name) && !type.description) missing.push(type.name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_')) continue;
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type))
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });
});
