import { gatewayError } from '../shared/errors.js';
import { wellFormed } from '../shared/validation.js';
import type { IscCall, UpstreamRequest } from './types.js';

/** URL, headers and body of a request, built once per call; a body that cannot be serialised fails here, not as a network error. */
export function encodeRequest(request: UpstreamRequest): Pick<IscCall, 'url' | 'headers' | 'body'> {
  const params = request.searchParams
    ? (Object.fromEntries(Object.entries(request.searchParams).filter(([, v]) => v !== undefined)) as Record<string, string>)
    : undefined;
  // A lone surrogate cannot be percent-encoded faithfully (URLSearchParams would send U+FFFD).
  if (!wellFormed(request.path) || Object.values(params ?? {}).some((v) => typeof v === 'string' && !wellFormed(v))) {
    throw gatewayError('BAD_USER_INPUT', 'An identifier or filter value is not well-formed Unicode (it holds a lone surrogate)');
  }
  const query = params ? new URLSearchParams(params).toString() : '';
  const headers: Record<string, string> = { accept: request.accept ?? 'application/json' };
  if (request.experimental) headers['x-sailpoint-experimental'] = 'true';
  let body: string | FormData | undefined = request.form;
  if (request.jsonPatch) {
    headers['content-type'] = 'application/json-patch+json';
    body = JSON.stringify(request.jsonPatch);
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const url = query ? `${request.path}?${query}` : request.path;
  return { url, headers, body };
}
