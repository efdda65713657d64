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
export function mixSequence<E extends MixEntry>(mix: readonly E[], length: number): { entry: E; n: number }[] {
  const current = mix.map(() => 0);
  const total = mix.reduce((s, e) => s + e.weight, 0);
  const seen = mix.map(() => 0);
  const out: { entry: E; n: number }[] = [];
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

// ---------------------------------------------------------------------------------------------
// S7, second mix: "frontend-2" (issue "More frontend operations per ISC budget")

/** The gateway's cacheable domains (`SAIL_RESPONSE_CACHE_DOMAINS`): an ISC path's first segment. */
export type CacheDomain = 'connectors' | 'connector-customizers' | 'source-apps' | 'oauth-clients';
export const ALL_CACHE_DOMAINS: readonly CacheDomain[] = ['connectors', 'connector-customizers', 'source-apps', 'oauth-clients'];
/** What `SAIL_RESPONSE_CACHE=on` caches when `SAIL_RESPONSE_CACHE_DOMAINS` is not set. */
export const DEFAULT_CACHE_DOMAINS: readonly CacheDomain[] = ['connectors', 'connector-customizers'];

export interface CostedMixEntry extends MixEntry {
  /**
   * The domain of each GET among the entry's `calls` (a response cache of that domain may serve
   * it); the calls not listed are writes, which always reach ISC.
   */
  reads: readonly CacheDomain[];
}

/** Connectors and source apps frontend-2 draws from (the mock serves at least these). */
export const FRONTEND2 = {
  /** Catalogue pages of `pageSize` connectors: 15 × 20 = the first 300 connectors. */
  pages: 15,
  pageSize: 20,
  /** Connectors opened in detail: the first 40 of the catalogue. */
  popularConnectors: 40,
  /** Source apps opened one at a time (with their access profiles) and patched: the first 40. */
  popularApps: 40,
  /** Source apps looked up by id, 20 consecutive ones from a random start: the first 120. */
  appsById: 120,
  byIdBatch: 20,
} as const;

/**
 * A deterministic "random" integer in [0, max) for the n-th operation of a kind (`salt` tells the
 * kinds apart): every variant of a run, and every run, draws the same sequence.
 */
export function draw(n: number, salt: number, max: number): number {
  let t = (Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  // mulberry32's output step
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * max;
}
const drawInt = (n: number, salt: number, max: number) => Math.floor(draw(n, salt, max));

/** `count` distinct items of `list` drawn uniformly at random for the n-th operation (a partial Fisher–Yates shuffle on `draw`). */
export function sample<T>(list: readonly T[], count: number, n: number, salt: number): T[] {
  const pool = [...list];
  const k = Math.min(count, pool.length);
  for (let i = 0; i < k; i++) {
    const j = i + drawInt(n * count + i, salt, pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k);
}

/**
 * The S7 "frontend-2" mix: a catalogue-heavy frontend with source-app views. ISC calls per
 * operation without a cache (checked against the gateway by the bench's sequential pass):
 *
 * | weight | operation | ISC calls |
 * |---|---|---|
 * | 15 | a page of 20 connectors, one of 15 pages at random | 1 `GET /connectors?limit=21&offset=…` |
 * | 25 | the first page of 20 connectors (the same one every time) | 1 |
 * | 20 | one of 40 popular connectors with detail fields and its source config | 2: `GET /connectors/{s}`, `GET /connectors/{s}/source-config` |
 * | 15 | twenty source apps by id (20 aliased `sourceApp(id:)`, consecutive ids from a random start) | 1 `GET /source-apps/all?filters=id in (…)` |
 * | 20 | one of 40 popular source apps with its access profiles | 2: `GET /source-apps/all?filters=id in (x)`, `GET /source-apps/{id}/access-profiles` |
 * | 5 | `updateSourceApp` changing the description of one of the 40 | 1 `PATCH /source-apps/{id}` |
 *
 * With `appIds: 'uniform'` (S8 (c)) every source-app id is drawn uniformly at random among the 120
 * instead: the twenty by id are 20 distinct ids from anywhere in the 120 (a batch seldom repeats, so
 * only the apps other answers already hold can spare a call), and the single app and the patched one
 * are any of the 120. Same weights and calls.
 */
export function frontend2Mix(data: MockData, { appIds = 'popular' }: { appIds?: 'popular' | 'uniform' } = {}): CostedMixEntry[] {
  const { pages, pageSize, popularConnectors, popularApps, appsById, byIdBatch } = FRONTEND2;
  const connectorPage = (page: number): Operation => ({
    query:
      'query ConnectorPage($limit: Int, $offset: Int) { connectors(limit: $limit, offset: $offset) { items { name type scriptName status } hasMore } }',
    variables: { limit: pageSize, offset: page * pageSize },
  });
  const connectors = data.scriptNames.slice(0, popularConnectors);
  const byIdRange = data.sourceAppIds.slice(0, appsById);
  const uniform = appIds === 'uniform';
  const apps = uniform ? byIdRange : data.sourceAppIds.slice(0, popularApps);
  const twentyIds = (n: number): string[] => {
    if (uniform) return sample(byIdRange, byIdBatch, n, 3);
    const start = drawInt(n, 3, byIdRange.length - byIdBatch + 1);
    return byIdRange.slice(start, start + byIdBatch);
  };
  return [
    {
      name: 'connector page (random of 15)',
      weight: 15,
      calls: 1,
      referenceData: true,
      reads: ['connectors'],
      build: (n) => connectorPage(drawInt(n, 1, pages)),
    },
    {
      name: 'first connector page',
      weight: 25,
      calls: 1,
      referenceData: true,
      reads: ['connectors'],
      build: () => connectorPage(0),
    },
    {
      name: 'popular connector detail + source config',
      weight: 20,
      calls: 2,
      referenceData: true,
      reads: ['connectors', 'connectors'],
      build: (n) => ({
        query: 'query ConnectorDetail($s: ID!) { connector(scriptName: $s) { name type className applicationXml files { sourceConfig } } }',
        variables: { s: connectors[drawInt(n, 2, connectors.length)] },
      }),
    },
    {
      name: 'twenty source apps by id',
      weight: 15,
      calls: 1,
      referenceData: false,
      reads: ['source-apps'],
      build: (n) => {
        const ids = twentyIds(n);
        return {
          query: `query SourceAppsById(${ids.map((_, i) => `$a${i}: ID!`).join(', ')}) { ${ids
            .map((_, i) => `a${i}: sourceApp(id: $a${i}) { id name owner { name } }`)
            .join(' ')} }`,
          variables: Object.fromEntries(ids.map((id, i) => [`a${i}`, id])),
        };
      },
    },
    {
      name: 'source app with access profiles',
      weight: 20,
      calls: 2,
      referenceData: false,
      reads: ['source-apps', 'source-apps'],
      build: (n) => ({
        query:
          'query SourceAppProfiles($id: ID!) { sourceApp(id: $id) { id name description owner { name } accessProfiles(limit: 10) { items { id name requestable } hasMore } } }',
        variables: { id: apps[drawInt(n, 4, apps.length)] },
      }),
    },
    {
      name: 'updateSourceApp (description)',
      weight: 5,
      calls: 1,
      referenceData: false,
      reads: [],
      build: (n) => ({
        query: 'mutation PatchSourceApp($id: ID!, $d: String) { updateSourceApp(id: $id, input: { description: $d }) { id description modified } }',
        variables: { id: apps[drawInt(n, 5, apps.length)], d: `Reviewed by the bench (${n})` },
      }),
    },
  ];
}

/**
 * The budget ceiling of a mix: the operations per window a perfect client reaches when ISC allows
 * `budget` calls per window and each operation costs the calls the given settings cannot avoid.
 * Per operation: every write, plus every GET whose domain is not in `cached`, that GET divided by
 * `sharedBy` (identical operations sent at the same moment, whose identical GETs one in-flight call
 * serves when coalescing is on). Averaged over the mix by weight; ceiling = budget ÷ that.
 * Not counted: filling the cache (each key's first miss), refetches after a write's invalidation
 * or at TTL expiry — so a measured variant stays below it.
 */
export function mixCeiling(
  mix: readonly CostedMixEntry[],
  cached: ReadonlySet<CacheDomain>,
  sharedBy = 1,
  budget = 100,
): { callsPerOp: number; opsPerWindow: number } {
  const total = mix.reduce((s, e) => s + e.weight, 0);
  const perOp =
    mix.reduce((s, e) => {
      const uncachedReads = e.reads.filter((d) => !cached.has(d)).length;
      const writes = e.calls - e.reads.length;
      return s + e.weight * (writes + uncachedReads / sharedBy);
    }, 0) / total;
  return { callsPerOp: perOp, opsPerWindow: perOp > 0 ? budget / perOp : Number.POSITIVE_INFINITY };
}
