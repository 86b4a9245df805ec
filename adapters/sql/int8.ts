/** The type OID of PostgreSQL's `int8` (BIGINT; also what `count(*)` returns). */
export const Int8Oid = 20;

/**
 * Parses an `int8` as a JS number, the same way on both drivers (`pg` would give a string, PGlite a
 * number or a bigint). Our BIGINT columns hold epoch milliseconds and counts, far below 2^53; a
 * value beyond is a fault, not something to round silently.
 */
export const parseInt8 = (text: string): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JS number exactly`);
  return value;
};
