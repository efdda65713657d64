import { isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';

/** GraphQL text for generated operations: literals, and operations with their arguments inline or as variables. */

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A GraphQL literal for `value`, guided by `type` (enum values bare, input object keys bare). */
export function toLiteral(value: unknown, type?: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (type && isNonNullType(type)) return toLiteral(value, type.ofType);
  if (type && isListType(type)) {
    return Array.isArray(value) ? `[${value.map((v) => toLiteral(v, type.ofType)).join(', ')}]` : toLiteral(value, type.ofType);
  }
  if (type && isEnumType(type) && typeof value === 'string' && NAME.test(value) && !['true', 'false', 'null'].includes(value)) {
    return value;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => toLiteral(v)).join(', ')}]`;
  const fields = type && isInputObjectType(type) ? type.getFields() : undefined;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${k}: ${toLiteral(v, fields?.[k]?.type)}`).join(', ')}}`;
}

export interface Arg {
  name: string;
  type: GraphQLInputType;
  value?: unknown;
  /** Printed as is, inline, in either mode. */
  literal?: string;
  /** Variables mode: the declared type, when not the argument's own. */
  varType?: string;
  /** Variables mode: declared but not given. */
  omitVariable?: boolean;
  /** Variables mode: the variable's JSON text, for values JSON.stringify cannot write (too deep). */
  rawJson?: string;
}

export interface Operation {
  operation: 'query' | 'mutation' | 'subscription';
  field: string;
  args: Arg[];
  selection: string;
  /** Text after the field's arguments, before its selection (directives). */
  directives?: string;
}

export type Mode = 'inline' | 'variables';

/** The document and the JSON text of its variables. */
export function render(op: Operation, mode: Mode): { query: string; variablesJson?: string } {
  const declarations: string[] = [];
  const variables: string[] = [];
  const args = op.args.map((arg) => {
    if (arg.literal !== undefined) return `${arg.name}: ${arg.literal}`;
    if (mode === 'inline' && arg.rawJson === undefined && !arg.omitVariable && arg.varType === undefined) {
      return `${arg.name}: ${toLiteral(arg.value, arg.type)}`;
    }
    declarations.push(`$${arg.name}: ${arg.varType ?? String(arg.type)}`);
    if (!arg.omitVariable) variables.push(`${JSON.stringify(arg.name)}:${arg.rawJson ?? JSON.stringify(arg.value ?? null)}`);
    return `${arg.name}: $${arg.name}`;
  });
  const head = declarations.length > 0 ? `${op.operation} Fuzz(${declarations.join(', ')})` : op.operation;
  const call = `${op.field}${args.length > 0 ? `(${args.join(', ')})` : ''}${op.directives ? ` ${op.directives}` : ''}`;
  return {
    query: `${head} { ${call} ${op.selection} }`,
    variablesJson: declarations.length > 0 ? `{${variables.join(',')}}` : undefined,
  };
}
