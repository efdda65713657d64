import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputObjectType, type GraphQLInputType } from 'graphql';
import { deepJson } from './cases.js';
import type { Arg } from './render.js';

/**
 * Hostile values, by the argument they go into. The tables say what the gateway must refuse on its
 * own (dot segments, locales, filters, URLs, patch operations) and what is odd but harmless.
 */

/** Put in typed filter values: upstream it must only ever appear inside a quoted filter string. */
export const FILTER_MARKER = 'ZQX';

// ---------------------------------------------------------------------------------------------
// Hostile value tables

/** Identifiers the path encoder must refuse: dot segments in any encoding, control characters, empty, too long. */
export const TRAVERSAL_IDS: readonly string[] = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%252e%252e',
  '%25252e%25252e',
  '../oauth-clients',
  '../../oauth-clients',
  '../oauth-clients/x',
  'x/../../oauth-clients',
  'x/..',
  '..\\oauth-clients',
  'x\\..\\..\\y',
  '%2e%2e%2foauth-clients',
  '%2e%2e%5coauth-clients',
  './x',
  'x/./y',
  '..%2f..%2fv3%2foauth-clients',
  '',
  'a'.repeat(513),
  'x\r\nX-Injected: 1',
  'x\nHost: evil.example',
  'x\u0000',
  '\u0007',
  'x\u007f',
  '\r\n\r\nGET /oauth-clients HTTP/1.1',
];

/** Odd but harmless identifiers: encoded into one segment and sent (ISC answers 404 or 400). */
export const ODD_IDS: readonly string[] = [
  '%c0%ae%c0%ae',
  '/',
  'a/b',
  '%2F',
  '%00',
  '%0d%0a',
  '?x=1',
  '#frag',
  ' ',
  "' OR '1'='1",
  '${jndi:ldap://x/a}',
  '<script>alert(1)</script>',
  'é',
  '😀',
  '\u202e',
  'a'.repeat(512),
  '...',
  '.x',
  'x.',
  '%',
  '%zz',
  'id eq "x"',
  `" ${FILTER_MARKER} or name pr or "`,
  `\\" ${FILTER_MARKER}`,
];

export const BAD_LOCALES: readonly string[] = [
  'EN',
  'En',
  'en_US',
  'en-US',
  'en-us',
  'zh-tw',
  'zh_CN',
  'zh',
  'xx',
  '',
  ' en',
  'en ',
  'en\n',
  '../en',
  'en/../de',
  '%65%6e',
  'en;de',
  'en,de',
  '*',
  "en' OR 1=1",
  'a'.repeat(2000),
  '\u0000',
  'en\r\nX: y',
];

export const BAD_RAW_FILTERS: readonly string[] = [
  '',
  '   ',
  '(',
  ')',
  '((name eq "a")',
  'name eq "a',
  'name eq "a\\"',
  ')(',
  '"',
  'name eq "a"\r\nX-Injected: 1',
  'name eq "\u0000"',
  'a'.repeat(4097),
  `name co "${'b'.repeat(4100)}"`,
];

export const INJECTION_RAW_FILTERS: readonly string[] = [
  'name eq "x" or true',
  '1 eq 1',
  'name pr',
  'name eq "\\"" or name pr or "\\""',
  'name co "a" and (name pr or id pr)',
  'not (name eq "x")',
  'name in ("a","b","c")',
  `name co "${'c'.repeat(4000)}"`,
];

/** Typed filter strings that must stay inside their quotes upstream. */
export const INJECTION_VALUES: readonly string[] = [
  `" ${FILTER_MARKER} or name pr or "`,
  `\\" ${FILTER_MARKER}`,
  `${FILTER_MARKER}\\`,
  `\\\\" ${FILTER_MARKER}) or (name pr`,
  `%22 ${FILTER_MARKER}`,
  `" ${FILTER_MARKER}`,
  `*${FILTER_MARKER}*`,
  `') ${FILTER_MARKER} --`,
];

export const BAD_FILTER_STRINGS: readonly string[] = ['a'.repeat(1025), 'x\u0000', 'x\r\ny', '\u001b[31m', 'tab\there'];

export const BAD_DATES: readonly string[] = [
  'not-a-date',
  '2024-13-45T00:00:00Z',
  'yesterday',
  '',
  '../x',
  '10000-01-01T00:00:00Z',
  '2024-01-01T25:00:00Z',
];

/** URLs no OAuth client may have as its home page. */
export const BAD_HTTP_URLS: readonly string[] = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html;base64,PHNjcmlwdD4=',
  'vbscript:x',
  'file:///etc/passwd',
  'not a url',
  'http:host',
  'http://',
  'https://',
  '//evil.example',
  '/relative',
  'ftp://example.com',
  'https://exa mple.com',
  'https://example.com/\r\nX: y',
  `https://${'a'.repeat(3000)}.example`,
  '',
  'mailto:a@example.com',
];

/** Redirect URIs OAuth must refuse (fragment, unsafe scheme, relative, no path). */
export const BAD_REDIRECT_URIS: readonly string[] = [
  'https://example.com/cb#frag',
  'javascript:alert(1)',
  'data:text/html,x',
  'file:///etc/passwd',
  'about:blank',
  'blob:x',
  '/relative/cb',
  'com.example.app:',
  'not a uri',
  'http://',
  'https://a b/cb',
  '',
  `https://example.com/${'p'.repeat(2100)}`,
];

export const PATCH_FIELDS = {
  connector: { string: 'applicationXml', removable: 'connectorMetadata', object: 'connectorMetadata', array: undefined },
  oauth: { string: 'description', removable: 'businessName', object: undefined, array: 'redirectUris' },
  sourceApp: { string: 'name', removable: 'accountSource', object: 'owner', array: 'accessProfiles' },
} as const;
export type PatchResource = keyof typeof PATCH_FIELDS;

export type Resource = PatchResource | 'customizer' | 'other';

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

/** Raw JSON Patch operations the gateway must refuse for `resource`. */
export function badPatchOps(resource: PatchResource): { note: string; ops: PatchOp[] }[] {
  const f = PATCH_FIELDS[resource];
  const generic: { note: string; ops: PatchOp[] }[] = [
    ['/../x', 'v'],
    ['/id', 'v'],
    ['', 'v'],
    ['/', 'v'],
    [f.string, 'v'],
    ['/constructor', 1],
    ['/__proto__', { a: 1 }],
    ['/valueOf', 1],
    ['/created', '2020-01-01T00:00:00Z'],
    ['/a/b/c', 1],
    ['/%2e%2e', 1],
    [`/${f.string}/0`, 'v'],
    [`/${f.string}~1x`, 'v'],
    [`/${f.string}\r\nX: y`, 'v'],
    [`/${'p'.repeat(10_000)}`, 'v'],
    ['/tenant', 'other'],
  ].map(([path, value]) => ({ note: `replace ${(path as string).slice(0, 24)}`, ops: [{ op: 'replace', path: path as string, value }] }));
  generic.push(
    { note: 'add to /toString/-', ops: [{ op: 'add', path: '/toString/-', value: 1 }] },
    { note: 'remove /hasOwnProperty', ops: [{ op: 'remove', path: '/hasOwnProperty' }] },
    { note: 'remove with a value', ops: [{ op: 'remove', path: `/${f.removable}`, value: 'x' }] },
    { note: 'add without a value', ops: [{ op: 'add', path: `/${f.string}` }] },
    { note: 'test without a value', ops: [{ op: 'test', path: `/${f.string}` }] },
    { note: 'replace without a value', ops: [{ op: 'replace', path: `/${f.string}` }] },
    { note: 'string field given a number', ops: [{ op: 'replace', path: `/${f.string}`, value: 5 }] },
    { note: 'string field given an object', ops: [{ op: 'replace', path: `/${f.string}`, value: { a: 1 } }] },
    {
      note: 'valid op then a bad one',
      ops: [
        { op: 'replace', path: `/${f.string}`, value: 'ok' },
        { op: 'replace', path: '/../../x', value: 1 },
      ],
    },
  );
  if (f.object) {
    generic.push(
      { note: 'object field given a string', ops: [{ op: 'replace', path: `/${f.object}`, value: 'str' }] },
      { note: 'object field given a list', ops: [{ op: 'replace', path: `/${f.object}`, value: [1] }] },
    );
  }
  if (f.array) {
    generic.push(
      { note: '/- with replace', ops: [{ op: 'replace', path: `/${f.array}/-`, value: 'x' }] },
      { note: 'index with 7 digits', ops: [{ op: 'add', path: `/${f.array}/1000000`, value: 'x' }] },
      { note: 'index with a leading zero', ops: [{ op: 'add', path: `/${f.array}/01`, value: 'x' }] },
      { note: 'negative index', ops: [{ op: 'add', path: `/${f.array}/-1`, value: 'x' }] },
      { note: 'array field given a string', ops: [{ op: 'replace', path: `/${f.array}`, value: 'x' }] },
    );
  }
  if (resource === 'oauth') {
    const o = (note: string, op: PatchOp) => generic.push({ note, ops: [op] });
    o('name emptied', { op: 'replace', path: '/name', value: '   ' });
    o('name removed', { op: 'remove', path: '/name' });
    o('grantTypes removed', { op: 'remove', path: '/grantTypes' });
    o('no grant type', { op: 'replace', path: '/grantTypes', value: [] });
    o('UNKNOWN grant type', { op: 'replace', path: '/grantTypes', value: ['UNKNOWN'] });
    o('repeated grant type', { op: 'replace', path: '/grantTypes', value: ['CLIENT_CREDENTIALS', 'CLIENT_CREDENTIALS'] });
    o('bogus grant type added', { op: 'add', path: '/grantTypes/-', value: 'BOGUS' });
    o('validity 0', { op: 'replace', path: '/accessTokenValiditySeconds', value: 0 });
    o('validity negative', { op: 'replace', path: '/accessTokenValiditySeconds', value: -1 });
    o('validity fraction', { op: 'replace', path: '/accessTokenValiditySeconds', value: 1.5 });
    o('validity as string', { op: 'replace', path: '/refreshTokenValiditySeconds', value: '60' });
    o('validity over int32', { op: 'replace', path: '/accessTokenValiditySeconds', value: 2_147_483_648 });
    o('accessType UNKNOWN', { op: 'replace', path: '/accessType', value: 'UNKNOWN' });
    o('enabled as string', { op: 'replace', path: '/enabled', value: 'yes' });
    for (const url of BAD_HTTP_URLS.slice(0, 8)) o(`homepageUrl ${url.slice(0, 20)}`, { op: 'replace', path: '/homepageUrl', value: url });
    for (const uri of BAD_REDIRECT_URIS.slice(0, 6)) o(`redirect URI ${uri.slice(0, 20)}`, { op: 'add', path: '/redirectUris/-', value: uri });
  }
  if (resource === 'sourceApp') {
    const o = (note: string, op: PatchOp) => generic.push({ note, ops: [op] });
    o('name emptied', { op: 'replace', path: '/name', value: '' });
    o('owner removed', { op: 'remove', path: '/owner' });
    o('owner as a string', { op: 'replace', path: '/owner', value: 'id' });
    o('owner without id', { op: 'replace', path: '/owner', value: {} });
    o('owner with empty id', { op: 'replace', path: '/owner', value: { id: '' } });
    o('owner null', { op: 'replace', path: '/owner', value: null });
    o('enabled as string', { op: 'replace', path: '/enabled', value: 'true' });
    o('empty access profile id', { op: 'add', path: '/accessProfiles/-', value: '' });
    o('access profiles of numbers', { op: 'replace', path: '/accessProfiles', value: [1, 2] });
  }
  if (resource === 'connector') {
    const o = (note: string, op: PatchOp) => generic.push({ note, ops: [op] });
    o('metadata as a number', { op: 'replace', path: '/connectorMetadata', value: 5 });
    o('xml as a boolean', { op: 'replace', path: '/sourceConfigXml', value: true });
  }
  return generic;
}

/** The GraphQL text every HTTP-level case carries: if the HTTP layer lets it through, the resolver still refuses it. */
export const HOSTILE_QUERY = '{ connector(scriptName: "../oauth-clients") { name } }';

/** One hostile variant of an argument; `refuse`: the gateway must refuse it without calling ISC. */
export interface Hostile {
  kind: string;
  note: string;
  refuse: boolean;
  arg: Partial<Arg>;
}

export const h = (kind: string, note: string, refuse: boolean, arg: Partial<Arg>): Hostile => ({ kind, note, refuse, arg });

/** Wrong-typed literals for `type` (GraphQL validation refuses each). */
export function wrongLiterals(type: GraphQLInputType): string[] {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner))
    return wrongLiterals(inner.ofType)
      .slice(0, 2)
      .map((l) => `[${l}]`);
  const named = getNamedType(type);
  if (isEnumType(named)) {
    const first = named.getValues()[0].name;
    return [`"${first}"`, 'BOGUS_VALUE', '1', ...(first.toLowerCase() !== first ? [first.toLowerCase()] : [])];
  }
  if (isInputObjectType(named)) {
    const requiredFields = Object.values(named.getFields()).some((f) => isNonNullType(f.type));
    return ['"x"', '1', '{fuzzBogusField: 1}', ...(requiredFields ? ['{}'] : [])];
  }
  switch (named.name) {
    case 'Int':
      return ['"5"', '1.5', 'true', '2147483648', '-2147483649', '{a: 1}', 'FIVE'];
    case 'String':
      return ['5', '1.5', 'true', '{a: 1}', 'BARE'];
    case 'ID':
      return ['1.5', 'true', '{a: 1}', 'BARE'];
    case 'Boolean':
      return ['"true"', '1', 'TRUE'];
    case 'DateTime':
      return ['"not-a-date"', 'true'];
    default:
      return [];
  }
}

/** Variable values of the wrong JSON type for `type` (coercion refuses each). */
export function wrongVariableValues(type: GraphQLInputType): string[] {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner))
    return wrongVariableValues(inner.ofType)
      .slice(0, 2)
      .map((v) => `[${v}]`);
  const named = getNamedType(type);
  if (isEnumType(named)) return ['"BOGUS_VALUE"', '5'];
  if (isInputObjectType(named)) return ['"x"', '5', '{"fuzzBogusField":1}'];
  switch (named.name) {
    case 'Int':
      return ['"5"', '1.5', 'true', '{}', '1e300'];
    case 'String':
      return ['5', 'true', '{}', '[{}]'];
    case 'ID':
      return ['true', '{}', '1.5'];
    case 'Boolean':
      return ['"true"', '1'];
    case 'DateTime':
      return ['"not-a-date"', 'true'];
    default:
      return [];
  }
}

export function inputHostiles(type: GraphQLInputObjectType, base: Record<string, unknown>): Hostile[] {
  const out: Hostile[] = [];
  const v = (note: string, changes: Record<string, unknown>, refuse = true) =>
    out.push(h(`hostile:input`, `${type.name} ${note}`, refuse, { value: { ...base, ...changes } }));
  switch (type.name) {
    case 'CreateOAuthClientInput': {
      v('name empty', { name: '' });
      v('name blank', { name: ' \t ' });
      v('validity 0', { accessTokenValiditySeconds: 0 });
      v('validity negative', { accessTokenValiditySeconds: -5 });
      v('refresh validity 0', { refreshTokenValiditySeconds: 0 });
      v('no grant type', { grantTypes: [] });
      v('UNKNOWN grant type', { grantTypes: ['UNKNOWN'] });
      v('repeated grant type', { grantTypes: ['CLIENT_CREDENTIALS', 'CLIENT_CREDENTIALS'] });
      v('authorization code without redirect URIs', { grantTypes: ['AUTHORIZATION_CODE'], redirectUris: undefined });
      v('authorization code with empty redirect URIs', { grantTypes: ['AUTHORIZATION_CODE'], redirectUris: [] });
      v('accessType UNKNOWN', { accessType: 'UNKNOWN' });
      v('type UNKNOWN', { type: 'UNKNOWN' });
      for (const url of BAD_HTTP_URLS) v(`homepageUrl ${JSON.stringify(url.slice(0, 24))}`, { homepageUrl: url });
      for (const uri of BAD_REDIRECT_URIS) v(`redirect URI ${JSON.stringify(uri.slice(0, 24))}`, { redirectUris: ['https://example.com/ok', uri] });
      for (const scope of ['a b', '"x"', '', '\\', 'sp:scopes:all\n']) v(`scope ${JSON.stringify(scope)}`, { scope: [scope] });
      v('name of 100,000 characters', { name: 'n'.repeat(100_000) }, false);
      break;
    }
    case 'UpdateOAuthClientInput': {
      const u = (note: string, changes: Record<string, unknown>) => out.push(h('hostile:input', `${type.name} ${note}`, true, { value: changes }));
      for (const field of [
        'name',
        'description',
        'accessTokenValiditySeconds',
        'refreshTokenValiditySeconds',
        'grantTypes',
        'accessType',
        'enabled',
        'strongAuthSupported',
        'claimsSupported',
      ]) {
        u(`${field} null`, { [field]: null });
      }
      u('name blank', { name: '  ' });
      u('validity 0', { accessTokenValiditySeconds: 0 });
      u('no grant type', { grantTypes: [] });
      u('UNKNOWN grant type', { grantTypes: ['UNKNOWN'] });
      u('accessType UNKNOWN', { accessType: 'UNKNOWN' });
      for (const url of BAD_HTTP_URLS.slice(0, 10)) u(`homepageUrl ${JSON.stringify(url.slice(0, 24))}`, { homepageUrl: url });
      for (const uri of BAD_REDIRECT_URIS.slice(0, 8)) u(`redirect URI ${JSON.stringify(uri.slice(0, 24))}`, { redirectUris: [uri] });
      break;
    }
    case 'UpdateSourceAppInput': {
      const u = (note: string, changes: Record<string, unknown>) => out.push(h('hostile:input', `${type.name} ${note}`, true, { value: changes }));
      for (const field of ['name', 'description', 'enabled', 'ownerId', 'provisionRequestEnabled', 'appCenterEnabled', 'matchAllAccounts']) {
        u(`${field} null`, { [field]: null });
      }
      u('name empty', { name: '' });
      u('description blank', { description: '   ' });
      u('ownerId empty', { ownerId: '' });
      u('accountSourceId empty', { accountSourceId: '' });
      u('an empty access profile id', { accessProfileIds: ['ok', ''] });
      break;
    }
    case 'UpdateConnectorInput': {
      const u = (note: string, changes: Record<string, unknown>, refuse = true) =>
        out.push(h('hostile:input', `${type.name} ${note}`, refuse, { value: changes }));
      u('metadata as a string', { connectorMetadata: 'str' });
      u('metadata as a list', { connectorMetadata: [1, 2] });
      u('metadata as a number', { connectorMetadata: 5 });
      u('metadata as a boolean', { connectorMetadata: true });
      out.push(
        h('hostile:input', `${type.name} metadata 100,000 levels deep`, true, { rawJson: `{"connectorMetadata":${deepJson(100_000, 'object')}}` }),
      );
      break;
    }
    case 'CreateCustomConnectorInput':
      v('name blank', { name: '   ' });
      v('className empty', { className: '' });
      v('name of 100,000 characters', { name: 'c'.repeat(100_000) }, false);
      break;
    case 'CreateSourceAppInput':
      v('name empty', { name: '' });
      v('description blank', { description: ' ' });
      v('accountSourceId empty', { accountSourceId: '' });
      break;
    case 'CreateConnectorCustomizerInput':
    case 'UpdateConnectorCustomizerInput':
      v('name empty', { name: '' });
      v('name blank', { name: ' \t\n ' });
      v('name of 100,000 characters', { name: 'z'.repeat(100_000) }, false);
      v('name with control characters', { name: 'a\u0000b\r\nc' }, false);
      break;
    default:
      break;
  }
  return out;
}
