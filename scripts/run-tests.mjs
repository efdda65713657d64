#!/usr/bin/env node
/**
 * Runs jest (ESM) and then scans everything the whole test run printed for secrets: the demo
 * tenant's client secret, bearer tokens and JWT-shaped strings. A leak fails the run even when
 * every test passed. The output is also kept in test-output/test-run.log. Arguments go to jest
 * (`npm run jest -- test/isc/governor.test.ts` runs one file).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';

const LEAKS = [
  ['the demo client secret', /demo-secret/],
  ['the demo login client secret', /demo-login-secret/],
  ['a bearer token', /Bearer\s+[A-Za-z0-9._~+/-]{20,}/],
  ['a JWT', /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/],
];

mkdirSync('test-output', { recursive: true });
const logFile = 'test-output/test-run.log';
const log = createWriteStream(logFile);
const jest = spawn(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
jest.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  log.write(chunk);
});
jest.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  log.write(chunk);
});
jest.on('close', (code) => {
  log.end(() => {
    const output = readFileSync(logFile, 'utf8');
    const found = LEAKS.filter(([, pattern]) => pattern.test(output)).map(([name]) => name);
    if (found.length > 0) {
      process.stderr.write(`\nSecret scan of the test run: found ${found.join(', ')} in ${logFile}\n`);
      process.exit(1);
    }
    process.stdout.write(`Secret scan of the test run: no secret or token in ${output.length} characters of output\n`);
    // Tests skipped for a missing system program (test/support/system-dependencies.ts), once more at the end.
    const skips = [...new Set(output.split('\n').filter((line) => line.startsWith('skipped: ')))];
    if (skips.length > 0) process.stdout.write(`Skipped for a missing system program (CI installs them):\n  ${skips.join('\n  ')}\n`);
    process.exit(code ?? 1);
  });
});
