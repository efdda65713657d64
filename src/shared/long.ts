import { GraphQLScalarType, Kind } from 'graphql';
import { uncodedError } from './errors.js';

const INTEGER = /^-?\d+$/;
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** An int64 from ISC (a number, or a string of digits when it is beyond 2^53: see parseJsonLosslessly). */
function toInt64(value: unknown): bigint {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && INTEGER.test(value)) big = BigInt(value);
  else throw uncodedError(`Long cannot represent ${typeof value === 'string' ? `"${value.slice(0, 40)}"` : String(value)}`);
  if (big < MIN || big > MAX) throw uncodedError('Long cannot represent a value outside the 64-bit range');
  return big;
}

/** Safe integers travel as JSON numbers, larger ones as strings: no digit is ever lost (JSON numbers are doubles to most clients). */
function toJson(big: bigint): number | string {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

/** The `Long` scalar (see schema/base.graphql). */
export const LongScalar = new GraphQLScalarType<number | string | bigint, number | string>({
  name: 'Long',
  serialize: (value) => toJson(toInt64(value)),
  parseValue: (value) => toJson(toInt64(value)),
  parseLiteral(node) {
    if (node.kind !== Kind.INT && node.kind !== Kind.STRING) throw uncodedError('Long takes an integer or a string of digits', { nodes: [node] });
    return toJson(toInt64(node.value));
  },
});
