/**
 * The gateway's one rule for output enums: a value ISC added after the schema was written becomes
 * `UNKNOWN` (and the sibling `<field>Raw` field carries the string), so it never fails a response.
 */
export function enumValue<T extends string>(known: readonly T[], raw: unknown): T | 'UNKNOWN' | null {
  if (raw === null || raw === undefined) return null;
  return (known as readonly unknown[]).includes(raw) ? (raw as T) : 'UNKNOWN';
}

/** The raw string beside an enum field, exactly as ISC sent it. */
export function rawEnum(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
  return JSON.stringify(raw);
}
