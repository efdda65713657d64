import { createHash } from 'node:crypto';
import {
  deepJson,
  graphqlBody,
  JSON_HEADERS,
  poolPick,
  post,
  QUIET,
  REFUSE,
  type CaseSink,
  type HttpRequestSpec,
  type KnownIds,
  ALLOW,
} from './cases.js';
import { HOSTILE_QUERY } from './hostile.js';
import type { Rng } from './rng.js';

/** HTTP-level garbage: broken and odd bodies, content types, methods, paths, headers, sizes, and raw bytes. */
export function httpCases(sink: CaseSink, rng: Rng, ids: KnownIds, maxBodyBytes: number): void {
  const { add } = sink;
  // ----- 5. HTTP-level garbage --------------------------------------------------------------------

  const hostileBody = graphqlBody(HOSTILE_QUERY);
  const validJson = hostileBody.toString();
  for (let i = 0; i < 30; i++)
    add({ kind: 'http:broken-json', note: 'JSON cut short', ...REFUSE, http: post(validJson.slice(0, rng.int(1, validJson.length - 1))) });
  for (let i = 0; i < 20; i++) {
    const bytes = Buffer.from(Array.from({ length: rng.int(1, 400) }, () => rng.int(0, 255)));
    add({ kind: 'http:random-bytes', note: `${bytes.length} random bytes`, ...REFUSE, http: post(bytes) });
  }
  const brokenJson = [
    '{',
    '{"query":',
    `${validJson}garbage`,
    `{'query':'{ __typename }'}`,
    '{"query":"{ __typename }",}',
    `\ufeff${validJson}`,
    'NaN',
    '{"query":"{ __typename }" "x":1}',
    '{"query":"\\x"}',
    '{"query":"{ __typename }"',
    '{"query":"\\ud800"}',
  ];
  for (const body of brokenJson) add({ kind: 'http:broken-json', note: body.slice(0, 30), ...REFUSE, http: post(body) });
  add({
    kind: 'http:broken-json',
    note: 'a duplicate query key, hostile last',
    ...REFUSE,
    http: post(`{"query":"{ __typename }","query":${JSON.stringify(HOSTILE_QUERY)}}`),
  });
  add({
    kind: 'http:broken-json',
    note: 'a duplicate query key, hostile first',
    ...QUIET,
    http: post(`{"query":${JSON.stringify(HOSTILE_QUERY)},"query":"{ __typename }"}`),
  });

  const utf8 = (prefix: string, bytes: number[], suffix: string) => Buffer.concat([Buffer.from(prefix), Buffer.from(bytes), Buffer.from(suffix)]);
  const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc3], [0xc0, 0xae], [0xe0, 0x80, 0xae], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];
  for (const bytes of INVALID_UTF8) {
    add({
      kind: 'http:invalid-utf8',
      note: `in the query syntax ${bytes.join(',')}`,
      ...REFUSE,
      http: post(utf8('{"query":"{ __ty', bytes, 'pename }"}')),
    });
    add({
      kind: 'http:invalid-utf8',
      note: `in a variable ${bytes.join(',')}`,
      ...QUIET,
      http: post(utf8('{"query":"{ __typename }","variables":{"a":"', bytes, '"}}')),
    });
    add({
      kind: 'http:invalid-utf8',
      note: `in a key name ${bytes.join(',')}`,
      ...REFUSE,
      http: post(utf8('{"que', bytes, `ry":${JSON.stringify(HOSTILE_QUERY)}}`)),
    });
    // Decoded as U+FFFD, so the id is no longer a dot segment: an odd id, sent upstream.
    add({
      kind: 'http:invalid-utf8',
      note: `in an id ${bytes.join(',')}`,
      ...ALLOW,
      http: post(utf8('{"query":"{ connector(scriptName: \\"', [...bytes, ...bytes], '\\") { name } }"}')),
    });
  }

  const contentTypes = [
    'text/plain',
    'text/html',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/graphql',
    'application/octet-stream',
    '',
    'application/json; charset=utf-16',
    'application/jsonp',
    'text/json',
    'application/graphql-response+json',
    'APPLICATION/JSON',
    'application/json, text/plain',
    'application/vnd.api+json',
    'json',
  ];
  for (const type of contentTypes)
    add({
      kind: 'http:content-type',
      note: `content-type ${JSON.stringify(type)}`,
      ...REFUSE,
      http: post(hostileBody, type ? { 'content-type': type } : {}),
    });
  add({ kind: 'http:content-type', note: 'no content-type', ...REFUSE, http: post(hostileBody, {}) });
  add({
    kind: 'http:content-type',
    note: 'form-encoded hostile query',
    ...REFUSE,
    http: post(`query=${encodeURIComponent(HOSTILE_QUERY)}`, { 'content-type': 'application/x-www-form-urlencoded' }),
  });
  add({
    kind: 'http:content-type',
    note: 'UTF-16 body',
    ...REFUSE,
    http: post(Buffer.from(validJson, 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }),
  });

  const q = JSON.stringify(HOSTILE_QUERY);
  const shapes = [
    'null',
    '1',
    '-1',
    '"str"',
    'true',
    'false',
    '[]',
    '{}',
    '[[]]',
    '[null]',
    '{"query":null}',
    '{"query":""}',
    '{"query":1}',
    '{"query":true}',
    '{"query":{}}',
    `{"query":[${q}]}`,
    '{"variables":{}}',
    '{"operationName":"x"}',
    `{"query":${q},"variables":"{}"}`,
    `{"query":${q},"variables":[]}`,
    `{"query":${q},"variables":1}`,
    `{"query":${q},"variables":null}`,
    `{"query":${q},"operationName":1}`,
    `{"query":${q},"operationName":{}}`,
    `{"query":${q},"extensions":1}`,
    `{"query":${q},"extensions":[]}`,
    `{"query":${q},"extensions":"{}"}`,
    `{"query":${q},"extensions":{"persistedQuery":"x"}}`,
    '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
    `{"query":${q},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${'0'.repeat(64)}"}}}`,
    `{"query":${q},"extensions":{"persistedQuery":{"version":2,"sha256Hash":"${createHash('sha256').update(HOSTILE_QUERY).digest('hex')}"}}}`,
    `{"query":${q},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${createHash('sha256').update(HOSTILE_QUERY).digest('hex')}"}}}`,
    `{"query":${q},"__proto__":{"query":"{ __typename }"}}`,
  ];
  for (const shape of shapes) add({ kind: 'http:body-shape', note: shape.slice(0, 40), ...REFUSE, http: post(shape) });
  for (const size of [2, 10, 100, 1_000]) {
    add({ kind: 'http:batch', note: `a batch of ${size}`, ...REFUSE, http: post(`[${Array.from({ length: size }, () => validJson).join(',')}]`) });
  }
  add({ kind: 'http:batch', note: 'a batch of garbage', ...REFUSE, http: post('[1, "x", null, {}, []]') });

  const get = (path: string, headers: Record<string, string> = { 'apollo-require-preflight': 'true' }): HttpRequestSpec => ({
    method: 'GET',
    path,
    headers,
  });
  const enc = encodeURIComponent;
  const getCases: [string, HttpRequestSpec, { upstreamAllowed: boolean; mustFail: boolean }][] = [
    ['hostile query', get(`/graphql?query=${enc(HOSTILE_QUERY)}`), REFUSE],
    ['hostile query, no preflight header', get(`/graphql?query=${enc(HOSTILE_QUERY)}`, {}), REFUSE],
    ['hostile query, JSON content-type', get(`/graphql?query=${enc(HOSTILE_QUERY)}`, { 'content-type': 'application/json' }), REFUSE],
    ['a mutation', get(`/graphql?query=${enc('mutation { deleteSourceApp(id: "..") { id } }')}`), REFUSE],
    ['a real mutation', get(`/graphql?query=${enc(`mutation { deleteConnectorCustomizer(id: "${poolPick(rng, ids.customizerIds)}") }`)}`), REFUSE],
    ['variables not JSON', get(`/graphql?query=${enc('query Fuzz($a: ID!) { connector(scriptName: $a) { name } }')}&variables=%7B`), REFUSE],
    [
      'variables deep',
      get(`/graphql?query=${enc('query Fuzz($a: JSON) { __typename }')}&variables=${enc(`{"a":${deepJson(2_000, 'array')}}`)}`),
      QUIET,
    ],
    [
      'hostile variable',
      get(`/graphql?query=${enc('query Fuzz($a: ID!) { connector(scriptName: $a) { name } }')}&variables=${enc('{"a":"%2e%2e"}')}`),
      REFUSE,
    ],
    ['extensions not JSON', get(`/graphql?query=${enc(HOSTILE_QUERY)}&extensions=%7Bx`), REFUSE],
    ['query given twice', get(`/graphql?query=${enc('{ __typename }')}&query=${enc(HOSTILE_QUERY)}`), QUIET],
    ['empty query', get('/graphql?query='), REFUSE],
    ['broken percent-encoding', get('/graphql?query=%zz%7B'), REFUSE],
    ['a 20 KB query string', get(`/graphql?query=${enc(`{ connectors(filters: "${'q'.repeat(20_000)}") { totalCount } }`)}`), REFUSE],
    ['__typename', get(`/graphql?query=${enc('{ __typename }')}`), QUIET],
    ['operationName hostile', get(`/graphql?query=${enc('{ __typename }')}&operationName=${enc('../x')}`), REFUSE],
  ];
  for (const [note, spec, flags] of getCases) add({ kind: 'http:get', note, ...flags, http: spec });

  for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'SEARCH']) {
    add({ kind: 'http:method', note: method, ...REFUSE, http: { method, path: '/graphql', headers: { ...JSON_HEADERS }, body: hostileBody } });
  }
  add({
    kind: 'http:method',
    note: 'OPTIONS from a foreign origin',
    ...QUIET,
    http: { method: 'OPTIONS', path: '/graphql', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } },
  });
  add({ kind: 'http:method', note: 'HEAD', ...QUIET, http: { method: 'HEAD', path: '/graphql', headers: {} } });

  const paths = [
    '/graphql/',
    '/GraphQL',
    '/graphql%2F',
    '/graphql/../graphql',
    '/graphql;x',
    '/%',
    '/%00',
    '/.%2e/graphql',
    '/healthz?x=../..',
    '/graphql?x=%00',
    '/./graphql',
    '/graphql%00',
    '/graphql/x/../../graphql',
  ];
  for (const path of paths) add({ kind: 'http:path', note: path, ...QUIET, http: post(hostileBody, JSON_HEADERS, path) });

  const headerCases: [string, Record<string, string>][] = [
    ['a bearer of 10 KB', { authorization: `Bearer ${'t'.repeat(10_000)}` }],
    ['Bearer without a token', { authorization: 'Bearer' }],
    ['Basic credentials', { authorization: 'Basic YTpi' }],
    ['a bearer with odd characters', { authorization: 'Bearer a"b<c>\\d' }],
    ['an API key of 8 KB', { 'x-api-key': 'k'.repeat(8_000) }],
    ['a 20 KB header', { 'x-fuzz': 'h'.repeat(20_000) }],
    ['accept XML', { accept: 'application/xml' }],
    ['accept event streams', { accept: 'text/event-stream' }],
    ['accept multipart', { accept: 'multipart/mixed; deferSpec=20220824' }],
    ['accept nothing', { accept: '*/*;q=0' }],
    ['gzip claimed, plain sent', { 'content-encoding': 'gzip' }],
    ['expect 100-continue', { expect: '100-continue' }],
    ['a foreign origin', { origin: 'https://evil.example' }],
    ['a forwarded host', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'gopher' }],
  ];
  for (const [note, headers] of headerCases) add({ kind: 'http:header', note, ...REFUSE, http: post(hostileBody, { ...JSON_HEADERS, ...headers }) });
  const manyHeaders = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-fuzz-${i}`, String(i)]));
  add({ kind: 'http:header', note: '300 headers', ...REFUSE, http: post(hostileBody, { ...JSON_HEADERS, ...manyHeaders }) });
  add({ kind: 'http:header', note: 'chunked body', ...REFUSE, http: { ...post(hostileBody), chunked: true } });

  for (const factor of [1.01, 1.5, 3, 8]) {
    const size = Math.ceil(maxBodyBytes * factor);
    const body = Buffer.from(`{"query":"${'b'.repeat(size)}"}`);
    add({ kind: 'http:huge-body', note: `${size} bytes`, ...REFUSE, probeSameConnection: true, mayReset: true, http: post(body) });
    add({
      kind: 'http:huge-body',
      note: `${size} bytes, chunked`,
      ...REFUSE,
      probeSameConnection: true,
      mayReset: true,
      http: { ...post(body), chunked: true },
    });
  }
  add({
    kind: 'http:huge-body',
    note: 'text/plain over the limit',
    ...REFUSE,
    probeSameConnection: true,
    mayReset: true,
    http: post(Buffer.alloc(maxBodyBytes * 2, 0x61), { 'content-type': 'text/plain' }),
  });

  const raw = (note: string, text: string | Buffer) =>
    add({ kind: 'http:raw', note, ...QUIET, raw: Buffer.isBuffer(text) ? text : Buffer.from(text) });
  const rawPost = (target: string, extra = '') =>
    `POST ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${hostileBody.length}\r\n${extra}\r\n${validJson}`;
  raw('an unparseable request target //[', 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  raw('an unparseable absolute target', 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  raw('an absolute target with a bad host', 'POST http://a:b@[::1/graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  raw('an absolute target to another host', rawPost('http://evil.example/graphql'));
  raw('asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  raw('asterisk GET', 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  raw('garbage', 'GARBAGE\r\n\r\n');
  raw('binary', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  raw(
    'Content-Length with Transfer-Encoding',
    'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  );
  raw('two Content-Lengths', 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef');
  raw('a negative Content-Length', 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n');
  raw('a bare CR in a header', 'GET /graphql HTTP/1.1\r\nHost: x\r\nX-A: a\rInjected: b\r\nConnection: close\r\n\r\n');
  raw('CRLF header injection in a value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\nSet-Cookie: injected=1\r\nConnection: close\r\n\r\n');
  raw('a NUL in a header', 'GET /graphql HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n');
  raw('obsolete line folding', 'GET /graphql HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n');
  raw('bare LF line endings', 'GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n');
  raw(
    'a bad chunk size',
    'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
  );
  raw('HTTP/9.9', 'GET /graphql HTTP/9.9\r\nHost: x\r\n\r\n');
  raw('no Host header', 'GET /graphql HTTP/1.1\r\nConnection: close\r\n\r\n');
  raw('CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  raw(
    'a websocket upgrade',
    'GET /graphql HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  raw(
    'an h2c upgrade',
    'GET /graphql HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n',
  );
  raw('an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  raw('a pipelined hostile pair', `${rawPost('/graphql').replace('Connection: close\r\n', '')}${rawPost('/graphql')}`);
  raw('a request line of 20 KB', `GET /graphql?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  raw('a method of 1 KB', `${'A'.repeat(1_024)} /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
}
