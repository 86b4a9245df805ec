/** Stream entry ids `<ms>-<seq>` as Redis Streams have them, compared numerically. */
export interface StreamId {
  readonly ms: number;
  readonly seq: number;
}

export const ZERO_ID: StreamId = { ms: 0, seq: 0 };
export const MAX_ID: StreamId = { ms: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

const ID_PATTERN = /^(\d+)(?:-(\d+))?$/;

/**
 * Parses a full id or a bare `<ms>`, whose missing sequence is `missingSeq` (Redis takes 0 for a
 * start and the largest sequence for an end). Throws on anything else, as Redis answers ERR.
 */
export function parseStreamId(text: string, missingSeq: 'first' | 'last' = 'first'): StreamId {
  const match = ID_PATTERN.exec(text);
  if (!match) throw new Error(`Invalid stream ID specified as stream command argument: ${JSON.stringify(text)}`);
  const ms = Number(match[1]);
  const seq = match[2] === undefined ? (missingSeq === 'first' ? 0 : Number.MAX_SAFE_INTEGER) : Number(match[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) throw new Error(`Stream ID out of range: ${text}`);
  return { ms, seq };
}

export const formatStreamId = (id: StreamId): string => `${id.ms}-${id.seq}`;

export const compareStreamIds = (a: StreamId, b: StreamId): number => a.ms - b.ms || a.seq - b.seq;

/** The id after `last` for an entry added at `nowMs`: the clock's ms if it moved on, else `last` plus one. */
export const nextStreamId = (last: StreamId, nowMs: number): StreamId =>
  nowMs > last.ms ? { ms: nowMs, seq: 0 } : { ms: last.ms, seq: last.seq + 1 };
