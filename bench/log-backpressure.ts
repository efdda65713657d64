/**
 * The gateway's logger behind a lagging log reader (a collector that pauses between reads): the
 * longest event-loop stall of a process that logs 2 KB lines, with the stdio pipe in blocking
 * mode (what src/log.ts sets) and, for comparison, in Node's default non-blocking mode, where a
 * full pipe made sonic-boom sleep 100 ms per retry.
 *
 * `npx tsx bench/log-backpressure.ts [linesPerMs=20] [readerPauseMs=2] [seconds=3]`
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const isWriter = process.argv[2] === '--writer';
const [perMs = 20, pauseMs = 2, seconds = 3] = (isWriter ? process.argv.slice(4) : process.argv.slice(2)).map(Number);

async function writer(mode: string): Promise<void> {
  const { log } = await import('../src/log/logger.js');
  log.info('start'); // opens the descriptors (and sets blocking mode)
  const handle = (process.stdout as { _handle?: { setBlocking?: (b: boolean) => number } })._handle;
  if (mode === 'non-blocking') handle?.setBlocking?.(false); // Node's default for pipes: the old behaviour
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const pad = 'x'.repeat(2000);
  const started = Date.now();
  let lines = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perMs; i++) log.info('line', { pad, n: lines++ });
    if (Date.now() - started < seconds * 1000) return;
    clearInterval(timer);
    delay.disable();
    process.stderr.write(`${JSON.stringify({ mode, lines, maxStallMs: delay.max / 1e6, p99StallMs: delay.percentile(99) / 1e6 })}\n`);
  }, 1);
}

function measure(mode: string): Promise<{ mode: string; lines: number; maxStallMs: number; p99StallMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, '--writer', mode, String(perMs), String(pauseMs), String(seconds)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SAIL_LOG_LEVEL: 'info', NODE_ENV: 'production' },
      },
    );
    let report = '';
    child.stderr.on('data', (chunk: Buffer) => (report += chunk.toString('utf8')));
    // The lagging reader: after each chunk, a pause before reading again.
    child.stdout.on('data', () => {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), pauseMs);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
    child.once('error', reject);
    child.once('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(report.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`no report from the ${mode} writer: ${report.slice(0, 300)}`));
      }
    });
  });
}

if (isWriter) {
  await writer(process.argv[3]);
} else {
  console.log(`${perMs} lines of 2 KB per ms for ${seconds} s; the reader pauses ${pauseMs} ms after each chunk`);
  for (const mode of ['blocking', 'non-blocking']) {
    const r = await measure(mode);
    console.log(
      `${mode.padEnd(12)} lines written ${String(r.lines).padStart(7)}   longest event-loop stall ${r.maxStallMs.toFixed(1).padStart(6)} ms   p99 ${r.p99StallMs.toFixed(1)} ms`,
    );
  }
}
