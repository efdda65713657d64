import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { ISC_LOCALES } from '../../src/shared/validation.js';
import { ALLOW, deepJson, poolPick, QUIET, REFUSE, type CaseSink, type Flags, type KnownIds } from './cases.js';
import {
  BAD_DATES,
  BAD_FILTER_STRINGS,
  BAD_LOCALES,
  BAD_RAW_FILTERS,
  badPatchOps,
  h,
  INJECTION_RAW_FILTERS,
  INJECTION_VALUES,
  inputHostiles,
  ODD_IDS,
  PATCH_FIELDS,
  TRAVERSAL_IDS,
  wrongLiterals,
  wrongVariableValues,
  type Hostile,
  type PatchOp,
  type Resource,
} from './hostile.js';
import { render, toLiteral, type Arg, type Mode, type Operation } from './render.js';
import type { Rng } from './rng.js';

/**
 * Cases from the schema: every Query and Mutation field as a valid-shaped operation, then with one
 * argument made hostile or the document around it broken, and the federation entry points.
 */

export interface FieldRef {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
}

function resourceOf(field: string): Resource {
  if (/ustomizer/.test(field)) return 'customizer';
  if (/[oO][aA]uth[cC]lient/.test(field)) return 'oauth';
  if (/ourceApp|AccessProfiles/.test(field)) return 'sourceApp';
  if (/onnector/.test(field)) return 'connector';
  return 'other';
}

export interface OperationGenerator {
  rootFields: readonly FieldRef[];
  validOperation: (ref: FieldRef) => Operation;
}

export function operationCases(
  sink: CaseSink,
  rng: Rng,
  { schema, ids, maxListLimit, walkVariants = 8 }: { schema: GraphQLSchema; ids: KnownIds; maxListLimit: number; walkVariants?: number },
): OperationGenerator {
  const { addGraphql } = sink;
  const rootFields: FieldRef[] = [];
  for (const [operation, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (field.name.startsWith('_')) continue; // federation's _entities/_service: their own cases below
      rootFields.push({ operation, field });
    }
  }

  // ----- valid values ----------------------------------------------------------------------

  const pick = (pool: readonly string[]): string => poolPick(rng, pool);

  function validString(name: string, resource: Resource): string {
    const w = rng.word();
    switch (name) {
      case 'scriptName':
        return pick(ids.scriptNames);
      case 'id':
      case 'ids':
        if (resource === 'sourceApp') return pick(ids.sourceAppIds);
        if (resource === 'oauth') return pick(ids.oauthClientIds);
        if (resource === 'customizer') return pick(ids.customizerIds);
        return pick(ids.scriptNames);
      case 'locale':
        return rng.pick(ISC_LOCALES);
      case 'xml':
        return `<fuzz id="${w}"/>`;
      case 'properties':
        return `key.${w}=value ${w}`;
      case 'filters':
        return rng.pick(['name sw "A"', 'name co "a"', `name eq "${w}"`]);
      case 'homepageUrl':
        return `https://example.com/${w}`;
      case 'redirectUris':
        return `https://example.com/${w}/callback`;
      case 'scope':
        return 'sp:scopes:all';
      case 'className':
        return 'sailpoint.connector.OpenConnectorAdapter';
      case 'name':
        return `Fuzz ${w}`;
      case 'description':
        return `Described ${w}`;
      case 'featuresContainAll':
        return rng.pick(['PROVISIONING', 'AUTHENTICATE', 'SEARCH']);
      default:
        return w;
    }
  }

  function validInt(name: string): number {
    if (name === 'limit') return rng.int(0, Math.min(20, maxListLimit));
    if (name === 'offset') return rng.int(0, 30);
    if (name.endsWith('Seconds')) return rng.int(60, 86_400);
    return rng.int(0, 100);
  }

  function validPatchOp(resource: Resource): PatchOp {
    switch (resource) {
      case 'connector':
        return rng.pick<PatchOp>([
          { op: 'replace', path: '/applicationXml', value: `<app id="${rng.word()}"/>` },
          { op: 'replace', path: '/connectorMetadata', value: { fuzz: rng.word() } },
          { op: 'remove', path: '/sourceConfigXml' },
        ]);
      case 'oauth':
        return rng.pick<PatchOp>([
          { op: 'replace', path: '/description', value: `d ${rng.word()}` },
          { op: 'add', path: '/redirectUris/-', value: `https://example.com/${rng.word()}` },
          { op: 'replace', path: '/enabled', value: rng.chance(0.5) },
        ]);
      default:
        return rng.pick<PatchOp>([
          { op: 'replace', path: '/name', value: `n ${rng.word()}` },
          { op: 'replace', path: '/enabled', value: rng.chance(0.5) },
          { op: 'replace', path: '/appCenterEnabled', value: rng.chance(0.5) },
        ]);
    }
  }

  function validCreateOAuthClient(): Record<string, unknown> {
    const code = rng.chance(0.4);
    return {
      name: `Fuzz client ${rng.word()}`,
      description: `fuzz ${rng.word()}`,
      accessTokenValiditySeconds: rng.int(60, 86_400),
      grantTypes: code ? ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'] : ['CLIENT_CREDENTIALS'],
      accessType: rng.pick(['ONLINE', 'OFFLINE']),
      enabled: rng.chance(0.5),
      ...(code && { redirectUris: [`https://example.com/${rng.word()}/cb`] }),
      ...(rng.chance(0.5) && { homepageUrl: `https://example.com/${rng.word()}` }),
      ...(rng.chance(0.3) && { scope: ['sp:scopes:all'] }),
    };
  }

  function validInputObject(type: GraphQLInputObjectType, resource: Resource): Record<string, unknown> {
    if (type.name === 'CreateOAuthClientInput') return validCreateOAuthClient();
    if (type.name === 'JsonPatchOperationInput') return { ...validPatchOp(resource) };
    const out: Record<string, unknown> = {};
    const optional: string[] = [];
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type)) out[field.name] = validValue(field.type, field.name, resource);
      else optional.push(field.name);
    }
    const fields = type.getFields();
    const chosen = optional.filter(() => rng.chance(0.3));
    // Update inputs with nothing set are refused; valid-shaped cases should usually reach ISC.
    if (chosen.length === 0 && optional.length > 0 && type.name.startsWith('Update')) chosen.push(rng.pick(optional));
    for (const name of chosen) out[name] = validValue(fields[name].type, name, resource);
    return out;
  }

  function validValue(type: GraphQLInputType, name: string, resource: Resource): unknown {
    if (isNonNullType(type)) return validValue(type.ofType, name, resource);
    if (isListType(type)) {
      const count = name === 'ids' ? rng.int(1, 5) : rng.int(1, 3);
      return Array.from({ length: count }, () => validValue(type.ofType, name, resource));
    }
    if (isEnumType(type))
      return rng.pick(
        type
          .getValues()
          .map((v) => v.name)
          .filter((v) => v !== 'UNKNOWN'),
      );
    if (isInputObjectType(type)) return validInputObject(type, resource);
    switch (type.name) {
      case 'Int':
        return validInt(name);
      case 'Float':
        return rng.int(0, 1000) / 10;
      case 'Boolean':
        return rng.chance(0.5);
      case 'DateTime':
        return new Date(rng.int(946_684_800_000, 1_893_456_000_000)).toISOString();
      case 'Long':
        return rng.int(0, 1_000_000);
      case 'JSON':
        return { fuzz: rng.word(), n: rng.int(0, 9) };
      default:
        return validString(name, resource);
    }
  }

  /** A selection set for `type`: some leaves, sometimes nested objects (with valid arguments). */
  function selectionFor(type: GraphQLOutputType, resource: Resource, depth = 0): string {
    const named = getNamedType(type);
    if (isLeafType(named)) return '';
    if (isUnionType(named)) {
      return `{ __typename ${named
        .getTypes()
        .map((t) => `... on ${t.name} ${selectionFor(t, resource, depth + 1)}`)
        .join(' ')} }`;
    }
    if (!isObjectType(named) && !isInterfaceType(named)) return '';
    const fields = Object.values(named.getFields());
    const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)) && f.args.every((a) => !isNonNullType(a.type)));
    const objects = fields.filter((f) => !isLeafType(getNamedType(f.type)));
    const parts = rng.sample(leaves, rng.int(1, 4)).map((f) => f.name);
    if (depth < 3) {
      for (const f of rng.sample(objects, rng.int(0, 2))) {
        const args = f.args
          .filter((a) => isNonNullType(a.type) || rng.chance(0.3))
          .map((a) => `${a.name}: ${toLiteral(validValue(a.type, a.name, resource), a.type)}`);
        parts.push(`${f.name}${args.length > 0 ? `(${args.join(', ')})` : ''} ${selectionFor(f.type, resource, depth + 1)}`);
      }
    }
    if (parts.length === 0 || rng.chance(0.2)) parts.push('__typename');
    return `{ ${parts.join(' ')} }`;
  }

  function validOperation(ref: FieldRef): Operation {
    const resource = resourceOf(ref.field.name);
    const args: Arg[] = ref.field.args
      .filter((a) => isNonNullType(a.type) || rng.chance(0.5))
      .map((a) => ({ name: a.name, type: a.type, value: validValue(a.type, a.name, resource) }));
    return { operation: ref.operation, field: ref.field.name, args, selection: selectionFor(ref.field.type, resource) };
  }

  /** `op` with argument `name` set to `replacement` (added when absent). */
  function withArg(op: Operation, arg: GraphQLArgument, replacement: Partial<Arg>): Operation {
    const others = op.args.filter((a) => a.name !== arg.name);
    return { ...op, args: [...others, { name: arg.name, type: arg.type, ...replacement }] };
  }

  const pickMode = (): Mode => (rng.chance(0.5) ? 'inline' : 'variables');

  function addOperation(kind: string, note: string, flags: Flags, op: Operation, mode = pickMode()): void {
    const { query, variablesJson } = render(op, mode);
    addGraphql(kind, `${op.field}: ${note}`, flags, query, variablesJson);
  }

  // ----- 1. valid-shaped operations over every root field -------------------------------------

  for (const ref of rootFields) {
    for (let i = 0; i < walkVariants; i++) addOperation('walk', 'valid-shaped', ALLOW, validOperation(ref));
  }

  // ----- 2. one hostile argument per operation ------------------------------------------------

  function hostilesFor(arg: GraphQLArgument, resource: Resource, base: Operation): Hostile[] {
    const named = getNamedType(arg.type);
    const out: Hostile[] = [];
    const isRequired = isNonNullType(arg.type);
    const baseValue = base.args.find((a) => a.name === arg.name)?.value ?? validValue(arg.type, arg.name, resource);

    if ((arg.name === 'id' || arg.name === 'scriptName') && (named.name === 'ID' || named.name === 'String')) {
      for (const id of TRAVERSAL_IDS) out.push(h('hostile:path-id', `id ${JSON.stringify(id.slice(0, 30))}`, true, { value: id }));
      for (const id of ODD_IDS) out.push(h('hostile:odd-id', `id ${JSON.stringify(id.slice(0, 30))}`, false, { value: id }));
    }
    if (arg.name === 'ids') {
      const distinct = (n: number) => Array.from({ length: n }, (_, i) => `fz-bulk-${i}-${rng.word(4, 4)}`);
      out.push(
        h('hostile:bulk', 'no ids', true, { value: [] }),
        h('hostile:bulk', '51 ids', true, { value: distinct(51) }),
        h('hostile:bulk', '60 ids', true, { value: distinct(60) }),
        h('hostile:bulk', '500 ids', true, { value: distinct(500) }),
        h('hostile:bulk', 'a dot segment among ids', true, { value: [...distinct(3), '..', ...distinct(2)] }),
        h('hostile:bulk', 'an encoded dot segment among ids', true, { value: ['%2e%2e', ...distinct(2)] }),
        h('hostile:bulk', 'an empty id', true, { value: ['ok', ''] }),
        h('hostile:bulk', '51 copies of one id (counts once)', false, { value: Array.from({ length: 51 }, () => pick(ids.sourceAppIds)) }),
      );
    }
    if (arg.name === 'accessProfileIds') {
      out.push(
        h('hostile:ids', 'no access profile ids', true, { value: [] }),
        h('hostile:ids', 'a dot segment', true, { value: ['..'] }),
        h('hostile:ids', 'an encoded dot segment', true, { value: ['ok', '%2e%2e'] }),
        h('hostile:ids', 'a control character', true, { value: ['a\u0000'] }),
        h('hostile:ids', '300 ids', false, { value: Array.from({ length: 300 }, (_, i) => `ap-${i}`) }),
      );
    }
    if (arg.name === 'locale') {
      for (const locale of BAD_LOCALES) out.push(h('hostile:locale', `locale ${JSON.stringify(locale.slice(0, 20))}`, true, { value: locale }));
    }
    if (arg.name === 'limit') {
      for (const limit of [-1, -100, -2_147_483_648, maxListLimit + 1, maxListLimit * 10, 2_147_483_647]) {
        out.push(h('hostile:paging', `limit ${limit}`, true, { value: limit }));
      }
    }
    if (arg.name === 'offset') {
      for (const offset of [-1, -2_147_483_648, 10_000_001, 2_147_483_647])
        out.push(h('hostile:paging', `offset ${offset}`, true, { value: offset }));
    }
    if (arg.name === 'patch' && resource !== 'customizer' && resource !== 'other') {
      for (const { note, ops } of badPatchOps(resource)) out.push(h('hostile:patch', note, true, { value: ops }));
      out.push(
        h('hostile:patch', 'op move (not in the enum)', true, { value: [{ op: 'move', path: '/name', value: 'x' }] }),
        h('hostile:patch', 'op in capitals', true, { literal: '[{op: REPLACE, path: "/name", value: "x"}]' }),
        h('hostile:patch', 'patch value 100,000 levels deep', true, {
          rawJson: `[{"op":"replace","path":"/${PATCH_FIELDS[resource].object ?? PATCH_FIELDS[resource].string}","value":${deepJson(100_000, 'object')}}]`,
        }),
        h('hostile:patch', 'patch value 50 levels deep', false, {
          rawJson: `[{"op":"replace","path":"/${PATCH_FIELDS[resource].object ?? PATCH_FIELDS[resource].string}","value":${deepJson(50, 'object')}}]`,
        }),
      );
    }
    if (arg.name === 'filters') {
      for (const raw of BAD_RAW_FILTERS) out.push(h('hostile:raw-filter', `filters ${JSON.stringify(raw.slice(0, 24))}`, true, { value: raw }));
      for (const raw of INJECTION_RAW_FILTERS)
        out.push(h('hostile:raw-filter-injection', `filters ${JSON.stringify(raw.slice(0, 24))}`, false, { value: raw }));
    }
    if (arg.name === 'filter' && isInputObjectType(named)) {
      for (const field of Object.values(named.getFields())) {
        const fieldType = getNamedType(field.type);
        const list = isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
        const set = (value: unknown) => ({ value: { [field.name]: value } });
        if (fieldType.name === 'String' || fieldType.name === 'ID') {
          for (const bad of rng.sample(BAD_FILTER_STRINGS, 3)) {
            out.push(h('hostile:filter-value', `filter.${field.name} ${JSON.stringify(bad.slice(0, 12))}`, true, set(list ? ['ok', bad] : bad)));
          }
          for (const injection of rng.sample(INJECTION_VALUES, 3)) {
            out.push(h('hostile:filter-injection', `filter.${field.name} ${JSON.stringify(injection)}`, false, set(list ? [injection] : injection)));
          }
          if (list) {
            out.push(
              h('hostile:filter-value', `filter.${field.name} empty list`, true, set([])),
              h('hostile:filter-value', `filter.${field.name} 251 values`, true, set(Array.from({ length: 251 }, (_, i) => `v${i}`))),
            );
          }
        }
        if (fieldType.name === 'DateTime') {
          for (const bad of rng.sample(BAD_DATES, 2))
            out.push(h('hostile:filter-value', `filter.${field.name} ${JSON.stringify(bad)}`, true, set(bad)));
        }
        if (field.name === 'neverUsed') out.push(h('hostile:filter-value', 'filter.neverUsed false', true, set(false)));
      }
    }
    if (arg.name === 'sort' && isInputObjectType(named)) {
      out.push(
        h('hostile:sort', 'a sort field twice', true, { value: [{ field: 'NAME' }, { field: 'NAME', direction: 'DESC' }] }),
        h('hostile:sort', 'an unknown sort field', true, { value: [{ field: 'PASSWORD' }] }),
        h('hostile:sort', 'an unknown direction', true, { value: [{ field: 'NAME', direction: 'UP' }] }),
      );
    }
    if (arg.name === 'input' && isInputObjectType(named)) out.push(...inputHostiles(named, baseValue as Record<string, unknown>));
    if ((arg.name === 'xml' || arg.name === 'properties') && named.name === 'String') {
      out.push(
        // As a variable: inline, the document-size limit would refuse it before the resolver's own bound.
        h('hostile:file-size', `${arg.name} over 512 KiB`, true, { value: `<a>${'x'.repeat(512 * 1024)}</a>`, varType: String(arg.type) }),
        h('hostile:file-content', `${arg.name} with an external entity`, false, {
          value: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        }),
      );
    }
    // Missing a required argument, or one given the wrong type: GraphQL validation refuses it.
    if (isRequired) out.push(h('graphql:missing-arg', `no ${arg.name}`, true, { literal: undefined, value: undefined, omitVariable: true }));
    for (const literal of wrongLiterals(arg.type)) out.push(h('graphql:wrong-literal', `${arg.name}: ${literal.slice(0, 20)}`, true, { literal }));
    for (const wrong of wrongVariableValues(arg.type)) {
      out.push(h('graphql:wrong-variable', `$${arg.name} = ${wrong.slice(0, 20)}`, true, { rawJson: wrong, varType: String(arg.type) }));
    }
    if (isRequired) {
      out.push(
        h('graphql:wrong-variable', `$${arg.name} = null`, true, { rawJson: 'null', varType: String(arg.type) }),
        h('graphql:wrong-variable', `$${arg.name} declared but not given`, true, { omitVariable: true, varType: String(arg.type) }),
        h('graphql:wrong-variable-type', `$${arg.name} declared nullable`, true, { value: baseValue, varType: String(arg.type).replace(/!$/, '') }),
      );
    }
    const otherType = named.name === 'Boolean' ? 'Int' : 'Boolean';
    out.push(h('graphql:wrong-variable-type', `$${arg.name} declared ${otherType}`, true, { value: baseValue, varType: otherType }));
    return out;
  }

  for (const ref of rootFields) {
    const resource = resourceOf(ref.field.name);
    for (const arg of ref.field.args) {
      const base = validOperation(ref);
      for (const hostile of hostilesFor(arg, resource, base)) {
        const op = withArg(validOperation(ref), arg, hostile.arg);
        if (hostile.arg.omitVariable && hostile.kind === 'graphql:missing-arg') {
          // Missing argument: drop it entirely (inline mode), so validation refuses the document.
          addOperation(hostile.kind, hostile.note, REFUSE, { ...op, args: op.args.filter((a) => a.name !== arg.name) }, 'inline');
          continue;
        }
        const mode: Mode =
          hostile.arg.rawJson !== undefined || hostile.arg.varType !== undefined || hostile.arg.omitVariable ? 'variables' : pickMode();
        addOperation(hostile.kind, hostile.note, hostile.refuse ? REFUSE : ALLOW, op, mode);
      }
    }
    // An update that changes nothing is refused before ISC.
    if (ref.field.args.some((a) => a.name === 'patch')) {
      const op = validOperation(ref);
      const kept = op.args.filter((a) => a.name !== 'input' && a.name !== 'patch');
      const patchArg = ref.field.args.find((a) => a.name === 'patch')!;
      addOperation('hostile:patch', 'no input and no patch', REFUSE, { ...op, args: kept });
      addOperation('hostile:patch', 'empty patch list', REFUSE, { ...op, args: [...kept, { name: 'patch', type: patchArg.type, value: [] }] });
      const inputArg = ref.field.args.find((a) => a.name === 'input');
      if (inputArg)
        addOperation('hostile:patch', 'an empty input and no patch', REFUSE, {
          ...op,
          args: [...kept, { name: 'input', type: inputArg.type, value: {} }],
        });
    }
    // Breakages of the document around a valid operation: GraphQL validation refuses each.
    const op = validOperation(ref);
    const named = getNamedType(ref.field.type);
    const otherOperation = ref.operation === 'query' ? 'mutation' : 'query';
    const leaf = isObjectType(named) ? Object.values(named.getFields()).find((f) => isLeafType(getNamedType(f.type)))?.name : undefined;
    const breakages: [string, Operation][] = [
      ['unknown argument', { ...op, args: [...op.args, { name: 'fuzzBogusArg', type: schema.getType('Int') as GraphQLInputType, value: 1 }] }],
      ['unknown field selected', { ...op, selection: '{ fuzzBogusField }' }],
      ['unknown directive', { ...op, directives: '@fuzzBogus' }],
      ['@skip without if', { ...op, directives: '@skip' }],
      ['@include with a string', { ...op, directives: '@include(if: "yes")' }],
      ['@deprecated on a field', { ...op, directives: '@deprecated' }],
      ['@skip twice', { ...op, directives: '@skip(if: false) @skip(if: false)' }],
      ['wrong operation type', { ...op, operation: otherOperation }],
      ['impossible fragment', { ...op, selection: `{ ... on ${named.name === 'OAuthClient' ? 'Connector' : 'OAuthClient'} { id } }` }],
    ];
    if (!isLeafType(named)) breakages.push(['object without a selection', { ...op, selection: '' }]);
    if (leaf) {
      breakages.push(['selection on a leaf', { ...op, selection: `{ ${leaf} { x } }` }]);
      breakages.push(['conflicting aliases', { ...op, selection: `{ fz: __typename fz: ${leaf} }` }]);
    }
    for (const [note, broken] of breakages) addOperation('graphql:invalid-document', note, REFUSE, broken);

    // Hostile values one level down (a parent's ISC call comes first, so ISC may be called).
    if (ref.operation === 'query' && (ref.field.name === 'connector' || ref.field.name === 'sourceApps' || ref.field.name === 'allSourceApps')) {
      const nested =
        ref.field.name === 'connector'
          ? [`{ name files { translations(locale: ${JSON.stringify(rng.pick(BAD_LOCALES))}) } }`]
          : [
              `{ items { id accessProfiles(limit: -1) { hasMore } } }`,
              `{ items { id accessProfiles(offset: -5) { hasMore } } }`,
              `{ items { id accessProfiles(filter: { name: "a\\u0000" }) { hasMore } } }`,
            ];
      for (const selection of nested) {
        const base = validOperation(ref);
        const args = ref.field.name === 'connector' ? base.args : [{ name: 'limit', type: schema.getType('Int') as GraphQLInputType, value: 2 }];
        addOperation('hostile:nested', 'hostile argument one level down', ALLOW, { ...base, args, selection });
      }
    }
  }

  // ----- 3. federation entry points -------------------------------------------------------------

  const entitySelection =
    '{ __typename ... on SourceApp { id name } ... on Connector { scriptName name } ... on OAuthClient { id name } ... on ConnectorCustomizer { id name } }';
  const entities = (representationsJson: string, flags: Flags, note: string) =>
    addGraphql(
      'federation:entities',
      note,
      flags,
      `query Fuzz($r: [_Any!]!) { _entities(representations: $r) ${entitySelection} }`,
      `{"r":${representationsJson}}`,
    );
  const keyOf = { SourceApp: 'id', ConnectorCustomizer: 'id', OAuthClient: 'id', Connector: 'scriptName' } as const;
  for (const [typename, key] of Object.entries(keyOf)) {
    for (const id of rng.sample(TRAVERSAL_IDS, 6))
      entities(JSON.stringify([{ __typename: typename, [key]: id }]), REFUSE, `${typename} ${key} ${JSON.stringify(id.slice(0, 20))}`);
    entities(JSON.stringify([{ __typename: typename }]), REFUSE, `${typename} without its key`);
    entities(JSON.stringify([{ __typename: typename, [key]: { a: 1 } }]), REFUSE, `${typename} key as an object`);
    entities(JSON.stringify([{ __typename: typename, [key]: [1] }]), REFUSE, `${typename} key as a list`);
    entities(JSON.stringify([{ __typename: typename, [key]: true }]), REFUSE, `${typename} key as a boolean`);
    entities(JSON.stringify([{ __typename: typename, [key]: 5 }]), REFUSE, `${typename} key as a number`);
    entities(JSON.stringify([{ __typename: typename, [key]: null }]), REFUSE, `${typename} key null`);
  }
  entities(JSON.stringify([{ __typename: 'Nope', id: '1' }]), REFUSE, 'unknown __typename');
  entities(JSON.stringify([{ __typename: 'Query' }]), REFUSE, '__typename Query');
  entities(JSON.stringify([{ __typename: 5 }]), REFUSE, '__typename a number');
  entities(JSON.stringify([{}]), REFUSE, 'an empty representation');
  entities(JSON.stringify([5]), REFUSE, 'a number');
  entities(JSON.stringify(['x']), REFUSE, 'a string');
  entities(JSON.stringify([null]), REFUSE, 'null');
  entities(`[${deepJson(100_000, 'object')}]`, REFUSE, 'a representation 100,000 levels deep');
  entities(JSON.stringify(ids.sourceAppIds.slice(0, 5).map((id) => ({ __typename: 'SourceApp', id }))), ALLOW, 'valid source app references');
  entities(
    JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ __typename: 'SourceApp', id: `fz-ref-${i}` }))),
    ALLOW,
    '300 source app references',
  );
  entities(
    JSON.stringify(ids.scriptNames.slice(0, 3).map((scriptName) => ({ __typename: 'Connector', scriptName }))),
    ALLOW,
    'valid connector references',
  );
  addGraphql('federation:service', '_service sdl', QUIET, '{ _service { sdl } }');
  return { rootFields, validOperation };
}
