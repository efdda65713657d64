/** A token shaped like ISC's (a JWT with these claims, expiring in an hour unless `exp` says otherwise) that no tenant issued. */
export function madeUpJwt(claims: Record<string, unknown> = {}): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { exp: Math.floor(Date.now() / 1000) + 3600, client_id: 'made-up-client', ...claims };
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.${Buffer.from('not a signature').toString('base64url')}`;
}
