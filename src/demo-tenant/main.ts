/**
 * `npm run demo-tenant`: the demo tenant as its own process, so several gateway replicas can
 * share one upstream. Prints the variables a gateway needs (`SAIL_BASE_URL`, `SAIL_CLIENT_ID`,
 * `SAIL_CLIENT_SECRET`, `SAIL_API_KEYS`; with `--sign-in` also `SAIL_LOGIN_CLIENT_ID`,
 * `SAIL_LOGIN_CLIENT_SECRET`, `SAIL_AUTHORIZE_URL`); `--banner-file PATH` also writes them to PATH
 * once it listens, and removes PATH when it stops. SIGTERM or SIGINT closes it (exit 0). Settings:
 * see standalone.ts and docs/scale-out.md.
 */
import { rmSync } from 'node:fs';
import { startDemoTenant } from './server.js';
import { bannerLines, DemoTenantConfigError, loadStandaloneConfig, parseArguments, tenantOptions, writeBannerFile } from './standalone.js';

/** Stopping must not hang on anything: past this the process exits 1. */
const CLOSE_TIMEOUT_MS = 5_000;

try {
  const { bannerFile, signIn } = parseArguments(process.argv.slice(2));
  // A file left by an earlier run must not pass for this one's readiness.
  if (bannerFile) rmSync(bannerFile, { force: true });
  const config = loadStandaloneConfig();
  const tenant = await startDemoTenant(tenantOptions(config));

  // Installed before the banner: whoever waits for it may signal at once.
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      if (bannerFile) rmSync(bannerFile, { force: true });
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

  const banner = bannerLines(tenant, config, { signIn });
  // The file first: whoever has seen the banner may read it at once.
  if (bannerFile) writeBannerFile(bannerFile, banner);
  process.stdout.write(`${banner.join('\n')}\n`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    process.stderr.write(`warning: the demo tenant listens on ${config.host}; its client secret is public, keep it off shared networks\n`);
  }
} catch (error) {
  const reason =
    error instanceof DemoTenantConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ? `configuration error: ${(error as Error).message}`
      : `failed to start: ${(error as Error).message}`;
  process.stderr.write(`demo tenant ${reason}\n`);
  process.exitCode = 1;
}
