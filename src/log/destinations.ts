/**
 * Where log lines go: file descriptors 1 (debug, info) and 2 (warn, error), written synchronously
 * (stdout buffered), in JSON or pino-pretty's readable form; or a sink function (tests, embedding
 * code); or streams given by the caller.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream } from 'pino';
import type { LogLevel } from './levels.js';

/** pino's level numbers (its defaults) and the labels the gateway writes. */
const WARN = 40;
const LABELS: Record<number, Exclude<LogLevel, 'silent'>> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error' };

/** Turns a JSON line into pino-pretty's readable form, while pretty output is on. */
let prettify: ((line: string) => string) | undefined;

/** A pino destination that learns each line's level from pino (the `pino.metadata` protocol). */
interface LevelledDestination extends DestinationStream {
  lastLevel: number;
}

/**
 * Synchronous writers on file descriptors 1 and 2 (created on first use): `process.stdout` on a
 * pipe writes asynchronously, and `process.exit` would drop what is still queued. Write errors (a
 * closed descriptor) are dropped: logging must never take the gateway down. stdout is buffered
 * (8 KB or 100 ms, flushed at exit) because a system call per line is a visible share of CPU.
 */
const STDOUT_BUFFER_BYTES = 8 * 1024; // below sonic-boom's 16 KB write size
const STDOUT_FLUSH_MS = 100;
const descriptors = new Map<1 | 2, DestinationStream>();

/**
 * Node puts stdio pipes in non-blocking mode, where a synchronous write to a full pipe (a lagging
 * log collector) makes sonic-boom sleep 100 ms per retry; in blocking mode the write waits only
 * until the reader has made room (`bench/log-backpressure.ts` shows both).
 */
function blockOnFullPipe(stream: NodeJS.WriteStream): void {
  const handle = (stream as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  handle?.setBlocking?.(true);
}

function descriptor(fd: 1 | 2): DestinationStream {
  let destination = descriptors.get(fd);
  if (!destination) {
    blockOnFullPipe(fd === 1 ? process.stdout : process.stderr);
    const buffered = fd === 1;
    const boom = pino.destination({ dest: fd, sync: true, minLength: buffered ? STDOUT_BUFFER_BYTES : 0 });
    // A descriptor whose reader has gone (EPIPE) stays gone: later lines are dropped, never retried.
    let broken = false;
    boom.on('error', () => {
      broken = true;
    });
    const write = boom.write.bind(boom);
    boom.write = (line: string) => (broken ? true : write(line));
    if (buffered) {
      // sonic-boom's flushSync() retries every error but EAGAIN forever (100 ms sleeps on the main
      // thread, so SIGTERM is never handled); flush() writes once and reports the error instead.
      // One flush() writes one chunk (≤ 16 KB); a few cover what the 8 KB buffer can hold.
      const flush = () => {
        for (let chunk = 0; chunk < 4 && !broken; chunk++) boom.flush();
      };
      let timer: NodeJS.Timeout | undefined;
      const writeBuffered = boom.write.bind(boom);
      boom.write = (line: string) => {
        const ok = writeBuffered(line);
        timer ??= setTimeout(() => {
          timer = undefined;
          flush();
        }, STDOUT_FLUSH_MS).unref();
        return ok;
      };
      process.on('exit', flush);
    }
    descriptors.set(fd, (destination = boom));
  }
  return destination;
}

/** Two writable targets: debug and info go to `stdout`, warn and error to `stderr`. */
export interface LogStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The process's file descriptors 1 and 2. */
const standardStreams: LogStreams = {
  stdout: { write: (text: string) => descriptor(1).write(text) },
  stderr: { write: (text: string) => descriptor(2).write(text) },
};

/** Lines handed to a function without their newline, with their level. */
export type LogSink = (level: Exclude<LogLevel, 'silent'>, line: string) => void;

/** The pino destination of a logger: a sink function, or two streams (the standard ones by default), pretty when switched on. */
export function levelledDestination(target: LogSink | LogStreams = standardStreams): LevelledDestination {
  return {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      if (typeof target === 'function') {
        target(LABELS[this.lastLevel] ?? 'info', line.endsWith('\n') ? line.slice(0, -1) : line);
        return;
      }
      const text = prettify ? prettify(line) : line;
      (this.lastLevel >= WARN ? target.stderr : target.stdout).write(text);
    },
  } as LevelledDestination;
}

/** The part of pino-pretty used here (a devDependency: absent from a production install). */
export interface PinoPretty {
  prettyFactory(options: Record<string, unknown>): (line: string) => string;
}

/**
 * Switches loggers that write to stdout/stderr (the process-wide `log` among them) to pino-pretty's
 * readable lines, or back to JSON. pino-pretty runs in-process and synchronously rather than as a
 * worker-thread transport, so lines written just before `process.exit` are not lost. Answers false
 * (output stays JSON) when pino-pretty is not installed.
 */
export function setPrettyOutput(
  pretty: boolean,
  load: () => PinoPretty = () => createRequire(import.meta.url)('pino-pretty') as PinoPretty,
): boolean {
  if (!pretty) {
    prettify = undefined;
    return true;
  }
  try {
    const pretty = load();
    prettify = pretty.prettyFactory({ translateTime: 'SYS:HH:MM:ss.l', singleLine: true, colorize: Boolean(process.stdout.isTTY) });
    return true;
  } catch {
    prettify = undefined;
    return false;
  }
}
