/**
 * The gateway's browser session. Sign-in happens at the gateway (`/auth/login`), which keeps the
 * ISC token server-side and gives the browser an HttpOnly cookie this code cannot read: the page
 * only asks whether there is a session and whose it is.
 */
export type Session = { signedIn: false } | { signedIn: true; user: { id: string; name: string }; expiresAt: string };

/** Where the sign-in link goes: the gateway's sign-in, which comes back to the app. */
export const SIGN_IN_URL = '/auth/login?returnTo=/app/';

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.signedIn === false) return true;
  const user = v.user as Record<string, unknown> | null | undefined;
  return v.signedIn === true && typeof user?.id === 'string' && typeof user.name === 'string' && typeof v.expiresAt === 'string';
}

/** `GET /auth/session`. */
export async function readSession(): Promise<Session> {
  const response = await fetch('/auth/session', { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /auth/session answered HTTP ${response.status}`);
  const body: unknown = await response.json();
  if (!isSession(body)) throw new Error('GET /auth/session answered something that is not a session');
  return body;
}

/** `POST /auth/logout`: the gateway ends the session and clears the cookie (204). */
export async function signOut(): Promise<void> {
  const response = await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
  if (response.status !== 204 && !response.ok) throw new Error(`POST /auth/logout answered HTTP ${response.status}`);
}
