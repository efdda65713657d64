/**
 * A small structured logger: one JSON line per event (info and debug to stdout, warn and error to
 * stderr), with a redaction layer applied to every record, whatever the caller passes in.
 *
 * Redaction, applied to the message and to every field, at any depth:
 * - values under sensitive keys (authorization, cookie, x-api-key, client_secret, secret,
 *   access_token, refresh_token, token, password, and keys ending in secret/token/password/apikey)
 *   become `[REDACTED]`;
 * - in any string, bearer / basic credentials, JWT-shaped strings, `key=value` / `"key":"value"`
 *   pairs with a sensitive key, URL user info, and every secret registered with
 *   `registerSecret` (the configured client secret, API keys, proxy passwords) are masked.
 *
 * Kept small on purpose (a later change moves to pino's redaction); the call shape
 * `log.info(msg, fields)` stays.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: Infinity };

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

export function isSensitiveKey(key: string): boolean {
  const k = normaliseKey(key);
  return SENSITIVE_KEYS.has(k) || SENSITIVE_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

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

/** Masks credentials and registered secrets inside free text. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 8;

/** A redacted copy of `value`: safe to serialise into a log line. Errors keep name, message, code and stack. */
export function redact(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactText(v);
    if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? v.toString() : v;
    if (seen.has(v)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    seen.add(v);
    if (v instanceof Error) {
      const { code, extensions } = v as Error & { code?: unknown; extensions?: unknown };
      return walk({ name: v.name, message: v.message, code, extensions, stack: v.stack }, depth + 1);
    }
    if (v instanceof Date) return v.toISOString();
    if (v instanceof URL) return redactText(v.href);
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[${v.byteLength} bytes]`;
    if (v instanceof Map) return walk(Object.fromEntries(v), depth);
    if (v instanceof Set) return walk([...v], depth);
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      if (item === undefined) continue;
      out[redactText(key)] = isSensitiveKey(key) && item !== null && item !== '' ? REDACTED : walk(item, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}

export type LogSink = (level: Exclude<LogLevel, 'silent'>, line: string) => void;

/** Resolved at each write, so stream spies (tests) and replaced streams see every line. */
const streamSink: LogSink = (level, line) => {
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
};

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

export function createLogger(options: { level?: LogLevel; sink?: LogSink; now?: () => Date } = {}): Logger {
  let current = options.level ?? 'info';
  const sink = options.sink ?? streamSink;
  const now = options.now ?? (() => new Date());
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (SEVERITY[level] < SEVERITY[current]) return;
    let line: string;
    try {
      const { time: _t, level: _l, msg: _m, ...rest } = (redact(fields ?? {}) as LogFields) ?? {};
      line = JSON.stringify({ time: now().toISOString(), level, msg: redactText(msg), ...rest });
    } catch {
      // A field that cannot be serialised must not take the caller down with it.
      line = JSON.stringify({ time: now().toISOString(), level, msg: redactText(msg), logError: 'fields could not be serialised' });
    }
    sink(level, line);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    level: () => current,
    setLevel: (level) => {
      current = level;
    },
    enabled: (level) => SEVERITY[level] >= SEVERITY[current],
  };
}

/** The process-wide logger. */
export const log: Logger = createLogger({ level: defaultLogLevel() });
