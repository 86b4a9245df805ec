import fc from 'fast-check';

/** Protobuf wire pieces written by hand, so a test can send what no generated encoder would. */
export const varint = (value: bigint): Buffer => {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Buffer.from(bytes);
};

const tag = (field: number, wireType: number): Buffer => varint((BigInt(field) << 3n) | BigInt(wireType));

/** A well-formed field: varint, 64-bit, length-delimited or 32-bit. */
export const wireField = (field: number, wireType: 0 | 1 | 2 | 5, payload: Buffer | bigint): Buffer => {
  switch (wireType) {
    case 0:
      return Buffer.concat([tag(field, 0), varint(typeof payload === 'bigint' ? payload : 0n)]);
    case 2: {
      const bytes = typeof payload === 'bigint' ? Buffer.alloc(0) : payload;
      return Buffer.concat([tag(field, 2), varint(BigInt(bytes.length)), bytes]);
    }
    case 1:
    case 5: {
      const width = wireType === 1 ? 8 : 4;
      const bytes = Buffer.alloc(width);
      if (typeof payload !== 'bigint') payload.copy(bytes, 0, 0, width);
      return Buffer.concat([tag(field, wireType), bytes]);
    }
  }
};

const bigValues = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.constantFrom(-1n, 2n ** 31n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 64n - 1n, 999n),
);

/** Fields a newer client may send: numbers this schema does not know (up to 2^29 - 1), any well-formed type. */
export const unknownFields = fc
  .array(
    fc.tuple(
      fc.integer({ min: 50, max: 2 ** 29 - 1 }),
      fc.constantFrom(0, 1, 2, 5) as fc.Arbitrary<0 | 1 | 2 | 5>,
      fc.uint8Array({ maxLength: 64 }),
      bigValues,
    ),
    { maxLength: 6 },
  )
  .map((fields) =>
    Buffer.concat(fields.map(([field, type, bytes, value]) => wireField(field, type, type === 0 ? value : Buffer.from(bytes)))),
  );

/**
 * Known field numbers with values out of range or of another type: huge and negative varints
 * (out-of-range enums, ints, bools), strings where numbers are expected and the other way round.
 */
export const outOfRangeFields = fc
  .array(
    fc.tuple(
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(0, 1, 2, 5) as fc.Arbitrary<0 | 1 | 2 | 5>,
      fc.uint8Array({ maxLength: 300 }),
      bigValues,
    ),
    { maxLength: 6 },
  )
  .map((fields) =>
    Buffer.concat(fields.map(([field, type, bytes, value]) => wireField(field, type, type === 0 ? value : Buffer.from(bytes)))),
  );

/** Bytes that are not a protobuf message: truncated fields, invalid wire types, lengths past the end. */
export const undecodable = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .integer({ min: 1, max: 30 })
    .map((field) => Buffer.concat([varint(BigInt((field << 3) | 2)), varint(1_000_000n), Buffer.from('short')])),
  fc.integer({ min: 1, max: 30 }).map((field) => varint(BigInt((field << 3) | 7))),
);

/**
 * Groups (wire types 3 and 4, which no message of ours declares) nested `depth` deep: a decoder
 * that skips unknown fields by recursion would overflow its stack on them.
 */
export const deepGroups = (field: number, depth: number): Buffer =>
  Buffer.concat([...Array.from({ length: depth }, () => tag(field, 3)), ...Array.from({ length: depth }, () => tag(field, 4))]);
