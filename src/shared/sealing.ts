import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for values the gateway keeps where others can read them (Redis): a fresh IV per
 * value, the tag checked on opening, and optional additional data binding a value to its key, so
 * a value copied under another key does not open.
 */

/** A 32-byte key derived with HKDF-SHA-256 from a secret, for one purpose (`info`). */
export function derivedKey(secret: string, salt: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, info, 32));
}

export function seal(key: Buffer, plaintext: string, additionalData?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (additionalData !== undefined) cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The plaintext, or undefined when the value was sealed with another key or other additional data, or was altered. */
export function unseal(key: Buffer, value: string, additionalData?: string): string | undefined {
  try {
    const raw = Buffer.from(value, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    if (additionalData !== undefined) decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
