#!/usr/bin/env node
/**
 * Bundles the example frontend (examples/frontend/README.md) into examples/frontend/dist/:
 * index.html, app.js and app.css, minified for production. The gateway serves that directory at
 * /app/ under a CSP that allows no inline script or style, so the page is checked for both here.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP = join(ROOT, 'examples/frontend');
const OUT = join(APP, 'dist');
/** Bytes app.js may grow to (React and urql take about 200 KB): a larger bundle means something unexpected got in. */
const MAX_JS_BYTES = 400_000;

/** Inline scripts, inline styles and other hosts are refused by the gateway's Content-Security-Policy. */
function cspProblems(html) {
  const problems = [];
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) problems.push('an inline <script>');
  if (/<style[\s>]/i.test(html)) problems.push('a <style> element');
  if (/\sstyle=/i.test(html)) problems.push('a style="" attribute');
  if (/\s(?:src|href)=["']?(?:https?:)?\/\//i.test(html)) problems.push('a resource from another host');
  return problems;
}

const started = performance.now();
const html = readFileSync(join(APP, 'index.html'), 'utf8');
const problems = cspProblems(html);
if (problems.length > 0) {
  process.stderr.write(`examples/frontend/index.html has ${problems.join(', ')}: the gateway's CSP would block it\n`);
  process.exit(1);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
try {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'examples/frontend/src/main.tsx' },
    outdir: OUT,
    tsconfig: 'examples/frontend/tsconfig.json',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'edge109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed the errors.
  process.exit(1);
}
copyFileSync(join(APP, 'index.html'), join(OUT, 'index.html'));

const sizes = ['index.html', 'app.js', 'app.css'].map((file) => [file, statSync(join(OUT, file)).size]);
const js = sizes.find(([file]) => file === 'app.js')[1];
if (js > MAX_JS_BYTES) {
  process.stderr.write(`app.js is ${js} bytes, more than the ${MAX_JS_BYTES} expected: what did the bundle pull in?\n`);
  process.exit(1);
}
const listing = sizes.map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(1)} KiB`).join(', ');
process.stderr.write(`Built examples/frontend/dist/ (${listing}) in ${Math.round(performance.now() - started)} ms\n`);
