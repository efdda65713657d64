import { jest } from '@jest/globals';
import type { LogSink, LogStreams } from '../../src/log/destinations.js';
import { createLogger, type Logger, type LoggerOptions } from '../../src/log/logger.js';

/** The JSON records in `text`: its lines that start with `{`, parsed, in order. */
function jsonRecords(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface CapturedOutput {
  /** A logger's `output`: what it writes lands in `written`. */
  streams: LogStreams;
  written: { stream: 'stdout' | 'stderr'; text: string }[];
  /** Everything written, as one string. */
  text(): string;
  /** The JSON records written, in order. */
  records(): Record<string, unknown>[];
}

/** Two in-memory streams to hand a logger (`createLogger({ output })`), so a test reads what it wrote. */
export function captureOutput(): CapturedOutput {
  const written: CapturedOutput['written'] = [];
  const stream = (name: 'stdout' | 'stderr') => ({ write: (text: string) => written.push({ stream: name, text }) });
  const text = () => written.map((w) => w.text).join('');
  return {
    streams: { stdout: stream('stdout'), stderr: stream('stderr') },
    written,
    text,
    records: () => jsonRecords(text()),
  };
}

export interface CapturedLogger {
  logger: Logger;
  /** Each line the logger wrote (JSON, without its newline), with its level, in order. */
  lines: { level: Parameters<LogSink>[0]; line: string }[];
  /** The lines, parsed. */
  records: () => Record<string, unknown>[];
}

/** A logger (`createLogger(options)`) writing through a sink function (`output`) into `lines`. */
export function captureLogger(options: Omit<LoggerOptions, 'output'> = {}): CapturedLogger {
  const lines: CapturedLogger['lines'] = [];
  const logger = createLogger({ ...options, output: (level, line) => lines.push({ level, line }) });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l.line) as Record<string, unknown>) };
}

/**
 * The text of one write or console call: its arguments joined by spaces, strings as they are,
 * bytes as UTF-8, anything else as JSON (or `String()` of it where JSON has none).
 */
export function textOf(...args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : a instanceof Uint8Array ? Buffer.from(a).toString('utf8') : (JSON.stringify(a) ?? String(a))))
    .join(' ');
}

export interface CapturedText {
  /** The text of each call captured (see `textOf`), in order. */
  chunks: string[];
  /** Captures one call: a stream's `write` or a console method. */
  capture: (...args: unknown[]) => void;
  /** A logger's `output` whose writes, to either stream, are captured. */
  streams: LogStreams;
  /** The JSON records among the captured text, in order. */
  records: () => Record<string, unknown>[];
  /** Captures console.log, info, warn, error, debug and trace instead of printing them (`jest.restoreAllMocks()` undoes it). */
  spyOnConsole: () => void;
  /** Captures what is written to process.stdout and process.stderr, which still reaches them (`jest.restoreAllMocks()` undoes it). */
  spyOnStandardStreams: () => void;
}

/** Collects the text of writes and console calls, for tests that scan everything a run printed. */
export function captureText(): CapturedText {
  const chunks: string[] = [];
  const capture = (...args: unknown[]) => void chunks.push(textOf(...args));
  return {
    chunks,
    capture,
    streams: { stdout: { write: capture }, stderr: { write: capture } },
    records: () => jsonRecords(chunks.join('')),
    spyOnConsole: () => {
      for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
        jest.spyOn(console, method).mockImplementation((...args: unknown[]) => capture(...args));
      }
    },
    spyOnStandardStreams: () => {
      for (const stream of [process.stdout, process.stderr]) {
        const write = stream.write.bind(stream);
        jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, encoding?: BufferEncoding, cb?: (err?: Error | null) => void) => {
          capture(chunk);
          return write(chunk, encoding, cb);
        });
      }
    },
  };
}
