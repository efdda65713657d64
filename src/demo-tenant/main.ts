/**
 * `npm run demo-tenant`: the demo tenant as its own process, so several gateway replicas can
 * share one upstream. Prints `SAIL_BASE_URL` / `SAIL_CLIENT_ID` / `SAIL_CLIENT_SECRET` lines for
 * the gateways; SIGTERM or SIGINT closes it (exit 0). Settings: see standalone.ts and the README.
 */
import { startDemoTenant } from './server.js';
import { bannerLines, DemoTenantConfigError, loadStandaloneConfig, tenantOptions } from './standalone.js';

/** Stopping must not hang on anything: past this the process exits 1. */
const CLOSE_TIMEOUT_MS = 5_000;

try {
  const config = loadStandaloneConfig();
  const tenant = await startDemoTenant(tenantOptions(config));

  // Installed before the banner: whoever waits for it may signal at once.
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      setTimeout(() => {
        process.stderr.write(`demo tenant did not close within ${CLOSE_TIMEOUT_MS} ms; exiting\n`);
        process.exit(1);
      }, CLOSE_TIMEOUT_MS).unref();
      tenant.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`demo tenant failed to close: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }

  process.stdout.write(`${bannerLines(tenant, config).join('\n')}\n`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    process.stderr.write(`warning: the demo tenant listens on ${config.host}; its client secret is public, keep it off shared networks\n`);
  }
} catch (error) {
  const reason = error instanceof DemoTenantConfigError ? `configuration error: ${error.message}` : `failed to start: ${(error as Error).message}`;
  process.stderr.write(`demo tenant ${reason}\n`);
  process.exitCode = 1;
}
