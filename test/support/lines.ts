import type { Readable } from 'node:stream';

/** Appends each complete line `stream` writes to `into` (blank lines dropped), then calls `onLines`. */
export function collectLines(stream: Readable, into: string[], onLines: () => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    into.push(...parts.filter(Boolean));
    onLines();
  });
}
