/**
 * The logical requests of the bench: GraphQL documents sent to the gateway (and, with the same
 * JSON body, to the bare proxy under `/<scenario>`), and the S7 frontend mix. Shared by the runner,
 * the bare proxy and the upstream-count test.
 */

/** Ids the scenarios refer to; the mock upstream serves them at `GET /__data`. */
export interface MockData {
  sourceAppIds: string[];
  scriptNames: string[];
  customizerIds: string[];
}

export interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

export type LoadScenario = 's1' | 's2' | 's3' | 's4' | 's5';

/** The documents of S1–S5; S2 at both latencies uses `s2`. */
export function scenarioOperations(data: MockData): Record<LoadScenario, Operation> {
  const ids20 = data.sourceAppIds.slice(0, 20);
  return {
    // One ISC call: GET /connectors?limit=51&offset=0 (one more than asked, for an exact hasMore).
    s1: {
      query: 'query S1($limit: Int) { connectors(limit: $limit) { items { name type scriptName } } }',
      variables: { limit: 50 },
    },
    // 1 + 20 ISC calls: the list, then one detail GET per connector, concurrently.
    s2: {
      query: 'query S2($limit: Int) { connectors(limit: $limit) { items { scriptName name fileUpload } } }',
      variables: { limit: 20 },
    },
    // One ISC call: both aliases name the same app, the loader asks for it once.
    s3: {
      query: 'query S3($id: ID!) { a: sourceApp(id: $id) { id name owner { name } } b: sourceApp(id: $id) { id name description } }',
      variables: { id: data.sourceAppIds[0] },
    },
    // One ISC call: GET /source-apps/all?filters=id in (20 ids).
    s4: {
      query: `query S4(${ids20.map((_, i) => `$a${i}: ID!`).join(', ')}) { ${ids20
        .map((_, i) => `a${i}: sourceApp(id: $a${i}) { id name owner { name } }`)
        .join(' ')} }`,
      variables: Object.fromEntries(ids20.map((id, i) => [`a${i}`, id])),
    },
    // One ISC call: PATCH /source-apps/{id} with a one-operation JSON Patch.
    s5: {
      query:
        'mutation S5($id: ID!, $description: String) { updateSourceApp(id: $id, input: { description: $description }) { id name description modified } }',
      variables: { id: data.sourceAppIds[1], description: 'Video meetings, webinars and rooms (bench)' },
    },
  };
}

/** The minimum ISC calls per operation of each scenario (the targets of issue 7). */
export const MINIMUM_CALLS: Record<LoadScenario, number> = { s1: 1, s2: 21, s3: 1, s4: 1, s5: 1 };

export interface MixEntry {
  name: string;
  /** Share of operations, in percent (the weights add up to 100). */
  weight: number;
  /** ISC calls per operation with no response cache. */
  calls: number;
  /** Reads only reference data (connector catalogue and files, customizers): what the response cache may serve. */
  referenceData: boolean;
  /** The n-th operation of this kind (each kind cycles through a few ids, as users of a UI do). */
  build(n: number): Operation;
}

/**
 * S7: what the pages of an admin/access-request frontend built on this gateway ask for. Edit the
 * weights here; the runner prints the bound they imply for the cache-on/cache-off ratio.
 */
/**
 * The S7 mix: a connector-administration frontend — mostly catalogue pages, connector details
 * and customizers (reference data), with some source-app views and a few writes.
 */
export function frontendMix(data: MockData): MixEntry[] {
  const pick = <T>(list: readonly T[], n: number, window: number): T => list[n % Math.min(window, list.length)];
  return [
    {
      name: 'connector catalogue page',
      weight: 35,
      calls: 1,
      referenceData: true,
      build: () => ({
        query: '{ connectors(limit: 25) { items { name type scriptName status directConnect } totalCount hasMore } }',
        variables: {},
      }),
    },
    {
      name: 'connector detail with a file',
      weight: 25,
      calls: 2,
      referenceData: true,
      build: (n) => ({
        query: 'query($s: ID!) { connector(scriptName: $s) { name type className applicationXml files { sourceConfig } } }',
        variables: { s: pick(data.scriptNames, n, 8) },
      }),
    },
    {
      name: 'customizer list',
      weight: 15,
      calls: 1,
      referenceData: true,
      build: () => ({ query: '{ connectorCustomizers(limit: 20) { items { id name imageVersion created } hasMore } }', variables: {} }),
    },
    {
      name: 'customizer detail',
      weight: 10,
      calls: 1,
      referenceData: true,
      build: (n) => ({
        query: 'query($id: ID!) { connectorCustomizer(id: $id) { id name imageVersion imageID tenantID created } }',
        variables: { id: pick(data.customizerIds, n, 4) },
      }),
    },
    {
      name: 'source app list',
      weight: 5,
      calls: 1,
      referenceData: false,
      build: () => ({ query: '{ sourceApps(limit: 10) { items { id name description owner { name } } totalCount hasMore } }', variables: {} }),
    },
    {
      name: 'source app with access profiles',
      weight: 4,
      calls: 2,
      referenceData: false,
      build: (n) => ({
        query:
          'query($id: ID!) { sourceApp(id: $id) { id name owner { name } accountSource { name } accessProfiles(limit: 10) { items { id name requestable } hasMore } } }',
        variables: { id: pick(data.sourceAppIds, n, 10) },
      }),
    },
    {
      name: 'source app references by id (5)',
      weight: 3,
      calls: 1,
      referenceData: false,
      build: (n) => {
        const ids = Array.from({ length: 5 }, (_, i) => pick(data.sourceAppIds, n + i * 3, 30));
        return {
          query: `query(${ids.map((_, i) => `$r${i}: ID!`).join(', ')}) { ${ids.map((_, i) => `r${i}: sourceApp(id: $r${i}) { id name }`).join(' ')} }`,
          variables: Object.fromEntries(ids.map((id, i) => [`r${i}`, id])),
        };
      },
    },
    {
      name: 'admin apps with nested access profiles (5)',
      weight: 1,
      calls: 6,
      referenceData: false,
      build: () => ({
        query: '{ allSourceApps(limit: 5) { items { id name enabled accessProfiles(limit: 5) { items { name } hasMore } } } }',
        variables: {},
      }),
    },
    {
      name: 'updateSourceApp',
      weight: 2,
      calls: 1,
      referenceData: false,
      build: (n) => ({
        query: 'mutation($id: ID!, $d: String) { updateSourceApp(id: $id, input: { description: $d }) { id description modified } }',
        variables: { id: pick(data.sourceAppIds, n, 10), d: `Reviewed by the bench (${n})` },
      }),
    },
    {
      name: 'updateConnector',
      weight: 1,
      calls: 1,
      referenceData: false,
      build: (n) => ({
        query: 'mutation($s: ID!, $x: String) { updateConnector(scriptName: $s, input: { applicationXml: $x }) { scriptName name } }',
        variables: { s: pick(data.scriptNames, n, 8), x: `<Application name="bench-${n}"/>` },
      }),
    },
  ];
}

/**
 * A deterministic interleaving of the mix: `length` entries, each kind in proportion to its weight,
 * spread out (smooth weighted round-robin) so a short run still sees the whole mix.
 */
export function mixSequence(mix: readonly MixEntry[], length: number): { entry: MixEntry; n: number }[] {
  const current = mix.map(() => 0);
  const total = mix.reduce((s, e) => s + e.weight, 0);
  const seen = mix.map(() => 0);
  const out: { entry: MixEntry; n: number }[] = [];
  for (let k = 0; k < length; k++) {
    let best = 0;
    for (let i = 0; i < mix.length; i++) {
      current[i] += mix[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    out.push({ entry: mix[best], n: seen[best]++ });
  }
  return out;
}

/** Upper bound of the cache-on/cache-off ratio for a mix: every reference-data call served from cache. */
export function cacheGainBound(mix: readonly MixEntry[]): { callsPerOpOff: number; callsPerOpOn: number; bound: number; referenceShare: number } {
  const total = mix.reduce((s, e) => s + e.weight, 0);
  const off = mix.reduce((s, e) => s + e.weight * e.calls, 0) / total;
  const on = mix.reduce((s, e) => s + (e.referenceData ? 0 : e.weight * e.calls), 0) / total;
  return { callsPerOpOff: off, callsPerOpOn: on, bound: off / on, referenceShare: 1 - on / off };
}
