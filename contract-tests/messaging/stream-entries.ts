import type { StreamEntry } from '../../core/messaging/streams.js';

/** `count` entries `{ n: '<index>' }`, numbered from `from`. */
export const numbered = (count: number, from = 0): { n: string }[] =>
  Array.from({ length: count }, (_, index) => ({ n: String(from + index) }));

export const numbersOf = (entries: readonly StreamEntry[]): (string | undefined)[] => entries.map((entry) => entry.fields.n);

/** True when stream id `a` sorts strictly before `b`. */
export const isBefore = (a: string, b: string): boolean => {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  return aMs < bMs || (aMs === bMs && aSeq < bSeq);
};
