import { ConfigError, loadConfig } from './config/index.js';
import { startGateway } from './gateway.js';
import { log } from './log/logger.js';
import { setPrettyOutput } from './log/destinations.js';
import { VERSION } from './shared/package.js';

try {
  const config = loadConfig();
  log.setLevel(config.observability.logLevel);
  if (config.observability.logPretty && !setPrettyOutput(true)) {
    log.warn('SAIL_LOG_PRETTY is on but pino-pretty is not installed (a production install): logging JSON lines');
  }
  const gateway = await startGateway(config, log);
  log.info('ISC GraphQL gateway ready', { url: gateway.publicUrl, version: VERSION });
  // Wrong credentials are said once at start, not discovered by the first caller; serving never waits for it.
  void gateway.checkCredentials().then(({ ok, message }) => (ok ? log.info(message) : log.warn(message)));

  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (signalled) {
        // A second signal: the operator does not want to wait for the drain.
        log.warn('Second signal: exiting without waiting for in-flight requests', { signal });
        process.exit(1);
      }
      signalled = true;
      log.info('Signal received', { signal, graceMs: config.server.shutdownGraceMs });
      // Backstop: stopping must never outlast the grace period by much, whatever hangs.
      setTimeout(() => {
        log.error('Shutdown did not finish in time; exiting', { graceMs: config.server.shutdownGraceMs });
        process.exit(1);
      }, config.server.shutdownGraceMs + 5_000).unref();
      gateway.shutdown().then(
        ({ drained }) => process.exit(drained ? 0 : 1),
        (error: unknown) => {
          log.error('Shutdown failed', { error });
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  if (log.level() === 'silent') log.setLevel('error'); // a process that exits 1 says why
  if (error instanceof ConfigError) log.error('Configuration error', { error: error.message });
  else log.error('Failed to start', { error });
  process.exitCode = 1;
  // Let the log line flush before the process ends (stdout/stderr may be pipes).
  setImmediate(() => process.exit(1));
}
