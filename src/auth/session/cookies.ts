import { parse, serialize, type SerializeOptions } from 'cookie';

/**
 * The two cookies of sign-in: the session (an opaque id) and the sign-in in progress (state, PKCE
 * verifier, return path and expiry, sealed: see logins.ts). HttpOnly, SameSite=Lax (the
 * callback is a top-level navigation back from ISC's sign-in page, which Lax allows), Path=/; on
 * an https public URL also Secure with the `__Host-` prefix, which pins them to this host.
 */
export interface SessionCookies {
  session: string;
  login: string;
  /** The value of cookie `name` in a Cookie header, whatever it is. */
  read(header: string | undefined, name: string): string | undefined;
  /** A Set-Cookie value; `maxAgeS` undefined makes a browser-session cookie, 0 deletes it. */
  write(name: string, value: string, maxAgeS?: number): string;
}

export function sessionCookies(publicUrl: string): SessionCookies {
  const secure = new URL(publicUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  const attributes: SerializeOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure };
  return {
    session: `${prefix}isc-gw-session`,
    login: `${prefix}isc-gw-login`,
    read(header, name) {
      // Any value counts as presented: one that names no session is refused, never ignored.
      return header ? parse(header)[name] : undefined;
    },
    write: (name, value, maxAgeS) => serialize(name, value, { ...attributes, ...(maxAgeS !== undefined && { maxAge: maxAgeS }) }),
  };
}
