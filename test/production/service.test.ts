import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import { loadStandaloneConfig } from '../../src/demo-tenant/standalone.js';
import { postGraphQL, spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { spawnDemoTenant, type DemoTenantProcess } from '../support/demo-tenant-process.js';
import { envOf, execForm, healthcheckCommand, instructions, nodeFlags, parseDockerfile, type Stage } from '../support/dockerfile.js';
import { freePort } from '../support/ports.js';
import { alive, childrenOf } from '../support/processes.js';

/**
 * The gateway as a service. Images cannot be built on these machines, so this test does what the
 * image does: it reads the runtime stage's files, install command, environment, health check and
 * CMD from the Dockerfile itself, runs them in a fresh directory with the built dist/ (a
 * production install: no runtime import may need a dev dependency), and checks that the service
 * answers a query, that its V8 flags are npm start's, and that SIGTERM — to the service command's
 * PID and to npm start's — ends it gracefully with nothing left running.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'service-test-key';
const QUERY = '{ connectors(limit: 2) { items { name } } }';

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build')!;
const serviceCommand = execForm(instructions(runtime, 'CMD')[0]);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}
const compose = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
/** compose's health check of the demo tenant: `test: ['CMD', program, ...args]`. */
const demoTenantHealthcheck = compose.services['demo-tenant'].healthcheck;

/** The command npm start runs once the build is fresh: what follows `exec` in its script. */
const npmStartCommand = packageJson.scripts.start.split('&& exec ')[1].split(/\s+/);

const commandLine = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

/**
 * Runs the runtime stage's RUN lines in `dir`. `npm ci` gets `--prefer-offline` (this machine's
 * npm cache serves it); `npm cache clean` only slims the image layer and would empty this machine's
 * cache, so it is left out. Anything else is unknown to this test and fails it.
 */
function runInstall(stage: Stage, dir: string): string[] {
  const ran: string[] = [];
  for (const command of instructions(stage, 'RUN').flatMap((run) => run.split('&&').map((c) => c.trim()))) {
    if (command.startsWith('npm cache clean')) continue;
    if (!command.startsWith('npm ci')) throw new Error(`the runtime stage runs "${command}": teach test/production/service.test.ts what it does`);
    execFileSync('sh', ['-c', `${command} --prefer-offline`], { cwd: dir, stdio: 'pipe', timeout: 180_000 });
    ran.push(command);
  }
  return ran;
}

/** Copies what the runtime stage's COPY lines name: from the build context (the repository) or from the build stage (the built repository). */
function copyFiles(stage: Stage, dir: string): void {
  const buildWorkdir = instructions(build, 'WORKDIR')[0];
  for (const args of instructions(stage, 'COPY')) {
    const words = args.split(/\s+/);
    const fromBuild = words[0] === '--from=build';
    const paths = fromBuild ? words.slice(1) : words;
    const destination = paths.pop()!;
    for (const source of paths) {
      const inRepo = fromBuild ? source.replace(new RegExp(`^${buildWorkdir}/`), '') : source;
      const target = destination.endsWith('/') ? join(dir, destination, inRepo) : join(dir, destination);
      cpSync(join(ROOT, inRepo), target, { recursive: true });
    }
  }
}

let fresh: string;
let installed: string[];
beforeAll(() => {
  // dist/ as the build stage makes it (npm run build), reused when fresh.
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  fresh = mkdtempSync(join(tmpdir(), 'gateway-runtime-'));
  copyFiles(runtime, fresh);
  installed = runInstall(runtime, fresh);
}, 240_000);
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

describe('the Dockerfile', () => {
  it('builds with dev dependencies and runs with production ones only, as a non-root user', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(instructions(build, 'RUN')).toEqual(['npm ci --no-audit --no-fund', 'npm run build']);
    expect(installed).toEqual(['npm ci --omit=dev --no-audit --no-fund']);
    expect(existsSync(join(fresh, 'node_modules', 'typescript'))).toBe(false);
    expect(instructions(runtime, 'USER')).toEqual(['node']);
  });

  it('runs node itself with the V8 flags of npm start and the documented service command', () => {
    expect(serviceCommand[0]).toBe('node');
    expect(serviceCommand.at(-1)).toBe('dist/src/index.js');
    expect(nodeFlags(serviceCommand)).toEqual(['--heap-growing-percent=100', '--no-allocation-site-pretenuring']);
    expect(npmStartCommand).toEqual(serviceCommand);
    const documented = readFileSync(join(ROOT, 'docs/production.md'), 'utf8');
    expect(documented).toContain(serviceCommand.join(' '));
  });
});

/** The image's HEALTHCHECK command, run as written with `env` (and nothing of this test's own port settings). */
function runHealthcheck(env: Record<string, string | undefined>): number | null {
  const [, ...args] = healthcheckCommand(runtime);
  return spawnSync(process.execPath, args, { env: { ...process.env, SAIL_PORT: undefined, PORT: undefined, ...env }, timeout: 15_000 }).status;
}

/** A free port other than `taken`. */
async function anotherFreePort(taken: number): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort();
    if (port !== taken) return port;
  }
  throw new Error(`no free port other than ${taken} in 10 attempts`);
}

describe('the runtime stage, run outside Docker against the standalone demo tenant', () => {
  let tenant: DemoTenantProcess;
  let gateway: ChildGateway;
  let port: number;
  let containerEnv: Record<string, string>;
  beforeAll(async () => {
    // The demo tenant as compose runs it: the same production install.
    tenant = await spawnDemoTenant({ NODE_ENV: 'production' }, 20_000, { args: ['dist/src/demo-tenant/main.js'], cwd: fresh });
    port = await freePort();
    containerEnv = {
      ...envOf(runtime),
      SAIL_HOST: '127.0.0.1', // the test's loopback instead of the container's 0.0.0.0
      SAIL_PORT: String(port),
      // A platform's PORT as well, where nothing listens: SAIL_PORT wins over it.
      PORT: String(await anotherFreePort(port)),
      ...tenant.gatewayEnv,
      SAIL_API_KEYS: KEY,
    };
    gateway = await spawnGateway(containerEnv, 30_000, { command: process.execPath, args: serviceCommand.slice(1), cwd: fresh });
  }, 60_000);
  afterAll(() => {
    gateway?.kill();
    tenant?.kill();
  });

  it('answers a query with production dependencies only', async () => {
    expect(containerEnv.NODE_ENV).toBe('production');
    const answer = await postGraphQL<{ connectors: { items: { name: string }[] } }>(gateway.url, QUERY, undefined, { 'x-api-key': KEY });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.connectors.items).toHaveLength(2);
  });

  it("passes the image's HEALTHCHECK (node -e fetch of /readyz), which asks SAIL_PORT when it is set, as the gateway listens there rather than on PORT", () => {
    expect(healthcheckCommand(runtime)[0]).toBe('node');
    expect(new URL(gateway.url).port).toBe(containerEnv.SAIL_PORT);
    expect(runHealthcheck(containerEnv)).toBe(0);
  });

  it("listens on a platform's PORT when SAIL_PORT is not given (the image sets PORT, not SAIL_PORT), and its HEALTHCHECK follows", async () => {
    const platformPort = await anotherFreePort(port);
    const onPlatform = { ...envOf(runtime), SAIL_HOST: '127.0.0.1', PORT: String(platformPort), ...tenant.gatewayEnv, SAIL_API_KEYS: KEY };
    // As the gateway reads its settings: the image's ENV leaves the port to PORT.
    expect(loadConfig(onPlatform).server.port).toBe(platformPort);
    // The image's ENV decides the port, not spawnGateway's default.
    const started = await spawnGateway({ SAIL_PORT: undefined, ...onPlatform }, 30_000, {
      command: process.execPath,
      args: serviceCommand.slice(1),
      cwd: fresh,
    });
    try {
      expect(new URL(started.url).port).toBe(String(platformPort));
      expect(runHealthcheck(onPlatform)).toBe(0);
    } finally {
      started.kill();
      await started.exited;
    }
    // Stopped, the check fails: it asked the gateway, not something else.
    expect(runHealthcheck(onPlatform)).toBe(1);
  }, 40_000);

  it("with the image's own SAIL_HOST (0.0.0.0, production) and /metrics unprotected: refuses to start, naming the three ways out", async () => {
    const unprotected = { ...envOf(runtime), PORT: String(await anotherFreePort(port)), ...tenant.gatewayEnv, SAIL_API_KEYS: KEY };
    expect(unprotected).toMatchObject({ NODE_ENV: 'production', SAIL_HOST: '0.0.0.0' });
    const refused = spawnSync(process.execPath, serviceCommand.slice(1), {
      cwd: fresh,
      env: { ...process.env, SAIL_PORT: undefined, ...unprotected },
      timeout: 30_000,
    });
    expect(refused.status).toBe(1);
    const output = `${refused.stdout.toString()}${refused.stderr.toString()}`;
    expect(output).toContain('Configuration error');
    for (const way of ['SAIL_METRICS_TOKEN', 'SAIL_METRICS_PORT', 'SAIL_METRICS=off']) expect(output).toContain(way);
  }, 40_000);

  it("with the image's own SAIL_HOST and a metrics token: serves, and /metrics answers only the token", async () => {
    const token = 'service-test-metrics-token';
    const withToken = {
      ...envOf(runtime),
      PORT: String(await anotherFreePort(port)),
      ...tenant.gatewayEnv,
      SAIL_API_KEYS: KEY,
      SAIL_METRICS_TOKEN: token,
    };
    const started = await spawnGateway({ SAIL_PORT: undefined, SAIL_HOST: undefined, ...withToken }, 30_000, {
      command: process.execPath,
      args: serviceCommand.slice(1),
      cwd: fresh,
    });
    try {
      const metricsUrl = `http://127.0.0.1:${withToken.PORT}/metrics`;
      expect((await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) })).status).toBe(401);
      const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      expect(scraped.status).toBe(200);
    } finally {
      started.kill();
      await started.exited;
    }
  }, 40_000);

  it("passes compose's health check of the demo tenant, where the image's own (the gateway's /readyz) fails", () => {
    const tenantEnv = {
      ...process.env,
      ...envOf(runtime),
      ...compose.services['demo-tenant'].environment,
      SAIL_DEMO_TENANT_PORT: new URL(tenant.baseUrl).port,
    };
    const [, program, ...args] = demoTenantHealthcheck!.test!;
    expect(program).toBe('node');
    expect(spawnSync(process.execPath, args, { env: tenantEnv, timeout: 15_000 }).status).toBe(0);
    expect(runHealthcheck({ ...tenantEnv, SAIL_PORT: tenantEnv.SAIL_DEMO_TENANT_PORT })).toBe(1);
  });

  it('on SIGTERM to its PID: drains, exits 0, leaves nothing running; then the health check fails', async () => {
    const pid = gateway.child.pid!;
    expect(childrenOf(pid)).toEqual([]);
    gateway.child.kill('SIGTERM');
    const { code, signal } = await gateway.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(alive(pid)).toBe(false);
    expect(gateway.records().some((r) => r.msg === 'Gateway stopped' && r.drained === true)).toBe(true);
    expect(runHealthcheck(containerEnv)).toBe(1);
  });
});

describe('npm start', () => {
  it('execs node (no shell in between), so SIGTERM to npm reaches the gateway: exit 0, nothing left running', async () => {
    const started = await spawnGateway({}, 60_000, { command: 'npm', args: ['start'], cwd: ROOT });
    try {
      const npmPid = started.child.pid!;
      const children = childrenOf(npmPid);
      expect(children).toHaveLength(1);
      const gatewayPid = children[0];
      expect(commandLine(gatewayPid).slice(1)).toEqual(serviceCommand.slice(1));
      started.child.kill('SIGTERM');
      const { code, signal } = await started.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(alive(gatewayPid)).toBe(false);
      expect(started.records().some((r) => r.msg === 'Gateway stopped' && r.drained === true)).toBe(true);
    } finally {
      started.kill();
    }
  }, 90_000);
});

describe('compose.yaml', () => {
  const services = compose.services;
  const gateways = Object.entries(services).filter(([, s]) => s.image === 'isc-graphql-gateway' && !s.command);

  it('runs two gateway replicas on their own host ports, sharing one Redis, in front of the standalone demo tenant', () => {
    expect(gateways.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2']);
    expect(new Set(gateways.map(([, s]) => s.ports?.[0].split(':')[0])).size).toBe(2);
    expect(services['demo-tenant'].command).toEqual(['node', 'dist/src/demo-tenant/main.js']);
    expect(services.redis.image).toMatch(/^redis:/);
    const demo = loadStandaloneConfig({ ...envOf(runtime), ...services['demo-tenant'].environment });
    for (const [name, service] of gateways) {
      const env = { ...envOf(runtime), ...service.environment };
      // Each replica's settings are valid as the gateway reads them (http to the demo tenant allowed explicitly).
      const config = loadConfig(env);
      expect({ name, base: config.upstream.baseUrl, redis: config.redis.url, replicas: env.SAIL_REPLICAS }).toEqual({
        name,
        base: `http://demo-tenant:${demo.port}`,
        redis: 'redis://redis:6379',
        replicas: String(gateways.length),
      });
      expect(config.auth.apiKeys.length).toBeGreaterThan(0);
      // The container port of the mapping is the one the replica listens on (the image's PORT).
      expect({ name, port: config.server.port }).toEqual({ name, port: Number(service.ports?.[0].split(':')[1]) });
    }
  });

  it("gives the demo tenant a health check of its own: the image's asks the gateway's /readyz, which the demo tenant has not", () => {
    const imageCheck = ['CMD', ...healthcheckCommand(runtime)];
    expect(demoTenantHealthcheck?.disable).not.toBe(true);
    expect(demoTenantHealthcheck?.test?.[0]).toBe('CMD');
    expect(demoTenantHealthcheck?.test).not.toEqual(imageCheck);
    expect(demoTenantHealthcheck?.test?.join(' ')).not.toContain('/readyz');
    expect(demoTenantHealthcheck?.test?.join(' ')).toContain('SAIL_DEMO_TENANT_PORT');
    // The gateways keep the image's check.
    for (const [name, service] of gateways) expect({ name, healthcheck: service.healthcheck }).toEqual({ name, healthcheck: undefined });
  });
});
