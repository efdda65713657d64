import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A tiny forward proxy for tests: `CONNECT host:port` tunnels (what hpagent uses for http and
 * https targets alike) and absolute-form plain-HTTP requests. It records every tunnel, every
 * plain request and the HTTP request lines it sees inside plain-HTTP tunnels, and can map host
 * names that do not resolve (`isc-tenant.test`) to loopback, so a test can prove that nothing
 * reached the target except through it.
 */
export interface TestProxy {
  url: string;
  port: number;
  /** `host:port` of each CONNECT tunnel opened. */
  tunnels: string[];
  /** URLs of absolute-form requests. */
  plainRequests: string[];
  /** HTTP request lines (`POST /oauth/token HTTP/1.1`) seen inside tunnels; TLS tunnels show none. */
  tunnelledRequests: string[];
  /** `Proxy-Authorization` headers received. */
  proxyAuthorizations: string[];
  reset(): void;
  close(): Promise<void>;
}

/** End-anchored only: on a keep-alive connection a request line directly follows the previous body. */
const REQUEST_LINE = /(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \/\S* HTTP\/1\.[01]$/;

function splitHostPort(authority: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
  if (!match) throw new Error(`bad CONNECT authority ${authority}`);
  return { host: match[1], port: Number(match[2]) };
}

export async function startConnectProxy(options: { hosts?: Record<string, string> } = {}): Promise<TestProxy> {
  const hosts = options.hosts ?? {};
  const resolve = (host: string) => hosts[host.toLowerCase()] ?? host;
  const sockets = new Set<net.Socket>();
  const proxy: Omit<TestProxy, 'url' | 'port' | 'close'> = {
    tunnels: [],
    plainRequests: [],
    tunnelledRequests: [],
    proxyAuthorizations: [],
    reset() {
      proxy.tunnels.length = 0;
      proxy.plainRequests.length = 0;
      proxy.tunnelledRequests.length = 0;
      proxy.proxyAuthorizations.length = 0;
    },
  };
  const noteAuth = (req: http.IncomingMessage) => {
    const auth = req.headers['proxy-authorization'];
    if (auth) proxy.proxyAuthorizations.push(auth);
  };

  const server = http.createServer((req, res) => {
    noteAuth(req);
    proxy.plainRequests.push(req.url ?? '');
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      { host: resolve(target.hostname), port: target.port || 80, path: `${target.pathname}${target.search}`, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    noteAuth(req);
    const authority = req.url ?? '';
    proxy.tunnels.push(authority);
    const { host, port } = splitHostPort(authority);
    // Counts requests in plain-HTTP tunnels (line by line, so a line split across chunks still counts once).
    let pending = head.toString('latin1');
    const count = (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = REQUEST_LINE.exec(line);
        if (match) proxy.tunnelledRequests.push(match[0]);
      }
    };
    const upstream = net.connect(port, resolve(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', count);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client);
    sockets.add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', closeBoth);
    client.on('error', closeBoth);
    upstream.on('close', () => sockets.delete(upstream));
    client.on('close', () => sockets.delete(client));
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    ...proxy,
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolveClose());
      }),
  };
}
