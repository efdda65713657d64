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

/** Combines a typed filter and a raw one with `and`. */
export function combineFilters(typed: string | undefined, raw: string | undefined): string | undefined {
  return allOf([typed ?? '', raw ?? '']);
}
