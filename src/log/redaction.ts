/**
 * What the logs never show. Two layers, both applied inside pino (see logger.ts):
 * - `redactFields` (pino's `formatters.log`) walks every record's fields at any depth: values under
 *   sensitive keys (authorization, cookie, x-api-key, client_secret, secret, access_token,
 *   refresh_token, token, password, and keys ending in secret/token/password/apikey) become
 *   `[REDACTED]`, and in every string, bearer / basic credentials, JWT-shaped strings,
 *   `key=value` / `"key":"value"` pairs with a sensitive key, URL user info and every secret
 *   registered with `registerSecret` (the configured client secret, API keys, proxy passwords) are
 *   masked. The message is masked the same way.
 * - `PINO_REDACT` (pino's own `redact` option) pins the sensitive keys where they usually appear
 *   (`headers.authorization`, `body.client_secret`…), so pino censors those whatever the walk does.
 */
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
const SECRET_KEYS = [
  'apiKey',
  'client_secret',
  'clientSecret',
  'secret',
  'access_token',
  'accessToken',
  'refresh_token',
  'id_token',
  'token',
  'password',
];
const SECRET_PARENTS = ['body', 'answer', 'data', 'request', 'response', 'req', 'res', 'config', 'credentials', 'tokenResponse'];
const member = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);

/**
 * pino `redact.paths`: every pinned key at the top level, the header names under `headers`,
 * `request.headers`…, and the secret names under `body`, `answer`, `tokenResponse`…
 * (`headers.authorization`, `body.client_secret`, `answer.secret`). The parents are named rather
 * than `*`, which pino would run over every top-level field of every line.
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

const KEY_PATTERN =
  'authorization|cookie|x[-_]?api[-_]?key|api[-_]?key|client[-_]?secret|secret|access[-_]?token|refresh[-_]?token|id[-_]?token|token|password|passwd';
const SCHEME = '(?:Bearer|Basic|Token)';
const TEXT_RULES: [RegExp, string][] = [
  // `Bearer <token>` copied into free text (a credential-looking value only, not the word "token")
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  // JWT: three base64url segments, the first a JSON header (`{"` → `eyJ`)
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // `client_secret=…` in a form body or URL, `"secret":"…"` in serialised JSON, `Authorization: Basic …`
  [new RegExp(`((?:${KEY_PATTERN})["']?\\s*[:=]\\s*["']?)(${SCHEME}\\s+|(?!${SCHEME}\\s))[^\\s"'&,;}<>()]+`, 'gi'), `$1$2${REDACTED}`],
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
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return redactMembers(fields, 0, new WeakSet(), true);
  } catch {
    // A field that cannot be read (a throwing getter) must not take the caller down with it.
    return { logError: 'fields could not be serialised' };
  }
}
