import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childSpan, childTraceparent, continueTrace, formatTraceparent, parseTraceparent, startTrace } from './trace-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('parseTraceparent', () => {
  it('reads the example of the W3C specification', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: '01' });
  });

  it('keeps the flags as sent, sampled or not', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.flags).toBe('00');
  });

  it('tolerates surrounding whitespace', () => {
    expect(parseTraceparent(`  ${VALID}\t`)?.traceId).toBe(TRACE_ID);
  });

  it('reads the known fields of a later version and ignores what it appends', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-comes-next`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: '01' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['sent twice', [VALID, VALID]],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['a version that is not hex', `0g-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with a trailing field', `${VALID}-extra`],
    ['a later version with glued trailing text', `cc-${TRACE_ID}-${SPAN_ID}-01x`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['a long span id', `00-${TRACE_ID}-${SPAN_ID}0-01`],
    ['flags that are not hex', `00-${TRACE_ID}-${SPAN_ID}-0z`],
    ['underscores for dashes', `00_${TRACE_ID}_${SPAN_ID}_01`],
    ['a non-hex character in the trace id', `00-${TRACE_ID.slice(0, 31)}x-${SPAN_ID}-01`],
    ['a line break', `00-${TRACE_ID}-${SPAN_ID}-\n1`],
  ])('rejects a value that is %s', (_case, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('parseTraceparent on any input', () => {
  const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

  it('round-trips every valid version-00 value', () => {
    fc.assert(
      fc.property(hex(32), hex(16), hex(2), (traceId, spanId, flags) => {
        fc.pre(/[1-9a-f]/.test(traceId) && /[1-9a-f]/.test(spanId));
        const value = `00-${traceId}-${spanId}-${flags}`;
        expect(formatTraceparent(parseTraceparent(value)!)).toBe(value);
      }),
    );
  });

  it('never throws, and whatever it accepts is well-formed', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdefF-'), minLength: 50, maxLength: 60 })),
        (value) => {
          const parsed = parseTraceparent(value);
          if (parsed) expect(formatTraceparent(parsed)).toMatch(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/);
        },
      ),
    );
  });
});

describe('trace ids and spans', () => {
  it('formats a span as the parent of the next hop, in version 00', () => {
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, flags: '01' })).toBe(VALID);
  });

  it('starts sampled traces with well-formed, distinct ids', () => {
    const traces = Array.from({ length: 1000 }, startTrace);
    for (const trace of traces) expect(parseTraceparent(formatTraceparent(trace))).toEqual(trace);
    expect(new Set(traces.map((trace) => trace.traceId)).size).toBe(1000);
    expect(new Set(traces.map((trace) => trace.spanId)).size).toBe(1000);
  });

  it('gives a child span the same trace and flags and a new span id', () => {
    const parent = { traceId: TRACE_ID, spanId: SPAN_ID, flags: '00' };
    const child = childSpan(parent);
    expect(child).toEqual({ traceId: TRACE_ID, spanId: expect.stringMatching(/^[0-9a-f]{16}$/), flags: '00' });
    expect(child.spanId).not.toBe(SPAN_ID);
    expect(parseTraceparent(childTraceparent(parent))).toEqual({
      traceId: TRACE_ID,
      spanId: expect.not.stringMatching(SPAN_ID),
      flags: '00',
    });
  });

  it('continues a valid caller trace and restarts from an invalid one', () => {
    expect(continueTrace(VALID).traceId).toBe(TRACE_ID);
    expect(continueTrace(VALID).spanId).not.toBe(SPAN_ID);
    expect(continueTrace(`00-${'0'.repeat(32)}-${SPAN_ID}-01`).traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });
});
