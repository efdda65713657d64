import http from 'node:http';
import net from 'node:net';
import type { HttpRequestSpec } from './corpus.js';

/**
 * Sends fuzz cases with `node:http` (not fetch: it sends paths, methods and bodies as given, and
 * its keep-alive agent lets a case reuse a connection on purpose) or as raw bytes over TCP.
 */
export interface Answer {
  status?: number;
  contentType?: string;
  body: Buffer;
  /** Why no answer came (reset, timeout, the client library refusing the request). */
  error?: string;
  /** Raw connections: every status line received, in order. */
  statuses: number[];
  /** The small request sent after the case on the same keep-alive connection. */
  probe?: { status?: number; error?: string };
  ms: number;
}

const STATUS_LINE = /(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g;

export class Transport {
  private readonly agent: http.Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    concurrency: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  send(spec: HttpRequestSpec, timeoutMs: number, agent: http.Agent = this.agent): Promise<Answer> {
    return new Promise((resolve) => {
      const started = Date.now();
      let settled = false;
      // eslint-disable-next-line prefer-const -- assigned after `finish`, which clears it, is defined
      let timer: NodeJS.Timeout | undefined;
      const finish = (answer: Partial<Answer>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ body: Buffer.alloc(0), statuses: answer.status === undefined ? [] : [answer.status], ms: Date.now() - started, ...answer });
      };
      const headers: Record<string, string> = { ...spec.headers };
      if (spec.body && !spec.chunked) headers['content-length'] = String(spec.body.length);
      let req: http.ClientRequest;
      try {
        req = http.request({ host: this.host, port: this.port, method: spec.method, path: spec.path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => finish({ status: res.statusCode, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }));
          res.on('error', (error) => finish({ status: res.statusCode, error: `response broken: ${error.message}` }));
        });
      } catch (error) {
        finish({ error: `client refused the request: ${(error as Error).message}` });
        return;
      }
      timer = setTimeout(() => {
        finish({ error: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
      if (spec.body && spec.chunked) {
        for (let at = 0; at < spec.body.length; at += 65_536) req.write(spec.body.subarray(at, at + 65_536));
        req.end();
      } else {
        req.end(spec.body);
      }
    });
  }

  /** The case on a connection of its own, then a GET /healthz that must be answered on it (or on a fresh one if the server closed it). */
  async sendWithProbe(spec: HttpRequestSpec, timeoutMs: number, probeTimeoutMs: number): Promise<Answer> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answer = await this.send(spec, timeoutMs, agent);
      const probe = await this.send({ method: 'GET', path: '/healthz', headers: {} }, probeTimeoutMs, agent);
      return { ...answer, probe: { status: probe.status, error: probe.error } };
    } finally {
      agent.destroy();
    }
  }

  /** Writes `bytes` to a new TCP connection and collects what comes back until the server closes it or `waitMs` passes. */
  sendRaw(bytes: Buffer, waitMs: number): Promise<Answer> {
    return new Promise((resolve) => {
      const started = Date.now();
      const chunks: Buffer[] = [];
      const socket = net.connect(this.port, this.host, () => socket.write(bytes));
      let error: string | undefined;
      const done = (): void => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        const statuses = [...body.toString('latin1').matchAll(STATUS_LINE)].map((m) => Number(m[1]));
        resolve({ status: statuses[0], statuses, body, error, ms: Date.now() - started });
      };
      const timer = setTimeout(() => socket.destroy(), waitMs);
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (e: NodeJS.ErrnoException) => {
        error = e.code ?? e.message;
      });
      socket.on('close', done);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
