import { ApiError } from './errors.js';

/**
 * ISC's standard collection parameters for the demo tenant: the `filters` language (parser and
 * evaluator), `sorters`, and `limit` / `offset` / `count` paging. Every list endpoint of every
 * domain goes through `collectionPage`, each with its own table of allowed fields and operators.
 */

export type FilterOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'co' | 'sw' | 'in' | 'ca' | 'pr' | 'isnull';
/** Unquoted datetimes (`lastUsed le 2023-02-05T10:59:27.214Z`) are kept as their string. */
export type FilterValue = string | number | boolean;

export type FilterNode =
  | { type: 'and' | 'or'; nodes: FilterNode[] }
  | { type: 'not'; node: FilterNode }
  /** `values` has one entry for binary operators, several for in/ca, none for pr/isnull. */
  | { type: 'cmp'; field: string; op: FilterOperator; values: FilterValue[] };

/** Which operators each field accepts on one endpoint; anything else is a 400. */
export type AllowedFilters = Readonly<Record<string, readonly FilterOperator[]>>;

/** A syntax error or a field/operator the endpoint does not allow: always a 400 for the client. */
export class FilterError extends ApiError {
  constructor(message: string) {
    super(400, message);
    this.name = 'FilterError';
  }
}

const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'co', 'sw', 'in', 'ca', 'pr', 'isnull']);
const LIST_OPERATORS: ReadonlySet<string> = new Set(['in', 'ca']);
const UNARY_OPERATORS: ReadonlySet<string> = new Set(['pr', 'isnull']);
const COMPOSITES: ReadonlySet<string> = new Set(['and', 'or', 'not']);

// ---------------------------------------------------------------------------------------------
// Tokenizer

type Token =
  | { kind: '(' | ')' | ','; pos: number }
  | { kind: 'word'; value: string; pos: number }
  | { kind: 'literal'; value: FilterValue; pos: number };

const NUMBER = /^-?\d+(\.\d+)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, pos: i });
      i++;
    } else if (ch === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterError(`Invalid filter: unterminated string starting at position ${start}`);
        const c = text[i];
        if (c === '"') break;
        if (c === '\\') {
          const next = text[i + 1];
          // ISC knows exactly two escapes inside a string: \\ and \".
          if (next !== '\\' && next !== '"') {
            throw new FilterError(`Invalid filter: unsupported escape "\\${next ?? ''}" at position ${i}`);
          }
          value += next;
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      i++; // closing quote
      tokens.push({ kind: 'literal', value, pos: start });
    } else {
      const start = i;
      while (i < text.length && !/[\s(),"]/.test(text[i])) i++;
      const word = text.slice(start, i);
      if (word === 'true' || word === 'false') tokens.push({ kind: 'literal', value: word === 'true', pos: start });
      else if (NUMBER.test(word)) tokens.push({ kind: 'literal', value: Number(word), pos: start });
      else if (DATETIME.test(word)) tokens.push({ kind: 'literal', value: word, pos: start });
      else if (FIELD.test(word)) tokens.push({ kind: 'word', value: word, pos: start });
      else throw new FilterError(`Invalid filter: unexpected "${word}" at position ${start}`);
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser: or < and < not/parentheses < comparison

/** The parser's place in the tokens. */
interface Cursor {
  readonly tokens: readonly Token[];
  i: number;
}

function describe(t: Token | undefined): string {
  if (t === undefined) return 'the end of the filter';
  if (t.kind === 'word') return `"${t.value}" at position ${t.pos}`;
  if (t.kind === 'literal') return `value ${JSON.stringify(t.value)} at position ${t.pos}`;
  return `"${t.kind}" at position ${t.pos}`;
}

function fail(at: Cursor, expected: string): never {
  throw new FilterError(`Invalid filter: expected ${expected} but found ${describe(at.tokens[at.i])}`);
}

function isWord(at: Cursor, value: string): boolean {
  const t = at.tokens[at.i];
  return t !== undefined && t.kind === 'word' && t.value === value;
}

function parseValue(at: Cursor): FilterValue {
  const t = at.tokens[at.i];
  if (t?.kind !== 'literal') return fail(at, 'a value (quoted string, number, boolean or datetime)');
  at.i++;
  return t.value;
}

/** `field op`, `field op value` or `field op (value, …)`. */
function parseComparison(at: Cursor): FilterNode {
  const { tokens } = at;
  const fieldToken = tokens[at.i];
  if (fieldToken?.kind !== 'word' || COMPOSITES.has(fieldToken.value) || OPERATORS.has(fieldToken.value)) {
    return fail(at, 'a field name');
  }
  at.i++;
  const opToken = tokens[at.i];
  if (opToken?.kind !== 'word' || !OPERATORS.has(opToken.value)) return fail(at, `an operator after "${fieldToken.value}"`);
  at.i++;
  const op = opToken.value as FilterOperator;
  const field = fieldToken.value;
  if (UNARY_OPERATORS.has(op)) return { type: 'cmp', field, op, values: [] };
  if (!LIST_OPERATORS.has(op)) return { type: 'cmp', field, op, values: [parseValue(at)] };
  if (tokens[at.i]?.kind !== '(') return fail(at, `a parenthesised list after "${op}"`);
  at.i++;
  const values = [parseValue(at)];
  while (tokens[at.i]?.kind === ',') {
    at.i++;
    values.push(parseValue(at));
  }
  if (tokens[at.i]?.kind !== ')') return fail(at, '"," or ")" in the value list');
  at.i++;
  return { type: 'cmp', field, op, values };
}

function parseUnary(at: Cursor): FilterNode {
  if (isWord(at, 'not')) {
    at.i++;
    return { type: 'not', node: parseUnary(at) };
  }
  if (at.tokens[at.i]?.kind === '(') {
    at.i++;
    const inner = parseOr(at);
    if (at.tokens[at.i]?.kind !== ')') return fail(at, '")"');
    at.i++;
    return inner;
  }
  return parseComparison(at);
}

function parseAnd(at: Cursor): FilterNode {
  const nodes = [parseUnary(at)];
  while (isWord(at, 'and')) {
    at.i++;
    nodes.push(parseUnary(at));
  }
  return nodes.length === 1 ? nodes[0] : { type: 'and', nodes };
}

function parseOr(at: Cursor): FilterNode {
  const nodes = [parseAnd(at)];
  while (isWord(at, 'or')) {
    at.i++;
    nodes.push(parseAnd(at));
  }
  return nodes.length === 1 ? nodes[0] : { type: 'or', nodes };
}

export function parseFilter(text: string): FilterNode {
  const at: Cursor = { tokens: tokenize(text), i: 0 };
  if (at.tokens.length === 0) throw new FilterError('Invalid filter: the filter is empty');
  const node = parseOr(at);
  if (at.i < at.tokens.length) fail(at, '"and", "or" or the end of the filter');
  return node;
}

// ---------------------------------------------------------------------------------------------
// Evaluator

/** Reads a dotted path; an array on the way yields the values of all its elements. */
export function fieldValue(item: unknown, path: string): unknown {
  let current: unknown = item;
  for (const key of path.split('.')) {
    if (Array.isArray(current)) current = current.flatMap((el) => toArray(fieldValue(el, key)));
    else if (current !== null && typeof current === 'object') current = (current as Record<string, unknown>)[key];
    else return undefined;
  }
  return current;
}

const toArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T|$)/;

function asDate(v: unknown): number | undefined {
  if (typeof v !== 'string' || !ISO_DATE.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** Equality as ISC applies it: strings case-insensitively, booleans also against "true"/"false". */
function same(actual: unknown, expected: FilterValue): boolean {
  if (typeof actual === 'string') {
    if (typeof expected !== 'string') return actual === String(expected);
    const a = asDate(actual);
    const b = asDate(expected);
    if (a !== undefined && b !== undefined) return a === b;
    return actual.toLowerCase() === expected.toLowerCase();
  }
  if (typeof actual === 'boolean') {
    return typeof expected === 'boolean' ? actual === expected : String(actual) === String(expected).toLowerCase();
  }
  if (typeof actual === 'number') {
    return typeof expected === 'number' ? actual === expected : typeof expected === 'string' && actual === Number(expected);
  }
  return false;
}

/** Ordering for gt/ge/lt/le and sorters: numbers, datetimes, then strings case-insensitively. */
function order(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const da = asDate(a);
  const db = asDate(b);
  if (da !== undefined && db !== undefined) return da - db;
  if (typeof a === 'string' && typeof b === 'string') {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return undefined;
}

function compare(actual: unknown, op: FilterOperator, values: FilterValue[]): boolean {
  // A multi-valued field matches a scalar operator when any of its values does.
  if (Array.isArray(actual) && op !== 'ca' && op !== 'pr' && op !== 'isnull') {
    return op === 'ne' ? !actual.some((el) => compare(el, 'eq', values)) : actual.some((el) => compare(el, op, values));
  }
  const [expected] = values;
  switch (op) {
    case 'eq':
      return same(actual, expected);
    case 'ne':
      return !same(actual, expected);
    case 'in':
      return values.some((v) => same(actual, v));
    case 'ca':
      return Array.isArray(actual) && values.every((v) => actual.some((el) => same(el, v)));
    case 'co':
      return typeof actual === 'string' && typeof expected === 'string' && actual.toLowerCase().includes(expected.toLowerCase());
    case 'sw':
      return typeof actual === 'string' && typeof expected === 'string' && actual.toLowerCase().startsWith(expected.toLowerCase());
    case 'pr':
      return actual !== undefined && actual !== null;
    case 'isnull':
      return actual === undefined || actual === null;
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const o = order(actual, expected);
      if (o === undefined) return false;
      return op === 'gt' ? o > 0 : op === 'ge' ? o >= 0 : op === 'lt' ? o < 0 : o <= 0;
    }
  }
}

export function evaluateFilter(node: FilterNode, item: unknown): boolean {
  switch (node.type) {
    case 'and':
      return node.nodes.every((n) => evaluateFilter(n, item));
    case 'or':
      return node.nodes.some((n) => evaluateFilter(n, item));
    case 'not':
      return !evaluateFilter(node.node, item);
    case 'cmp':
      return compare(fieldValue(item, node.field), node.op, node.values);
  }
}

function checkAllowed(node: FilterNode, allowed: AllowedFilters): void {
  if (node.type === 'not') return checkAllowed(node.node, allowed);
  if (node.type !== 'cmp') return node.nodes.forEach((n) => checkAllowed(n, allowed));
  const ops = Object.hasOwn(allowed, node.field) ? allowed[node.field] : undefined;
  if (ops === undefined) {
    const fields = Object.keys(allowed).join(', ') || 'none';
    throw new FilterError(`Filtering is not supported for field "${node.field}" (supported fields: ${fields})`);
  }
  if (!ops.includes(node.op)) {
    throw new FilterError(`Operator "${node.op}" is not supported for field "${node.field}" (supported: ${ops.join(', ')})`);
  }
}

/**
 * Where a filter field is read in an item, for endpoints whose filter names are flat while the
 * item nests them (user apps: `ownerName` reads `owner.name`); unnamed fields are read as named.
 */
export type FilterPaths = Readonly<Record<string, string>>;

function withPaths(node: FilterNode, paths: FilterPaths): FilterNode {
  if (node.type === 'not') return { type: 'not', node: withPaths(node.node, paths) };
  if (node.type !== 'cmp') return { type: node.type, nodes: node.nodes.map((n) => withPaths(n, paths)) };
  return Object.hasOwn(paths, node.field) ? { ...node, field: paths[node.field] } : node;
}

/** Parses and checks a filter against one endpoint's table (by the names clients send); answers a predicate. */
export function compileFilter(text: string, allowed: AllowedFilters, paths: FilterPaths = {}): (item: unknown) => boolean {
  const node = parseFilter(text);
  checkAllowed(node, allowed);
  const evaluated = withPaths(node, paths);
  return (item) => evaluateFilter(evaluated, item);
}

// ---------------------------------------------------------------------------------------------
// Sorters: `name,-created`

export function compileSorters(text: string, allowed: readonly string[]): (a: unknown, b: unknown) => number {
  const keys = text.split(',').map((raw) => {
    const s = raw.trim();
    const desc = s.startsWith('-');
    const field = desc ? s.slice(1) : s;
    if (!allowed.includes(field)) {
      throw new ApiError(400, `Sorting is not supported for "${field}" (supported: ${allowed.join(', ') || 'none'})`);
    }
    return { field, sign: desc ? -1 : 1 };
  });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const va = fieldValue(a, field);
      const vb = fieldValue(b, field);
      // Missing values sort last in both directions.
      if (va == null || vb == null) {
        if (va == null && vb == null) continue;
        return va == null ? 1 : -1;
      }
      const o = order(va, vb) ?? 0;
      if (o !== 0) return sign * Math.sign(o);
    }
    return 0;
  };
}

// ---------------------------------------------------------------------------------------------
// Paging and the whole collection pipeline

export const MAX_LIMIT = 250;

export interface Paging {
  limit: number;
  offset: number;
  count: boolean;
}

function intParam(query: Record<string, string>, name: string, fallback: number, max?: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || (max !== undefined && Number(raw) > max)) {
    const range = max === undefined ? 'at least 0' : `between 0 and ${max}`;
    throw new ApiError(400, `Query parameter "${name}" must be an integer ${range}, got "${raw}"`);
  }
  return Number(raw);
}

export function readPaging(query: Record<string, string>): Paging {
  const rawCount = query.count;
  if (rawCount !== undefined && !/^(true|false)$/i.test(rawCount)) {
    throw new ApiError(400, `Query parameter "count" must be true or false, got "${rawCount}"`);
  }
  return {
    limit: intParam(query, 'limit', MAX_LIMIT, MAX_LIMIT),
    offset: intParam(query, 'offset', 0),
    count: rawCount?.toLowerCase() === 'true',
  };
}

export interface CollectionOptions {
  /** Filterable fields of this endpoint; `undefined` = the endpoint takes no filters (ignored). */
  filters?: AllowedFilters;
  /** Where a filter field is read in an item when not at its own name. */
  filterPaths?: FilterPaths;
  /** Sortable fields; `undefined` = the endpoint takes no sorters (ignored). */
  sorters?: readonly string[];
  /** The default order when no sorters are given. */
  defaultSort?: string;
}

export interface CollectionPage<T> {
  items: T[];
  total: number;
  /** `X-Total-Count` when the client asked for `count=true`. */
  headers: Record<string, string>;
}

/** filters → sorters → offset/limit, validating each parameter like ISC (400 on bad input). */
export function collectionPage<T>(all: readonly T[], query: Record<string, string>, options: CollectionOptions = {}): CollectionPage<T> {
  const paging = readPaging(query);
  let items = [...all];
  if (options.filters && query.filters !== undefined && query.filters.trim() !== '') {
    const predicate = compileFilter(query.filters, options.filters, options.filterPaths);
    items = items.filter(predicate);
  }
  const sorters = options.sorters && query.sorters ? query.sorters : options.defaultSort;
  if (sorters && options.sorters) items.sort(compileSorters(sorters, options.sorters));
  const total = items.length;
  return {
    items: items.slice(paging.offset, paging.offset + paging.limit),
    total,
    headers: paging.count ? { 'X-Total-Count': String(total) } : {},
  };
}
