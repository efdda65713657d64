import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const LIST = '{ connectors(limit: 3) { items { scriptName name } } }';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('cross-request response cache', () => {
  it('is off by default: the same operation twice makes the call twice', async () => {
    gw = await startTestGateway();
    await gw.gql(LIST);
    await gw.gql(LIST);
    expect(gw.calls()).toHaveLength(2);
    expect(gw.gateway.responseCache).toBeUndefined();
  });

  it('serves reference data from the cache across operations, with hit/miss counters', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    const first = await gw.gql(LIST);
    const second = await gw.gql(LIST);
    expect(second.data).toEqual(first.data);
    expect(gw.calls()).toHaveLength(1);
    expect(gw.gateway.responseCache!.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    await gw.gql('{ connectorCustomizers(limit: 2) { items { id } } }');
    await gw.gql('{ connectorCustomizers(limit: 2) { items { id } } }');
    expect(gw.calls()).toHaveLength(2);
  });

  it('never shares an entry between callers', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    const [a, b] = [gw.tenant.issueToken(), gw.tenant.issueToken()];
    await gw.gql(LIST, undefined, { authorization: `Bearer ${a}` });
    await gw.gql(LIST, undefined, { authorization: `Bearer ${b}` });
    await gw.gql(LIST);
    expect(gw.calls().map((c) => c.headers.authorization)).toEqual([`Bearer ${a}`, `Bearer ${b}`, expect.stringMatching(/^Bearer /)]);
    await gw.gql(LIST, undefined, { authorization: `Bearer ${a}` });
    expect(gw.calls()).toHaveLength(3);
  });

  it('a mutation on the domain invalidates it; the next read sees the new state', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    const scriptName = (await gw.gql(LIST)).data!.connectors.items[0].scriptName;
    const detail = 'query($s: ID!) { connector(scriptName: $s) { applicationXml } }';
    await gw.gql(detail, { s: scriptName });
    await gw.gql('mutation($s: ID!) { updateConnector(scriptName: $s, input: { applicationXml: "<changed/>" }) { name } }', { s: scriptName });
    gw.reset();
    const after = await gw.gql(detail, { s: scriptName });
    expect(after.data!.connector.applicationXml).toBe('<changed/>');
    await gw.gql(LIST);
    expect(gw.calls()).toHaveLength(2);
  });

  it('does not cache source apps or OAuth clients', async () => {
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on' });
    for (let i = 0; i < 2; i++) {
      await gw.gql('{ oauthClients { id } }');
      await gw.gql('{ allSourceApps(limit: 2) { items { id } } }');
    }
    expect(gw.calls()).toHaveLength(4);
  });
});
