import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from './errors.js';
import { MAX_IDENTIFIER_LENGTH } from './path.js';

/**
 * Every `ID` a caller passes — an argument, or a field of an input at any depth — is refused before
 * any ISC call when ISC could never accept it: blank (only white space) or longer than any ISC
 * identifier. Checked once for the whole schema, so a new field is covered without being listed;
 * `pathSegment` keeps its own checks for what becomes part of a URL.
 */
export function guardIdentifierArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const checked = field.args.filter((arg) => carriesId(arg.type, new Set()));
      const resolve = field.resolve ?? defaultFieldResolver;
      if (checked.length === 0) continue;
      field.resolve = (source, args: Record<string, unknown>, context, info) => {
        for (const arg of checked) checkIds(args[arg.name], arg.type, arg.name);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** Whether an input type holds an `ID` anywhere (input objects may refer to themselves). */
function carriesId(type: GraphQLInputType, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (named.name === 'ID') return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => carriesId(field.type, seen));
}

function checkIds(value: unknown, type: GraphQLArgument['type'], where: string): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return checkIds(value, type.ofType, where);
  if (isListType(type)) {
    if (Array.isArray(value)) value.forEach((item, i) => checkIds(item, type.ofType, `${where}[${i}]`));
    return;
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields()))
      checkIds((value as Record<string, unknown>)[field.name], field.type, `${where}.${field.name}`);
    return;
  }
  if (type.name !== 'ID' || typeof value !== 'string') return;
  if (value.trim() === '') throw badInput(`${where} must not be blank`, { argument: where });
  if (value.length > MAX_IDENTIFIER_LENGTH) throw badInput(`${where} is longer than ${MAX_IDENTIFIER_LENGTH} characters`, { argument: where });
}
