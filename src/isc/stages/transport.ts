import type { RequestOptions } from 'node:https';
import got, { type Got, type HandlerFunction, type Options, type PlainResponse, type StreamOptions } from 'got';
import type { OutboundAgents } from '../agents.js';
import { layoutPath, type ApiPaths } from '../api-paths.js';
import { parseJsonLosslessly } from '../lossless-json.js';
import type { IscAnswer, IscCall, Next } from '../types.js';

export interface TransportOptions {
  /** The tenant's API host, for example `https://acme.api.identitynow.com`. */
  baseUrl: string;
  /** ISC's path layout: the one place a layout-neutral path (`connectors/x`) becomes ISC's (`/connectors/v1/x`). */
  paths: ApiPaths;
  timeoutMs: number;
  agents: Pick<OutboundAgents, 'http' | 'https'>;
  /** Largest answer read, in bytes after decompression: beyond it the call is cut. */
  maxBodyBytes: number;
}

/** An answer larger than the configured cap: the call was cut while reading it. */
export class AnswerTooLarge extends Error {
  constructor(readonly maxBodyBytes: number) {
    super(`ISC's answer is larger than ${maxBodyBytes} bytes`);
    this.name = 'AnswerTooLarge';
  }
}

/**
 * The bottom of the pipeline: one HTTP exchange with ISC through got, read to its end and parsed.
 * Redirects are not followed (the next host would get the bearer); got's own retries are off
 * (the retry stage decides). A transport failure is thrown as got's error, for the retry stage.
 * Every stage above sees the layout-neutral path; only here does it become the layout's.
 */
export function transport(options: TransportOptions, httpClient: Got = got): Next {
  const api = httpClient.extend({
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    // Only the two agents: got rejects any other key.
    agent: { http: options.agents.http, https: options.agents.https },
    headers: { 'user-agent': 'isc-graphql-gateway' },
    handlers: [leanNativeOptions],
  });
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  return (call: IscCall): Promise<IscAnswer> => {
    // Reads are cancelled at the deadline; a write, once sent, always runs to its answer.
    const streamOptions: StreamOptions = { method: call.request.method, headers: call.headers };
    if (call.body !== undefined) streamOptions.body = call.body;
    if (call.request.method === 'GET') streamOptions.signal = call.scope.signal;
    let url: string;
    try {
      url = baseUrl + layoutPath(options.paths, call.url);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error))); // a collection with no per-resource version
    }
    return exchange(api, url, streamOptions, options.maxBodyBytes).then((raw) => ({
      status: raw.statusCode,
      headers: raw.headers,
      body: parseBody(raw.body, raw.headers['content-type']),
      rawLength: raw.body.length,
    }));
  };
}

/**
 * Node's request options for one call: the method, headers and agent, all the gateway sets (TLS
 * settings live in the agents). got's own `createNativeRequestOptions` copies every option it
 * knows into a literal V8 builds slowly, a measurable share of each call (figures in the commit
 * that kept it). It replaces a method of got's `Options`, so `got` is pinned to the exact version
 * it was checked against (package.json).
 */
function nativeRequestOptions(this: Options): ReturnType<Options['createNativeRequestOptions']> {
  const url = this.url as URL;
  const lean: RequestOptions = { method: this.method, headers: this.headers, agent: url.protocol === 'https:' ? this.agent.https : this.agent.http };
  // got's declared type lists every option it knows, as possibly undefined; the absent ones are.
  return lean as ReturnType<Options['createNativeRequestOptions']>;
}

const leanNativeOptions: HandlerFunction = (options, next) => {
  options.createNativeRequestOptions = nativeRequestOptions;
  return next(options);
};

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (!contentType?.includes('json')) return text;
  try {
    return parseJsonLosslessly(text);
  } catch {
    return text;
  }
}

interface RawResponse {
  statusCode: number;
  headers: PlainResponse['headers'];
  body: string;
}

/**
 * One exchange through got's stream interface (lighter per call than its promise interface),
 * counting the decoded bytes as they arrive and cutting the connection at the cap.
 */
function exchange(api: Got, url: string, options: StreamOptions, maxBodyBytes: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const stream = api.stream(url, options);
    let response: PlainResponse | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      reject(new AnswerTooLarge(maxBodyBytes));
      stream.destroy();
    };
    stream.once('response', (answer: PlainResponse) => {
      response = answer;
      // A declared length over the cap (uncompressed answers only: the cap counts decoded bytes).
      if (!answer.headers['content-encoding'] && Number(answer.headers['content-length']) > maxBodyBytes) tooLarge();
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge();
      else chunks.push(chunk);
    });
    stream.on('error', reject); // not `once`: a second 'error' without a listener would be thrown
    stream.once('end', () => {
      if (!response) return reject(new Error('ISC closed the connection without an answer'));
      try {
        resolve({ statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      } catch (error) {
        reject(error instanceof Error ? error : new Error('the answer could not be read')); // a body V8 cannot hold as one string
      }
    });
    // got's stream waits for a body to be piped in, except for GET and HEAD.
    if (options.body === undefined && options.method !== 'GET' && options.method !== 'HEAD') stream.end();
  });
}
