/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** What the gateway reads of a pass-through bearer before ISC has seen it: the OAuth client its payload names, if any. */
export interface BearerClaims {
  clientId?: string;
}

const BASE64URL_PART = /^[A-Za-z0-9_-]+$/;

/**
 * The claims of a token shaped like ISC's access tokens (a JWT: three base64url parts, a JSON
 * object payload, an `exp` not past), or undefined when it is not one. Nothing is verified here:
 * only ISC can tell a real token, so the claims decide nothing until ISC has accepted the token.
 */
export function jwtClaims(token: string, now: number = Date.now()): BearerClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL_PART.test(part))) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { exp, client_id: clientId } = payload as { exp?: unknown; client_id?: unknown };
  if (exp !== undefined && (typeof exp !== 'number' || exp * 1000 <= now)) return undefined;
  return typeof clientId === 'string' && clientId.length > 0 && clientId.length <= 256 ? { clientId } : {};
}
