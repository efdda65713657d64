import { badInput } from './errors.js';
import { hasControlChars, truncate, wellFormed } from './validation.js';

/** Longer than any ISC identifier (ids are 32 hex digits, script names a few dozen characters). */
export const MAX_IDENTIFIER_LENGTH = 512;

/** Percent-decodes until the value stops changing, so `%252e%252e` is seen as `..`. */
function fullyDecoded(value: string): string {
  let current = value;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current; // not valid percent-encoding: nothing more to decode
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * Turns an identifier (scriptName, id, locale) into one URL path segment. Dot segments in any
 * encoding are refused, because a URL parser or proxy on the way may resolve them and send the
 * call to another route; everything else is percent-encoded, so `a/b` stays one segment.
 */
export function pathSegment(value: string, argument = 'identifier'): string {
  // GraphQL coerces arguments to strings, but a federation representation carries raw JSON.
  if (typeof value !== 'string') throw badInput(`${argument} must be a string`, { argument });
  if (value.trim() === '') throw badInput(`${argument} must not be ${value.length === 0 ? 'empty' : 'blank'}`, { argument });
  if (value.length > MAX_IDENTIFIER_LENGTH) {
    throw badInput(`${argument} is longer than ${MAX_IDENTIFIER_LENGTH} characters`, { argument });
  }
  if (hasControlChars(value)) throw badInput(`${argument} contains control characters`, { argument });
  if (!wellFormed(value)) throw badInput(`${argument} is not well-formed Unicode (it holds a lone surrogate)`, { argument });
  const decoded = fullyDecoded(value);
  if (decoded.split(/[/\\]/).some((part) => part === '.' || part === '..')) {
    throw badInput(`${argument} "${truncate(value)}" contains a dot segment`, { argument });
  }
  return encodeURIComponent(value);
}

/** Validates an identifier that will become a path segment and answers it unchanged (for loader keys). */
export function checkIdentifier(value: string, argument = 'id'): string {
  pathSegment(value, argument);
  return value;
}

/**
 * Tagged template for upstream paths: every interpolated value becomes one encoded segment.
 * `path\`connectors/${scriptName}/source-config\``
 */
export function path(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, literal, i) => out + literal + (i < values.length ? pathSegment(values[i]) : ''), '');
}
