import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Where the system hands out ports to `listen(0)` and outgoing connections. A port chosen there and
 * released could be taken by another test's gateway (SAIL_PORT=0) before the process told to use it
 * binds it; below that range only another test's `freePort()` could take it.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback port free at the time of asking (for a process that must be told its port up front), outside the ephemeral range. */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high} in 100 tries`);
}
