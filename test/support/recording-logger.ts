import type { Logger } from '../../src/log/logger.js';

export interface LogRecord {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps its records, for tests of what the gateway logs. */
export function recordingLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void records.push({ level, msg, fields });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    level: () => 'debug',
    setLevel: () => undefined,
    enabled: () => true,
  };
  return { logger, records };
}
