import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import type { ProxySettings } from '../config/upstream.js';

/**
 * Outbound connections to ISC (API calls and the token request): keep-alive agents, through an
 * HTTP(S) proxy when `HTTPS_PROXY` / `HTTP_PROXY` say so and `NO_PROXY` does not exclude the host.
 *
 * No agent sets `ca`: TLS verification uses Node's root store plus the certificates named by
 * `NODE_EXTRA_CA_CERTS` (read by Node once, at process start), for the tenant and for an https
 * proxy alike. Setting `ca` here would replace that store and break both.
 */

export interface OutboundAgents {
  http: http.Agent;
  https: https.Agent;
  /** The proxy the target is reached through, if any. */
  proxy: URL | undefined;
}

/**
 * Warm connections are reused across the ISC calls of one operation and across operations. Every
 * socket opened is kept when it falls idle (maxFreeSockets = maxSockets): a fan-out of 20 detail
 * calls would otherwise open fresh connections each time for whatever exceeds the idle pool.
 * Idle ones close after 30 s.
 */
const KEEP_ALIVE = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 30_000 } as const;

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * Whether `NO_PROXY` excludes `url`, with the usual (curl, proxy-from-env) semantics: `*` matches
 * everything; an entry matches its exact host and every subdomain (`example.com`, `.example.com`
 * and `*.example.com` all match `api.example.com`); `host:port` matches that port only.
 * Case-insensitive; IPv6 addresses with or without brackets (`[::1]:8080`, `::1`).
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  const entries = (noProxy ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (entries.length === 0) return false;
  const host = unbracket(url.hostname.toLowerCase());
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  return entries.some((entry) => {
    if (entry === '*') return true;
    const { name, entryPort } = splitEntry(entry);
    if (entryPort && entryPort !== port) return false;
    const bare = unbracket(name.replace(/^\*?\./, ''));
    if (bare === '') return false;
    return host === bare || host.endsWith(`.${bare}`);
  });
}

const unbracket = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/** `host:port`, `[v6]:port`, or a bare host / IPv6 address (whose colons are not a port). */
function splitEntry(entry: string): { name: string; entryPort: number } {
  const match = /^(.+):(\d+)$/.exec(entry);
  if (match && (!match[1].includes(':') || /^\[.*\]$/.test(match[1]))) return { name: match[1], entryPort: Number(match[2]) };
  return { name: entry, entryPort: 0 };
}

/** A proxy given without a scheme (`proxy.corp:3128`) is an http proxy, as curl reads it. */
const proxyUrl = (proxy: string): URL => new URL(proxy.includes('://') ? proxy : `http://${proxy}`);

/** The proxy for `target`, or undefined when it is reached directly. */
export function proxyFor(target: string | URL, settings: ProxySettings): URL | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : url.protocol === 'http:' ? settings.httpProxy : undefined;
  if (!proxy || bypassesProxy(url, settings.noProxy)) return undefined;
  return proxyUrl(proxy);
}

/**
 * The agents for every call to `target`'s origin (the ISC tenant: API and token endpoint share
 * it). got picks `http` or `https` by each request's protocol; each goes through the proxy of its
 * protocol unless `NO_PROXY` names the host.
 */
export function createAgents(target: string | URL, settings: ProxySettings = {}): OutboundAgents {
  const url = typeof target === 'string' ? new URL(target) : target;
  const direct = bypassesProxy(url, settings.noProxy);
  const viaHttp = !direct && settings.httpProxy ? proxyUrl(settings.httpProxy) : undefined;
  const viaHttps = !direct && settings.httpsProxy ? proxyUrl(settings.httpsProxy) : undefined;
  return {
    // hpagent tunnels with CONNECT for both; for https the TLS session runs end to end inside it.
    http: viaHttp ? new HttpProxyAgent({ ...KEEP_ALIVE, proxy: viaHttp }) : new http.Agent(KEEP_ALIVE),
    https: viaHttps ? new HttpsProxyAgent({ ...KEEP_ALIVE, proxy: viaHttps }) : new https.Agent(KEEP_ALIVE),
    proxy: url.protocol === 'https:' ? viaHttps : viaHttp,
  };
}

/** The proxy URL without its credentials, for logs. */
export function describeProxy(proxy: URL | undefined): string {
  if (!proxy) return 'none';
  return `${proxy.protocol}//${proxy.host}`;
}

/** Closes pooled sockets, so a stopping gateway leaves nothing open. */
export function destroyAgents(agents: Pick<OutboundAgents, 'http' | 'https'>): void {
  agents.http.destroy();
  agents.https.destroy();
}
