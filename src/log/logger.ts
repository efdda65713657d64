/**
 * The gateway's logger: pino underneath, one JSON line per event (info and debug to stdout, warn
 * and error to stderr) with `time` (ISO), `level` (label), `msg` and the fields at top level, or
 * pino-pretty's readable lines in development (`SAIL_LOG_PRETTY`). The call shape is
 * `log.info(msg, fields)`. Every record is redacted first (see redaction.ts); destinations.ts
 * says where lines go.
 */
import pino from 'pino';
import { parseLogLevel, type LogLevel } from './levels.js';

export { LOG_LEVELS, parseLogLevel, type LogLevel } from './levels.js';
import { levelledDestination, type LogSink, type LogStreams } from './destinations.js';
import { PINO_REDACT, redactFields, redactText } from './redaction.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  level(): LogLevel;
  setLevel(level: LogLevel): void;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

/** `SAIL_LOG_LEVEL` (or its earlier name `LOG_LEVEL`), else `info` (`silent` under `NODE_ENV=test`, so test runs print only their own output). */
export function defaultLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  return parseLogLevel(env.SAIL_LOG_LEVEL ?? env.LOG_LEVEL) ?? (env.NODE_ENV === 'test' ? 'silent' : 'info');
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go: a function, or two streams; the process's stdout and stderr by default. */
  output?: LogSink | LogStreams;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const now = options.now ?? (() => new Date());
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: null, // no pid or hostname: the platform's log pipeline adds where a line came from
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }), log: redactFields },
      // Errors are already plain redacted objects (formatters.log): pino's error serializer would rebuild them.
      serializers: { err: (value: unknown) => value },
      redact: PINO_REDACT,
    },
    levelledDestination(options.output),
  );
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (logger.isLevelEnabled(level)) logger[level](fields ?? {}, redactText(msg));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    level: () => logger.level as LogLevel,
    setLevel: (level) => {
      logger.level = level;
    },
    enabled: (level) => logger.isLevelEnabled(level),
  };
}

/** The process-wide logger. */
export const log: Logger = createLogger({ level: defaultLogLevel() });
