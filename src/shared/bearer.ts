/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
