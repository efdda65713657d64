/**
 * A fast mock of the few ISC endpoints the bench scenarios use, in both of ISC's path layouts at
 * once (`/v2024/connectors/…` and `/connectors/v1/…`), so the bench runs whichever the gateway uses. Unlike the demo tenant (a
 * stateful, thorough fake), this one is built for load: every answer is canned JSON serialized
 * once (lists memoized per query string), writes answer a patched copy without changing state, so
 * repeated runs see identical data.
 *
 * Control endpoints (not counted as upstream calls):
 *   GET  /__stats   counters by route, token requests, 429s, peak concurrency
 *   POST /__reset   zeroes the counters and the rate-limit windows
 *   POST /__config  { latencyMs?, tokenLatencyMs?, tokenLifetimeSeconds?, rateLimit?: { limit, windowMs } | null }
 *
 * Run: `node --import tsx bench/mock-upstream.ts` (env MOCK_PORT, MOCK_LATENCY_MS, MOCK_CLIENT_ID,
 * MOCK_CLIENT_SECRET). When forked, it reports `{ port }` over IPC once listening.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockConfig {
  latencyMs: number;
  tokenLatencyMs: number;
  tokenLifetimeSeconds: number;
  /** ISC's limit per OAuth client; null = no limit. */
  rateLimit: { limit: number; windowMs: number } | null;
}

export interface MockStats {
  /** API calls (token requests excluded) by `METHOD /route/{param}`, the same route in either layout. */
  calls: Record<string, number>;
  /** API calls by the path layout they came in: `v2024` or `per-resource`. */
  callsByLayout: Record<string, number>;
  total: number;
  tokenRequests: number;
  /** Calls answered 429 (counted in `calls` too). */
  rateLimited: number;
  statuses: Record<string, number>;
  /** Most API calls in flight at once since the last reset. */
  maxInFlight: number;
}

const PREFIX = '/v2024';
/** The resources ISC serves per resource too: `/connectors/v1/…`. */
const RESOURCES = new Set(['connectors', 'connector-customizers', 'source-apps', 'oauth-clients']);

/** A path in either layout as its layout and its raw segments after the layout's prefix (`connectors`, `x`), undefined when in neither. */
function apiPathOf(pathname: string): { layout: 'v2024' | 'per-resource'; parts: string[] } | undefined {
  const raw = pathname.split('/').slice(1);
  if (raw[1] === 'v1' && RESOURCES.has(raw[0])) return { layout: 'per-resource', parts: [raw[0], ...raw.slice(2)] };
  if (pathname.startsWith(`${PREFIX}/`)) return { layout: 'v2024', parts: raw.slice(1) };
  return undefined;
}
const CLIENT_ID = process.env.MOCK_CLIENT_ID ?? 'bench-client';
const CLIENT_SECRET = process.env.MOCK_CLIENT_SECRET ?? 'bench-secret';

const config: MockConfig = {
  latencyMs: Number(process.env.MOCK_LATENCY_MS ?? 0),
  tokenLatencyMs: 0,
  tokenLifetimeSeconds: 3600,
  rateLimit: null,
};

// ---------------------------------------------------------------------------------------------
// Canned data, built once. Deterministic: ids are hashes of names.

const hexId = (label: string): string => createHash('sha256').update(label).digest('hex').slice(0, 32);
const uuid = (label: string): string => {
  const h = hexId(label);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const iso = (dayOffset: number): string => new Date(Date.parse('2023-03-01T09:15:00.000Z') + dayOffset * 86_400_000).toISOString();

const SYSTEMS = [
  ['Active Directory', 'Directory', 'sailpoint.connector.ADLDAPConnector'],
  ['Azure Active Directory', 'Cloud Directory', 'sailpoint.connector.AzureADConnector'],
  ['Workday', 'HR', 'sailpoint.connector.WorkdayConnector'],
  ['ServiceNow', 'ITSM', 'sailpoint.connector.ServiceNowConnector'],
  ['Salesforce', 'CRM', 'sailpoint.connector.SalesforceConnector'],
  ['SAP S/4HANA', 'ERP', 'sailpoint.connector.SAPConnector'],
  ['Okta', 'Identity Provider', 'sailpoint.connector.OktaConnector'],
  ['Google Workspace', 'Collaboration', 'sailpoint.connector.GoogleAppsConnector'],
  ['Oracle Database', 'Database', 'sailpoint.connector.JDBCConnector'],
  ['Delimited File', 'Flat File', 'sailpoint.connector.DelimitedFileConnector'],
  ['GitHub', 'DevOps', 'sailpoint.connector.GithubConnector'],
  ['Amazon Web Services', 'Cloud Platform', 'sailpoint.connector.AWSConnector'],
] as const;
const VARIANTS = ['', ' - Direct', ' - Legacy', ' (EU)', ' (US)', ' Sandbox', ' v2', ' Extended', ' Read Only', ' HR Feed'];
const FEATURES = [
  'PROVISIONING',
  'SYNC_PROVISIONING',
  'AUTHENTICATE',
  'PASSWORD',
  'ENABLE',
  'UNLOCK',
  'SEARCH',
  'DISCOVER_SCHEMA',
  'DIRECT_PERMISSIONS',
];
const STATUSES = ['RELEASED', 'RELEASED', 'RELEASED', 'DEVELOPMENT', 'DEPRECATED', 'DEMO'];

interface ConnectorData {
  list: Record<string, unknown>;
  detail: Record<string, unknown>;
  detailJson: Buffer;
  sourceConfigXml: Buffer;
}

function buildConnectors(count: number): ConnectorData[] {
  const out: ConnectorData[] = [];
  for (let i = 0; i < count; i++) {
    const [system, category, className] = SYSTEMS[i % SYSTEMS.length];
    const name = `${system}${VARIANTS[Math.floor(i / SYSTEMS.length) % VARIANTS.length]}${i >= SYSTEMS.length * VARIANTS.length ? ` ${i}` : ''}`;
    const scriptName = `${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}-${hexId(name).slice(0, 6)}`;
    const features = FEATURES.filter((_, f) => (i + f) % 3 !== 0);
    const metadata = {
      supportedUI: 'EXTJS',
      platform: i % 2 ? 'ccg' : 'direct',
      shortDesc: `Manages accounts and entitlements in ${system}.`,
      category,
      connectorIcon: `https://files.accessiq.sailpoint.com/connectors/${scriptName}.svg`,
      readme: `https://documentation.sailpoint.com/connectors/${scriptName}/help/`,
      s3Bucket: 'connector-artifacts',
    };
    const list = {
      name,
      type: `${system} - Direct`,
      scriptName,
      className,
      features,
      directConnect: i % 4 !== 3,
      connectorMetadata: metadata,
      status: STATUSES[i % STATUSES.length],
    };
    const fields = ['host', 'port', 'user', 'password', 'baseUrl', 'pageSize', 'timeout', 'useSSL'];
    const applicationXml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Application PUBLIC "sailpoint.dtd" "sailpoint.dtd">\n` +
      `<Application connector="${className}" featuresString="${features.join(', ')}" name="${name}" type="${system}">\n` +
      `  <Attributes><Map>\n` +
      fields.map((f) => `    <entry key="${f}" value="${f === 'password' ? '' : `${f}-${i}`}"/>\n`).join('') +
      `  </Map></Attributes>\n  <Schemas>\n    <Schema displayAttribute="displayName" identityAttribute="id" nativeObjectType="account" objectType="account">\n` +
      ['id', 'displayName', 'email', 'firstName', 'lastName', 'department', 'manager', 'status', 'groups']
        .map(
          (a) =>
            `      <AttributeDefinition name="${a}" type="string"${a === 'groups' ? ' multi="true" entitlement="true"' : ''}><Description>${a} of the account</Description></AttributeDefinition>\n`,
        )
        .join('') +
      `    </Schema>\n  </Schemas>\n</Application>\n`;
    const correlationConfigXml = `<?xml version="1.0" encoding="UTF-8"?>\n<CorrelationConfig name="${name} correlation">\n  <AttributeAssignments>\n    <Filter operation="EQ" property="email" value="email"/>\n  </AttributeAssignments>\n</CorrelationConfig>\n`;
    const sourceConfigXml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<sourceConfig name="${name}">\n` +
      fields
        .map(
          (f) =>
            `  <field name="${f}" type="${f === 'port' || f === 'pageSize' || f === 'timeout' ? 'int' : 'text'}" required="${f !== 'timeout'}"/>\n`,
        )
        .join('') +
      `</sourceConfig>\n`;
    const translationProperties = Object.fromEntries(
      fields.flatMap((f) => [
        [`${scriptName}.${f}.label`, `${f[0].toUpperCase()}${f.slice(1)}`],
        [`${scriptName}.${f}.help`, `The ${f} used to connect to ${system}.`],
      ]),
    );
    const detail = {
      name,
      type: list.type,
      className,
      scriptName,
      applicationXml,
      correlationConfigXml,
      sourceConfigXml,
      sourceConfig: sourceConfigXml,
      sourceConfigFrom: 'sp-connect',
      s3Location: `connector-artifacts/${scriptName}`,
      uploadedFiles: [`${scriptName}.jar`, 'dependencies.zip'],
      fileUpload: i % 3 === 0,
      directConnect: list.directConnect,
      translationProperties,
      connectorMetadata: metadata,
      status: list.status,
    };
    out.push({ list, detail, detailJson: Buffer.from(JSON.stringify(detail)), sourceConfigXml: Buffer.from(sourceConfigXml) });
  }
  return out;
}

const OWNERS = ['Aaron Nichols', 'Beatriz Ortega', 'Chen Wei', 'Dana Whitfield', 'Emeka Okafor', 'Fatima Zahra', 'Gustav Lind', 'Hana Sato'];
const APP_NAMES = [
  'Jira',
  'Slack',
  'Zoom',
  'Confluence',
  'Salesforce',
  'Workday',
  'ServiceNow',
  'GitHub',
  'Figma',
  'Box',
  'Dropbox',
  'Okta Dashboard',
  'Tableau',
  'SAP Concur',
  'DocuSign',
  'Zendesk',
  'HubSpot',
  'Miro',
  'Notion',
  'Asana',
];

interface SourceAppData {
  app: Record<string, unknown>;
  appJson: Buffer;
  accessProfileIds: string[];
}

function buildSourceApps(count: number): { apps: SourceAppData[]; accessProfiles: Map<string, Record<string, unknown>[]> } {
  const apps: SourceAppData[] = [];
  const accessProfiles = new Map<string, Record<string, unknown>[]>();
  for (let i = 0; i < count; i++) {
    const name = `${APP_NAMES[i % APP_NAMES.length]}${i >= APP_NAMES.length ? ` ${Math.floor(i / APP_NAMES.length) + 1}` : ''}`;
    const id = hexId(`app:${name}`);
    const owner = OWNERS[i % OWNERS.length];
    const sourceName = `${name} Source`;
    const app = {
      id,
      cloudAppId: String(8_000_000 + i),
      name,
      created: iso(i),
      modified: iso(i + 30),
      enabled: i % 7 !== 0,
      provisionRequestEnabled: i % 2 === 0,
      description: `${name} for employees and contractors; access is reviewed quarterly.`,
      matchAllAccounts: i % 3 === 0,
      appCenterEnabled: i % 5 !== 0,
      accountSource: {
        id: hexId(`source:${sourceName}`),
        type: 'SOURCE',
        name: sourceName,
        useForPasswordManagement: i % 4 === 0,
        passwordPolicies: i % 4 === 0 ? [{ type: 'PASSWORD_POLICY', id: hexId(`policy:${i}`), name: 'Corporate Standard' }] : null,
      },
      owner: { id: hexId(`identity:${owner}`), type: 'IDENTITY', name: owner },
    };
    const profiles: Record<string, unknown>[] = [];
    for (let p = 0; p < 6; p++) {
      const pname = `${name} ${['Members', 'Admins', 'Read Only', 'Billing', 'Auditors', 'Developers'][p]}`;
      profiles.push({
        id: hexId(`ap:${pname}`),
        name: pname,
        description: `Grants ${pname.toLowerCase()} access in ${name}.`,
        created: iso(i + p),
        modified: iso(i + p + 12),
        disabled: false,
        requestable: p !== 1,
        protected: p === 1,
        ownerId: app.owner.id,
        sourceId: 50_000 + i,
        sourceName,
        appId: Number(app.cloudAppId),
        appName: name,
        applicationId: id,
        type: 'source',
        entitlements: [hexId(`ent:${pname}:1`), hexId(`ent:${pname}:2`)],
        entitlementCount: 2,
        segments: [],
        approvalSchemes: p === 1 ? 'manager,appOwner' : 'manager',
        revokeRequestApprovalSchemes: 'manager',
        requestCommentsRequired: p === 1,
        deniedCommentsRequired: false,
        accountSelector: { selectors: null },
      });
    }
    accessProfiles.set(id, profiles);
    const accessProfileIds = profiles.map((p) => p.id as string);
    apps.push({ app, appJson: Buffer.from(JSON.stringify(app)), accessProfileIds });
  }
  return { apps, accessProfiles };
}

function buildCustomizers(count: number): Record<string, unknown>[] {
  const names = [
    'ad-password-policy-hook',
    'workday-termination-normalizer',
    'servicenow-group-prefixer',
    'salesforce-profile-mapper',
    'okta-mfa-status-enricher',
    'sap-role-expiry-guard',
    'github-team-sync-filter',
    'entra-license-annotator',
  ];
  return Array.from({ length: count }, (_, i) => {
    const name = `${names[i % names.length]}${i >= names.length ? `-${i}` : ''}`;
    const id = uuid(`customizer:${name}`);
    return {
      id,
      name,
      imageVersion: (i % 5) + 1,
      imageID: hexId(`image:${id}:${(i % 5) + 1}`),
      tenantID: '8c2f4a61d93e4b7f9e0a5c13b7d8e246',
      created: iso(i * 9),
    };
  });
}

/** 300: S7 frontend-2 pages through 15 pages of 20 (see FRONTEND2 in scenarios.ts). */
const connectors = buildConnectors(300);
const connectorsByScript = new Map(connectors.map((c) => [c.list.scriptName as string, c]));
/** 120: S7 frontend-2 looks up 20 consecutive apps from a random start among the first 120. */
const sourceApps = buildSourceApps(120);
const appsById = new Map(sourceApps.apps.map((a) => [a.app.id as string, a]));
const customizers = buildCustomizers(12);
const customizerJson = new Map(customizers.map((c) => [c.id as string, Buffer.from(JSON.stringify(c))]));

/** Ids and names the bench scenarios refer to (served at GET /__data). */
const MOCK_DATA = {
  sourceAppIds: sourceApps.apps.map((a) => a.app.id as string),
  scriptNames: connectors.map((c) => c.list.scriptName as string),
  customizerIds: customizers.map((c) => c.id as string),
};

// ---------------------------------------------------------------------------------------------
// Counters and rate limit

let stats: MockStats = freshStats();
let inFlight = 0;
const windows = new Map<string, number[]>();
const tokens = new Map<string, string>(); // token → client_id

function freshStats(): MockStats {
  return { calls: {}, callsByLayout: {}, total: 0, tokenRequests: 0, rateLimited: 0, statuses: {}, maxInFlight: 0 };
}

function count(route: string, layout: string): void {
  stats.calls[route] = (stats.calls[route] ?? 0) + 1;
  stats.callsByLayout[layout] = (stats.callsByLayout[layout] ?? 0) + 1;
  stats.total++;
}

/** Undefined when the call may go ahead; otherwise seconds to wait. Counts on arrival, like ISC. */
function rateLimited(clientId: string): number | undefined {
  if (!config.rateLimit) return undefined;
  const { limit, windowMs } = config.rateLimit;
  const now = Date.now();
  let log = windows.get(clientId);
  if (!log) windows.set(clientId, (log = []));
  let drop = 0;
  while (drop < log.length && log[drop] <= now - windowMs) drop++;
  if (drop) log.splice(0, drop);
  if (log.length >= limit) return Math.max(1, Math.ceil((log[0] + windowMs - now) / 1000));
  log.push(now);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP

const JSON_TYPE = 'application/json;charset=utf-8';
const memo = new Map<string, { body: Buffer; total?: number }>();

function send(res: ServerResponse, status: number, body: Buffer | string, type = JSON_TYPE, extra: Record<string, string> = {}): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
  res.writeHead(status, { 'content-type': type, 'content-length': payload.length, ...extra });
  res.end(payload);
}

const iscError = (status: number, text: string) =>
  JSON.stringify({
    detailCode: `${status}`,
    trackingId: randomBytes(16).toString('hex'),
    messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text }],
  });

function page<T>(items: readonly T[], query: URLSearchParams): { slice: T[]; total: number } {
  const limit = Math.min(Number(query.get('limit') ?? 250), 250);
  const offset = Number(query.get('offset') ?? 0);
  return { slice: items.slice(offset, offset + limit), total: items.length };
}

/** A list answer, serialized once per distinct query. */
function listAnswer(res: ServerResponse, key: string, query: URLSearchParams, build: () => { body: unknown[]; total: number }): void {
  let hit = memo.get(key);
  if (!hit) {
    const built = build();
    hit = { body: Buffer.from(JSON.stringify(built.body)), total: built.total };
    if (memo.size > 20_000) memo.clear();
    memo.set(key, hit);
  }
  send(res, 200, hit.body, JSON_TYPE, query.get('count') === 'true' ? { 'x-total-count': String(hit.total) } : {});
}

/** Ids of an `id in ("a","b")` filter, or undefined for any other filter. */
function idsOf(filters: string | null): string[] | undefined {
  const m = filters ? /^id in \((.*)\)$/.exec(filters.trim()) : null;
  if (!m) return undefined;
  return [...m[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]);
}

function applyPatch(target: Record<string, unknown>, body: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...target };
  const ops = JSON.parse(body) as { op: string; path: string; value?: unknown }[];
  for (const op of ops) {
    const field = op.path.split('/')[1];
    if (op.op === 'replace' || (op.op === 'add' && !op.path.endsWith('/-'))) copy[field] = op.value;
    else if (op.op === 'remove') delete copy[field];
    else if (op.op === 'add' && Array.isArray(copy[field])) copy[field] = [...(copy[field] as unknown[]), op.value];
  }
  copy.modified = new Date().toISOString();
  return copy;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
  stats.tokenRequests++;
  const params = new URLSearchParams(await readBody(req));
  await delay(config.tokenLatencyMs);
  if (params.get('grant_type') !== 'client_credentials' || params.get('client_id') !== CLIENT_ID || params.get('client_secret') !== CLIENT_SECRET) {
    send(res, 401, JSON.stringify({ error: 'invalid_client', error_description: 'Bad credentials' }));
    return;
  }
  const token = randomBytes(24).toString('base64url');
  tokens.set(token, CLIENT_ID);
  send(res, 200, JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: config.tokenLifetimeSeconds, scope: 'sp:scopes:all' }));
}

async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  { layout, parts }: { layout: string; parts: string[] },
  query: URLSearchParams,
  search: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const [resource, id, sub] = parts.map(decodeURIComponent); // a malformed one answers 500, as before
  const literal = resource === 'source-apps' && (id === 'all' || id === 'assigned');
  const param = resource === 'connectors' ? '{scriptName}' : '{id}';
  const route = `${method} /${resource}${id === undefined ? '' : `/${literal ? id : param}`}${sub ? `/${sub}` : ''}`;
  count(route, layout);

  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const clientId = token ? tokens.get(token) : undefined;
  if (!clientId) return send(res, 401, JSON.stringify({ error: 'JWT validation failed' }));
  const wait = rateLimited(clientId);
  if (wait !== undefined) {
    stats.rateLimited++;
    return send(res, 429, iscError(429, 'Too many requests for this client'), JSON_TYPE, { 'retry-after': String(wait) });
  }
  const body = method === 'GET' ? '' : await readBody(req);
  await delay(config.latencyMs);

  if (resource === 'source-apps' && req.headers['x-sailpoint-experimental'] !== 'true') {
    return send(res, 400, iscError(400, 'This API is experimental: X-SailPoint-Experimental: true is required'));
  }
  const key = `${pathname}?${search}`;

  if (resource === 'connectors') {
    if (id === undefined && method === 'GET') {
      return listAnswer(res, key, query, () => {
        const { slice, total } = page(connectors, query);
        return { body: slice.map((c) => c.list), total };
      });
    }
    const connector = id !== undefined ? connectorsByScript.get(id) : undefined;
    if (!connector) return send(res, 404, iscError(404, `Connector ${id} not found`));
    if (sub === undefined && method === 'GET') return send(res, 200, connector.detailJson);
    if (sub === undefined && method === 'PATCH') return send(res, 200, JSON.stringify(applyPatch(connector.detail, body)));
    if (sub === 'source-config' && method === 'GET') return send(res, 200, connector.sourceConfigXml, 'application/xml');
  }

  if (resource === 'connector-customizers' && method === 'GET') {
    if (id === undefined) {
      return listAnswer(res, key, query, () => {
        const { slice, total } = page(customizers, query);
        return { body: slice, total };
      });
    }
    const json = customizerJson.get(id);
    return json ? send(res, 200, json) : send(res, 404, iscError(404, `Customizer ${id} not found`));
  }

  if (resource === 'source-apps') {
    if ((id === undefined || id === 'all' || id === 'assigned') && sub === undefined && method === 'GET') {
      return listAnswer(res, key, query, () => {
        const ids = idsOf(query.get('filters'));
        const all = ids ? ids.flatMap((i) => appsById.get(i)?.app ?? []) : sourceApps.apps.map((a) => a.app);
        const { slice, total } = page(all, query);
        return { body: slice, total };
      });
    }
    const app = id !== undefined ? appsById.get(id) : undefined;
    if (!app) return send(res, 404, iscError(404, `Source app ${id} not found`));
    if (sub === undefined && method === 'GET') return send(res, 200, app.appJson);
    if (sub === undefined && method === 'PATCH') {
      return send(res, 200, JSON.stringify(applyPatch({ ...app.app, accessProfiles: app.accessProfileIds }, body)));
    }
    if (sub === 'access-profiles' && method === 'GET') {
      return listAnswer(res, key, query, () => {
        const { slice, total } = page(sourceApps.accessProfiles.get(app.app.id as string) ?? [], query);
        return { body: slice, total };
      });
    }
  }
  send(res, 404, iscError(404, `No route for ${method} ${pathname}`));
}

async function handleControl(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  if (pathname === '/__stats') return send(res, 200, JSON.stringify(stats));
  if (pathname === '/__data') return send(res, 200, JSON.stringify(MOCK_DATA));
  if (pathname === '/__reset' && req.method === 'POST') {
    stats = freshStats();
    stats.maxInFlight = inFlight;
    windows.clear();
    return send(res, 204, '');
  }
  if (pathname === '/__config' && req.method === 'POST') {
    const patch = JSON.parse((await readBody(req)) || '{}') as Partial<MockConfig>;
    Object.assign(config, patch);
    return send(res, 200, JSON.stringify(config));
  }
  send(res, 404, '{}');
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q + 1);
  let task: Promise<void>;
  const api = pathname.startsWith('/__') || pathname === '/oauth/token' ? undefined : apiPathOf(pathname);
  if (pathname.startsWith('/__')) task = handleControl(req, res, pathname);
  else if (pathname === '/oauth/token') task = handleToken(req, res);
  else if (api) {
    inFlight++;
    if (inFlight > stats.maxInFlight) stats.maxInFlight = inFlight;
    task = handleApi(req, res, pathname, api, new URLSearchParams(search), search).finally(() => inFlight--);
  } else task = Promise.resolve(send(res, 404, '{}'));
  task.catch((error: unknown) => {
    if (!res.headersSent) send(res, 500, iscError(500, (error as Error).message));
    else res.destroy();
  });
});
server.keepAliveTimeout = 60_000;

server.listen(Number(process.env.MOCK_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  if (process.send) process.send({ port });
  else process.stdout.write(`mock upstream on http://127.0.0.1:${port}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
