import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { PASSTHROUGH_AGGREGATE } from '../../src/observability/metrics.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * The Grafana dashboard (deploy/grafana/dashboards/isc-gateway.json) against what `/metrics`
 * serves: every metric and label name its PromQL queries use must be one a running gateway
 * exports (scraped after calls that make each family's series exist), and the compose profile's
 * Prometheus must scrape the compose gateways with their metrics token.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readRepoFile = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/isc-gateway.json')) as { uid: string; panels: Panel[] };
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** Words of PromQL (functions, aggregations, modifiers) the dashboard may use: any other identifier is a metric name. */
const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'topk',
  'bottomk',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'clamp_min',
  'clamp_max',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);
/** Labels Prometheus attaches to every series of a target (the scrape config's job and the target's address). */
const TARGET_LABELS = new Set(['instance', 'job']);

/** The metric names and label names a PromQL expression uses (strings and range selectors left out). */
function namesInPromQL(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const labels = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\[[^\]]*\]/g, ' ');
  rest = rest.replace(/\{([^}]*)\}/g, (_match, body: string) => {
    for (const [, name] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(name);
    return ' ';
  });
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_match, body: string) => {
    for (const name of body.split(',').map((part) => part.trim())) if (name) labels.add(name);
    return ' ';
  });
  const metrics = new Set<string>();
  for (const [word] of rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) if (!PROMQL_WORDS.has(word)) metrics.add(word);
  return { metrics, labels };
}

/** What a scrape serves: each sample name (histogram series included) → the label names its samples carry. */
function servedNames(text: string): Map<string, Set<string>> {
  const served = new Map<string, Set<string>>();
  const labelsOf = (name: string) => served.get(name) ?? served.set(name, new Set()).get(name)!;
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      // A family is served even before its first sample; a histogram as its three series.
      for (const suffix of type[2] === 'histogram' ? ['_bucket', '_sum', '_count'] : ['']) labelsOf(type[1] + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const labels = labelsOf(sample[1]);
    for (const [, name] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(name);
  }
  return served;
}

/** What the dashboard asks for that the scrape does not serve, as readable lines (empty when all is served). */
function unservedNames(served: Map<string, Set<string>>, exprs: readonly { panel: string; expr: string }[]): string[] {
  const problems: string[] = [];
  for (const { panel, expr } of exprs) {
    const { metrics, labels } = namesInPromQL(expr);
    const known = new Set(TARGET_LABELS);
    for (const metric of metrics) {
      const labelNames = served.get(metric);
      if (!labelNames) problems.push(`${panel}: metric ${metric} is not served`);
      for (const label of labelNames ?? []) known.add(label);
    }
    for (const label of labels) if (!known.has(label)) problems.push(`${panel}: label ${label} is not on ${[...metrics].join(', ')}`);
  }
  return problems;
}

describe('the dashboard JSON', () => {
  it('queries the budget per client, operations, ISC calls, cache, coalescing, breaker and latency, all through the provisioned data source', () => {
    const used = new Set(queries.flatMap(({ expr }) => [...namesInPromQL(expr).metrics]));
    for (const metric of [
      'isc_gateway_rate_budget_remaining',
      'isc_gateway_rate_paused_seconds',
      'isc_gateway_graphql_operations_total',
      'isc_gateway_graphql_operation_duration_seconds_bucket',
      'isc_gateway_upstream_requests_total',
      'isc_gateway_upstream_request_duration_seconds_bucket',
      'isc_gateway_response_cache_hits_total',
      'isc_gateway_response_cache_stale_hits_total',
      'isc_gateway_coalesced_calls_total',
      'isc_gateway_circuit_breaker_state',
    ])
      expect({ metric, used: used.has(metric) }).toEqual({ metric, used: true });
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      expect({ panel: panel.title, queries: panel.targets?.length ?? 0 }).not.toEqual({ panel: panel.title, queries: 0 });
    }
  });

  it('reads metric and label names out of PromQL, and reports one the scrape does not serve', () => {
    expect(namesInPromQL('sum by (le, route) (rate(isc_gateway_x_bucket{status!="429", method=~"G.*"}[$__rate_interval])) * 10')).toEqual({
      metrics: new Set(['isc_gateway_x_bucket']),
      labels: new Set(['status', 'method', 'le', 'route']),
    });
    const served = servedNames('# TYPE isc_gateway_x counter\nisc_gateway_x{route="a"} 1\n');
    expect(unservedNames(served, [{ panel: 'p', expr: 'sum by (route, instance) (rate(isc_gateway_x[5m]))' }])).toEqual([]);
    expect(unservedNames(served, [{ panel: 'p', expr: 'sum by (client) (isc_gateway_y)' }])).toEqual([
      'p: metric isc_gateway_y is not served',
      'p: label client is not on isc_gateway_y',
    ]);
  });
});

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const MADE_UP_TOKEN = [
  base64url({ alg: 'RS256', typ: 'JWT' }),
  base64url({ client_id: 'made-up-client', exp: Math.floor(Date.now() / 1000) + 3600 }),
  'bm90LWEtc2lnbmF0dXJl',
].join('.');

describeWith(REDIS_SERVER, 'the dashboard against a running gateway', () => {
  let redis: TestRedis | undefined;
  let gw: TestGateway | undefined;
  let scraped = '';

  beforeAll(async () => {
    redis = await startRedis();
    // Every family the dashboard reads: the response cache on, a shared Redis (isc_gateway_redis_up).
    gw = await startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_REDIS_URL: redis.url, SAIL_RETRY_BASE_DELAY_MS: '1' });
    const list = 'query List { connectors(limit: 2) { items { scriptName } } }';
    expect((await gw.gql(list)).errors).toBeUndefined(); // a miss
    expect((await gw.gql(list)).errors).toBeUndefined(); // a hit
    // Identical reads at once: one call, the others coalesced.
    gw.tenant.setFaults({ latencyMs: 300 });
    const customizers = 'query Customizers { connectorCustomizers(limit: 1) { items { id } } }';
    for (const answer of await Promise.all([1, 2, 3].map(() => gw!.gql(customizers)))) expect(answer.errors).toBeUndefined();
    // A 503 retried.
    gw.tenant.setFaults({ rate503: 1 });
    await gw.gql('query Failing { connectors(limit: 3) { items { scriptName } } }');
    gw.tenant.setFaults({});
    // A caller's own bearer token (shaped like a JWT, unexpired; ISC refuses it): its budget is keyed by a hash of the token.
    await gw.gql('query Passthrough { connectors(limit: 1) { items { scriptName } } }', undefined, { authorization: `Bearer ${MADE_UP_TOKEN}` });
    const response = await fetch(gw.url.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    scraped = await response.text();
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('serves every metric and label name the dashboard queries', () => {
    const served = servedNames(scraped);
    // The calls above made a series of each labelled family the dashboard reads.
    for (const metric of ['isc_gateway_coalesced_calls_total', 'isc_gateway_upstream_retries_total', 'isc_gateway_rate_budget_remaining'])
      expect({ metric, labels: [...(served.get(metric) ?? [])] }).not.toEqual({ metric, labels: [] });
    expect(queries.length).toBeGreaterThan(20);
    expect(unservedNames(served, queries)).toEqual([]);
  });

  it('serves stale answers by reason, both reasons from the start, and the dashboard shows them apart', () => {
    const reasons = [...scraped.matchAll(/^isc_gateway_response_cache_stale_hits_total\{reason="([^"]*)"\} /gm)].map(([, reason]) => reason);
    expect(reasons.sort()).toEqual(['rate-limited', 'revalidating']);
    const stale = queries.filter(({ expr }) => namesInPromQL(expr).metrics.has('isc_gateway_response_cache_stale_hits_total'));
    expect(stale.filter(({ panel, expr }) => panel === 'Response cache' && namesInPromQL(expr).labels.has('reason'))).toHaveLength(1);
  });

  it("labels budgets by OAuth client id, and never by a token's hash", () => {
    const clients = [...scraped.matchAll(/^isc_gateway_rate_budget_remaining\{client="([^"]*)"\}/gm)].map(([, client]) => client);
    expect(clients.sort()).toEqual([gw!.tenant.clientId, PASSTHROUGH_AGGREGATE].sort());
    expect(scraped).not.toContain(MADE_UP_TOKEN);
    expect(scraped).not.toMatch(/client="[^"]*[0-9a-f]{32}/);
  });
});

describe('the compose dashboard profile', () => {
  interface Service {
    image?: string;
    profiles?: string[];
    ports?: string[];
    environment?: Record<string, string>;
  }
  const compose = parseYaml(readRepoFile('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const prometheus = parseYaml(readRepoFile('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      authorization?: { type?: string; credentials?: string };
      static_configs: { targets: string[] }[];
    }[];
  };

  it('Prometheus scrapes every compose gateway on its container port, sending the metrics token compose sets', () => {
    const gateways = Object.entries(compose.services).filter(([, s]) => s.image === 'isc-graphql-gateway' && s.environment?.SAIL_METRICS_TOKEN);
    expect(gateways.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2']);
    const [job] = prometheus.scrape_configs;
    expect(prometheus.scrape_configs).toHaveLength(1);
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.static_configs.flatMap((c) => c.targets).sort()).toEqual(
      gateways.map(([name, service]) => `${name}:${service.ports?.[0].split(':').at(-1)}`).sort(),
    );
    for (const [, service] of gateways) expect(job.authorization).toEqual({ type: 'Bearer', credentials: service.environment!.SAIL_METRICS_TOKEN });
  });

  it('runs Prometheus and Grafana, pinned, only with --profile dashboard; Grafana is provisioned with the data source and the dashboard', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect({ name, profiles: compose.services[name].profiles }).toEqual({ name, profiles: ['dashboard'] });
      expect(compose.services[name].image).toMatch(/^[a-z/]+:v?\d+\.\d+\.\d+$/);
    }
    const others = Object.entries(compose.services).filter(([name]) => name !== 'prometheus' && name !== 'grafana');
    for (const [name, service] of others) expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
    const datasources = parseYaml(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yaml')) as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    };
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true })]);
    const providers = parseYaml(readRepoFile('deploy/grafana/provisioning/dashboards/isc-gateway.yaml')) as {
      providers: { options: { path: string } }[];
    };
    const grafanaVolumes = (compose.services.grafana as { volumes?: string[] }).volumes ?? [];
    expect(grafanaVolumes).toContain(`./deploy/grafana/dashboards:${providers.providers[0].options.path}:ro`);
    expect(grafanaVolumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    const prometheusVolumes = (compose.services.prometheus as { volumes?: string[] }).volumes ?? [];
    expect(prometheusVolumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });
});
