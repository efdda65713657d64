import { badInput } from './errors.js';
import { hasControlChars, truncate } from './validation.js';

/**
 * Builders for ISC filter expressions. Values are quoted and escaped here (`\` → `\\`, `"` → `\"`);
 * the URL encoder percent-encodes the whole expression once when it becomes the `filters` query
 * parameter, so `#`, `%` and `&` travel as `%23`, `%25`, `%26`.
 */
export type FilterOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'co' | 'sw' | 'in' | 'ca' | 'pr' | 'isnull';
/** A `Date` is written as ISC writes instants in filters: unquoted UTC (`2024-05-01T12:00:00.000Z`). */
export type FilterValue = string | number | boolean | Date;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const MAX_VALUE_LENGTH = 1024;
const MAX_LIST_LENGTH = 250;
const MAX_RAW_FILTER_LENGTH = 4096;

function literal(value: FilterValue, field: string): string {
  if (value instanceof Date) {
    const iso = Number.isNaN(value.getTime()) ? '' : value.toISOString();
    if (!ISO_INSTANT.test(iso)) throw badInput(`filter value for ${field} must be a date-time in the years 0000 to 9999`, { field });
    return iso;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badInput(`filter value for ${field} must be a finite number`, { field });
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value.length > MAX_VALUE_LENGTH) {
    throw badInput(`filter value for ${field} is longer than ${MAX_VALUE_LENGTH} characters`, { field });
  }
  if (hasControlChars(value)) throw badInput(`filter value for ${field} contains control characters`, { field });
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function list(values: readonly FilterValue[], field: string): string {
  if (values.length === 0) throw badInput(`filter list for ${field} must not be empty`, { field });
  if (values.length > MAX_LIST_LENGTH) {
    throw badInput(`filter list for ${field} has more than ${MAX_LIST_LENGTH} values`, { field });
  }
  return `(${values.map((v) => literal(v, field)).join(',')})`;
}

/** `field op value`; `in` and `ca` take a list, `pr` and `isnull` take no value. */
export function condition(field: string, op: 'pr' | 'isnull'): string;
export function condition(field: string, op: 'in' | 'ca', values: readonly FilterValue[]): string;
export function condition(field: string, op: Exclude<FilterOperator, 'pr' | 'isnull' | 'in' | 'ca'>, value: FilterValue): string;
export function condition(field: string, op: FilterOperator, value?: FilterValue | readonly FilterValue[]): string {
  if (op === 'pr' || op === 'isnull') return `${field} ${op}`;
  if (op === 'in' || op === 'ca') return `${field} ${op} ${list(value as readonly FilterValue[], field)}`;
  return `${field} ${op} ${literal(value as FilterValue, field)}`;
}

function group(parts: readonly string[], joiner: 'and' | 'or'): string | undefined {
  const present = parts.filter((p) => p.length > 0);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return present.map((p) => `(${p})`).join(` ${joiner} `);
}

/** Joins conditions with `and` (each parenthesised), or undefined when there are none. */
export const allOf = (parts: readonly string[]): string | undefined => group(parts, 'and');
/** Joins conditions with `or` (each parenthesised), or undefined when there are none. */
export const anyOf = (parts: readonly string[]): string | undefined => group(parts, 'or');
export const not = (part: string): string => `not (${part})`;

/**
 * Checks a raw `filters` string supplied by a power user. It is passed to ISC as is (ISC is the
 * judge of its grammar); the gateway only refuses what can never be valid.
 */
export function checkRawFilter(raw: string | null | undefined, argument = 'filters'): string | undefined {
  if (raw == null) return undefined;
  const trimmed = raw.trim();
  if (trimmed.length === 0) throw badInput(`${argument} must not be empty`, { argument });
  if (trimmed.length > MAX_RAW_FILTER_LENGTH) {
    throw badInput(`${argument} is longer than ${MAX_RAW_FILTER_LENGTH} characters`, { argument });
  }
  if (hasControlChars(trimmed)) throw badInput(`${argument} contains control characters`, { argument });
  if (!balancedOutsideQuotes(trimmed)) {
    throw badInput(`${argument} "${truncate(trimmed)}" has unbalanced quotes or parentheses`, { argument });
  }
  return trimmed;
}

function balancedOutsideQuotes(expr: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && !inString;
}

const OPERATORS: ReadonlySet<string> = new Set<FilterOperator>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'co', 'sw', 'in', 'ca', 'pr', 'isnull']);
const COMPOSITES: ReadonlySet<string> = new Set(['and', 'or', 'not']);
const JOINERS: ReadonlySet<string> = new Set(['and', 'or']);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

interface RawToken {
  kind: '(' | ')' | ',' | 'string' | 'word';
  text: string;
  pos: number;
}

/** Words, quoted strings (escapes kept) and punctuation of a raw expression. */
function rawTokens(expr: string, argument: string): RawToken[] {
  const tokens: RawToken[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i];
    const pos = i;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, pos });
      i++;
    } else if (ch === '"') {
      i++;
      while (i < expr.length && expr[i] !== '"') i += expr[i] === '\\' ? 2 : 1;
      if (i >= expr.length) throw badInput(`${argument}: the string at position ${pos} is not closed`, { argument });
      i++;
      tokens.push({ kind: 'string', text: expr.slice(pos, i), pos });
    } else {
      while (i < expr.length && !/[\s(),"]/.test(expr[i])) i++;
      tokens.push({ kind: 'word', text: expr.slice(pos, i), pos });
    }
  }
  return tokens;
}

export interface RawFilterTerm {
  field: string;
  operator: FilterOperator;
}

/**
 * The `field operator` pairs of a raw expression, in order, read with ISC's grammar
 * (`[not] field op [value | (values)]` or a parenthesised expression, joined by `and` / `or`).
 * Refuses an unknown operator and anything that is not shaped like a condition.
 */
export function rawFilterTerms(expr: string, argument = 'filters'): RawFilterTerm[] {
  const tokens = rawTokens(expr, argument);
  const terms: RawFilterTerm[] = [];
  let i = 0;
  const wordIn = (set: ReadonlySet<string>): boolean => tokens[i]?.kind === 'word' && set.has(tokens[i].text);
  const fail = (expected: string): never => {
    const found = tokens[i] ? `"${truncate(tokens[i].text)}" at position ${tokens[i].pos}` : 'the end';
    throw badInput(`${argument}: expected ${expected} but found ${found}`, { argument });
  };
  const value = (): void => {
    const t = tokens[i];
    if (t?.kind !== 'string' && (t?.kind !== 'word' || OPERATORS.has(t.text) || COMPOSITES.has(t.text))) fail('a value');
    i++;
  };
  const term = (): void => {
    while (tokens[i]?.kind === 'word' && tokens[i].text === 'not') i++;
    if (tokens[i]?.kind === '(') {
      i++;
      expression();
      if (tokens[i]?.kind !== ')') fail('")"');
      i++;
      return;
    }
    const field = tokens[i];
    if (field?.kind !== 'word' || COMPOSITES.has(field.text) || OPERATORS.has(field.text) || !FIELD_NAME.test(field.text)) {
      fail('a field name');
    }
    i++;
    if (!wordIn(OPERATORS)) fail(`an ISC operator (${[...OPERATORS].join(' ')}) after "${field.text}"`);
    const operator = tokens[i++].text as FilterOperator;
    terms.push({ field: field.text, operator });
    if (operator === 'pr' || operator === 'isnull') return;
    if (operator !== 'in' && operator !== 'ca') return value();
    if (tokens[i]?.kind !== '(') fail(`a parenthesised list after "${operator}"`);
    i++;
    value();
    while (tokens[i]?.kind === ',') {
      i++;
      value();
    }
    if (tokens[i]?.kind !== ')') fail('"," or ")" in the list');
    i++;
  };
  function expression(): void {
    term();
    while (wordIn(JOINERS)) {
      i++;
      term();
    }
  }
  expression();
  if (i < tokens.length) fail('"and", "or" or the end of the filter');
  return terms;
}

/**
 * A raw filter checked as `checkRawFilter` does, and against one endpoint: every field it names
 * must be one that endpoint filters on (ISC answers 400 otherwise), every operator one of ISC's.
 */
export function checkRawFilterFields(raw: string | null | undefined, fields: readonly string[], argument = 'filters'): string | undefined {
  const checked = checkRawFilter(raw, argument);
  if (checked === undefined) return undefined;
  for (const { field } of rawFilterTerms(checked, argument)) {
    if (!fields.includes(field)) {
      throw badInput(`${argument}: ISC cannot filter this list on "${truncate(field)}" (it filters on ${fields.join(', ')})`, { argument, field });
    }
  }
  return checked;
}

/**
 * A raw `sorters` list (`name,-created`): comma-separated fields of the endpoint, each at most
 * once, `-` for descending. Answers it without the spaces around items.
 */
export function checkRawSorters(raw: string | null | undefined, fields: readonly string[], argument = 'sorters'): string | undefined {
  if (raw == null) return undefined;
  if (raw.trim() === '') throw badInput(`${argument} must not be empty`, { argument });
  const items = raw.split(',').map((item) => item.trim());
  const seen = new Set<string>();
  for (const item of items) {
    if (item === '') throw badInput(`${argument} "${truncate(raw)}" has an empty item`, { argument });
    const field = item.startsWith('-') ? item.slice(1) : item;
    if (!fields.includes(field)) {
      throw badInput(`${argument}: ISC cannot sort this list by "${truncate(item)}" (it sorts by ${fields.join(', ')})`, { argument });
    }
    if (seen.has(field)) throw badInput(`${argument}: ${field} is given more than once`, { argument, field });
    seen.add(field);
  }
  return items.join(',');
}

/** Combines a typed filter and a raw one with `and`. */
export function combineFilters(typed: string | undefined, raw: string | undefined): string | undefined {
  return allOf([typed ?? '', raw ?? '']);
}

/**
 * One optional condition of a typed filter input: `[field, operator, value]`. A null or undefined
 * value adds nothing; `pr` and `isnull` take no value and are added when theirs is `true`.
 */
export type FilterTerm = readonly [field: string, op: FilterOperator, value: FilterValue | readonly FilterValue[] | null | undefined];

/** The conditions of the terms whose value is given, in order (join them with `allOf` or `anyOf`). */
export function conditions(terms: readonly FilterTerm[]): string[] {
  return terms.flatMap(([field, op, value]) => {
    if (value == null) return [];
    if (op === 'pr' || op === 'isnull') return value === true ? [condition(field, op)] : [];
    if (op === 'in' || op === 'ca') return [condition(field, op, value as readonly FilterValue[])];
    return [condition(field, op, value as FilterValue)];
  });
}
