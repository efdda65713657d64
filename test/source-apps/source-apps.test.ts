import { describe, expect, it } from '@jest/globals';
import { execute, parse } from 'graphql';
import { createContext } from '../../src/http/context.js';
import type { IscClient, UpstreamRequest } from '../../src/isc/client.js';
import { fakeIscClient } from '../support/fake-isc-client.js';
import { buildSchema } from '../../src/schema.js';
import {
  accessProfileFilterExpression,
  allSourceAppFilterExpression,
  listQuery,
  sortersParam,
  sourceAppFilterExpression,
} from '../../src/source-apps/source-apps.filters.js';
import { restFields, sourceAppPatch } from '../../src/source-apps/source-apps.patch.js';
import { checkIds, checkRemoveLimit, checkSourceAppId } from '../../src/source-apps/source-apps.validation.js';
import { badInput } from '../support/errors.js';

describe('source app filters → ISC filter expressions', () => {
  it('an absent or empty filter sends no expression', () => {
    expect(sourceAppFilterExpression(undefined)).toBeUndefined();
    expect(sourceAppFilterExpression({})).toBeUndefined();
    expect(allSourceAppFilterExpression(null)).toBeUndefined();
    expect(accessProfileFilterExpression({ name: null })).toBeUndefined();
  });

  it('one condition stands alone; several are parenthesised and joined with and', () => {
    expect(sourceAppFilterExpression({ id: 'a1' })).toBe('id eq "a1"');
    expect(sourceAppFilterExpression({ accountSourceIdIn: ['s1', 's2'], nameIn: ['Jira', 'Slack'] })).toBe(
      '(name in ("Jira","Slack")) and (accountSource.id in ("s1","s2"))',
    );
  });

  it('quotes and escapes strings; booleans travel bare', () => {
    expect(sourceAppFilterExpression({ nameContains: 'say "hi" \\ bye' })).toBe('name co "say \\"hi\\" \\\\ bye"');
    expect(allSourceAppFilterExpression({ enabled: false, ownerId: 'o1' })).toBe('(owner.id eq "o1") and (enabled eq false)');
  });

  it('datetimes travel unquoted in UTC (the DateTime scalar gives a Date)', () => {
    expect(sourceAppFilterExpression({ createdAfter: new Date(Date.UTC(2024, 4, 1, 12, 30)) })).toBe('created gt 2024-05-01T12:30:00.000Z');
    expect(sourceAppFilterExpression({ modifiedAtOrBefore: new Date('2024-05-01T14:30:00+02:00') })).toBe('modified le 2024-05-01T12:30:00.000Z');
    expect(() => sourceAppFilterExpression({ createdAfter: new Date(Number.NaN) })).toThrow(badInput);
    expect(sourceAppFilterExpression({ createdBefore: new Date('2024-01-01T00:00:00Z'), modifiedAtOrAfter: new Date('2023-06-01T00:00:00Z') })).toBe(
      '(created lt 2024-01-01T00:00:00.000Z) and (modified ge 2023-06-01T00:00:00.000Z)',
    );
  });

  it('maps each typed field to the ISC field and operator it names', () => {
    const d = '2024-01-01T00:00:00.000Z';
    const date = new Date(d);
    expect(
      allSourceAppFilterExpression({
        idIn: ['x'],
        nameStartsWith: 'Sa',
        createdAtOrAfter: date,
        createdAtOrBefore: date,
        modifiedAfter: date,
        modifiedAtOrBefore: date,
        ownerIdIn: ['o'],
      })?.split(' and '),
    ).toEqual([
      '(id in ("x"))',
      '(name sw "Sa")',
      `(created ge ${d})`,
      `(created le ${d})`,
      `(modified gt ${d})`,
      `(modified le ${d})`,
      '(owner.id in ("o"))',
    ]);
    expect(accessProfileFilterExpression({ idIn: ['p1'], name: 'HR', modifiedBefore: date })).toBe(
      `(id in ("p1")) and (name eq "HR") and (modified lt ${d})`,
    );
  });

  it('refuses empty lists and control characters', () => {
    expect(() => sourceAppFilterExpression({ idIn: [] })).toThrow(badInput);
    expect(() => allSourceAppFilterExpression({ name: 'a\u0000b' })).toThrow(badInput);
  });
});

describe('sort keys → ISC sorters', () => {
  it('joins keys in order, descending with a minus, dotted names for references', () => {
    expect(sortersParam(undefined)).toBeUndefined();
    expect(sortersParam([])).toBeUndefined();
    expect(
      sortersParam([
        { field: 'NAME' },
        { field: 'CREATED', direction: 'DESC' },
        { field: 'OWNER_ID', direction: 'ASC' },
        { field: 'ACCOUNT_SOURCE_ID', direction: 'DESC' },
        { field: 'ID', direction: null },
        { field: 'MODIFIED' },
      ]),
    ).toBe('name,-created,owner.id,-accountSource.id,id,modified');
  });

  it('refuses a field given twice', () => {
    expect(() => sortersParam([{ field: 'NAME' }, { field: 'NAME', direction: 'DESC' }])).toThrow(badInput);
  });
});

describe('UpdateSourceAppInput → JSON Patch', () => {
  it('ids become ISC reference objects; omitted stays omitted and null stays null', () => {
    expect(restFields({ ownerId: 'i1', accountSourceId: null })).toEqual(expect.objectContaining({ owner: { id: 'i1' }, accountSource: null }));
    expect(restFields({ ownerId: 'i1' })!.accountSource).toBeUndefined();
    expect(restFields(undefined)).toBeUndefined();
  });

  it('writes replace ops in the patchable-field order, removes where ISC allows it', () => {
    expect(
      sourceAppPatch(
        {
          accessProfileIds: ['p1', 'p2'],
          matchAllAccounts: true,
          accountSourceId: 's1',
          appCenterEnabled: false,
          provisionRequestEnabled: true,
          ownerId: 'i1',
          enabled: false,
          description: 'New text',
          name: 'New name',
        },
        null,
      ),
    ).toEqual([
      { op: 'replace', path: '/name', value: 'New name' },
      { op: 'replace', path: '/description', value: 'New text' },
      { op: 'replace', path: '/enabled', value: false },
      { op: 'replace', path: '/owner', value: { id: 'i1' } },
      { op: 'replace', path: '/provisionRequestEnabled', value: true },
      { op: 'replace', path: '/appCenterEnabled', value: false },
      { op: 'replace', path: '/accountSource', value: { id: 's1' } },
      { op: 'replace', path: '/matchAllAccounts', value: true },
      { op: 'replace', path: '/accessProfiles', value: ['p1', 'p2'] },
    ]);
    expect(sourceAppPatch({ accountSourceId: null, accessProfileIds: null }, null)).toEqual([
      { op: 'remove', path: '/accountSource' },
      { op: 'remove', path: '/accessProfiles' },
    ]);
  });

  it('appends validated raw operations after the typed ones', () => {
    expect(
      sourceAppPatch({ enabled: true }, [
        { op: 'add', path: '/accessProfiles/-', value: 'p3' },
        { op: 'remove', path: '/accessProfiles/0' },
        { op: 'replace', path: '/owner', value: { id: 'i2', type: 'IDENTITY' } },
        { op: 'test', path: '/matchAllAccounts', value: false },
      ]),
    ).toEqual([
      { op: 'replace', path: '/enabled', value: true },
      { op: 'add', path: '/accessProfiles/-', value: 'p3' },
      { op: 'remove', path: '/accessProfiles/0' },
      { op: 'replace', path: '/owner', value: { id: 'i2', type: 'IDENTITY' } },
      { op: 'test', path: '/matchAllAccounts', value: false },
    ]);
  });

  it.each([
    ['empty name', { name: '' }, null],
    ['blank description', { description: ' \t' }, null],
    ['null name', { name: null }, null],
    ['null description', { description: null }, null],
    ['null owner', { ownerId: null }, null],
    ['empty owner id', { ownerId: '' }, null],
    ['null boolean', { matchAllAccounts: null }, null],
    ['empty access profile id', { accessProfileIds: ['p1', ''] }, null],
    ['no change at all', {}, []],
    ['raw remove of owner', null, [{ op: 'remove', path: '/owner' }]],
    ['raw owner without id', null, [{ op: 'replace', path: '/owner', value: { name: 'Ann' } }]],
    ['raw owner as a string', null, [{ op: 'replace', path: '/owner', value: 'i1' }]],
    ['raw null description', null, [{ op: 'replace', path: '/description', value: null }]],
    ['raw unpatchable field', null, [{ op: 'replace', path: '/cloudAppId', value: '1' }]],
    ['raw index into a non-array', null, [{ op: 'replace', path: '/name/0', value: 'x' }]],
    ['raw non-string access profile', null, [{ op: 'add', path: '/accessProfiles/-', value: 7 }]],
  ])('refuses %s', (_label, input, raw) => {
    expect(() => sourceAppPatch(input, raw)).toThrow(badInput);
  });
});

describe('id lists', () => {
  it('keeps the first occurrence of each id, in order', () => {
    expect(checkIds(['b', 'a', 'b', 'c', 'a'], 'ids')).toEqual(['b', 'a', 'c']);
  });

  it('refuses an empty list and ids that are not identifiers', () => {
    expect(() => checkIds([], 'ids')).toThrow(badInput);
    expect(() => checkIds(['ok', ''], 'ids')).toThrow(badInput);
    expect(() => checkIds(['..'], 'ids')).toThrow(badInput);
    expect(() => checkIds(['a\nb'], 'ids')).toThrow(badInput);
  });
});

describe('source app ids: the route words of /source-apps are not ids', () => {
  it.each(['all', 'assigned', 'bulk-update', 'ALL', 'Bulk-Update'])('refuses %s', (id) => {
    expect(() => checkSourceAppId(id)).toThrow(badInput);
    expect(() => checkIds(['4535538c25edfff090d4805a28588594', id], 'ids', checkSourceAppId)).toThrow(badInput);
  });

  it('accepts ordinary ids, including ones that merely contain a route word', () => {
    for (const id of ['4535538c25edfff090d4805a28588594', 'all-apps', 'assigned2', 'bulk-updates']) expect(checkSourceAppId(id)).toBe(id);
    // Access profile ids never become a /source-apps segment: the route words are not refused there.
    expect(checkIds(['all'], 'accessProfileIds')).toEqual(['all']);
  });

  it('still checks the id as a path segment', () => {
    for (const id of ['', '..', '%2e%2e', 'a\nb']) expect(() => checkSourceAppId(id)).toThrow(badInput);
  });
});

describe('bulk remove limit', () => {
  it('is optional and takes 0 to 250, as ISC does', () => {
    expect(checkRemoveLimit(undefined, 1000)).toBeUndefined();
    expect(checkRemoveLimit(null, 1000)).toBeUndefined();
    expect(checkRemoveLimit(0, 1000)).toBe(0);
    expect(checkRemoveLimit(250, 1000)).toBe(250);
  });

  it.each([-1, 251, 1.5])('refuses %s', (limit) => {
    expect(() => checkRemoveLimit(limit, 1000)).toThrow(badInput);
  });

  it('is also bounded by a gateway list cap below 250', () => {
    expect(checkRemoveLimit(100, 100)).toBe(100);
    expect(() => checkRemoveLimit(101, 100)).toThrow(badInput);
  });
});

describe('list arguments → filters and sorters', () => {
  it('joins the typed and the raw filter with and', () => {
    expect(listQuery('all', 'enabled eq true', { filters: 'owner.id eq "i1"' })).toEqual({
      filters: '(enabled eq true) and (owner.id eq "i1")',
      sorters: undefined,
    });
  });

  it("checks raw filters and sorters against the list's own endpoint", () => {
    expect(listQuery('all', undefined, { filters: 'enabled eq false', sorters: '-owner.id' })).toEqual({
      filters: 'enabled eq false',
      sorters: '-owner.id',
    });
    expect(() => listQuery('available', undefined, { filters: 'enabled eq false' })).toThrow(badInput);
    expect(() => listQuery('assigned', undefined, { sorters: 'owner.id' })).toThrow(badInput);
    expect(listQuery('available', undefined, { sorters: 'owner.id' }).sorters).toBe('owner.id');
    expect(() => listQuery('all', undefined, { filters: 'accountSource.id eq "s1"' })).toThrow(badInput);
  });

  it('takes typed sort or raw sorters, refusing both at once', () => {
    expect(listQuery('available', undefined, { sort: [{ field: 'NAME', direction: 'DESC' }] }).sorters).toBe('-name');
    expect(listQuery('available', undefined, { sort: [], sorters: 'name' }).sorters).toBe('name');
    expect(() => listQuery('available', undefined, { sort: [{ field: 'NAME' }], sorters: 'created' })).toThrow(badInput);
  });
});

describe('SourceApp.accessProfiles over a recording ISC client', () => {
  /** An ISC that lists one app with the given id and records every request. */
  function recordingClient(appId: string): { client: IscClient; requests: UpstreamRequest[] } {
    const requests: UpstreamRequest[] = [];
    const client = fakeIscClient((request) => {
      requests.push(request);
      const body = request.path.endsWith('/access-profiles') ? [{ id: 'p1', name: 'P1' }] : [{ id: appId, name: 'App' }];
      return { status: 200, headers: {}, body };
    });
    return { client, requests };
  }
  const schema = buildSchema();
  const run = async (client: IscClient, source: string) => {
    const ctx = createContext(client, { kind: 'client-credentials' }, { maxListLimit: 1000, operationTimeoutMs: 10_000, rateLimitWaitMs: 0 });
    try {
      return await execute({ schema, contextValue: ctx, document: parse(source) });
    } finally {
      ctx.dispose();
    }
  };
  const QUERY = '{ allSourceApps(limit: 1) { items { id accessProfiles { items { id } } } } }';

  it('reads the access profiles of an ordinary app', async () => {
    const { client, requests } = recordingClient('4535538c25edfff090d4805a28588594');
    const result = await run(client, QUERY);
    expect(result.errors).toBeUndefined();
    expect(requests.map((r) => r.path)).toEqual(['source-apps/all', 'source-apps/4535538c25edfff090d4805a28588594/access-profiles']);
  });

  it('never turns a route word into an access-profiles path, even when ISC answers it as an id', async () => {
    const { client, requests } = recordingClient('all');
    const result = await run(client, QUERY);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['allSourceApps', 'items', 0, 'accessProfiles'],
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
    expect(requests.map((r) => r.path)).toEqual(['source-apps/all']);
  });
});
