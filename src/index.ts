import { ConfigError, loadConfig } from './config.js';
import { startGateway } from './gateway.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

try {
  const gateway = await startGateway(loadConfig(), log);
  log(`ISC GraphQL gateway ready at ${gateway.url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      gateway.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? 'Configuration error' : 'Failed to start'}: ${(error as Error).message}\n`);
  process.exit(1);
}
