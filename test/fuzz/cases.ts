import type { Rng } from './rng.js';

/** The shape of a fuzz case, and the helpers every generator uses to add one. */

export interface HttpRequestSpec {
  method: string;
  /** Path and query string, sent as is (no normalisation). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean;
}

export interface FuzzCase {
  id: number;
  /** Category, for the figures (`walk`, `hostile:path-id`, `http:broken-json`…). */
  kind: string;
  /** What the case is, short. */
  note: string;
  /** False: the gateway can refuse this input by itself, so ISC must see no request for it. */
  upstreamAllowed: boolean;
  /** The answer must be an error: a 4xx status or a GraphQL `errors` entry. */
  mustFail: boolean;
  http?: HttpRequestSpec;
  /** Bytes written to a bare TCP connection (HTTP the client library would refuse to send). */
  raw?: Buffer;
  /** Sent on a connection of its own, then a small request follows on the same keep-alive connection and must be answered. */
  probeSameConnection?: boolean;
  /** The server may close the connection instead of answering (a body far over the limit). */
  mayReset?: boolean;
}

export interface KnownIds {
  scriptNames: string[];
  sourceAppIds: string[];
  oauthClientIds: string[];
  customizerIds: string[];
}

export interface Flags {
  upstreamAllowed: boolean;
  mustFail: boolean;
}
/** Refusable: an error without any upstream request. */
export const REFUSE: Flags = { upstreamAllowed: false, mustFail: true };
/** May reach ISC; any answer but a 5xx will do. */
export const ALLOW: Flags = { upstreamAllowed: true, mustFail: false };
/** Never reaches ISC, but need not fail (`{ __typename }`, introspection). */
export const QUIET: Flags = { upstreamAllowed: false, mustFail: false };

/** A JSON body `{ query, variables?, operationName? }`; variables as JSON text (may be deeper than JSON.stringify allows). */
export function graphqlBody(query: string, variablesJson?: string, operationName?: string): Buffer {
  let text = `{"query":${JSON.stringify(query)}`;
  if (variablesJson !== undefined) text += `,"variables":${variablesJson}`;
  if (operationName !== undefined) text += `,"operationName":${JSON.stringify(operationName)}`;
  return Buffer.from(`${text}}`);
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function post(body: Buffer | string, headers: Record<string, string> = JSON_HEADERS, path = '/graphql'): HttpRequestSpec {
  return { method: 'POST', path, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/** JSON text nested `depth` levels deep, built without recursion. */
export function deepJson(depth: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Collects cases, numbering them in the order they are added. */
export interface CaseSink {
  cases: FuzzCase[];
  add: (c: Omit<FuzzCase, 'id'>) => void;
  addGraphql: (
    kind: string,
    note: string,
    flags: Flags,
    query: string,
    variablesJson?: string,
    extra?: { operationName?: string; headers?: Record<string, string> },
  ) => void;
}

export function createSink(): CaseSink {
  const cases: FuzzCase[] = [];
  const add = (c: Omit<FuzzCase, 'id'>): void => {
    cases.push({ id: cases.length, ...c });
  };
  return {
    cases,
    add,
    addGraphql: (kind, note, flags, query, variablesJson, extra = {}) =>
      add({ kind, note, ...flags, http: post(graphqlBody(query, variablesJson, extra.operationName), extra.headers ?? JSON_HEADERS) }),
  };
}

/** Mostly an id that exists, sometimes one that does not. */
export const poolPick = (rng: Rng, pool: readonly string[]): string => (pool.length > 0 && rng.chance(0.8) ? rng.pick(pool) : `fz-${rng.word()}`);
