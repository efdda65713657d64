import { describe, expect, it } from '@jest/globals';
import { expectRefusedBeforeAnyCall, useTestGateway } from '../support/gateway.js';

/**
 * Input ISC could never accept is refused before any call: ids that are blank or longer than any
 * ISC id, in any argument or input field, and request bodies in another encoding than UTF-8.
 */
const gw = useTestGateway();
const LONG = 'a'.repeat(100_000);

describe('identifiers', () => {
  it('blank (white space only) or absurdly long: BAD_USER_INPUT naming the argument, and no ISC call', async () => {
    await expectRefusedBeforeAnyCall(gw, [
      'mutation { deleteOAuthClient(id: "   ") }',
      'mutation { deleteConnectorCustomizer(id: "\\t") }',
      '{ sourceApp(id: " ") { id } }',
      `{ connector(scriptName: "${'s'.repeat(513)}") { name } }`,
      `mutation { createSourceApp(input: { name: "n", description: "d", accountSourceId: "${'a'.repeat(513)}" }) { id } }`,
      'mutation { bulkUpdateSourceApps(ids: ["4535538c25edfff090d4805a28588594", "  "], input: { enabled: true }) }',
      '{ sourceApps(filter: { idIn: ["", "x"] }) { items { id } } }',
    ]);
    const r = await gw.gql('mutation { deleteOAuthClient(id: "   ") }');
    expect(r.errors?.[0]).toMatchObject({ message: 'id must not be blank', extensions: { code: 'BAD_USER_INPUT', argument: 'id' } });
    const nested = await gw.gql('mutation ($input: CreateSourceAppInput!) { createSourceApp(input: $input) { id } }', {
      input: { name: 'n', description: 'd', accountSourceId: LONG },
    });
    expect(nested.errors?.[0]).toMatchObject({
      message: 'input.accountSourceId is longer than 512 characters',
      extensions: { code: 'BAD_USER_INPUT', argument: 'input.accountSourceId' },
    });
  });

  it('the same through variables', async () => {
    const r = await gw.gql('mutation ($id: ID!) { deleteOAuthClient(id: $id) }', { id: ' \n ' });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    expect(gw.calls()).toEqual([]);
  });
});

describe('request bodies', () => {
  const post = (contentType: string, body: string | Uint8Array) =>
    fetch(gw.url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(10_000) });
  const query = JSON.stringify({ query: '{ connectors(limit: 1) { items { name } } }' });

  it('a charset other than UTF-8 is refused with 415 before anything runs', async () => {
    for (const contentType of ['application/json; charset=iso-8859-1', 'application/json;charset="UTF-16"', 'application/json; charset=latin1']) {
      const response = await post(contentType, query);
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 415 });
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0].message).toMatch(/^request bodies must be UTF-8 \(Content-Type names charset=/);
    }
    expect(gw.calls()).toEqual([]);
  });

  it('UTF-8, named or not, is served', async () => {
    for (const contentType of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset="UTF-8"',
      'application/json;charset=utf8',
    ]) {
      const response = await post(contentType, query);
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 200 });
    }
  });
});
