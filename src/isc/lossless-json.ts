import { isInteger, isSafeNumber, parse } from 'lossless-json';

/** Sixteen digits in a row: the shortest run that can hold an integer beyond 2^53. */
const LONG_DIGITS = /\d{16}/;

/** Integers beyond 2^53 become their digits as a string (how the `Long` scalar sends them); other numbers stay numbers. */
function losslessNumber(text: string): number | string {
  return isInteger(text) && !isSafeNumber(text) ? text : Number(text);
}

/**
 * Parses an ISC answer so that no digit of an int64 is lost: `JSON.parse` would round
 * 9007199254740993 to 9007199254740992. Answers without a 16-digit run (nearly all) take the
 * native parser; the others a lossless one.
 */
export function parseJsonLosslessly(text: string): unknown {
  // A repeated key: the last value wins, as with JSON.parse.
  return LONG_DIGITS.test(text) ? parse(text, null, { parseNumber: losslessNumber, onDuplicateKey: ({ newValue }) => newValue }) : JSON.parse(text);
}
