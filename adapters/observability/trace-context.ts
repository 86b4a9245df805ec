import { randomFillSync } from 'node:crypto';

/**
 * Where a unit of work sits in a distributed trace (W3C Trace Context): the trace it belongs to,
 * its own span, and the trace flags (bit 0: sampled).
 */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  readonly spanId: string;
  /** Two lowercase hex digits, e.g. `01` (sampled). */
  readonly flags: string;
}

/** The header (HTTP) and metadata key (gRPC) carrying the caller's span, and the field of our message envelopes. */
export const TRACEPARENT = 'traceparent';

const TRACEPARENT_LENGTH = 55;
const DASH = 0x2d;
const SAMPLED = '01';

/**
 * Reads a `traceparent` value (`version-traceid-parentid-flags`) as the W3C specification says:
 * lowercase hex only, version `ff` invalid, all-zero ids invalid; version 00 is exactly 55
 * characters, a later version may append `-...` fields, which are ignored. Anything else (absent,
 * repeated header, malformed) is undefined: the receiver then starts a new trace.
 */
export const parseTraceparent = (value: string | readonly string[] | undefined): TraceContext | undefined => {
  if (typeof value !== 'string') return undefined;
  const text = value.length === TRACEPARENT_LENGTH ? value : value.trim();
  if (text.length < TRACEPARENT_LENGTH) return undefined;
  if (!isLowerHex(text, 0, 2) || text.startsWith('ff')) return undefined;
  const versionZero = text.startsWith('00');
  if (versionZero ? text.length !== TRACEPARENT_LENGTH : text.length > TRACEPARENT_LENGTH && text.charCodeAt(TRACEPARENT_LENGTH) !== DASH) {
    return undefined;
  }
  if (text.charCodeAt(2) !== DASH || text.charCodeAt(35) !== DASH || text.charCodeAt(52) !== DASH) return undefined;
  if (!isLowerHex(text, 3, 35) || !isLowerHex(text, 36, 52) || !isLowerHex(text, 53, 55)) return undefined;
  if (isZero(text, 3, 35) || isZero(text, 36, 52)) return undefined;
  return { traceId: text.slice(3, 35), spanId: text.slice(36, 52), flags: text.slice(53, 55) };
};

/** One pass over the characters, no regex nor intermediate strings: this runs once per served gRPC call. */
const isLowerHex = (text: string, from: number, to: number): boolean => {
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
};

const isZero = (text: string, from: number, to: number): boolean => {
  for (let i = from; i < to; i += 1) if (text.charCodeAt(i) !== 0x30) return false;
  return true;
};

/** The `traceparent` value naming `trace`'s span as the parent of the next hop (always version 00). */
export const formatTraceparent = (trace: TraceContext): string => `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;

/** A new trace, its first span sampled. */
export const startTrace = (): TraceContext => ({ traceId: randomHex(16), spanId: newSpanId(), flags: SAMPLED });

/** A span of the same trace whose parent is `parent` (a hop: an outgoing call, a published message, a served request). */
export const childSpan = (parent: TraceContext): TraceContext => ({ traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags });

/** The span of work done on behalf of a received `traceparent`: the same trace, or a new one when the value is unusable. */
export const continueTrace = (traceparent: string | readonly string[] | undefined): TraceContext => {
  const parent = parseTraceparent(traceparent);
  return parent ? childSpan(parent) : startTrace();
};

/** `traceparent` for a hop leaving `trace`'s span: a new span id, same trace and flags. One string, no intermediate object. */
export const childTraceparent = (trace: TraceContext): string => `00-${trace.traceId}-${newSpanId()}-${trace.flags}`;

export const newSpanId = (): string => randomHex(8);

export const newTraceId = (): string => randomHex(16);

// Random bytes are drawn in blocks (one randomFillSync per 512 span ids) and turned into hex by
// Buffer's native encoder: one flat string per id. Joining two-digit strings made a chain of
// concatenations instead, which every later read of the id (hex decoding, Map keys) had to walk.
const pool = Buffer.alloc(4096);
let offset = pool.length;

const randomHex = (bytes: number): string => {
  for (;;) {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const start = offset;
    offset += bytes;
    for (let i = start; i < offset; i += 1) if (pool[i] !== 0) return pool.toString('hex', start, offset);
  }
};
