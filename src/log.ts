/**
 * The gateway's logger: pino underneath, one JSON line per event (info and debug to stdout, warn
 * and error to stderr) with `time` (ISO), `level` (label), `msg` and the fields at top level, or
 * pino-pretty's readable lines in development (`LOG_PRETTY`). The call shape is
 * `log.info(msg, fields)`.
 *
 * Redaction happens in two layers, both inside pino:
 * - `formatters.log` walks every record's fields at any depth: values under sensitive keys
 *   (authorization, cookie, x-api-key, client_secret, secret, access_token, refresh_token, token,
 *   password, and keys ending in secret/token/password/apikey) become `[REDACTED]`, and in every
 *   string, bearer / basic credentials, JWT-shaped strings, `key=value` / `"key":"value"` pairs
 *   with a sensitive key, URL user info and every secret registered with `registerSecret` (the
 *   configured client secret, API keys, proxy passwords) are masked. The message is masked the
 *   same way.
 * - pino's own `redact` option pins the sensitive keys where they usually appear
 *   (`headers.authorization`, `request.headers["x-api-key"]`, `body.client_secret`… see
 *   REDACT_PATHS), so those are censored by pino itself whatever the walk above does.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export const REDACTED = '[REDACTED]';

/** Key names compared without case, `-` and `_`. */
const SENSITIVE_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'apikey',
  'apikeys',
  'clientsecret',
  'secret',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'password',
  'passwd',
]);
const SENSITIVE_SUFFIXES = ['secret', 'token', 'password', 'apikey'];

const normaliseKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

/** Verdicts by key name: records repeat the same few keys, so each is judged once. */
const keyVerdicts = new Map<string, boolean>();

export function isSensitiveKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    const k = normaliseKey(key);
    verdict = SENSITIVE_KEYS.has(k) || SENSITIVE_SUFFIXES.some((suffix) => k.endsWith(suffix));
    if (keyVerdicts.size >= 5_000) keyVerdicts.clear(); // keys taken from caller data must not grow it forever
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** Header names pinned in pino's `redact` option, under the objects that usually carry headers. */
const HEADER_KEYS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];
const HEADER_PARENTS = ['headers', 'request.headers', 'req.headers', 'response.headers', 'res.headers'];
/** OAuth form and answer members and the usual camelCase names, under the objects that usually carry them. */
const SECRET_KEYS = ['apiKey', 'client_secret', 'clientSecret', 'secret', 'access_token', 'accessToken', 'refresh_token', 'id_token', 'token', 'password'];
const SECRET_PARENTS = ['body', 'answer', 'data', 'request', 'response', 'req', 'res', 'config', 'credentials', 'tokenResponse'];
const member = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);

/**
 * pino `redact.paths`: every pinned key at the top level, the header names under `headers`,
 * `request.headers`…, and the secret names under `body`, `answer`, `tokenResponse`…
 * (`headers.authorization`, `body.client_secret`, `answer.secret`). The parents are named rather
 * than `*`: pino 10 runs a path that starts with `*` over every top-level field of every line
 * (measured: about 50 µs more per line), where a named parent costs nothing when it is absent.
 */
export const REDACT_PATHS: readonly string[] = [
  ...[...HEADER_KEYS, ...SECRET_KEYS].map((key) => member(key).replace(/^\./, '')),
  ...HEADER_PARENTS.flatMap((parent) => HEADER_KEYS.map((key) => parent + member(key))),
  ...SECRET_PARENTS.flatMap((parent) => SECRET_KEYS.map((key) => parent + member(key))),
];

/**
 * pino's `redact` option. Like the walk below, an empty or null value is kept: it says "absent",
 * which is worth seeing and reveals nothing.
 */
export const PINO_REDACT = {
  paths: [...REDACT_PATHS],
  censor: (value: unknown): unknown => (value === null || value === '' ? value : REDACTED),
};

/** Secrets known at run time, masked wherever they appear in a string. */
const knownSecrets = new Set<string>();
/** Shorter values would mask ordinary words; configured secrets are far longer in practice. */
const MIN_SECRET_LENGTH = 6;

/** Masks `value` in every later log record and redacted error message (the configured client secret, API keys…). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

/** For tests. */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
}

const KEY_PATTERN = 'authorization|cookie|x[-_]?api[-_]?key|api[-_]?key|client[-_]?secret|secret|access[-_]?token|refresh[-_]?token|id[-_]?token|token|password|passwd';
const SCHEME = '(?:Bearer|Basic|Token)';
const TEXT_RULES: [RegExp, string][] = [
  // `Bearer <token>` copied into free text (a credential-looking value only, not the word "token")
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  // JWT: three base64url segments, the first a JSON header (`{"` → `eyJ`)
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // `client_secret=…` in a form body or URL, `"secret":"…"` in serialised JSON, `Authorization: Basic …`
  [
    new RegExp(`((?:${KEY_PATTERN})["']?\\s*[:=]\\s*["']?)(${SCHEME}\\s+|(?!${SCHEME}\\s))[^\\s"'&,;}<>()]+`, 'gi'),
    `$1$2${REDACTED}`,
  ],
  // user info in a URL: scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+@/gi, `$1${REDACTED}@`],
];
/**
 * A string none of TEXT_RULES can match lacks all of these (each rule needs "bearer", "eyJ", a
 * sensitive key word or "://"): one scan instead of four for the routes, codes and names that make
 * up most log fields.
 */
const MAY_HOLD_CREDENTIAL = /bearer|eyj|authorization|cookie|key|secret|token|passw|:\/\//i;

/** Masks credentials and registered secrets inside free text. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  if (!MAY_HOLD_CREDENTIAL.test(out)) return out;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 8;

/** Field names the record's own `time`, `level` and `msg` use: fields cannot overwrite them. */
const RESERVED = new Set(['time', 'level', 'msg']);

function redactValue(v: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? v.toString() : v;
  if (seen.has(v)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(v);
  if (v instanceof Error) {
    const { code, extensions } = v as Error & { code?: unknown; extensions?: unknown };
    return redactValue({ name: v.name, message: v.message, code, extensions, stack: v.stack }, depth + 1, seen);
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof URL) return redactText(v.href);
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[${v.byteLength} bytes]`;
  if (v instanceof Map) return redactValue(Object.fromEntries(v), depth, seen);
  if (v instanceof Set) return redactValue([...v], depth, seen);
  if (Array.isArray(v)) return v.map((item) => redactValue(item, depth + 1, seen));
  return redactMembers(v as Record<string, unknown>, depth, seen, false);
}

function redactMembers(v: Record<string, unknown>, depth: number, seen: WeakSet<object>, topLevel: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    const item = v[key];
    if (item === undefined || (topLevel && RESERVED.has(key))) continue;
    out[redactText(key)] = isSensitiveKey(key) && item !== null && item !== '' ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return out;
}

/** A redacted copy of `value`: safe to serialise into a log line. Errors keep name, message, code and stack. */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

/** pino's `formatters.log`: the record's fields, redacted, without the reserved names. */
function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return redactMembers(fields, 0, new WeakSet(), true);
  } catch {
    // A field that cannot be read (a throwing getter) must not take the caller down with it.
    return { logError: 'fields could not be serialised' };
  }
}

export type LogSink = (level: Exclude<LogLevel, 'silent'>, line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  level(): LogLevel;
  setLevel(level: LogLevel): void;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  return LOG_LEVELS.find((l) => l === v);
}

/** `LOG_LEVEL`, else `info` (`silent` under `NODE_ENV=test`, so test runs print only their own output). */
export function defaultLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  return parseLogLevel(env.LOG_LEVEL) ?? (env.NODE_ENV === 'test' ? 'silent' : 'info');
}

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
 * Synchronous writers on file descriptors 1 and 2 (created on first use). Synchronous, because
 * `process.stdout` on a pipe writes asynchronously and `process.exit` would drop what is still
 * queued (a test saw 2,355 of 3,000 lines lost); pino's asynchronous mode flushes at exit but can
 * lose a chunk that is in flight then. A write error (a closed descriptor) must not take the
 * gateway down, so errors are dropped; pino's own handler already stops writing on EPIPE.
 *
 * stdout (one info line per operation) is buffered: a write system call per line was about 4% of
 * the gateway's CPU under load. Lines are written, still synchronously, once 8 KB are pending or
 * `STDOUT_FLUSH_MS` after the first pending line, and at exit, so nothing is ever half-written
 * when the process ends; a SIGKILL can lose at most that much. stderr (warnings, errors) is not delayed.
 */
const STDOUT_BUFFER_BYTES = 8 * 1024; // below sonic-boom's 16 KB write size
const STDOUT_FLUSH_MS = 100;
const descriptors = new Map<1 | 2, DestinationStream>();

/**
 * Node puts stdio pipes and sockets in non-blocking mode. A synchronous write to a full pipe (the
 * log collector lagging) then fails with EAGAIN, and sonic-boom sleeps 100 ms before each retry:
 * the whole gateway stalled for 100 ms at a time (`bench/log-backpressure.ts`: event-loop stalls
 * of 102 ms behind a reader that pauses 2 ms between reads, 9 ms in blocking mode). In blocking
 * mode the write waits only until the reader has made room. Files are unaffected.
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
    boom.on('error', () => undefined);
    if (buffered) {
      const flush = () => {
        try {
          boom.flushSync();
        } catch {
          // a closed descriptor: nothing more can be written
        }
      };
      let timer: NodeJS.Timeout | undefined;
      const write = boom.write.bind(boom);
      boom.write = (line: string) => {
        const ok = write(line);
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

/** A stream whose `write` was replaced (a test's spy, embedding code) is written through, so it sees every line. */
const replaced = (stream: NodeJS.WriteStream): boolean => stream.write !== Object.getPrototypeOf(stream).write;

/** stdout for debug and info, stderr for warn and error, decided at each write. */
function standardStreams(): LevelledDestination {
  return {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      const toStderr = this.lastLevel >= WARN;
      const stream = toStderr ? process.stderr : process.stdout;
      const text = prettify ? prettify(line) : line;
      if (replaced(stream)) stream.write(text);
      else descriptor(toStderr ? 2 : 1).write(text);
    },
  } as LevelledDestination;
}

/** Lines handed to `sink` without their newline (tests). */
function sinkDestination(sink: LogSink): LevelledDestination {
  return {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    write(line: string) {
      sink(LABELS[this.lastLevel] ?? 'info', line.endsWith('\n') ? line.slice(0, -1) : line);
    },
  } as LevelledDestination;
}

export function createLogger(options: { level?: LogLevel; sink?: LogSink; now?: () => Date } = {}): Logger {
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
    options.sink ? sinkDestination(options.sink) : standardStreams(),
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
export function setPrettyOutput(pretty: boolean, load: () => PinoPretty = () => createRequire(import.meta.url)('pino-pretty') as PinoPretty): boolean {
  if (!pretty) {
    prettify = undefined;
    return true;
  }
  try {
    const { prettyFactory } = load();
    prettify = prettyFactory({ translateTime: 'SYS:HH:MM:ss.l', singleLine: true, colorize: Boolean(process.stdout.isTTY) });
    return true;
  } catch {
    prettify = undefined;
    return false;
  }
}

/** The process-wide logger. */
export const log: Logger = createLogger({ level: defaultLogLevel() });
