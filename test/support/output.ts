import type { LogStreams } from '../../src/observability/log/destinations.js';

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
    records: () =>
      text()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
