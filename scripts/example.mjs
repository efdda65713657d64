#!/usr/bin/env node
/**
 * `npm run example`: the example frontend (examples/frontend/README.md) served by the gateway on
 * the built-in demo tenant. Builds dist/ if the sources are newer, bundles the frontend, then runs
 * the gateway as `npm start` does, with the frontend at /app/ and its trusted documents only, and
 * prints the URL to open once the gateway answers.
 *
 * The gateway runs in a process group of its own, so that Ctrl-C reaches it once, through this
 * script (a terminal signals the whole foreground group, and npm forwards the signal as well): a
 * second signal would make the gateway skip its graceful drain. SIGINT, SIGTERM and SIGHUP are
 * passed on; the gateway's exit code is this script's. npm forwards SIGINT and SIGTERM to the
 * shell it runs the script in, so package.json `exec`s node: Debian's sh (dash) would keep the
 * shell in between, die of SIGTERM (leaving this script and the gateway running) and hold SIGINT
 * until its command ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FRONTEND_DIR = join(ROOT, 'examples/frontend/dist');
const TRUSTED_DOCUMENTS = join(ROOT, 'examples/frontend/src/gql/persisted-documents.json');
/** npm start's command line (package.json), from `node` on. */
const GATEWAY = ['--heap-growing-percent=100', '--no-allocation-site-pretenuring', join(ROOT, 'dist/src/index.js')];
/** Signals with the same name that arrive within this time are one Ctrl-C (the terminal's and npm's copies). */
const SAME_SIGNAL_MS = 500;

function run(script, args = []) {
  const { status, signal } = spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 128 + (constants.signals[signal] ?? 0));
}

run('build.mjs', ['--if-stale']);
run('build-example.mjs');

// The demo tenant: its seeded users sign in at its own sign-in page. Credentials for a real tenant
// would make the gateway refuse the demo, so they are left out (with a note).
const env = { ...process.env, SAIL_FRONTEND_DIR: FRONTEND_DIR, SAIL_TRUSTED_DOCUMENTS: TRUSTED_DOCUMENTS };
const dropped = ['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET'].filter((name) => env[name]);
for (const name of dropped) delete env[name];
if (dropped.length > 0) process.stderr.write(`npm run example uses the built-in demo tenant: ignoring ${dropped.join(', ')}\n`);

const port = Number(env.SAIL_PORT || env.PORT || 4000);
const host = env.SAIL_HOST || env.HOST || '127.0.0.1';
const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

const gateway = spawn(process.execPath, GATEWAY, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });

let exited = false;
const lastSignal = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    const previous = lastSignal.get(signal);
    lastSignal.set(signal, now);
    if (previous !== undefined && now - previous < SAME_SIGNAL_MS) return;
    if (!exited) gateway.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}
gateway.on('exit', (code, signal) => {
  exited = true;
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
gateway.on('error', (error) => {
  process.stderr.write(`Cannot start the gateway: ${error.message}\n`);
  process.exit(1);
});

/** Waits for /healthz, then says where to go. `localhost`: the sign-in cookies belong to that host name. */
async function announce() {
  if (port === 0) {
    process.stderr.write('SAIL_PORT=0: the gateway picks a port; open http://localhost:<its port>/app/ (see its "ready" log line)\n');
    return;
  }
  const deadline = Date.now() + 60_000;
  while (!exited && Date.now() < deadline) {
    try {
      const response = await fetch(`http://${probeHost}:${port}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) {
        process.stdout.write(`\nExample frontend: open http://localhost:${port}/app/ (Ctrl-C stops the gateway)\n\n`);
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
await announce();
