import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import pino from 'pino';
import { createLogger, type LogLevel } from '../../src/log/logger.js';
import { PINO_REDACT, REDACTED, clearRegisteredSecrets, registerSecret } from '../../src/log/redaction.js';
import { setPrettyOutput } from '../../src/log/destinations.js';
import { captureLogger, captureOutput } from '../support/output.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsb2dnZXItdGVzdCJ9.c2lnbmF0dXJlLW9mLWxvZ2dlci10ZXN0';

afterEach(() => {
  clearRegisteredSecrets();
  setPrettyOutput(false);
  jest.restoreAllMocks();
});

const capture = (level: LogLevel = 'debug') => captureLogger({ level, now: () => new Date('2031-05-06T07:08:09.010Z') });

describe("redaction configured in pino's redact option", () => {
  /** A bare pino with only the gateway's redact option: what pino itself censors, without the field walk. */
  function bare() {
    let line = '';
    const logger = pino({ base: null, timestamp: false, redact: PINO_REDACT }, { write: (s: string) => (line = s) });
    return (fields: Record<string, unknown>) => {
      logger.info(fields, 'm');
      return JSON.parse(line) as Record<string, unknown>;
    };
  }

  it('censors the pinned keys at the top level, under headers and under the objects that carry credentials', () => {
    const log = bare();
    expect(
      log({
        authorization: 'Basic dXNlcjpwdw==',
        password: 'hunter2',
        headers: { authorization: 'opaque-1', 'x-api-key': 'key-1', cookie: 'c=1', accept: 'application/json' },
        request: { method: 'POST', headers: { 'proxy-authorization': 'Basic x' }, body: 'kept' },
        res: { headers: { 'set-cookie': 'session=2' } },
        body: { client_id: 'cid', client_secret: 'cs-1' },
        answer: { id: 'c1', secret: 'created-1' },
        tokenResponse: { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 749 },
        config: { clientSecret: 'cs-2', apiKey: 'k-2' },
      }),
    ).toEqual({
      level: 30,
      msg: 'm',
      authorization: REDACTED,
      password: REDACTED,
      headers: { authorization: REDACTED, 'x-api-key': REDACTED, cookie: REDACTED, accept: 'application/json' },
      request: { method: 'POST', headers: { 'proxy-authorization': REDACTED }, body: 'kept' },
      res: { headers: { 'set-cookie': REDACTED } },
      body: { client_id: 'cid', client_secret: REDACTED },
      answer: { id: 'c1', secret: REDACTED },
      tokenResponse: { access_token: REDACTED, refresh_token: REDACTED, expires_in: 749 },
      config: { clientSecret: REDACTED, apiKey: REDACTED },
    });
  });

  it('censors values of any type, keeps null and empty values, and leaves other depths to the field walk', () => {
    const log = bare();
    expect(log({ headers: { authorization: { scheme: 'Bearer', value: 'x' }, cookie: null, 'x-api-key': '' }, token: 42 })).toMatchObject({
      headers: { authorization: REDACTED, cookie: null, 'x-api-key': '' },
      token: REDACTED,
    });
    // Not a pinned path: pino alone keeps it (the logger's field walk is what catches it, below).
    expect(log({ outer: { inner: { token: 'deep-1' } } })).toMatchObject({ outer: { inner: { token: 'deep-1' } } });
  });
});

describe('the logger (pino underneath)', () => {
  it('writes one JSON line: ISO time, level label, msg, fields at top level, no pid or hostname', () => {
    const { logger, lines, records } = capture();
    logger.info('ISC GraphQL gateway ready', { url: 'http://127.0.0.1:4000/graphql', n: 3, nested: { ok: true } });
    expect(lines).toHaveLength(1);
    expect(lines[0].line).not.toContain('\n');
    expect(records()[0]).toEqual({
      time: '2031-05-06T07:08:09.010Z',
      level: 'info',
      msg: 'ISC GraphQL gateway ready',
      url: 'http://127.0.0.1:4000/graphql',
      n: 3,
      nested: { ok: true },
    });
  });

  it('redacts deep values the pinned paths do not reach: sensitive keys, registered secrets, bearer and JWT text', () => {
    registerSecret('registered-deep-secret-9');
    const { logger, lines, records } = capture();
    logger.warn(`refresh failed for ${JWT}`, {
      outer: { inner: { token: 'deep-1', list: [{ password: 'p1' }, `Bearer ${'t'.repeat(24)}`] } },
      note: 'sent registered-deep-secret-9 upstream',
      url: new URL('https://user:url-pass-1@proxy.example:3128/'),
      error: new Error(`failed with ${JWT}`),
    });
    expect(records()[0]).toMatchObject({
      level: 'warn',
      msg: `refresh failed for ${REDACTED}`,
      outer: { inner: { token: REDACTED, list: [{ password: REDACTED }, `Bearer ${REDACTED}`] } },
      note: `sent ${REDACTED} upstream`,
      url: `https://user:${REDACTED}@proxy.example:3128/`,
      error: { name: 'Error', message: `failed with ${REDACTED}` },
    });
    for (const secret of ['deep-1', 'p1"', 't'.repeat(24), 'registered-deep-secret-9', 'url-pass-1', JWT])
      expect(lines[0].line).not.toContain(secret);
  });

  it('survives fields that cannot be read or serialised', () => {
    const { logger, records } = capture();
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    logger.error('still logged', hostile);
    logger.info('big numbers', { n: 10n ** 20n });
    expect(records()).toEqual([
      expect.objectContaining({ level: 'error', msg: 'still logged', logError: 'fields could not be serialised' }),
      expect.objectContaining({ msg: 'big numbers', n: '100000000000000000000' }),
    ]);
  });

  it('filters by level, including silent, and changes level at run time', () => {
    const { logger, lines } = capture('info');
    expect(logger.level()).toBe('info');
    expect([logger.enabled('debug'), logger.enabled('info')]).toEqual([false, true]);
    logger.debug('hidden');
    logger.info('shown');
    logger.setLevel('debug');
    logger.debug('now shown');
    logger.setLevel('silent');
    expect(logger.level()).toBe('silent');
    logger.error('silenced');
    expect(logger.enabled('error')).toBe(false);
    expect(lines.map((l) => [l.level, JSON.parse(l.line).msg])).toEqual([
      ['info', 'shown'],
      ['debug', 'now shown'],
    ]);
  });

  it('writes debug and info to stdout, warn and error to stderr, one newline-terminated line each', () => {
    const { streams, written } = captureOutput();
    const logger = createLogger({ level: 'debug', output: streams });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(written.map((w) => [w.stream, JSON.parse(w.text).msg])).toEqual([
      ['stdout', 'd'],
      ['stdout', 'i'],
      ['stderr', 'w'],
      ['stderr', 'e'],
    ]);
    expect(written.every((w) => w.text.endsWith('}\n'))).toBe(true);
  });
});

describe('pretty output (LOG_PRETTY)', () => {
  it('prints readable, still redacted lines on the standard streams, and goes back to JSON', () => {
    const { streams, written: pretty } = captureOutput();
    const logger = createLogger({ level: 'info', output: streams });
    const sunk = capture('info');
    expect(setPrettyOutput(true)).toBe(true); // pino-pretty is a devDependency: installed here
    logger.info('graphql operation', { requestId: 'req-pretty-1', headers: { authorization: `Bearer ${JWT}` } });
    logger.error('it broke', { code: 'UPSTREAM_ERROR' });
    sunk.logger.info('to a sink');
    expect(pretty.map((w) => w.stream)).toEqual(['stdout', 'stderr']);
    expect(pretty[0].text).toMatch(/INFO.*graphql operation/);
    expect(pretty[0].text).toContain('req-pretty-1');
    expect(pretty[0].text).toContain(REDACTED);
    expect(pretty[0].text).not.toContain(JWT);
    expect(pretty[1].text).toMatch(/ERROR.*it broke/);
    expect(() => JSON.parse(pretty[0].text)).toThrow();
    // Loggers with their own sink keep JSON lines.
    expect(JSON.parse(sunk.lines[0].line)).toMatchObject({ msg: 'to a sink' });

    setPrettyOutput(false);
    logger.info('json again');
    expect(JSON.parse(pretty[2].text)).toMatchObject({ level: 'info', msg: 'json again' });
  });

  it('stays with JSON lines when pino-pretty cannot be loaded (a production install)', () => {
    const { streams, written } = captureOutput();
    const logger = createLogger({ level: 'info', output: streams });
    const loaded = setPrettyOutput(true, () => {
      throw Object.assign(new Error("Cannot find module 'pino-pretty'"), { code: 'MODULE_NOT_FOUND' });
    });
    expect(loaded).toBe(false);
    logger.info('still json');
    expect(JSON.parse(written[0].text)).toMatchObject({ level: 'info', msg: 'still json' });
  });
});

describe('a process that logs and exits', () => {
  const logModule = new URL('../../src/log/logger.ts', import.meta.url).href;
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));

  function run(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production', SAIL_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the child did not exit within 20 s'));
      }, 20_000);
      child.once('error', reject);
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
  }

  it('loses no line at process.exit and is not kept alive by the logger', async () => {
    const exiting = run(
      `const { log } = await import(${JSON.stringify(logModule)});
       for (let i = 0; i < 3000; i++) log.info('line', { i, pad: 'x'.repeat(100) });
       log.error('last words');
       process.exit(3);`,
    );
    const ending = run(`const { log } = await import(${JSON.stringify(logModule)}); log.info('done');`);
    const [exited, ended] = await Promise.all([exiting, ending]);
    expect(exited.code).toBe(3);
    const lines = exited.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { i: number });
    expect(lines).toHaveLength(3000);
    expect(lines[2999].i).toBe(2999);
    expect(JSON.parse(exited.stderr.trim().split('\n').pop()!)).toMatchObject({ level: 'error', msg: 'last words' });
    expect(ended.code).toBe(0); // a script that only logs ends by itself
    expect(JSON.parse(ended.stdout)).toMatchObject({ msg: 'done' });
  }, 30_000);

  // A non-blocking pipe answers a full buffer with EAGAIN, and sonic-boom then sleeps 100 ms
  // (the whole process) before retrying: the logger writes to stdout and stderr in blocking mode.
  it('writes to stdio pipes in blocking mode, so a lagging log reader never stalls the gateway 100 ms at a time', async () => {
    const O_NONBLOCK = 0o4000;
    const child = await run(
      `const { readFileSync } = await import('node:fs');
       const { log } = await import(${JSON.stringify(logModule)});
       const flags = (fd) => Number.parseInt(/flags:\\s*(\\d+)/.exec(readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1], 8);
       process.stdout.on; process.stderr.on; // Node opens its stdio streams: pipes turn non-blocking
       const before = [flags(1), flags(2)];
       log.info('first');
       log.warn('second');
       log.info('flags', { before, after: [flags(1), flags(2)] });`,
    );
    expect(child.code).toBe(0);
    const { before, after } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { before: number[]; after: number[] };
    expect(before.map((f) => f & O_NONBLOCK)).toEqual([O_NONBLOCK, O_NONBLOCK]); // what the logger is up against
    expect(after.map((f) => f & O_NONBLOCK)).toEqual([0, 0]);
    expect(JSON.parse(child.stderr.trim())).toMatchObject({ level: 'warn', msg: 'second' });
  }, 30_000);
});
