import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, isUnionType, parse, type GraphQLSchema } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { DOMAIN_RESOLVERS } from './domains.js';
import type { Resolvers } from './generated/graphql.js';
import { badInput } from './shared/errors.js';
import { guardIdentifierArguments } from './shared/identifier-arguments.js';
import { LongScalar } from './shared/long.js';
import { packageRoot } from './shared/package.js';

/** `schema/` at the package root. */
const schemaDirectory = (): string => path.join(packageRoot(), 'schema');

/** The SDL of every domain, base file first. */
export function loadTypeDefs(): string {
  const dir = schemaDirectory();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

const scalarResolvers: Resolvers = { DateTime: DateTimeResolver, JSON: JSONResolver, Long: LongScalar };

/** One resolver map per domain (src/domains.ts); each domain owns its types and its Query/Mutation fields. */
export const resolverModules: Resolvers[] = [scalarResolvers, ...DOMAIN_RESOLVERS];

/** Merges the domain maps type by type; two domains defining the same field is a programming error. */
export function mergeResolvers(modules: readonly Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const module of modules) {
    for (const [typeName, fields] of Object.entries(module)) {
      const target = (merged[typeName] ??= {});
      if (!isFieldMap(fields)) {
        merged[typeName] = fields as Record<string, unknown>; // a scalar
        continue;
      }
      for (const [field, resolver] of Object.entries(fields)) {
        if (field in target) throw new Error(`resolver ${typeName}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged as Resolvers;
}

function isFieldMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** `wrap` may decorate the merged resolvers (resolver trace spans) before the schema is built. */
export function buildSchema(wrap: (resolvers: Resolvers) => Resolvers = (r) => r): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs: parse(loadTypeDefs()), resolvers: wrap(mergeResolvers(resolverModules)) });
  return guardIdentifierArguments(guardEntities(schema));
}

/**
 * `_entities` takes raw JSON (`_Any`): a representation that is not an object naming one of this
 * subgraph's entity types is the caller's mistake (`BAD_USER_INPUT`), where @apollo/subgraph would
 * throw a plain error (answered as INTERNAL_SERVER_ERROR).
 */
function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const union = schema.getType('_Entity');
  const resolve = field?.resolve;
  if (!field || !resolve || !isUnionType(union)) return schema;
  const entityTypes = new Set(union.getTypes().map((t) => t.name));
  field.resolve = (source, args, context, info) => {
    const { representations: given } = args as { representations?: unknown };
    const representations: unknown[] = Array.isArray(given) ? given : [];
    representations.forEach((representation, i) => {
      const typename: unknown =
        representation && typeof representation === 'object' ? (representation as { __typename?: unknown }).__typename : undefined;
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        throw badInput(`representations[${i}] must be an object whose __typename is one of ${[...entityTypes].join(', ')}`, {
          argument: 'representations',
        });
      }
    });
    return resolve(source, args, context, info);
  };
  return schema;
}

/** The SDL a supergraph router reads from this subgraph (`_service { sdl }`). */
export async function subgraphSdl(schema: GraphQLSchema): Promise<string> {
  const result = await execute({ schema, document: parse('{ _service { sdl } }') });
  const sdl = (result.data as { _service?: { sdl?: string } } | null | undefined)?._service?.sdl;
  if (!sdl) throw new Error(`could not read _service.sdl: ${JSON.stringify(result.errors)}`);
  return sdl;
}
