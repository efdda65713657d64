import { captureLogger, captureOutput } from '../support/output.js';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger, type LogLevel } from '../../src/log/logger.js';
import { REDACTED, clearRegisteredSecrets, isSensitiveKey, redact, redactText, registerSecret } from '../../src/log/redaction.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjbGllbnRfaWQiOiJkZW1vLWNsaWVudCIsImV4cCI6MTk5OTk5OTk5OX0.7d2vN0oQm6cQ1u3H5rJ6lQ9bX4sZ1yT8wE2aK0pL3mN';

afterEach(() => clearRegisteredSecrets());

describe('redaction by key', () => {
  it.each([
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'X-Api-Key',
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
    'SAIL_CLIENT_SECRET',
    'sessionToken',
  ])('masks the value under %s', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
    expect(redact({ [key]: 'value-123' })).toEqual({ [key]: REDACTED });
  });

  it.each(['tokenRequests', 'expiresIn', 'maxTokens', 'rateKey', 'trackingId', 'secretary'])('keeps %s', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
    expect(redact({ [key]: 42 })).toEqual({ [key]: 42 });
  });

  it('masks at any depth, in arrays, and keeps the rest', () => {
    const record = {
      request: { method: 'POST', headers: { Authorization: 'Bearer abc', accept: 'application/json' } },
      clients: [
        { id: 'c1', secret: 'one' },
        { id: 'c2', secret: 'two', nested: [{ password: 'p' }] },
      ],
      tokenResponse: { access_token: JWT, expires_in: 749, token_type: 'bearer' },
    };
    expect(redact(record)).toEqual({
      request: { method: 'POST', headers: { Authorization: REDACTED, accept: 'application/json' } },
      clients: [
        { id: 'c1', secret: REDACTED },
        { id: 'c2', secret: REDACTED, nested: [{ password: REDACTED }] },
      ],
      tokenResponse: { access_token: REDACTED, expires_in: 749, token_type: 'bearer' },
    });
    expect(record.clients[0].secret).toBe('one'); // a copy: the caller's object is untouched
  });

  it('survives cycles, Maps, Sets, buffers, and deep nesting', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { token: 'deep-secret' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const out = JSON.stringify(
      redact({ cyclic, map: new Map([['secret', 's1']]), set: new Set([`Bearer ${'x'.repeat(20)}`]), buffer: Buffer.from('client_secret=zz'), deep }),
    );
    expect(out).toContain('[Circular]');
    expect(out).not.toContain('s1');
    expect(out).not.toContain('x'.repeat(20));
    expect(out).not.toContain('client_secret=zz');
    expect(out).not.toContain('deep-secret');
  });
});

describe('redaction inside strings', () => {
  it('masks JWTs wherever they appear', () => {
    expect(redactText(`token was ${JWT}.`)).toBe(`token was ${REDACTED}.`);
    expect(redact({ note: `first ${JWT} then ${JWT}` })).toEqual({ note: `first ${REDACTED} then ${REDACTED}` });
    expect(redact([`x${JWT}`])).toEqual([`x${REDACTED}`]);
  });

  it('masks bearer and basic credentials and key=value pairs, and leaves prose alone', () => {
    expect(redactText('Authorization: Bearer 0123456789abcdef')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('authorization=Basic dXNlcjpwYXNzd29yZA==')).toBe(`authorization=Basic ${REDACTED}`);
    expect(redactText('grant_type=client_credentials&client_id=abc&client_secret=s3cr3t')).toBe(
      `grant_type=client_credentials&client_id=abc&client_secret=${REDACTED}`,
    );
    expect(redactText('{"access_token":"opaque-token","expires_in":749}')).toBe(`{"access_token":"${REDACTED}","expires_in":749}`);
    expect(redactText('x-api-key: key-value-1')).toBe(`x-api-key: ${REDACTED}`);
    expect(redactText('https://user:proxy-pass@proxy.corp:3128/')).toBe(`https://user:${REDACTED}@proxy.corp:3128/`);
    for (const prose of [
      'An ISC bearer token is required (Authorization: Bearer <token>)',
      'ISC answered 401: JWT validation failed: JWT is expired',
      'A valid gateway API key (X-Api-Key) or an ISC bearer token is required',
      'A valid gateway API key (X-Api-Key header) or an ISC bearer token (Authorization header) is required',
      "No SAIL_API_KEYS (formerly GATEWAY_API_KEYS) set: every request for the gateway's own ISC credentials is refused with 401.",
      'ISC token endpoint at https://acme.api.identitynow.com did not answer within 5000 ms (SAIL_TOKEN_TIMEOUT_MS): check SAIL_BASE_URL',
      'ISC refused the gateway client credentials (check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET)',
    ]) {
      expect(redactText(prose)).toBe(prose);
    }
  });

  it('masks registered secrets (the configured client secret, API keys), however they are embedded', () => {
    registerSecret('Zq8-configured-client-secret');
    registerSecret('api-key-Hx7');
    registerSecret('abc'); // too short to mask safely: ignored
    registerSecret(undefined);
    expect(redactText('sent Zq8-configured-client-secret to ISC')).toBe(`sent ${REDACTED} to ISC`);
    expect(redact({ note: ['prefix:api-key-Hx7:suffix'] })).toEqual({ note: [`prefix:${REDACTED}:suffix`] });
    expect(redactText('abc stays')).toBe('abc stays');
  });

  it('redacts errors: message, stack and extensions, keeping name and code', () => {
    registerSecret('err-secret-value');
    const error = Object.assign(new Error(`failed with err-secret-value and ${JWT}`), { code: 'ECONNRESET' });
    const out = redact({ error }) as { error: { name: string; message: string; code: string; stack: string } };
    expect(out.error.name).toBe('Error');
    expect(out.error.code).toBe('ECONNRESET');
    expect(out.error.message).toBe(`failed with ${REDACTED} and ${REDACTED}`);
    expect(out.error.stack).not.toContain('err-secret-value');
    expect(out.error.stack).not.toContain(JWT);
  });
});

describe('logger', () => {
  const capture = (level: LogLevel) => captureLogger({ level, now: () => new Date('2030-01-01T00:00:00Z') });

  it('writes one JSON line per event with time, level, message and the (redacted) fields', () => {
    registerSecret('configured-secret-1');
    const { logger, lines } = capture('debug');
    logger.info('token issued configured-secret-1', {
      expiresIn: 749,
      headers: { authorization: `Bearer ${JWT}` },
      body: `client_secret=configured-secret-1`,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0].line).not.toContain('\n');
    expect(JSON.parse(lines[0].line)).toEqual({
      time: '2030-01-01T00:00:00.000Z',
      level: 'info',
      msg: `token issued ${REDACTED}`,
      expiresIn: 749,
      headers: { authorization: REDACTED },
      body: `client_secret=${REDACTED}`,
    });
    expect(lines[0].line).not.toContain('configured-secret-1');
    expect(lines[0].line).not.toContain(JWT);
  });

  it('fields cannot overwrite time, level or msg', () => {
    const { logger, lines } = capture('info');
    logger.warn('real', { msg: 'forged', level: 'debug', time: 'never' });
    expect(JSON.parse(lines[0].line)).toMatchObject({ level: 'warn', msg: 'real', time: '2030-01-01T00:00:00.000Z' });
  });

  it('filters by level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
    logger.setLevel('silent');
    logger.error('quiet');
    expect(lines).toHaveLength(2);
    expect(logger.enabled('error')).toBe(false);
  });

  it('writes info to stdout and warn/error to stderr', () => {
    const { streams, written } = captureOutput();
    const logger = createLogger({ level: 'info', output: streams });
    logger.info('to stdout', { password: 'p4ssw0rd' });
    logger.error('to stderr');
    expect(written.map((w) => w.stream)).toEqual(['stdout', 'stderr']);
    expect(written[0].text.endsWith('\n')).toBe(true);
    expect(written[0].text).not.toContain('p4ssw0rd');
  });
});
