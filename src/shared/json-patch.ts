import { badInput } from './errors.js';

/** An RFC 6902 operation as ISC takes it (no `from`, so no move/copy). */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** Returns an error message when the value does not fit, undefined when it does. */
export type ValueCheck = (value: unknown) => string | undefined;

export interface PatchableField {
  check: ValueCheck;
  /** Whether ISC lets the field be removed (an explicit `null` in a typed input). */
  removable: boolean;
  /** For array fields: the check of one element, which enables `/field/<index>` and `/field/-`. */
  element?: ValueCheck;
}

/** The patchable fields of one ISC resource, keyed by REST field name. */
export type PatchSchema = Readonly<Record<string, PatchableField>>;

export const isString: ValueCheck = (v) => (typeof v === 'string' ? undefined : 'must be a string');
export const isNonEmptyString: ValueCheck = (v) => (typeof v === 'string' && v.trim().length > 0 ? undefined : 'must be a non-empty string');
export const isBoolean: ValueCheck = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
export const isPositiveInteger: ValueCheck = (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'must be a positive integer');
export const isObject: ValueCheck = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'must be a JSON object');
export const arrayOf =
  (element: ValueCheck): ValueCheck =>
  (v) => {
    if (!Array.isArray(v)) return 'must be an array';
    for (const [i, item] of v.entries()) {
      const problem = element(item);
      if (problem) return `element ${i} ${problem}`;
    }
    return undefined;
  };

/**
 * Deepest JSON value accepted in a patch. ISC's patchable fields are shallow; a value nested deeply
 * enough cannot even be serialised for the request (JSON.stringify runs out of stack).
 */
export const MAX_VALUE_DEPTH = 64;

/** Whether `value` nests objects or arrays more than `max` levels deep (iterative: the value may be very deep). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

function check(field: string, spec: ValueCheck, value: unknown, argument: string): void {
  if (nestedDeeperThan(value, MAX_VALUE_DEPTH)) {
    throw badInput(`${argument}: ${field} is nested more than ${MAX_VALUE_DEPTH} levels deep`, { argument, field });
  }
  const problem = spec(value);
  if (problem) throw badInput(`${argument}: ${field} ${problem}`, { argument, field });
}

/**
 * Typed input → minimal JSON Patch. One rule for every typed update input in the gateway: a field
 * left out sends nothing, a value sends `replace`, an explicit `null` sends `remove` where ISC
 * allows removing the field and is refused where it does not.
 */
export function patchFromInput(
  schema: PatchSchema,
  input: Readonly<Record<string, unknown>> | null | undefined,
  argument = 'input',
): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  const given = input ?? {};
  // Own keys only: `constructor`, `toString`… are on every object's prototype, not patchable fields.
  const unknown = Object.keys(given).find((field) => !Object.hasOwn(schema, field) && given[field] !== undefined);
  if (unknown) throw badInput(`${argument}: ${unknown} is not a patchable field`, { argument, field: unknown });
  // Operations follow the schema's field order, so the same input always gives the same patch.
  for (const [field, spec] of Object.entries(schema)) {
    const value = given[field];
    if (value === undefined) continue;
    if (value === null) {
      if (!spec.removable) throw badInput(`${argument}: ${field} cannot be removed (null)`, { argument, field });
      ops.push({ op: 'remove', path: `/${field}` });
    } else {
      check(field, spec.check, value, argument);
      ops.push({ op: 'replace', path: `/${field}`, value });
    }
  }
  return ops;
}

const PATCH_PATH = /^\/([A-Za-z][A-Za-z0-9]*)(?:\/(0|[1-9][0-9]{0,5}|-))?$/;
const OPS: ReadonlySet<string> = new Set(['add', 'remove', 'replace', 'test']);

/** Validates raw operations against the resource's patchable fields, before anything is sent. */
export function checkRawPatch(
  schema: PatchSchema,
  ops: readonly { op: string; path: string; value?: unknown }[] | null | undefined,
  argument = 'patch',
): JsonPatchOperation[] {
  return (ops ?? []).map(({ op, path, value }, i) => {
    const where = `${argument}[${i}]`;
    if (!OPS.has(op)) throw badInput(`${where}: op must be add, remove, replace or test`, { argument });
    const match = PATCH_PATH.exec(path);
    const spec = match && Object.hasOwn(schema, match[1]) ? schema[match[1]] : undefined;
    if (!match || !spec) {
      throw badInput(
        `${where}: path "${path.slice(0, 80)}" is not a patchable field (${Object.keys(schema)
          .map((f) => `/${f}`)
          .join(', ')})`,
        {
          argument,
        },
      );
    }
    const [, field, index] = match;
    if (index !== undefined && !spec.element) {
      throw badInput(`${where}: ${field} is not an array, so "${path}" is not a valid path`, { argument });
    }
    if (index === '-' && op !== 'add') throw badInput(`${where}: "/-" can only be used with add`, { argument });
    if (op === 'remove') {
      if (value !== undefined && value !== null) throw badInput(`${where}: remove takes no value`, { argument });
      if (index === undefined && !spec.removable) throw badInput(`${where}: ${field} cannot be removed`, { argument });
      return { op, path };
    }
    if (value === undefined) throw badInput(`${where}: ${op} needs a value`, { argument });
    check(field, index === undefined ? spec.check : spec.element!, value, where);
    return { op: op as JsonPatchOperation['op'], path, value };
  });
}

/** A typed update input and raw operations, as a mutation receives them. */
export type PatchBuilder = (
  input: Readonly<Record<string, unknown>> | null | undefined,
  raw: readonly { op: string; path: string; value?: unknown }[] | null | undefined,
) => JsonPatchOperation[];

/** The patch builder of one resource's schema. */
export const patchBuilder =
  (schema: PatchSchema): PatchBuilder =>
  (input, raw) =>
    buildPatch(schema, input, raw);

/** Typed changes first, then raw operations; an update that changes nothing is refused. */
export function buildPatch(
  schema: PatchSchema,
  input: Readonly<Record<string, unknown>> | null | undefined,
  raw: readonly { op: string; path: string; value?: unknown }[] | null | undefined,
): JsonPatchOperation[] {
  const ops = [...patchFromInput(schema, input), ...checkRawPatch(schema, raw)];
  if (ops.length === 0) throw badInput('the update changes nothing: give input fields or patch operations');
  return ops;
}
