/**
 * The practical floor for a Node gateway: a bare `node:http` server that answers the bench's
 * logical requests (`POST /<scenario>` with the same JSON body the gateway gets) by making the
 * same ISC calls with `node:http` and a keep-alive agent sized like the gateway's, with a cached,
 * single-flight client-credentials token — and no GraphQL: no parsing, validation or execution,
 * just JSON in, the calls, the fields picked, JSON out.
 *
 * Env: BARE_PORT (0), SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET, and the gateway's
 * SAIL_API_PATHS (`per-resource`, the default: `/connectors/v1/…`; or `v2024` with SAIL_API_PREFIX,
 * default `/v2024`). Reports `{ port }` over IPC when forked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const base = new URL(process.env.SAIL_BASE_URL ?? 'http://127.0.0.1:4010');
const yearVersioned = process.env.SAIL_API_PATHS === 'v2024';
const apiPrefix = (process.env.SAIL_API_PREFIX || '/v2024').replace(/\/+$/, '');
/** `source-apps/all` in the layout in use: `/source-apps/v1/all` or `/v2024/source-apps/all`. */
const apiPath = (path: string): string => {
  if (yearVersioned) return `${apiPrefix}/${path}`;
  const [resource, ...rest] = path.split('/');
  return `/${[resource, 'v1', ...rest].join('/')}`;
};
const clientId = process.env.SAIL_CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.SAIL_CLIENT_SECRET ?? 'bench-secret';
/** Same pool as the gateway's ISC client (src/isc/agents.ts keepAliveAgents). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 30_000 });

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP exchange. Its callbacks are named `request…` so a CPU profile can sum the client's time. */
function request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      function requestOnResponse(res) {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', function requestOnData(chunk: string) {
          text += chunk;
        });
        res.on('end', function requestOnEnd() {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let token: { value: string; expiresAt: number } | undefined;
let tokenInFlight: Promise<string> | undefined;

function getToken(): Promise<string> {
  if (token && Date.now() < token.expiresAt) return Promise.resolve(token.value);
  tokenInFlight ??= (async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
    const answer = await request('POST', '/oauth/token', { 'content-type': 'application/x-www-form-urlencoded' }, form);
    if (answer.status !== 200) throw new Error(`token endpoint answered ${answer.status}`);
    const { access_token, expires_in } = JSON.parse(answer.body) as { access_token: string; expires_in: number };
    token = { value: access_token, expiresAt: Date.now() + expires_in * 900 };
    return access_token;
  })().finally(() => {
    tokenInFlight = undefined;
  });
  return tokenInFlight;
}

/** One ISC call, with the headers the gateway sends. */
async function isc<T>(
  method: string,
  path: string,
  options: { search?: Record<string, string | number>; patch?: unknown; experimental?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${await getToken()}`,
    accept: 'application/json',
    'user-agent': 'isc-graphql-gateway-bare',
  };
  if (options.experimental) headers['x-sailpoint-experimental'] = 'true';
  let body: string | undefined;
  if (options.patch !== undefined) {
    headers['content-type'] = 'application/json-patch+json';
    body = JSON.stringify(options.patch);
  }
  const search = options.search
    ? `?${new URLSearchParams(Object.entries(options.search).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : '';
  const answer = await request(method, `${apiPath(path)}${search}`, headers, body);
  if (answer.status >= 400) throw new Error(`ISC answered ${answer.status} to ${method} ${path}`);
  return JSON.parse(answer.body) as T;
}

type Json = Record<string, any>;
type Variables = Record<string, any>;

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

async function appsByIds(ids: string[]): Promise<Map<string, Json>> {
  const unique = [...new Set(ids)];
  const apps = await isc<Json[]>('GET', 'source-apps/all', {
    search: { filters: `id in (${unique.map(quote).join(',')})`, limit: unique.length },
    experimental: true,
  });
  return new Map(apps.map((a) => [a.id as string, a]));
}

const handlers: Record<string, (v: Variables) => Promise<unknown>> = {
  async s1(v) {
    const limit = v.limit as number;
    const list = await isc<Json[]>('GET', 'connectors', { search: { limit: limit + 1, offset: 0 } });
    return { connectors: { items: list.slice(0, limit).map((c) => ({ name: c.name ?? null, type: c.type ?? null, scriptName: c.scriptName })) } };
  },
  async s2(v) {
    const limit = v.limit as number;
    const list = (await isc<Json[]>('GET', 'connectors', { search: { limit: limit + 1, offset: 0 } })).slice(0, limit);
    const details = await Promise.all(list.map((c) => isc<Json>('GET', `connectors/${encodeURIComponent(c.scriptName as string)}`)));
    return {
      connectors: { items: list.map((c, i) => ({ scriptName: c.scriptName, name: c.name ?? null, fileUpload: details[i].fileUpload ?? null })) },
    };
  },
  async s3(v) {
    const app = (await appsByIds([v.id as string])).get(v.id as string);
    if (!app) return { a: null, b: null };
    return {
      a: { id: app.id, name: app.name ?? null, owner: app.owner ? { name: app.owner.name ?? null } : null },
      b: { id: app.id, name: app.name ?? null, description: app.description ?? null },
    };
  },
  async s4(v) {
    const byId = await appsByIds(Object.values(v) as string[]);
    return Object.fromEntries(
      Object.entries(v).map(([alias, id]) => {
        const app = byId.get(id as string);
        return [alias, app ? { id: app.id, name: app.name ?? null, owner: app.owner ? { name: app.owner.name ?? null } : null } : null];
      }),
    );
  },
  async s5(v) {
    const app = await isc<Json>('PATCH', `source-apps/${encodeURIComponent(v.id as string)}`, {
      patch: [{ op: 'replace', path: '/description', value: v.description }],
      experimental: true,
    });
    return { updateSourceApp: { id: app.id, name: app.name ?? null, description: app.description ?? null, modified: app.modified ?? null } };
  },
};

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const handler = handlers[(req.url ?? '/').slice(1)];
  if (req.url === '/healthz') return reply(res, 200, { status: 'ok' });
  if (!handler || req.method !== 'POST') return reply(res, 404, { error: 'not found' });
  readBody(req)
    .then((text) => handler((JSON.parse(text) as { variables?: Variables }).variables ?? {}))
    .then(
      (data) => reply(res, 200, { data }),
      (error: unknown) => reply(res, 502, { errors: [{ message: (error as Error).message }] }),
    );
});
server.keepAliveTimeout = 60_000;

server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  if (process.send) process.send({ port });
  else process.stdout.write(`bare proxy on http://127.0.0.1:${port}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
